"""Training fixtures: a city round with approved trainees (made directly, the
nomination workflow is selection's to test), the city's programme commissioned
to the world's trainer, a curriculum and a cohort of two."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from dudao.accounts.models import Role
from dudao.directory.models import OrganizationType
from dudao.selection.models import Nomination, Trainee
from dudao.training import services
from tests.conftest import ALL_PERSONAS
from tests.factories import OrganizationFactory, publicity_off, staff, user_with_role
from tests.selection.helpers import make_round

# Who sees the programme (and its cohorts): the city-level bureaus, the
# commissioned trainer and the two trainees. Districts and agencies do not.
READERS = {"city_admin", "association", "hrss", "finance", "trainer", "supervisor", "social_worker"}
RESULT_READERS = {"city_admin", "association", "hrss", "finance", "trainer"}
RUNNERS = {"city_admin", "trainer"}
PERSONAS = [*ALL_PERSONAS, "other_trainer"]


def make_trainee(round_, person, organization):
    nomination = Nomination.objects.create(
        round=round_,
        person=person,
        organization=organization,
        path=Nomination.Path.QUOTA,
        status=Nomination.Status.APPROVED,
    )
    return Trainee.objects.create(round=round_, person=person, nomination=nomination)


def trainer_org_of(user):
    return user.role_assignments.get(role=Role.TRAINER).organization


@dataclass
class Training:
    round: object
    programme: object
    theory: object
    practice: object
    cohort: object
    supervisor_member: object  # 督导甲, the world's supervisor
    worker_member: object  # 社工乙, the world's social worker
    spare: object  # a trainee of the round in no cohort yet


@pytest.fixture
def round_(world):
    return make_round(world.city_admin, world.city)


@pytest.fixture
def training(world, round_):
    return build_training(world, round_)


def build_training(world, round_) -> Training:
    """The city's programme with a theory and a practice module, a cohort of
    two (the world's supervisor and social worker) and a spare trainee."""
    first = make_trainee(round_, world.supervisor_person, world.agency)
    second = make_trainee(round_, world.social_worker_person, world.agency)
    spare = make_trainee(round_, staff(world.agency, certified=True, name="备选丙"), world.agency)
    programme = services.create_programme(
        actor=world.city_admin,
        jurisdiction=world.city,
        name="2026年百名督导培养计划",
        trainer=trainer_org_of(world.trainer),
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    theory = services.add_module(
        actor=world.city_admin, programme=programme, title="督导理论", kind="theory", hours=Decimal("16")
    )
    practice = services.add_module(
        actor=world.trainer, programme=programme, title="督导实务", kind="practice", hours=Decimal("8"), is_ethics=True
    )
    cohort = services.create_cohort(
        actor=world.trainer, programme=programme, name="第一期", round_=round_, trainees=[first, second]
    )
    members = {m.trainee_id: m for m in cohort.members.all()}
    return Training(
        round=round_,
        programme=programme,
        theory=theory,
        practice=practice,
        cohort=cohort,
        supervisor_member=members[first.pk],
        worker_member=members[second.pk],
        spare=spare,
    )


@pytest.fixture
def other_trainer(world):
    """A second training organisation's user, commissioned for nothing here."""
    org = OrganizationFactory(
        name="远航培训", type=OrganizationType.objects.get(code="trainer"), jurisdiction=world.city
    )
    return user_with_role(Role.TRAINER, username="other_trainer", organization=org)


@pytest.fixture
def other_programme(world, other_trainer, round_):
    """The other trainer's own programme, with a cohort."""
    programme = services.create_programme(
        actor=world.city_admin,
        jurisdiction=world.city,
        name="另一培养计划",
        trainer=trainer_org_of(other_trainer),
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    cohort = services.create_cohort(actor=world.city_admin, programme=programme, name="另一期", round_=round_)
    return programme, cohort


def schedule(actor, cohort, module, hours, *, day=1):
    return services.schedule_session(
        actor=actor,
        cohort=cohort,
        module=module,
        hours=Decimal(str(hours)),
        starts_at=timezone.make_aware(dt.datetime(2026, 4, day, 9, 0)),
        location="市社会工作指导中心",
    )


def attend(actor, session, *members):
    return services.record_attendance(actor=actor, session=session, present_member_ids=[m.pk for m in members])


@pytest.fixture(autouse=True)
def _without_publicity(request):
    """These tests are of the workflow itself: the city's approval and its
    confirmation take effect at once. 公示 in between is tests/publicity's."""
    if "world" in request.fixturenames:
        publicity_off(request.getfixturevalue("world").city)
