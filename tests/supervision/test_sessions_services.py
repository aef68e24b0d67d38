"""Recording, confirming, disputing and signing off supervision sessions: every
refusal rule of the issue, and the month frozen by the sign-off."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from dudao.core.models import AuditEntry, Notification
from dudao.core.selectors import live_notification_count
from dudao.supervision.models import Attendance, Engagement, MonthSignedOff, MonthSignOff, Rating, Session
from dudao.supervision.services import sessions as services

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


def record(world, engagement, *, actor=None, **changes):
    terms = {
        "date": DAY,
        "start_time": dt.time(9, 0),
        "duration_minutes": 60,
        "form": Session.Form.INDIVIDUAL,
        "functions": ["教育"],
        "supervisees": [world.social_worker_person],
        "topics": "个案工作中的沟通技巧",
        "notes": "讨论了会谈技巧",
    } | changes
    return services.record(actor=actor or world.supervisor, engagement=engagement, **terms)


def refused(world, engagement, field, **changes):
    with pytest.raises(ValidationError) as caught:
        record(world, engagement, **changes)
    assert field in caught.value.message_dict, caught.value.message_dict
    return caught.value.message_dict[field]


def test_the_supervisor_records_a_session_with_each_supervisees_type(world, internal_engagement):
    session = record(world, internal_engagement, supervisee_types={world.social_worker_person.pk: "intern"})
    assert session.status == Session.Status.PENDING
    assert session.month == dt.date(2026, 3, 1)
    assert session.organization == world.agency and session.supervisor == world.supervisor_person
    (attendance,) = session.attendances.all()
    assert attendance.person == world.social_worker_person and attendance.supervisee_type == "intern"
    assert AuditEntry.objects.filter(event="supervision.session_recorded").count() == 1


def test_the_supervisees_are_told_of_a_new_session(world, internal_engagement, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record(world, internal_engagement)
    assert Notification.objects.filter(recipient=world.social_worker).count() == 1


def test_only_the_engagements_supervisor_records(world, internal_engagement, supply):
    for user in (world.agency_admin, world.social_worker, supply.external_supervisor):
        with pytest.raises(PermissionDenied):
            record(world, internal_engagement, actor=user)


def test_an_engagement_not_active_takes_no_session(world, internal_engagement):
    Engagement.objects.filter(pk=internal_engagement.pk).update(status=Engagement.Status.PROPOSED)
    internal_engagement.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        record(world, internal_engagement)
    assert caught.value.messages == [gettext("Sessions are recorded only under an active engagement.")]


def test_a_date_in_the_future_is_refused(world, internal_engagement):
    assert refused(world, internal_engagement, "date", date=timezone.localdate() + dt.timedelta(days=1))


def test_a_date_before_the_engagement_is_refused(world, internal_engagement):
    assert "2026-01-01" in refused(world, internal_engagement, "date", date=dt.date(2025, 12, 31))[0]


def test_a_date_after_the_engagement_ended_is_refused(world, internal_engagement):
    Engagement.objects.filter(pk=internal_engagement.pk).update(ended_on=dt.date(2026, 3, 1))
    internal_engagement.refresh_from_db()
    assert "2026-03-01" in refused(world, internal_engagement, "date")[0]


@pytest.mark.parametrize("minutes", [14, 481, 0])
def test_a_duration_outside_the_policy_bounds_is_refused(world, internal_engagement, minutes):
    assert "15" in refused(world, internal_engagement, "duration_minutes", duration_minutes=minutes)[0]


@pytest.mark.parametrize("minutes", [15, 480])
def test_the_policy_bounds_themselves_are_accepted(world, internal_engagement, minutes):
    assert record(world, internal_engagement, duration_minutes=minutes).duration_minutes == minutes


def test_a_supervisee_not_covered_by_the_engagement_is_refused(world, external_engagement, supply):
    message = refused(
        world, external_engagement, "supervisees", supervisees=[supply.colleagues[2]], actor=supply.external_supervisor
    )
    assert supply.colleagues[2].name in message[0]


def test_staff_of_another_agency_are_not_covered_by_all_staff(world, internal_engagement, supply):
    assert refused(world, internal_engagement, "supervisees", supervisees=[supply.external_person])


def test_the_supervisor_cannot_supervise_themself(world, internal_engagement):
    assert refused(world, internal_engagement, "supervisees", supervisees=[world.supervisor_person])


def test_a_session_overlapping_another_of_the_same_supervisor_is_refused(world, internal_engagement):
    record(world, internal_engagement)
    assert "09:00" in refused(world, internal_engagement, "start_time", start_time=dt.time(9, 59))[0]
    # Back to back is no overlap.
    assert record(world, internal_engagement, start_time=dt.time(10, 0)).pk


def test_a_group_session_with_one_supervisee_is_refused(world, internal_engagement, supply):
    assert refused(world, internal_engagement, "supervisees", form=Session.Form.GROUP)
    group = record(
        world,
        internal_engagement,
        form=Session.Form.GROUP,
        supervisees=[world.social_worker_person, supply.colleagues[0]],
    )
    assert group.attendances.count() == 2


def test_a_function_outside_the_policy_list_is_refused(world, internal_engagement):
    assert "治疗" in refused(world, internal_engagement, "functions", functions=["治疗"])[0]
    assert refused(world, internal_engagement, "functions", functions=[])


def test_a_session_in_a_signed_off_month_is_refused(world, internal_engagement):
    MonthSignOff.objects.create(engagement=internal_engagement, month=dt.date(2026, 3, 1), signed_at=timezone.now())
    assert "2026-03" in refused(world, internal_engagement, "date")[0]


def confirm(world, session, rating=4, comment="很有收获", actor=None):
    return services.confirm(actor=actor or world.social_worker, session=session, rating=rating, comment=comment)


def test_a_supervisee_confirms_with_the_servers_time_and_a_rating_kept_apart(world, internal_engagement):
    session = record(world, internal_engagement)
    before = timezone.now()
    attendance = confirm(world, session)
    assert attendance.status == Attendance.Status.CONFIRMED and before <= attendance.confirmed_at <= timezone.now()
    session.refresh_from_db()
    assert session.status == Session.Status.CONFIRMED
    rating = Rating.objects.get()
    assert (rating.score, rating.comment, rating.month) == (4, "很有收获", dt.date(2026, 3, 1))
    # Nothing on the rating leads back to the supervisee or the session.
    fields = {f.name for f in Rating._meta.get_fields()}
    assert fields == {"id", "supervisor", "engagement", "organization", "month", "score", "comment"}
    entry = AuditEntry.objects.get(event="supervision.session_confirmed")
    assert "4" not in str(entry.changes) and "很有收获" not in str(entry.changes)


def test_the_coverage_hears_when_confirmed_hours_change(world, internal_engagement, django_capture_on_commit_callbacks):
    from dudao.supervision.signals import coverage_changed

    heard = []
    coverage_changed.connect(
        lambda sender, organization_ids, **kw: heard.append(organization_ids), weak=False, dispatch_uid="t"
    )
    try:
        session = record(world, internal_engagement)
        with django_capture_on_commit_callbacks(execute=True):
            confirm(world, session)
    finally:
        coverage_changed.disconnect(dispatch_uid="t")
    assert heard == [{world.agency.pk}]


@pytest.mark.parametrize("rating", [0, 6, "x", None, 2.5, True])
def test_a_rating_outside_one_to_five_is_refused(world, internal_engagement, rating):
    session = record(world, internal_engagement)
    with pytest.raises(ValidationError):
        confirm(world, session, rating=rating)
    assert not Rating.objects.exists()


def test_only_a_supervisee_present_confirms_and_only_once(world, internal_engagement, supply):
    session = record(world, internal_engagement)
    with pytest.raises(PermissionDenied):
        confirm(world, session, actor=world.supervisor)
    with pytest.raises(PermissionDenied):
        confirm(world, session, actor=world.agency_admin)
    confirm(world, session)
    with pytest.raises(ValidationError):
        confirm(world, session)
    assert Rating.objects.count() == 1


def test_a_session_stays_pending_until_every_supervisee_confirms(world, internal_engagement, supply):
    from dudao.accounts.models import Role
    from tests.factories import user_with_role

    colleague = supply.colleagues[0]
    user = user_with_role(Role.SOCIAL_WORKER, username="colleague", person=colleague)
    session = record(
        world, internal_engagement, form=Session.Form.GROUP, supervisees=[world.social_worker_person, colleague]
    )
    confirm(world, session)
    session.refresh_from_db()
    assert session.status == Session.Status.PENDING
    confirm(world, session, actor=user)
    session.refresh_from_db()
    assert session.status == Session.Status.CONFIRMED


def test_a_dispute_tells_the_agency_and_its_resolution_settles_the_session(
    world, internal_engagement, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session = record(world, internal_engagement)
    with django_capture_on_commit_callbacks(execute=True):
        attendance = services.dispute(actor=world.social_worker, session=session, reason="当天未进行督导")
    session.refresh_from_db()
    assert session.status == Session.Status.DISPUTED
    assert Notification.objects.filter(recipient=world.agency_admin, link__contains=str(session.pk)).exists()
    # Disputing handled the supervisee's request to confirm; the agency now has one to resolve.
    assert [live_notification_count(u) for u in (world.social_worker, world.agency_admin)] == [0, 1]
    with pytest.raises(PermissionDenied):
        services.resolve(actor=world.supervisor, attendance=attendance, upheld=True, resolution="核实")
    with pytest.raises(PermissionDenied):
        services.resolve(actor=world.outsider, attendance=attendance, upheld=True, resolution="核实")
    with pytest.raises(ValidationError):
        services.resolve(actor=world.agency_admin, attendance=attendance, upheld=True, resolution="")
    services.resolve(actor=world.agency_admin, attendance=attendance, upheld=False, resolution="经核实未进行")
    assert live_notification_count(world.agency_admin) == 0
    session.refresh_from_db()
    attendance.refresh_from_db()
    # Found not to have taken place as recorded: void, for no hours and no subsidy.
    assert session.status == Session.Status.VOID
    assert attendance.status == Attendance.Status.RESOLVED and attendance.resolution_upheld is False


def test_a_dispute_needs_a_reason(world, internal_engagement):
    session = record(world, internal_engagement)
    with pytest.raises(ValidationError):
        services.dispute(actor=world.social_worker, session=session, reason="  ")


def test_the_supervisor_changes_or_deletes_a_session_only_until_someone_confirms(world, internal_engagement):
    session = record(world, internal_engagement)
    with pytest.raises(PermissionDenied):
        services.update(actor=world.agency_admin, session=session, topics="改")
    services.update(actor=world.supervisor, session=session, topics="沟通与共情", duration_minutes=90)
    session.refresh_from_db()
    assert (session.topics, session.duration_minutes) == ("沟通与共情", 90)
    with pytest.raises(ValidationError):
        services.update(actor=world.supervisor, session=session, duration_minutes=5)
    confirm(world, session)
    with pytest.raises(ValidationError):
        services.update(actor=world.supervisor, session=session, topics="再改")
    with pytest.raises(ValidationError):
        services.delete(actor=world.supervisor, session=session)


def test_a_session_not_yet_confirmed_can_be_deleted(world, internal_engagement):
    session = record(world, internal_engagement)
    services.delete(actor=world.supervisor, session=session, reason="重复录入")
    assert not Session.objects.exists()


def test_a_month_is_signed_off_only_when_every_session_is_settled(world, internal_engagement):
    session = record(world, internal_engagement)
    record(world, internal_engagement, start_time=dt.time(14, 0))
    with pytest.raises(ValidationError, match="2"):
        services.sign_off(actor=world.agency_admin, engagement=internal_engagement, month=DAY)
    for s in Session.objects.all():
        confirm(world, s)
    with pytest.raises(PermissionDenied):
        services.sign_off(actor=world.supervisor, engagement=internal_engagement, month=DAY)
    with pytest.raises(PermissionDenied):
        services.sign_off(actor=world.outsider, engagement=internal_engagement, month=DAY)
    signed = services.sign_off(actor=world.agency_admin, engagement=internal_engagement, month=DAY)
    assert signed.month == dt.date(2026, 3, 1) and signed.status == MonthSignOff.Status.SIGNED
    with pytest.raises(ValidationError):
        services.sign_off(actor=world.agency_admin, engagement=internal_engagement, month=DAY)
    assert session.pk


def test_a_signed_off_month_is_frozen_through_the_services_and_the_orm(world, internal_engagement):
    session = record(world, internal_engagement)
    confirm(world, session)
    services.sign_off(actor=world.agency_admin, engagement=internal_engagement, month=DAY)
    session.refresh_from_db()
    session.topics = "事后修改"
    with pytest.raises(MonthSignedOff):
        session.save()
    with pytest.raises(MonthSignedOff):
        session.delete()
    attendance = session.attendances.get()
    with pytest.raises(MonthSignedOff):
        attendance.save()
    with pytest.raises(ValidationError):
        record(world, internal_engagement, start_time=dt.time(15, 0))


def test_reopening_needs_a_reason_and_tells_the_supervisor(
    world, internal_engagement, django_capture_on_commit_callbacks
):
    services.sign_off(actor=world.agency_admin, engagement=internal_engagement, month=DAY)
    with pytest.raises(ValidationError):
        services.reopen(actor=world.agency_admin, engagement=internal_engagement, month=DAY, reason="")
    with pytest.raises(PermissionDenied):
        services.reopen(actor=world.supervisor, engagement=internal_engagement, month=DAY, reason="补录")
    with django_capture_on_commit_callbacks(execute=True):
        services.reopen(actor=world.agency_admin, engagement=internal_engagement, month=DAY, reason="补录遗漏的督导")
    assert Notification.objects.filter(recipient=world.supervisor, message__contains="补录遗漏的督导").exists()
    assert AuditEntry.objects.filter(event="supervision.month_reopened", reason="补录遗漏的督导").exists()
    assert record(world, internal_engagement).pk


def test_a_month_that_has_not_begun_cannot_be_signed_off(world, internal_engagement):
    # Next month from today, whatever the day the suite runs (a fixed date begins one day).
    next_month = (timezone.localdate().replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    with pytest.raises(ValidationError) as caught:
        services.sign_off(actor=world.agency_admin, engagement=internal_engagement, month=next_month)
    assert caught.value.message_dict["month"] == [gettext("A month can be signed off only once it has begun.")]


def test_each_confirmation_of_a_group_session_moves_coverage(
    world, internal_engagement, supply, django_capture_on_commit_callbacks
):
    from dudao.supervision.signals import coverage_changed

    heard = []
    coverage_changed.connect(
        lambda sender, organization_ids, **kw: heard.append(organization_ids), weak=False, dispatch_uid="g"
    )
    try:
        session = record(
            world,
            internal_engagement,
            form=Session.Form.GROUP,
            supervisees=[world.social_worker_person, supply.colleagues[0]],
        )
        with django_capture_on_commit_callbacks(execute=True):
            confirm(world, session)
    finally:
        coverage_changed.disconnect(dispatch_uid="g")
    session.refresh_from_db()
    assert session.status == Session.Status.PENDING and heard == [{world.agency.pk}]
