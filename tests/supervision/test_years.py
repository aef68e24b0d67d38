"""A supervisor's yearly sums (models.SupervisorYear) stay equal to their
source rows whatever path changes them: the services, a save or delete through
the ORM, and the nightly rebuild, which writes the same figures again."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from dudao.accounts.models import Role
from dudao.policy.registry import BY_KEY
from dudao.supervision.models import Assessment, PracticeLog, Rating, Session, SupervisorYear
from dudao.supervision.services import assessments, practice, sessions, years
from tests.factories import user_with_role

from .test_sessions_services import record
from .test_summary_selectors import assessment

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


def sums(person, year=2026):
    row = SupervisorYear.objects.filter(supervisor=person, year=year).first()
    if row is None:
        return None
    return (row.service_minutes, row.practice_hours, row.ratings, row.rating_total)


def group_session(world, engagement, supply, minutes=90):
    return record(
        world,
        engagement,
        duration_minutes=minutes,
        form=Session.Form.GROUP,
        supervisees=[world.social_worker_person, supply.colleagues[0]],
    )


def test_a_session_counts_its_minutes_once_every_supervisee_has_confirmed(world, internal_engagement, supply):
    session = group_session(world, internal_engagement, supply)
    assert sums(world.supervisor_person) in (None, (0, Decimal("0.0"), 0, 0))
    sessions.confirm(actor=world.social_worker, session=session, rating=4)
    # One rating in, the session still awaits the other supervisee: no minutes yet.
    assert sums(world.supervisor_person) == (0, Decimal("0.0"), 1, 4)
    colleague = user_with_role(Role.SOCIAL_WORKER, username="colleague", person=supply.colleagues[0])
    sessions.confirm(actor=colleague, session=session, rating=5)
    assert sums(world.supervisor_person) == (90, Decimal("0.0"), 2, 9)


def test_a_dispute_upheld_against_a_session_keeps_its_minutes_out(world, internal_engagement, supply):
    session = group_session(world, internal_engagement, supply, minutes=60)
    sessions.confirm(actor=world.social_worker, session=session, rating=3)
    colleague = user_with_role(Role.SOCIAL_WORKER, username="colleague", person=supply.colleagues[0])
    sessions.dispute(actor=colleague, session=session, reason="当天我未参加")
    assert sums(world.supervisor_person) == (0, Decimal("0.0"), 1, 3)
    attendance = session.attendances.get(person=supply.colleagues[0])
    sessions.resolve(actor=world.agency_admin, attendance=attendance, upheld=True, resolution="签到表证明其参加")
    assert sums(world.supervisor_person) == (60, Decimal("0.0"), 1, 3)


def test_only_confirmed_practice_hours_count(world):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    kept = practice.log(
        actor=world.supervisor, organization=world.agency, date=yesterday, hours=Decimal("3.5"), description="个案"
    )
    refused = practice.log(
        actor=world.supervisor, organization=world.agency, date=yesterday, hours=Decimal("2.0"), description="小组"
    )
    assert sums(world.supervisor_person, yesterday.year) is None
    practice.confirm(actor=world.agency_admin, log=kept)
    practice.reject(actor=world.agency_admin, log=refused, reason="无服务记录")
    assert sums(world.supervisor_person, yesterday.year) == (0, Decimal("3.5"), 0, 0)


def test_orm_saves_and_deletes_move_the_sums_between_years(world, internal_engagement):
    session = record(world, internal_engagement, duration_minutes=45)
    Session.objects.filter(pk=session.pk).update(status=Session.Status.CONFIRMED)
    session = Session.objects.get(pk=session.pk)
    session.save()  # a confirmed session saved through the ORM refreshes its year
    assert sums(world.supervisor_person) == (45, Decimal("0.0"), 0, 0)
    session.date = dt.date(2025, 12, 30)
    internal_engagement.starts_on = dt.date(2025, 1, 1)
    session.save()
    assert sums(world.supervisor_person) == (0, Decimal("0.0"), 0, 0)
    assert sums(world.supervisor_person, 2025) == (45, Decimal("0.0"), 0, 0)
    Session.objects.get(pk=session.pk).delete()
    assert sums(world.supervisor_person, 2025) == (0, Decimal("0.0"), 0, 0)


def test_the_rebuild_writes_what_the_services_kept_and_zeroes_what_lost_its_sources(world, internal_engagement, supply):
    session = group_session(world, internal_engagement, supply)
    sessions.confirm(actor=world.social_worker, session=session, rating=4)
    colleague = user_with_role(Role.SOCIAL_WORKER, username="colleague", person=supply.colleagues[0])
    sessions.confirm(actor=colleague, session=session, rating=2)
    kept = sums(world.supervisor_person)
    SupervisorYear.objects.all().delete()
    call_command("refresh_supervisor_years", "--year", "2026", stdout=StringIO())
    assert sums(world.supervisor_person) == kept == (90, Decimal("0.0"), 2, 6)
    # Sources removed behind the platform's back (a bulk delete skips save and delete) are repaired.
    Rating.objects.all()._raw_delete(Rating.objects.db)
    assert years.rebuild(2026) == 1
    assert sums(world.supervisor_person) == (90, Decimal("0.0"), 0, 0)
    Session.objects.filter(pk=session.pk).update(status=Session.Status.PENDING)
    PracticeLog.objects.all().delete()
    assert years.rebuild(2026) == 0
    assert sums(world.supervisor_person) == (0, Decimal("0.0"), 0, 0)


def gains(person, year=2026):
    row = SupervisorYear.objects.filter(supervisor=person, year=year).first()
    return None if row is None else (row.assessed, row.gain_total)


def test_a_supervisee_counts_their_gain_once_assessed_at_both_ends(world, internal_engagement, supply):
    e, supervisor = internal_engagement, world.supervisor_person
    today = timezone.localdate()
    # The start a day before the end, both of the start's year (on 1 January, last year's).
    started = max(today - dt.timedelta(days=1), e.starts_on)
    year = started.year
    items = BY_KEY["supervision.competencies"].default
    for phase, score, on in (("start", 3, started), ("end", 4, today)):
        assessments.assess(
            actor=world.supervisor,
            engagement=e,
            supervisee=world.social_worker_person,
            year=year,
            phase=phase,
            scores=dict.fromkeys(items, score),
            assessed_on=on,
        )
        # The service's start alone is no gain yet; its end adds one supervisee and 1.00.
        assert gains(supervisor, year) == ((0, Decimal("0.00")) if phase == "start" else (1, Decimal("1.00")))
    assessment(e, supply.colleagues[0], "start", "2.50", year=year)
    assessment(e, supply.colleagues[0], "end", "2.00", year=year)  # a fall counts too: −0.50
    assessment(e, supply.colleagues[1], "start", "2.00", year=year)  # never assessed at the end
    assert gains(supervisor, year) == (2, Decimal("0.50"))


def test_an_assessment_moved_to_another_year_or_deleted_moves_its_gain(world, internal_engagement, supply):
    e, supervisor, colleague = internal_engagement, world.supervisor_person, supply.colleagues[0]
    assessment(e, colleague, "start", "2.00", year=2025)
    end = assessment(e, colleague, "end", "3.25", year=2025)
    assert gains(supervisor, 2025) == (1, Decimal("1.25"))
    start = Assessment.objects.get(engagement=e, supervisee=colleague, phase="start")
    start.year = 2024
    start.save()
    assert gains(supervisor, 2025) == (0, Decimal("0.00"))
    assert gains(supervisor, 2024) == (0, Decimal("0.00"))
    start.year = 2025
    start.save()
    assert gains(supervisor, 2025) == (1, Decimal("1.25"))
    Assessment.objects.get(pk=end.pk).delete()
    assert gains(supervisor, 2025) == (0, Decimal("0.00"))


def test_the_rebuild_writes_the_gains_the_services_kept(world, internal_engagement, supply):
    e = internal_engagement
    assessment(e, supply.colleagues[0], "start", "2.00", year=2026)
    assessment(e, supply.colleagues[0], "end", "3.25", year=2026)
    assessment(e, supply.colleagues[1], "start", "3.00", year=2026)
    assessment(e, supply.colleagues[1], "end", "3.50", year=2026)
    kept = gains(world.supervisor_person)
    SupervisorYear.objects.all().delete()
    assert years.rebuild(2026) == 1
    assert gains(world.supervisor_person) == kept == (2, Decimal("1.75"))
    # Assessments removed behind the platform's back are repaired: the row is zeroed.
    Assessment.objects.all()._raw_delete(Assessment.objects.db)
    years.rebuild(2026)
    assert gains(world.supervisor_person) == (0, Decimal("0.00"))


def test_the_migration_fills_in_the_gains_of_the_years_already_assessed(world, internal_engagement, supply):
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    name = "0005_supervisor_year_ability_gain"
    migration = import_module(f"dudao.supervision.migrations.{name}")
    # The models as the migration sees them, not today's.
    apps = MigrationLoader(connection).project_state(("supervision", name)).apps
    e = internal_engagement
    assessment(e, supply.colleagues[0], "start", "2.00", year=2024)
    assessment(e, supply.colleagues[0], "end", "3.25", year=2024)
    assessment(e, supply.colleagues[1], "start", "3.00", year=2025)
    assessment(e, supply.colleagues[1], "end", "2.50", year=2025)
    assessment(e, supply.colleagues[2], "start", "3.00", year=2025)
    # As before the migration: one year has a row without its gains, the other no row at all.
    SupervisorYear.objects.filter(year=2024).update(assessed=0, gain_total=0)
    SupervisorYear.objects.filter(year=2025).delete()
    migration.backfill(apps, None)
    assert gains(world.supervisor_person, 2024) == (1, Decimal("1.25"))
    assert gains(world.supervisor_person, 2025) == (1, Decimal("-0.50"))
