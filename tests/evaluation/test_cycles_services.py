"""Opening a cycle and computing its indicators from data: a hand-computed
supervisor, idempotence, a query count that does not grow with the pool, and
who may do what."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dudao.core.models import AuditEntry
from dudao.evaluation.models import Cycle, Evaluation, Party, PartyForm, ServiceResult
from dudao.evaluation.services import cycles as services
from dudao.pools.models import Entry
from dudao.supervision.models import PracticeLog, Session
from dudao.training.models import Activity
from tests.factories import staff
from tests.pools.conftest import city_entry
from tests.supervision.conftest import engagement
from tests.supervision.test_summary_selectors import assessment, make_session, practice, rate

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
LATER = TODAY + dt.timedelta(days=30)


def open_city_cycle(world, **kwargs):
    values = {
        "owner": world.city,
        "level": Entry.Level.CITY,
        "year": YEAR,
        "title": f"{YEAR}年度市级督导考评",
        "scoring_deadline": LATER,
        "review_deadline": LATER + dt.timedelta(days=10),
    }
    values.update(kwargs)
    return services.open_cycle(actor=world.city_admin, **values)


@pytest.fixture
def year_of_work(world, supply, external_engagement):
    """二七督导丙 (city pool) supervising 社工乙 and 社工丁 at world.agency this year."""
    e = external_engagement
    sw, colleague = world.social_worker_person, supply.colleagues[0]
    day = dt.date(YEAR, 3, 10)
    make_session(e, day, 90, supervisees=[sw, colleague])
    make_session(e, day + dt.timedelta(days=1), 60, supervisees=[sw])
    make_session(e, day + dt.timedelta(days=2), 120, status=Session.Status.PENDING, supervisees=[supply.colleagues[1]])
    make_session(e, dt.date(YEAR - 1, 12, 30), 300, supervisees=[sw])  # last year: not counted
    practice(e, day, "10.0", PracticeLog.Status.CONFIRMED)
    practice(e, day + dt.timedelta(days=1), "5.5", PracticeLog.Status.CONFIRMED)
    practice(e, day + dt.timedelta(days=2), "3.0", PracticeLog.Status.REJECTED)
    for score in (4, 5, 5):
        rate(e, score)
    assessment(e, sw, "start", "3.00")
    assessment(e, sw, "end", "3.50")
    assessment(e, colleague, "start", "2.50")
    assessment(e, colleague, "end", "3.50")
    assessment(e, supply.colleagues[2], "start", "2.00")  # never assessed at the end: no gain
    held = Activity.objects.create(
        organization=world.erqi_agency, title="伦理培训", kind="ethics", held_on=day, hours=Decimal("6.0")
    )
    held.participants.add(supply.external_person)
    planned = Activity.objects.create(
        organization=world.erqi_agency, title="计划", kind="course", held_on=day, hours=Decimal("4.0"), is_plan=True
    )
    planned.participants.add(supply.external_person)
    ServiceResult.objects.create(person=sw, year=YEAR, score=Decimal("80"))
    ServiceResult.objects.create(person=colleague, year=YEAR, score=Decimal("90"))
    ServiceResult.objects.create(
        person=supply.colleagues[1], year=YEAR, score=Decimal("50")
    )  # not a supervisee of this engagement
    ServiceResult.objects.create(person=sw, year=YEAR - 1, score=Decimal("10"))  # another year
    return e


def test_the_city_opens_its_pools_cycle_with_the_policy_appeal_window(world):
    cycle = open_city_cycle(world)
    assert cycle.status == Cycle.Status.DRAFT
    assert cycle.appeal_days == 15
    assert cycle.scope_j1 == world.city.pk
    assert AuditEntry.objects.filter(event="evaluation.cycle_opened", object_id=str(cycle.pk)).exists()


def test_a_district_opens_only_its_own_pools_cycle(world):
    cycle = services.open_cycle(
        actor=world.district_admin,
        owner=world.jinshui,
        level=Entry.Level.DISTRICT,
        year=YEAR,
        title="金水区考评",
        scoring_deadline=LATER,
        review_deadline=LATER,
    )
    assert cycle.owner == world.jinshui
    for owner, level in ((world.erqi, Entry.Level.DISTRICT), (world.city, Entry.Level.CITY)):
        with pytest.raises(PermissionDenied):
            services.open_cycle(
                actor=world.district_admin,
                owner=owner,
                level=level,
                year=YEAR,
                title="x",
                scoring_deadline=LATER,
                review_deadline=LATER,
            )


@pytest.mark.parametrize("persona", ["agency_admin", "supervisor", "hrss", "association", "finance"])
def test_other_roles_cannot_open_a_cycle(world, persona):
    with pytest.raises(PermissionDenied):
        services.open_cycle(
            actor=world.persona(persona),
            owner=world.city,
            level=Entry.Level.CITY,
            year=YEAR,
            title="x",
            scoring_deadline=LATER,
            review_deadline=LATER,
        )


def test_a_second_cycle_for_the_same_pool_and_year_and_bad_deadlines_are_refused(world):
    open_city_cycle(world)
    with pytest.raises(ValidationError, match="已有考评周期"):
        open_city_cycle(world)
    with pytest.raises(ValidationError, match="审核截止日期不能早于"):
        open_city_cycle(world, year=YEAR - 1, review_deadline=LATER - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="不能早于今天"):
        open_city_cycle(world, year=YEAR - 1, scoring_deadline=TODAY - dt.timedelta(days=1))


def test_the_indicators_match_a_hand_computation(world, supply, year_of_work):
    cycle = services.compute(actor=world.city_admin, cycle=open_city_cycle(world))
    assert cycle.status == Cycle.Status.SCORING
    assert (cycle.progress_done, cycle.progress_total) == (1, 1)
    evaluation = Evaluation.objects.get(cycle=cycle)
    assert evaluation.person == supply.external_person
    assert evaluation.home_organization == world.erqi_agency
    assert evaluation.indicators == {
        "service_hours": "2.50",  # (90 + 60) / 60; the pending and last year's sessions do not count
        "practice_hours": "15.50",  # 10.0 + 5.5; the rejected log does not count
        "satisfaction": "4.67",  # (4 + 5 + 5) / 3
        "ratings": 3,
        "ability_gain": "0.75",  # ((3.50 − 3.00) + (3.50 − 2.50)) / 2
        "assessed": 2,
        "training_hours": "6.00",  # the planned activity does not count
        "service_results": "85.00",  # (80 + 90) / 2: the engagement's supervisees, this year
        "service_results_count": 2,
    }
    assert evaluation.breakdown["indicator_points"] == {
        "service_hours": "4.17",  # 2.5 / 60 × 100
        "practice_hours": "15.50",  # 15.5 / 100 × 100
        "satisfaction": "93.40",  # 4.67 / 5 × 100
        "ability_gain": "75.00",  # 0.75 / 1.0 × 100
        "training_hours": "25.00",  # 6 / 24 × 100
        "service_results": "85.00",
    }
    # 4.17×.20 + 15.50×.20 + 93.40×.20 + 75×.15 + 25×.10 + 85×.15 = 49.114
    assert evaluation.indicator_part == Decimal("49.11")
    assert evaluation.breakdown["indicator_weights"] == {
        "service_hours": "20.00",
        "practice_hours": "20.00",
        "satisfaction": "20.00",
        "ability_gain": "15.00",
        "training_hours": "10.00",
        "service_results": "15.00",
    }
    assert evaluation.chain() == cycle.chain()
    assert AuditEntry.objects.filter(event="evaluation.indicators_computed", object_id=str(cycle.pk)).exists()


def test_a_supervisor_without_data_gets_the_policy_points_without_ratings(world, supply):
    cycle = services.compute(actor=world.city_admin, cycle=open_city_cycle(world))
    points = Evaluation.objects.get(cycle=cycle).breakdown["indicator_points"]
    assert points["satisfaction"] == "60.00"
    assert points["service_results"] == "60.00"
    assert points["ability_gain"] == "0.00"
    assert points["service_hours"] == "0.00"


def test_below_the_fewest_ratings_shown_the_average_is_withheld(world, supply, external_engagement):
    rate(external_engagement, 1)
    rate(external_engagement, 2)
    cycle = services.compute(actor=world.city_admin, cycle=open_city_cycle(world))
    evaluation = Evaluation.objects.get(cycle=cycle)
    assert evaluation.indicators["ratings"] == 2
    assert evaluation.indicators["satisfaction"] is None


def test_computing_twice_gives_identical_results(world, supply, year_of_work):
    cycle = services.compute(actor=world.city_admin, cycle=open_city_cycle(world))
    first = list(Evaluation.objects.filter(cycle=cycle).values("pk", "indicators", "breakdown", "indicator_part"))
    cycle = services.compute(actor=world.city_admin, cycle=cycle)
    second = list(Evaluation.objects.filter(cycle=cycle).values("pk", "indicators", "breakdown", "indicator_part"))
    assert first == second


def test_only_active_supervisors_of_the_cycles_pool_are_evaluated(world, supply):
    suspended = city_entry(world, staff(world.erqi_agency, certified=True, name="停用督导"))
    Entry.objects.filter(pk=suspended.pk).update(status=Entry.Status.SUSPENDED)
    cycle = services.compute(actor=world.city_admin, cycle=open_city_cycle(world))
    assert list(Evaluation.objects.filter(cycle=cycle).values_list("person_id", flat=True)) == [
        supply.external_person.pk
    ]


def test_a_supervisor_who_left_the_pool_leaves_the_cycle_when_computed_again_unless_scored(world, supply):
    gone = city_entry(world, staff(world.erqi_agency, certified=True, name="离库督导"))
    scored = city_entry(world, staff(world.erqi_agency, certified=True, name="已评督导"))
    cycle = services.compute(actor=world.city_admin, cycle=open_city_cycle(world))
    assert Evaluation.objects.filter(cycle=cycle).count() == 3
    PartyForm.objects.create(
        evaluation=Evaluation.objects.get(cycle=cycle, entry=scored), party=Party.ASSOCIATION, ethics=Decimal("80")
    )
    Entry.objects.filter(pk__in=[gone.pk, scored.pk]).update(status=Entry.Status.SUSPENDED)

    cycle = services.compute(actor=world.city_admin, cycle=cycle)

    assert set(Evaluation.objects.filter(cycle=cycle).values_list("entry_id", flat=True)) == {
        supply.external_entry.pk,
        scored.pk,
    }


def _queries(world, cycle):
    with CaptureQueriesContext(connection) as ctx:
        services.compute(actor=world.city_admin, cycle=cycle)
    return len(ctx.captured_queries)


def test_the_computation_costs_the_same_queries_however_many_supervisors(world, supply, year_of_work):
    cycle = open_city_cycle(world)
    _queries(world, cycle)  # the first run inserts; compare refreshes
    few = _queries(world, cycle)
    for n in range(6):
        person = staff(world.erqi_agency, certified=True, name=f"督导{n}")
        entry = city_entry(world, person)
        e = engagement(entry, world.agency, supervisees=[world.social_worker_person])
        make_session(e, dt.date(YEAR, 4, 1 + n), 60, supervisees=[world.social_worker_person])
        rate(e, 5)
    _queries(world, cycle)
    many = _queries(world, cycle)
    assert Evaluation.objects.filter(cycle=cycle).count() == 7
    assert many == few


def test_only_the_owner_computes_and_not_once_under_review(world, supply):
    cycle = open_city_cycle(world)
    for persona in ("district_admin", "hrss", "agency_admin"):
        with pytest.raises(PermissionDenied):
            services.compute(actor=world.persona(persona), cycle=cycle)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.REVIEW)
    with pytest.raises(ValidationError):
        services.compute(actor=world.city_admin, cycle=cycle)


def test_a_computation_already_running_is_not_started_again(world, supply):
    cycle = open_city_cycle(world)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPUTING)
    with pytest.raises(ValidationError, match="正在计算"):
        services.compute(actor=world.city_admin, cycle=cycle)


def test_progress_is_reported_per_batch(world, supply, monkeypatch):
    for n in range(4):
        city_entry(world, staff(world.erqi_agency, certified=True, name=f"批次{n}"))
    monkeypatch.setattr(services, "BATCH", 2)
    seen = []
    real = Cycle.objects.filter

    def spy(*args, **kwargs):
        qs = real(*args, **kwargs)
        original = qs.update

        def update(**values):
            done = original(**values)
            if "progress_done" in values:
                # As stored: on PostgreSQL each batch adds its supervisors (connections write at once).
                seen.append(real(pk=cycle_id).values_list("progress_done", flat=True).get())
            return done

        qs.update = update
        return qs

    cycle = open_city_cycle(world)
    cycle_id = cycle.pk
    monkeypatch.setattr(Cycle.objects, "filter", spy)
    cycle = services.compute(actor=world.city_admin, cycle=cycle)
    assert seen[:3] == [2, 4, 5]
    assert (cycle.progress_done, cycle.progress_total) == (5, 5)


def test_a_crash_leaves_the_cycle_where_it_was_not_computing(world, supply, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services.selectors, "cycle_policy", boom)
    cycle = services.compute(actor=world.city_admin, cycle=open_city_cycle(world))
    assert cycle.status == Cycle.Status.DRAFT


def test_computing_again_gives_the_same_indicators_and_only_the_pools(world, supply, internal_engagement, year_of_work):
    # 督导甲 (an agency's internal supervisor, not in the city pool) has sessions of their own.
    make_session(internal_engagement, dt.date(YEAR, 5, 6), 60, supervisees=[world.social_worker_person])
    rate(internal_engagement, 5)
    cycle = services.compute(actor=world.city_admin, cycle=open_city_cycle(world))
    filtered = list(Evaluation.objects.filter(cycle=cycle).values_list("person_id", "indicators", "breakdown"))
    Evaluation.objects.filter(cycle=cycle).delete()
    services.compute(actor=world.city_admin, cycle=cycle)
    assert list(Evaluation.objects.filter(cycle=cycle).values_list("person_id", "indicators", "breakdown")) == filtered
    assert [pid for pid, *_ in filtered] == [supply.external_person.pk]


def test_computing_writes_no_blank_form_and_the_year_s_agencies_are_due_to_score(world, supply, year_of_work):
    from dudao.evaluation.models import PartyForm
    from dudao.evaluation.selectors import scoring as scoring_selectors

    cycle = services.compute(actor=world.city_admin, cycle=open_city_cycle(world))
    assert not PartyForm.objects.filter(evaluation__cycle=cycle).exists()
    (evaluation,) = scoring_selectors.to_score(world.agency_admin, "served_agency").filter(cycle=cycle)
    assert evaluation.scoring_org == world.agency.pk and evaluation.form_id is None
    assert scoring_selectors.unscored(cycle, "served_agency", world.agency.pk) == 1


def test_the_year_of_an_engagement_decides_whether_its_agency_scores(world, supply, year_of_work):
    from dudao.evaluation.selectors import scoring as scoring_selectors
    from dudao.supervision.models import Engagement

    Engagement.objects.filter(pk=year_of_work.pk).update(
        starts_on=dt.date(YEAR - 2, 1, 1), ends_on=dt.date(YEAR - 1, 12, 31)
    )
    cycle = services.compute(actor=world.city_admin, cycle=open_city_cycle(world))
    assert not scoring_selectors.to_score(world.agency_admin, "served_agency").filter(cycle=cycle).exists()
    assert ("served_agency", world.agency.pk) not in scoring_selectors.unscored_by_party(cycle)
