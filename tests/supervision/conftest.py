"""Supervision fixtures: the shared world plus the supervisors an agency can use.

- world.supervisor_person (督导甲, user `supervisor`) is an internal supervisor of
  world.agency (金水阳光社工中心);
- 二七督导丙 (user `external_supervisor`), staff of the 二七区 agency, is in the
  city pool with home district 二七区 and domain 禁毒;
- world.agency has three more staff besides 社工乙 (user `social_worker`).

Engagements made here are written directly, active and agreed, so that tests
of sessions and coverage do not depend on the engagement services."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from dudao.accounts.models import Role
from dudao.directory.models import ServiceDomain
from dudao.pools import services as pool_services
from dudao.pools.models import Entry
from dudao.supervision.models import Engagement
from tests.factories import staff, user_with_role
from tests.pools.conftest import city_entry


def domain(code):
    return ServiceDomain.objects.get(code=code)


@dataclass
class Supply:
    internal_entry: Entry  # 督导甲, internal supervisor of world.agency
    external_person: object  # 二七督导丙
    external_entry: Entry  # in the city pool, home 二七区
    external_supervisor: object  # their user
    colleagues: list  # three more staff of world.agency


@pytest.fixture
def supply(world):
    world.supervisor_person.service_domains.set([domain("community")])
    internal = pool_services.designate_internal(
        actor=world.agency_admin,
        organization=world.agency,
        person=world.supervisor_person,
        domains=[domain("community")],
    )
    person = staff(world.erqi_agency, certified=True, name="二七督导丙")
    person.service_domains.set([domain("drug")])
    external = city_entry(world, person, home=world.erqi)
    user = user_with_role(Role.SUPERVISOR, username="external_supervisor", person=person)
    colleagues = [staff(world.agency, name=f"社工{n}") for n in ("丁", "戊", "己")]
    return Supply(
        internal_entry=internal,
        external_person=person,
        external_entry=external,
        external_supervisor=user,
        colleagues=colleagues,
    )


def engagement(
    entry: Entry,
    organization,
    *,
    supervisees=(),
    starts_on=dt.date(2026, 1, 1),
    ends_on=dt.date(2026, 12, 31),
    hours=Decimal("8.0"),
    status=Engagement.Status.ACTIVE,
) -> Engagement:
    """An agreed engagement written directly (the services are tested in test_engagements)."""
    person = entry.person
    made = Engagement.objects.create(
        supervisor=person,
        entry=entry,
        organization=organization,
        home_organization=person.employer if person.employed else None,
        kind=Engagement.Kind.INTERNAL if person.employer_id == organization.pk else Engagement.Kind.EXTERNAL,
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        hours_per_month=hours,
        covers_all_staff=not supervisees,
        functions=["行政", "教育", "支持"],
        goals="提升一线社工专业能力",
        agency_confirmed_at=dt.datetime(2025, 12, 20, tzinfo=dt.UTC),
        supervisor_confirmed_at=dt.datetime(2025, 12, 21, tzinfo=dt.UTC),
    )
    if supervisees:
        made.supervisees.set(supervisees)
    return made


@pytest.fixture
def internal_engagement(world, supply):
    return engagement(supply.internal_entry, world.agency)


@pytest.fixture
def external_engagement(world, supply):
    return engagement(
        supply.external_entry, world.agency, supervisees=[world.social_worker_person, *supply.colleagues[:1]]
    )
