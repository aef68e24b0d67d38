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
        action=AuditEntry.Action.UPDATE,
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
    entry = audit.record(actor=AnonymousUser(), action=AuditEntry.Action.LOGIN, obj=world.agency)
    assert entry.actor is None


def test_record_many_writes_one_entry_per_object_and_nothing_for_none(world):
    people = [world.supervisor_person, world.social_worker_person]
    audit.record_many(
        actor=world.agency_admin, action=AuditEntry.Action.IMPORT, objects=people, changes={"x": [None, 1]}
    )
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT)
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(str(p.pk) for p in people)
    assert all(e.actor == world.agency_admin and e.changes == {"x": [None, 1]} for e in entries)
    audit.record_many(actor=world.agency_admin, action=AuditEntry.Action.IMPORT, objects=[], changes={})
    assert entries.count() == 2
