"""A supervisor's year against the minimums and a supervisee's year against
their need, checked against sums worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dudao.policy.models import ParameterVersion
from dudao.supervision.models import (
    Assessment,
    Attendance,
    PracticeLog,
    Rating,
    Session,
    SuperviseeProfile,
    SuperviseeType,
)
from dudao.supervision.selectors.summary import my_supervision, supervisor_summary

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year


def make_session(engagement, day, minutes, status=Session.Status.CONFIRMED, supervisees=(), start=(9, 0)):
    """A session written directly (the sessions services are another area's)."""
    session = Session(
        engagement=engagement,
        supervisor=engagement.supervisor,
        organization=engagement.organization,
        home_organization=engagement.home_organization,
        date=day,
        start_time=dt.time(*start),
        duration_minutes=minutes,
        form=Session.Form.INDIVIDUAL if len(supervisees) <= 1 else Session.Form.GROUP,
        functions=["教育"],
        topics="个案督导",
        status=status,
    )
    session.save()
    for person in supervisees:
        Attendance.objects.create(session=session, person=person, supervisee_type="frontline", date=day)
    return session


def practice(engagement, day, hours, status):
    return PracticeLog.objects.create(
        supervisor=engagement.supervisor,
        organization=engagement.organization,
        date=day,
        hours=Decimal(hours),
        description="个案服务",
        status=status,
    )


def rate(engagement, score, month=None):
    return Rating.objects.create(
        supervisor=engagement.supervisor,
        engagement=engagement,
        organization=engagement.organization,
        month=month or dt.date(YEAR, 1, 1),
        score=score,
    )


def assessment(engagement, person, phase, average, year=YEAR):
    return Assessment.objects.create(
        engagement=engagement,
        supervisor=engagement.supervisor,
        supervisee=person,
        year=year,
        phase=phase,
        scores={"需求评估": 3},
        average=Decimal(average),
        assessed_on=dt.date(year, 1, 10),
    )


def test_the_supervisors_year_matches_a_hand_computation(world, supply, internal_engagement):
    e = internal_engagement
    make_session(e, dt.date(YEAR, 1, 5), 90)
    make_session(e, dt.date(YEAR, 2, 5), 50)
    make_session(e, dt.date(YEAR, 3, 5), 60, status=Session.Status.PENDING)
    make_session(e, dt.date(YEAR, 3, 6), 60, status=Session.Status.DISPUTED)
    make_session(e, dt.date(YEAR - 1, 12, 30), 120)
    practice(e, dt.date(YEAR, 1, 2), "3.5", PracticeLog.Status.CONFIRMED)
    practice(e, dt.date(YEAR, 1, 3), "2.0", PracticeLog.Status.CONFIRMED)
    practice(e, dt.date(YEAR, 1, 4), "4.0", PracticeLog.Status.PENDING)
    practice(e, dt.date(YEAR, 1, 5), "1.0", PracticeLog.Status.REJECTED)
    practice(e, dt.date(YEAR - 1, 6, 1), "8.0", PracticeLog.Status.CONFIRMED)
    a, b, c = supply.colleagues
    assessment(e, a, "start", "3.00")
    assessment(e, a, "end", "3.50")
    assessment(e, b, "start", "2.00")
    assessment(e, b, "end", "3.00")
    assessment(e, c, "start", "4.00")
    assessment(e, world.social_worker_person, "end", "4.00", year=YEAR - 1)

    summary = supervisor_summary(world.supervisor_person, YEAR)

    # (90 + 50) / 60 = 2.333… hours; 2.33 / 60 minimum = 3.88…%
    assert summary["service_hours"] == Decimal("2.33")
    assert summary["service_minimum"] == 60
    assert summary["service_percent"] == Decimal("3.9")
    # 3.5 + 2.0 confirmed; 5.5 / 100 = 5.5%
    assert summary["practice_hours"] == Decimal("5.50")
    assert summary["practice_minimum"] == 100
    assert summary["practice_percent"] == Decimal("5.5")
    # gains 0.50 and 1.00 → 0.75; c has only a start
    assert summary["assessed_both"] == 2
    assert summary["assessed_at_start"] == 3
    assert summary["average_gain"] == Decimal("0.75")


def test_the_rating_average_is_shown_only_from_the_policy_threshold(world, internal_engagement):
    rate(internal_engagement, 5)
    rate(internal_engagement, 4)
    rate(internal_engagement, 1, month=dt.date(YEAR - 1, 12, 1))  # another year
    below = supervisor_summary(world.supervisor_person, YEAR)
    assert below["rating_count"] == 2
    assert below["rating_average"] is None
    assert below["ratings_needed"] == 3
    rate(internal_engagement, 4)
    shown = supervisor_summary(world.supervisor_person, YEAR)
    assert shown["rating_count"] == 3
    assert shown["rating_average"] == Decimal("4.33")


def test_the_minimums_follow_the_district_policy(world, internal_engagement):
    ParameterVersion.objects.create(
        key="supervision.min_service_hours_per_year",
        jurisdiction=world.jinshui,
        value=40,
        effective_from=dt.date(YEAR, 1, 1),
        reason="金水区调整",
        created_by=world.district_admin,
    )
    make_session(internal_engagement, dt.date(YEAR, 1, 5), 120)
    summary = supervisor_summary(world.supervisor_person, YEAR)
    assert summary["service_minimum"] == 40
    assert summary["service_percent"] == Decimal("5.0")  # 2 / 40


def test_the_summary_costs_the_same_queries_however_many_rows(world, supply, internal_engagement):
    e = internal_engagement
    make_session(e, dt.date(YEAR, 1, 5), 90)
    practice(e, dt.date(YEAR, 1, 2), "3.5", PracticeLog.Status.CONFIRMED)
    rate(e, 5)
    assessment(e, supply.colleagues[0], "start", "3.00")
    with CaptureQueriesContext(connection) as few:
        supervisor_summary(world.supervisor_person, YEAR)
    for day in range(1, 20):
        make_session(e, dt.date(YEAR, 2, day), 60)
        practice(e, dt.date(YEAR, 2, day), "1.0", PracticeLog.Status.CONFIRMED)
        rate(e, 4)
    for person in supply.colleagues[1:]:
        assessment(e, person, "start", "3.00")
        assessment(e, person, "end", "4.00")
    with CaptureQueriesContext(connection) as many:
        summary = supervisor_summary(world.supervisor_person, YEAR)
    assert len(few) == len(many) <= 7
    assert summary["service_hours"] == Decimal("20.50")


def test_a_supervisees_year_against_their_need_matches_a_hand_computation(world, supply, internal_engagement):
    person = world.social_worker_person
    SuperviseeProfile.objects.create(person=person, type=SuperviseeType.FRONTLINE)
    e = internal_engagement
    confirmed = make_session(e, dt.date(YEAR, 1, 5), 90, supervisees=[person])
    make_session(e, dt.date(YEAR, 2, 5), 60, supervisees=[person])  # still to confirm
    upheld = make_session(e, dt.date(YEAR, 3, 5), 30, supervisees=[person])
    overturned = make_session(e, dt.date(YEAR, 4, 5), 45, supervisees=[person])
    make_session(e, dt.date(YEAR - 1, 12, 5), 120, supervisees=[person])
    Attendance.objects.filter(session=confirmed).update(status=Attendance.Status.CONFIRMED)
    Attendance.objects.filter(session=upheld).update(status=Attendance.Status.RESOLVED, resolution_upheld=True)
    Attendance.objects.filter(session=overturned).update(status=Attendance.Status.RESOLVED, resolution_upheld=False)

    mine = my_supervision(person, YEAR)

    assert mine["type"] == SuperviseeType.FRONTLINE
    assert mine["need_per_month"] == 2
    assert mine["months"] == TODAY.month
    assert mine["sessions_attended"] == 4
    assert mine["sessions_confirmed"] == 2
    assert mine["hours_received"] == Decimal("2.00")  # (90 + 30) / 60
    need = Decimal(2 * TODAY.month)
    assert mine["need_hours"] == need
    assert mine["percent"] == (Decimal(200) / need).quantize(Decimal("0.1"))


def test_a_past_year_needs_all_twelve_months(world):
    SuperviseeProfile.objects.create(person=world.social_worker_person, type=SuperviseeType.NEW)
    mine = my_supervision(world.social_worker_person, YEAR - 1)
    assert mine["months"] == 12
    assert mine["need_hours"] == Decimal("48.00")
    assert mine["percent"] == Decimal("0.0")
