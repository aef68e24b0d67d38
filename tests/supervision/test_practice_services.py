"""Practice hours: the supervisor logs, the organisation where it happened decides."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from dudao.core.models import AuditEntry, Notification
from dudao.supervision.models import PracticeLog
from dudao.supervision.selectors.practice import practice_for
from dudao.supervision.services import practice
from dudao.supervision.todos import practice_todos

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted in their source language (the site's default is Chinese).
    with translation.override("en"):
        yield


YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def log(world, **overrides):
    args = {
        "actor": world.supervisor,
        "organization": world.agency,
        "date": YESTERDAY,
        "hours": Decimal("3.5"),
        "description": "个案服务",
    } | overrides
    return practice.log(**args)


def messages(exc):
    return " ".join(exc.value.messages)


def test_a_supervisor_logs_practice_and_the_agency_is_told(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = log(world)
    assert entry.status == PracticeLog.Status.PENDING
    assert entry.supervisor == world.supervisor_person
    assert entry.chain() == world.agency.chain()
    assert AuditEntry.objects.filter(event="supervision.practice_logged", object_id=str(entry.pk)).exists()
    assert Notification.objects.filter(recipient=world.agency_admin, link__contains=f"/practice/{entry.pk}/").exists()


def test_only_a_supervisor_logs_practice(world):
    with pytest.raises(PermissionDenied):
        log(world, actor=world.social_worker)
    with pytest.raises(PermissionDenied):
        log(world, actor=world.agency_admin)


def test_a_date_in_the_future_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        log(world, date=timezone.localdate() + dt.timedelta(days=1))
    assert "future" in messages(exc)


@pytest.mark.parametrize("hours", [Decimal("0"), Decimal("-1"), Decimal("24.5"), Decimal("25")])
def test_hours_outside_a_day_are_refused(world, hours):
    with pytest.raises(ValidationError) as exc:
        log(world, hours=hours)
    assert "more than 0 and at most 24" in messages(exc)


def test_hours_with_two_decimals_are_refused(world):
    with pytest.raises(ValidationError) as exc:
        log(world, hours=Decimal("1.25"))
    assert "one decimal place" in messages(exc)


def test_more_than_24_hours_on_one_day_are_refused_but_rejected_hours_do_not_count(world):
    first = log(world, hours=Decimal("20"))
    log(world, hours=Decimal("4"))
    with pytest.raises(ValidationError) as exc:
        log(world, hours=Decimal("0.5"))
    assert "24.0 hours are already logged" in messages(exc)
    practice.reject(actor=world.agency_admin, log=first, reason="无此服务")
    assert log(world, hours=Decimal("20")).hours == Decimal("20.0")


def test_an_inactive_organisation_is_refused(world):
    world.other_agency_same_district.is_active = False
    world.other_agency_same_district.save()
    with pytest.raises(ValidationError) as exc:
        log(world, organization=world.other_agency_same_district)
    assert "no longer active" in messages(exc)


def test_a_description_is_required(world):
    with pytest.raises(ValidationError) as exc:
        log(world, description="  ")
    assert "Say what the practice was" in messages(exc)


def test_the_agency_confirms_and_the_supervisor_is_told(world, django_capture_on_commit_callbacks):
    entry = log(world)
    with django_capture_on_commit_callbacks(execute=True):
        practice.confirm(actor=world.agency_admin, log=entry)
    entry.refresh_from_db()
    assert entry.status == PracticeLog.Status.CONFIRMED
    assert entry.decided_by == world.agency_admin and entry.decided_at
    assert Notification.objects.filter(recipient=world.supervisor, message__contains="confirmed").exists()
    audit = AuditEntry.objects.get(event="supervision.practice_decided", object_id=str(entry.pk))
    assert audit.changes["status"] == ["pending", "confirmed"]


def test_a_rejection_needs_a_reason_and_tells_the_supervisor_why(world, django_capture_on_commit_callbacks):
    entry = log(world)
    with pytest.raises(ValidationError) as exc:
        practice.reject(actor=world.agency_admin, log=entry, reason=" ")
    assert "Say why" in messages(exc)
    with django_capture_on_commit_callbacks(execute=True):
        practice.reject(actor=world.agency_admin, log=entry, reason="当日未到岗")
    entry.refresh_from_db()
    assert entry.status == PracticeLog.Status.REJECTED and entry.reject_reason == "当日未到岗"
    assert Notification.objects.filter(recipient=world.supervisor, message__contains="当日未到岗").exists()


@pytest.mark.parametrize("persona", ["outsider", "supervisor", "district_admin", "social_worker"])
def test_only_the_admin_of_the_organisation_decides(world, persona):
    entry = log(world)
    with pytest.raises(PermissionDenied):
        practice.confirm(actor=world.persona(persona), log=entry)
    with pytest.raises(PermissionDenied):
        practice.reject(actor=world.persona(persona), log=entry, reason="不认可")


def test_a_decided_log_cannot_be_decided_again(world):
    entry = log(world)
    practice.confirm(actor=world.agency_admin, log=entry)
    with pytest.raises(ValidationError) as exc:
        practice.reject(actor=world.agency_admin, log=entry, reason="改判")
    assert "already been" in messages(exc)


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("supervisor", True),
        ("agency_admin", True),
        ("district_admin", True),
        ("city_admin", True),
        ("hrss", True),
        ("outsider", False),
        ("erqi_admin", False),
        ("social_worker", False),
        ("trainer", False),
        ("finance", False),
    ],
)
def test_practice_is_visible_to_the_supervisor_the_agency_and_the_jurisdiction(world, persona, sees):
    entry = log(world)
    assert practice_for(world.persona(persona)).filter(pk=entry.pk).exists() is sees


def test_the_to_dos_count_practice_to_confirm_and_rejected_practice(world):
    first, second = log(world, hours=Decimal("2")), log(world, hours=Decimal("2"))
    practice.reject(actor=world.agency_admin, log=first, reason="重复填报")
    agency = {t.label: t.count for t in practice_todos(world.agency_admin)}
    supervisor = {t.label: t.count for t in practice_todos(world.supervisor)}
    assert agency == {"Practice hours to confirm": 1}
    assert supervisor["Practice hours rejected"] == (1 if YESTERDAY.year == timezone.localdate().year else 0)
    assert second.status == PracticeLog.Status.PENDING
