"""A city-pool cycle open for scoring with one evaluated supervisor, shared by
the scoring, results, appeals and renewals tests (and the audit table).

二七督导丙 (user `external_supervisor`) is in the city pool; their home agency is
二七同心社工中心 (admin `outsider`); 金水阳光社工中心 (admin `agency_admin`)
and 金水馨和社工中心 (admin `other_admin`) engaged them in 2026; the
association and the city (owner, `city_admin`) score too."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from dudao.accounts.models import Role
from dudao.evaluation.models import Cycle, Evaluation
from dudao.evaluation.services import scoring
from dudao.pools.models import Entry
from tests.factories import staff, user_with_role
from tests.pools.conftest import city_entry
from tests.supervision.conftest import engagement

# Points per indicator (0–100) and weights (add up to 100), as the cycle computation stores them.
POINTS = {
    "service_hours": "100.00",
    "practice_hours": "80.00",
    "satisfaction": "90.00",
    "ability_gain": "70.00",
    "training_hours": "100.00",
    "service_results": "85.00",
}
WEIGHTS = {
    "service_hours": "20.00",
    "practice_hours": "20.00",
    "satisfaction": "20.00",
    "ability_gain": "15.00",
    "training_hours": "10.00",
    "service_results": "15.00",
}
INDICATORS = {"service_hours": "72.00", "practice_hours": "120.00", "satisfaction": "4.50", "ratings": 12}


@dataclass
class Scene:
    world: object
    cycle: Cycle
    evaluation: Evaluation
    entry: Entry
    person: object
    supervisor: object  # their user
    home_admin: object  # outsider
    served_admin: object  # agency_admin
    other_admin: object  # 金水馨和社工中心


def make_cycle(world, *, year=None, status=Cycle.Status.SCORING, deadline_days=10, title=None):
    today = timezone.localdate()
    year = year or today.year
    return Cycle.objects.create(
        owner=world.city,
        level=Entry.Level.CITY,
        year=year,
        title=title or f"{year}年度市级督导人才库考评",
        scoring_deadline=today + dt.timedelta(days=deadline_days),
        review_deadline=today + dt.timedelta(days=max(deadline_days, 0) + 10),
        appeal_days=15,
        status=status,
        opened_by=world.city_admin,
    )


def make_evaluation(cycle, entry, *, points=None, indicators=None):
    person = entry.person
    return Evaluation.objects.create(
        cycle=cycle,
        entry=entry,
        person=person,
        home_organization=person.employer if person.employed else None,
        indicators=indicators or dict(INDICATORS),
        breakdown={"indicator_points": points or dict(POINTS), "indicator_weights": dict(WEIGHTS)},
    )


def scene(world) -> Scene:
    person = staff(world.erqi_agency, certified=True, name="二七督导丙")
    entry = city_entry(world, person, home=world.erqi)
    user = user_with_role(Role.SUPERVISOR, username="external_supervisor", person=person)
    other_admin = user_with_role(
        Role.AGENCY_ADMIN, username="other_admin", organization=world.other_agency_same_district
    )
    year = timezone.localdate().year
    for organization in (world.agency, world.other_agency_same_district):
        engagement(entry, organization, starts_on=dt.date(year, 1, 1), ends_on=dt.date(year, 12, 31))
    cycle = make_cycle(world)
    evaluation = make_evaluation(cycle, entry)
    return Scene(world, cycle, evaluation, entry, person, user, world.outsider, world.agency_admin, other_admin)


def score_all(s: Scene, *, authority=True):
    """The hand-computed example's scores (see test_results_services)."""
    w = s.world
    e = s.evaluation
    scoring.submit(actor=s.home_admin, evaluation=e, party="home_agency", ethics=90, ability=85, performance=80)
    scoring.submit(actor=s.served_admin, evaluation=e, party="served_agency", ethics=80, ability=75, performance=70)
    scoring.submit(actor=s.other_admin, evaluation=e, party="served_agency", ethics=90, ability=90, performance=84)
    scoring.submit(actor=w.association, evaluation=e, party="association", ethics=70, ability=80, performance=90)
    if authority:
        scoring.submit(
            actor=w.city_admin, evaluation=e, party="authority", ethics=Decimal("95"), ability=95, performance=95
        )
