"""Entries admitted before review flags existed whose person has a
disciplinary record are flagged now, each with its audit entry (as
pools.services.flag_person_entries does for a record added later)."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone, translation
from django.utils.translation import gettext


def flag_existing(apps, schema_editor):
    Entry = apps.get_model("pools", "Entry")
    DisciplinaryRecord = apps.get_model("directory", "DisciplinaryRecord")
    AuditEntry = apps.get_model("core", "AuditEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    latest = {}
    for record in DisciplinaryRecord.objects.order_by("decided_on", "id"):
        latest[record.person_id] = record
    if not latest:
        return
    entries = Entry.objects.filter(
        person_id__in=list(latest), status__in=["active", "suspended"], flagged_for_review=False
    ).select_related("person")
    content_type = None
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        for entry in entries:
            record = latest[entry.person_id]
            note = gettext("Disciplinary record of %(date)s: %(text)s") % {
                "date": record.decided_on,
                "text": record.description,
            }
            entry.flagged_for_review, entry.review_note, entry.flagged_at = True, note[:400], now
            entry.save(update_fields=["flagged_for_review", "review_note", "flagged_at"])
            if content_type is None:
                content_type, _created = ContentType.objects.get_or_create(app_label="pools", model="entry")
            AuditEntry.objects.create(
                actor=None,
                event="pools.entry_flagged",
                action="update",
                content_type=content_type,
                object_id=str(entry.pk),
                object_repr=f"{entry.entry_number} {entry.person.name}"[:200],
                changes={"flagged_for_review": [False, True]},
                reason=note,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("pools", "0007_entry_review_flag"),
        ("directory", "0002_disciplinaryrecord"),
        ("core", "0004_auditentry_event"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(flag_existing, migrations.RunPython.noop)]
