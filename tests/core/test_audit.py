"""The audit helpers: plain JSON-able snapshots, diffs of what changed, and
entries with actor, changes and reason."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from dudao.core import audit
from dudao.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_diff_lists_only_the_fields_that_changed():
    before = {"name": "甲", "phone": "1", "major": ""}
    after = {"name": "乙", "phone": "1", "major": "社会工作"}
    assert audit.diff(before, after) == {"name": ["甲", "乙"], "major": ["", "社会工作"]}
    assert audit.diff(after, after) == {}
    assert audit.diff({}, {"name": "甲"}) == {"name": [None, "甲"]}


def test_a_snapshot_holds_plain_values(world):
    snap = audit.snapshot(world.agency, ["name", "jurisdiction", "type", "is_active"])
    assert snap == {"name": "金水阳光社工中心", "jurisdiction": "金水区", "type": "社会工作服务机构", "is_active": True}
    person = world.supervisor_person
    assert audit.snapshot(person, ["frontline_since"]) == {"frontline_since": "2015-07-01"}


def test_record_writes_actor_changes_and_reason(world):
    entry = audit.record(
        actor=world.city_admin,
        event="directory.organization_updated",
        obj=world.agency,
        changes={"since": [dt.date(2020, 1, 1), dt.date(2021, 1, 1)], "amount": [Decimal("1.50"), None]},
        reason="更正",
    )
    entry.refresh_from_db()
    assert entry.actor == world.city_admin
    assert entry.object_id == str(world.agency.pk)
    assert entry.object_repr == "金水阳光社工中心"
    assert entry.changes == {"since": ["2020-01-01", "2021-01-01"], "amount": ["1.50", None]}
    assert entry.reason == "更正"


def test_an_anonymous_actor_is_recorded_as_nobody(world):
    entry = audit.record(actor=AnonymousUser(), event="directory.organization_updated", obj=world.agency)
    assert entry.actor is None


def test_record_many_writes_one_entry_per_object_and_nothing_for_none(world):
    people = [world.supervisor_person, world.social_worker_person]
    audit.record_many(
        actor=world.agency_admin, event="directory.person_imported", objects=people, changes={"x": [None, 1]}
    )
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT)
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(str(p.pk) for p in people)
    assert all(e.actor == world.agency_admin and e.changes == {"x": [None, 1]} for e in entries)
    audit.record_many(actor=world.agency_admin, event="directory.person_imported", objects=[], changes={})
    assert entries.count() == 2


def test_an_entry_stores_its_event_and_the_events_kind_of_change(world):
    entry = audit.record(actor=world.city_admin, event="directory.organization_archived", obj=world.agency)
    entry.refresh_from_db()
    assert (entry.event, entry.action) == ("directory.organization_archived", AuditEntry.Action.ARCHIVE)
    assert entry.event_label == "机构已归档"
    # An older caller naming the action too must name the event's own.
    audit.record(actor=None, event="directory.organization_updated", obj=world.agency, action="update")
    with pytest.raises(ValueError):
        audit.record(actor=None, event="directory.organization_updated", obj=world.agency, action="create")


def test_an_undeclared_event_is_refused_and_writes_nothing(world):
    with pytest.raises(audit.UnknownEvent):
        audit.record(actor=world.city_admin, event="directory.organisation_updated", obj=world.agency)
    with pytest.raises(audit.UnknownEvent):
        audit.record_many(actor=None, event="nope.nothing", objects=[world.agency], changes={})
    with pytest.raises(TypeError):
        audit.record(actor=world.city_admin, action=AuditEntry.Action.UPDATE, obj=world.agency)
    assert not AuditEntry.objects.exists()


def test_the_older_entry_events_are_shown_but_never_written(world):
    assert audit.get("core.legacy_update").legacy
    with pytest.raises(audit.UnknownEvent):
        audit.record(actor=world.city_admin, event="core.legacy_update", obj=world.agency)
    assert not AuditEntry.objects.exists()


def test_every_event_belongs_to_an_app_and_has_a_chinese_label():
    from django.apps import apps
    from django.utils import translation

    labels = {app.label for app in apps.get_app_configs()}
    with translation.override("zh-hans"):
        for event in audit.events():
            assert event.code.split(".")[0] in labels, event.code
            label = str(event.label)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in label), (event.code, label)
    assert len({str(e.label) for e in audit.events()}) == len(audit.events()), "two events share a label"


def test_an_event_cannot_be_declared_twice_differently():
    from django.core.exceptions import ImproperlyConfigured

    same = audit.get("pools.entry_expired")
    assert audit.register(same.code, same.label, same.action) == same
    with pytest.raises(ImproperlyConfigured):
        audit.register(same.code, "其他", same.action)
    with pytest.raises(ImproperlyConfigured):
        audit.register("Pools.Bad-Code", "坏", "update")
    with pytest.raises(ImproperlyConfigured):
        audit.register("pools.something_new", "新", "teleport")
    assert "pools.something_new" not in dict(audit.choices())


def test_an_entry_of_an_event_no_longer_declared_shows_its_code(world):
    entry = audit.record(actor=None, event="pools.entry_expired", obj=world.agency)
    entry.event = "retired.app_event"
    assert entry.event_label == "retired.app_event"
    entry.event = ""
    assert entry.event_label == "修改"


def test_the_migration_names_older_entries_by_what_they_changed(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("dudao.core.migrations.0004_auditentry_event")
    A = AuditEntry.Action
    user, admin = world.social_worker, world.city_admin
    person = world.supervisor_person
    written = [
        # (actor, action, object, changes) as the services wrote them before events, and the event now told.
        (admin, A.UPDATE, user, {"role": [None, "督导"]}, "accounts.role_granted"),
        (admin, A.UPDATE, user, {"role": ["督导", None]}, "accounts.role_revoked"),
        (admin, A.UPDATE, user, {"is_active": [True, False]}, "accounts.user_deactivated"),
        (admin, A.UPDATE, user, {"is_active": [False, True]}, "accounts.user_reactivated"),
        (admin, A.UPDATE, user, {"password": ["***", "***"]}, "accounts.password_reset"),
        (user, A.UPDATE, user, {"password": ["***", "***"]}, "accounts.password_changed"),
        (user, A.CREATE, user, {"api_token": [None, "issued"]}, "accounts.token_issued"),
        (user, A.UPDATE, user, {"api_token": ["issued", "revoked"]}, "accounts.token_revoked"),
        (admin, A.CREATE, user, {"username": [None, "x"]}, "accounts.user_created"),
        (admin, A.ARCHIVE, world.agency, {"is_active": [True, False]}, "directory.organization_archived"),
        (admin, A.IMPORT, world.agency, {"staff_imported": [None, 3]}, "directory.staff_imported"),
        (admin, A.UPDATE, person, {"employment": [None, "甲 2020-01-01–"]}, "directory.employment_started"),
        (
            admin,
            A.UPDATE,
            person,
            {"employment": ["甲 2020-01-01–", "甲 2020-01-01–2024-01-01"]},
            "directory.employment_ended",
        ),
        (admin, A.UPDATE, person, {"certificates": [None, "中级 1"]}, "directory.certificate_added"),
        (admin, A.UPDATE, person, {"phone": ["***1", "***2"]}, "directory.person_updated"),
        (admin, A.LOGIN, person, {}, "core.legacy_login"),
        (admin, A.DELETE, world.agency, {}, "core.legacy_delete"),
    ]
    entries = [audit.record(actor=a, event="directory.person_updated", obj=o, changes=c) for a, _x, o, c, _e in written]
    for entry, (_a, action, *_rest) in zip(entries, written, strict=True):
        AuditEntry.objects.filter(pk=entry.pk).update(event="", action=action)
    migration.name_events(apps, None)
    got = [AuditEntry.objects.get(pk=e.pk).event for e in entries]
    assert got == [w[-1] for w in written]
    # Every event the migration hands out is declared (so it shows with its label).
    declared = {e.code for e in audit.events()}
    assert {rule[-1] for rule in migration.RULES} <= declared
    assert {f"core.legacy_{a}" for a in migration.ACTIONS} <= declared
