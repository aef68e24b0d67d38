"""Pool fixtures: one entry in each pool, made the way the platform makes
them (the city's confirmation of a passed assessment, a district's admission,
an agency's designation), plus one in another district's pool."""

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from dudao.directory.models import ServiceDomain
from dudao.pools import services
from dudao.pools.models import Entry
from tests.factories import staff


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # The verification throttle counts in the cache; each test starts at zero.
    cache.clear()
    yield
    cache.clear()


def domain(code):
    return ServiceDomain.objects.get(code=code)


def city_entry(world, person, *, home=None, actor=None) -> Entry:
    """As training's confirm_results calls it, with a stand-in for the cohort member."""
    member = SimpleNamespace(
        cohort=SimpleNamespace(
            programme=SimpleNamespace(jurisdiction_id=world.city.pk, name="2026年度百名督导培养计划")
        ),
        trainee=SimpleNamespace(
            person=person, nomination=SimpleNamespace(organization=SimpleNamespace(jurisdiction=home or world.jinshui))
        ),
    )
    return services.admit_to_city_pool(actor=actor or world.city_admin, member=member)


@dataclass
class Pools:
    city: Entry  # supervisor_person, city pool
    district: Entry  # supervisor_person, 金水区 pool
    agency: Entry  # social_worker_person, internal supervisor of world.agency
    erqi: Entry  # an 二七区 supervisor in the 二七区 pool
    erqi_person: object

    def all(self):
        return [self.city, self.district, self.agency, self.erqi]


@pytest.fixture
def pools(world):
    world.supervisor_person.service_domains.set([domain("elderly"), domain("community")])
    city = city_entry(world, world.supervisor_person)
    district = services.admit_to_district_pool(
        actor=world.district_admin,
        person=world.supervisor_person,
        district=world.jinshui,
        domains=[domain("community")],
        reason="金水区2026年度督导选拔",
    )
    agency = services.designate_internal(
        actor=world.agency_admin,
        organization=world.agency,
        person=world.social_worker_person,
        domains=[domain("children")],
    )
    erqi_person = staff(world.erqi_agency, certified=True, name="二七督导丙")
    erqi = services.admit_to_district_pool(
        actor=world.erqi_admin, person=erqi_person, district=world.erqi, domains=[domain("drug")]
    )
    return Pools(city=city, district=district, agency=agency, erqi=erqi, erqi_person=erqi_person)


# Which of the four entries each persona sees (entries_for).
VISIBLE = {
    "city_admin": {"city", "district", "agency", "erqi"},
    "district_admin": {"city", "district", "agency"},
    "erqi_admin": {"erqi"},
    "agency_admin": {"city", "district", "agency"},
    "supervisor": {"city", "district"},
    "social_worker": {"agency"},
    "outsider": {"erqi"},  # its own staff member
    "trainer": set(),
    "association": {"city", "district", "agency", "erqi"},
    "hrss": {"city", "district", "agency", "erqi"},
    "finance": {"city", "district", "agency", "erqi"},
}


def bulk_entries(world, count, *, organization=None, level=Entry.Level.DISTRICT, prefix="ZZ-410105-2025-"):
    """`count` more 金水区 pool entries made directly (the services are tested
    elsewhere), each for a new staff member with two service domains."""
    organization = organization or world.agency
    domains = [domain("elderly"), domain("school")]
    start = Entry.objects.filter(entry_number__startswith=prefix).count()
    made = []
    for i in range(count):
        person = staff(organization, certified=True)
        entry = Entry.objects.create(
            person=person,
            level=level,
            jurisdiction=world.jinshui if level != Entry.Level.AGENCY else None,
            organization=organization if level == Entry.Level.AGENCY else None,
            home_district=world.jinshui,
            entry_number=f"{prefix}{start + i + 1:04d}",
            admitted_on=dt.date(2025, 3, 1),
            expires_on=dt.date(2028, 2, 28),
        )
        entry.domains.set(domains)
        made.append(entry)
    return made
