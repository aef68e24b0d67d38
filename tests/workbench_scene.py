"""Data that gives every persona of the `world` something on its 工作台: the
evaluation scene (forms due for the agencies, the association and the city),
nominations at each stage, a training programme waiting for attendance,
scores and the city's confirmation, pool terms ending soon, and a supervision
session waiting for the social worker. Shared by the workbench page test and
its Playwright journey; rows are written directly where the services are
another test's subject."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from dudao.directory.models import ServiceDomain
from dudao.pools import services as pool_services
from dudao.pools.models import Entry
from dudao.selection.models import Nomination
from dudao.supervision.models import Session
from dudao.supervision.services import sessions as session_services
from dudao.training import services as training_services
from tests.evaluation.scoring_setup import scene
from tests.factories import staff
from tests.selection.helpers import make_round
from tests.supervision.conftest import engagement
from tests.training.conftest import build_training, schedule

S = Nomination.Status


def workbench_scene(world):
    today = timezone.localdate()
    s = scene(world)
    round_ = make_round(world.city_admin, world.city)
    for status, name in ((S.CITY_REVIEW, "待市审甲"), (S.DISTRICT_REVIEW, "待区审乙"), (S.RETURNED, "退回丙")):
        Nomination.objects.create(
            round=round_,
            person=staff(world.agency, certified=True, name=name),
            organization=world.agency,
            path=Nomination.Path.QUOTA,
            status=status,
        )

    # Training: a session held without attendance, trainees without scores,
    # and a second cohort all scored, waiting for the city's confirmation.
    training = build_training(world, round_)
    schedule(world.trainer, training.cohort, training.theory, 4)
    second = training_services.create_cohort(
        actor=world.trainer, programme=training.programme, name="第二期", round_=round_, trainees=[training.spare]
    )
    second.members.update(theory_score=Decimal("85"), practice_score=Decimal("80"), scored_at=timezone.now())

    # Pools: terms ending within the renewal notice period, in the city's and the district's pool.
    community = ServiceDomain.objects.get(code="community")
    district_entry = pool_services.admit_to_district_pool(
        actor=world.district_admin,
        person=world.supervisor_person,
        district=world.jinshui,
        domains=[community],
        reason="金水区督导选拔",
    )
    Entry.objects.filter(pk__in=[district_entry.pk, s.entry.pk]).update(expires_on=today + dt.timedelta(days=30))

    # Supervision: 督导甲 supervises the agency's staff; a session of an earlier
    # month waits for 社工乙's confirmation, none is recorded this month.
    internal = pool_services.designate_internal(
        actor=world.agency_admin, organization=world.agency, person=world.supervisor_person, domains=[community]
    )
    first_day = dt.date(today.year, 1, 1)
    made = engagement(internal, world.agency, starts_on=first_day, ends_on=dt.date(today.year, 12, 31))
    session_services.record(
        actor=world.supervisor,
        engagement=made,
        date=max(first_day, today.replace(day=1) - dt.timedelta(days=20)),
        start_time=dt.time(9, 0),
        duration_minutes=60,
        form=Session.Form.INDIVIDUAL,
        functions=["教育"],
        supervisees=[world.social_worker_person],
        topics="个案工作中的沟通技巧",
    )
    return s
