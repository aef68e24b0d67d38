"""Audit entries name the act they record (AuditEntry.event). Entries written
before get the event the services now write for the same change, told from
the object's type, the action and which fields changed; whatever cannot be
told gets a generic "older entry" event of its action (core/events.py)."""

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Cast

# (app label, model, action, lookups on the entry, event); first match wins.
RULES = [
    ("accounts", "user", "create", {"changes__has_key": "api_token"}, "accounts.token_issued"),
    ("accounts", "user", "create", {}, "accounts.user_created"),
    ("accounts", "user", "update", {"changes__role__0": None}, "accounts.role_granted"),
    ("accounts", "user", "update", {"changes__has_key": "role"}, "accounts.role_revoked"),
    ("accounts", "user", "update", {"changes__is_active__1": True}, "accounts.user_reactivated"),
    ("accounts", "user", "update", {"changes__has_key": "is_active"}, "accounts.user_deactivated"),
    ("accounts", "user", "update", {"changes__has_key": "password", "own": True}, "accounts.password_changed"),
    ("accounts", "user", "update", {"changes__has_key": "password"}, "accounts.password_reset"),
    ("accounts", "user", "update", {"changes__has_key": "locked"}, "accounts.account_unlocked"),
    ("accounts", "user", "update", {"changes__has_key": "api_token"}, "accounts.token_revoked"),
    ("directory", "organization", "create", {}, "directory.organization_created"),
    ("directory", "organization", "update", {}, "directory.organization_updated"),
    ("directory", "organization", "archive", {}, "directory.organization_archived"),
    ("directory", "organization", "import", {}, "directory.staff_imported"),
    ("directory", "person", "create", {}, "directory.person_created"),
    ("directory", "person", "import", {}, "directory.person_imported"),
    ("directory", "person", "update", {"changes__has_key": "certificates"}, "directory.certificate_added"),
    (
        "directory",
        "person",
        "update",
        {"changes__has_key": "disciplinary_record"},
        "directory.disciplinary_record_added",
    ),
    ("directory", "person", "update", {"changes__employment__0": None}, "directory.employment_started"),
    ("directory", "person", "update", {"changes__has_key": "employment"}, "directory.employment_ended"),
    ("directory", "person", "update", {}, "directory.person_updated"),
    ("policy", "parameterversion", "create", {}, "policy.parameter_version_added"),
    ("selection", "round", "create", {}, "selection.round_opened"),
    ("selection", "round", "update", {}, "selection.round_closed"),
    ("selection", "nomination", "create", {}, "selection.nomination_created"),
    ("selection", "nomination", "update", {"changes__has_key": "status"}, "selection.nomination_status_changed"),
    ("selection", "nomination", "update", {"changes__has_key": "evidence"}, "selection.evidence_added"),
    ("selection", "nomination", "update", {}, "selection.nomination_updated"),
    ("training", "programme", "create", {}, "training.programme_created"),
    ("training", "module", "create", {}, "training.module_added"),
    ("training", "cohort", "create", {}, "training.cohort_created"),
    ("training", "cohort", "update", {"changes__has_key": "members"}, "training.members_added"),
    ("training", "cohort", "update", {"changes__has_key": "confirmed"}, "training.results_confirmed"),
    ("training", "cohort", "import", {}, "training.scores_imported"),
    ("training", "session", "create", {}, "training.session_scheduled"),
    ("training", "session", "update", {}, "training.attendance_recorded"),
    ("training", "member", "update", {}, "training.scores_recorded"),
    ("training", "survey", "create", {}, "training.survey_created"),
    ("training", "survey", "update", {}, "training.survey_sent"),
    ("training", "response", "create", {}, "training.survey_answered"),
    ("training", "response", "update", {}, "training.survey_answer_changed"),
    ("training", "activity", "create", {}, "training.activity_recorded"),
    ("pools", "entry", "create", {"changes__level__1": "city"}, "pools.admitted_to_city_pool"),
    ("pools", "entry", "create", {"changes__level__1": "district"}, "pools.admitted_to_district_pool"),
    ("pools", "entry", "create", {"changes__level__1": "agency"}, "pools.internal_designated"),
    ("pools", "entry", "update", {}, "pools.entry_status_changed"),
    ("core", "job", "export", {}, "core.export_requested"),
]
ACTIONS = ["create", "update", "delete", "archive", "import", "export", "login"]


def name_events(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = {(t.app_label, t.model): t.pk for t in ContentType.objects.all()}
    unnamed = AuditEntry.objects.filter(event="")
    for app_label, model, action, lookups, event in RULES:
        if (app_label, model) not in types:
            continue
        lookups = dict(lookups)
        rows = unnamed.filter(content_type_id=types[app_label, model], action=action)
        if lookups.pop("own", False):
            # The user changed their own password (actor and object are the same user).
            rows = rows.annotate(actor_key=Cast("actor_id", models.CharField())).filter(object_id=F("actor_key"))
        rows.filter(**lookups).update(event=event)
    for action in ACTIONS:
        unnamed.filter(action=action).update(event=f"core.legacy_{action}")


def forget_events(apps, schema_editor):
    apps.get_model("core", "AuditEntry").objects.update(event="")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_job"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="event",
            field=models.CharField(db_index=True, default="", max_length=64, verbose_name="event"),
            preserve_default=False,
        ),
        migrations.RunPython(name_events, forget_events),
    ]
