"""Reads of the directory are always scoped: each persona gets exactly the
organisations and people it may see, and nothing else."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from dudao.directory import permissions, selectors
from dudao.directory.models import Organization

from ..conftest import ALL_PERSONAS
from ..factories import (
    CertificateFactory,
    EmploymentFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
    rescope,
    staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(world):
    """The world plus people who make scoping interesting: staff of the other
    agencies, someone who left and has no employer now, and someone who moved
    from the 金水 agency to the 二七 agency."""
    other_staff = staff(world.other_agency_same_district, name="金水馨和员工")
    erqi_staff = staff(world.erqi_agency, certified=True, name="二七员工")
    leaver = PersonFactory(name="已离职")
    EmploymentFactory(
        person=leaver, organization=world.agency, start_date=dt.date(2018, 1, 1), end_date=dt.date(2022, 12, 31)
    )
    mover = PersonFactory(name="调动者")
    EmploymentFactory(
        person=mover, organization=world.agency, start_date=dt.date(2018, 1, 1), end_date=dt.date(2020, 12, 31)
    )
    EmploymentFactory(person=mover, organization=world.erqi_agency, start_date=dt.date(2021, 1, 1))
    return {
        "world": world,
        "trainer_org": Organization.objects.get(name="启明培训"),
        "other_staff": other_staff,
        "erqi_staff": erqi_staff,
        "leaver": leaver,
        "mover": mover,
    }


def _names(queryset):
    return sorted(obj.name for obj in queryset)


ALL_ORGS = ["二七同心社工中心", "启明培训", "金水阳光社工中心", "金水馨和社工中心"]
EXPECTED_ORGANIZATIONS = {
    "city_admin": ALL_ORGS,
    "association": ALL_ORGS,
    "hrss": ALL_ORGS,
    "finance": ALL_ORGS,
    "district_admin": ["金水阳光社工中心", "金水馨和社工中心"],
    "erqi_admin": ["二七同心社工中心"],
    "agency_admin": ["金水阳光社工中心"],
    "supervisor": ["金水阳光社工中心"],
    "social_worker": ["金水阳光社工中心"],
    "outsider": ["二七同心社工中心"],
    "trainer": ["启明培训"],
}

# Current employment decides, except that someone between jobs (the leaver)
# stays with the jurisdiction of their last employer, so it can re-hire or
# correct them; agencies see only current staff. The mover follows the new employer.
ALL_CURRENT_PEOPLE = ["二七员工", "社工乙", "督导甲", "调动者", "金水馨和员工"]
EXPECTED_PEOPLE = {
    "city_admin": [*ALL_CURRENT_PEOPLE, "已离职"],
    "association": [*ALL_CURRENT_PEOPLE, "已离职"],
    "hrss": [*ALL_CURRENT_PEOPLE, "已离职"],
    "finance": [*ALL_CURRENT_PEOPLE, "已离职"],
    "district_admin": ["社工乙", "督导甲", "金水馨和员工", "已离职"],
    "erqi_admin": ["二七员工", "调动者"],
    "agency_admin": ["社工乙", "督导甲"],
    "supervisor": ["督导甲"],
    "social_worker": ["社工乙"],
    "outsider": ["二七员工", "调动者"],
    "trainer": [],
}


def test_the_expectations_cover_every_persona():
    assert set(EXPECTED_ORGANIZATIONS) == set(ALL_PERSONAS) == set(EXPECTED_PEOPLE)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_each_persona_sees_exactly_the_organisations_in_its_scope(roster, persona):
    user = roster["world"].persona(persona)
    assert _names(selectors.organizations_for(user)) == sorted(EXPECTED_ORGANIZATIONS[persona])


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_each_persona_sees_exactly_the_people_in_its_scope(roster, persona):
    user = roster["world"].persona(persona)
    people = selectors.people_for(user)
    assert _names(people) == sorted(EXPECTED_PEOPLE[persona])
    # No duplicates from people with several employments.
    assert people.count() == len(EXPECTED_PEOPLE[persona])


def test_a_district_admin_cannot_see_people_of_another_district(roster):
    world = roster["world"]
    visible = selectors.people_for(world.district_admin)
    assert not visible.filter(pk=roster["erqi_staff"].pk).exists()
    assert not visible.filter(pk=roster["mover"].pk).exists()
    assert not selectors.organizations_for(world.district_admin).filter(pk=world.erqi_agency.pk).exists()


def test_the_outsider_sees_nothing_of_jinshui(roster):
    world = roster["world"]
    outsider = world.outsider
    assert not selectors.organizations_for(outsider).filter(jurisdiction=world.jinshui).exists()
    assert (
        not selectors.people_for(outsider)
        .filter(employments__organization__jurisdiction=world.jinshui, employments__end_date=None)
        .exists()
    )
    # The mover's old 金水 employment does not make the outsider see the 金水 agency.
    assert selectors.people_for(outsider).filter(pk=roster["mover"].pk).exists()


def test_a_person_between_jobs_is_managed_by_the_district_of_the_last_employer_not_the_agency(roster):
    world = roster["world"]
    leaver = roster["leaver"]
    assert permissions.can_manage_person(world.district_admin, leaver)
    assert permissions.can_manage_person(world.city_admin, leaver)
    for persona in ("agency_admin", "erqi_admin", "outsider", "hrss"):
        assert not permissions.can_manage_person(world.persona(persona), leaver), persona
    # The jurisdictions of the last employer still read the record, so they can
    # re-hire or correct it; the agency that let the person go does not.
    readers = {"city_admin", "association", "hrss", "finance", "district_admin"}
    for persona in ALL_PERSONAS:
        sees = selectors.people_for(world.persona(persona)).filter(pk=leaver.pk).exists()
        assert sees == (persona in readers), persona
    # Rosters list current staff unless former staff are asked for.
    everyone = selectors.people_for(world.district_admin)
    assert not selectors.by_employment(everyone, None).filter(pk=leaver.pk).exists()
    assert list(selectors.by_employment(everyone, "former")) == [leaver]


def test_a_person_between_jobs_belongs_to_the_latest_employer_not_an_earlier_one(roster):
    world = roster["world"]
    mover = roster["mover"]
    mover.employments.filter(end_date=None).update(end_date=dt.date(2023, 12, 31))
    rescope(mover)
    assert permissions.can_manage_person(world.erqi_admin, mover)
    assert not permissions.can_manage_person(world.district_admin, mover)
    assert not permissions.can_manage_person(world.outsider, mover)


def test_people_for_knows_the_current_employer_without_another_query(roster, django_assert_num_queries):
    world = roster["world"]
    mover = selectors.people_for(world.city_admin).get(pk=roster["mover"].pk)
    with django_assert_num_queries(0):
        assert selectors.current_employer(mover) == world.erqi_agency


def test_someone_who_is_not_signed_in_sees_nothing(roster):
    assert not selectors.organizations_for(AnonymousUser()).exists()
    assert not selectors.people_for(AnonymousUser()).exists()


def test_a_user_without_any_role_sees_nothing(roster):
    nobody = UserFactory()
    assert not selectors.organizations_for(nobody).exists()
    assert not selectors.people_for(nobody).exists()


def test_a_city_level_reader_also_sees_organisations_of_the_development_zones(roster, reference):
    zone_org = OrganizationFactory(name="郑东新区机构", jurisdiction=reference["410100ZD"])
    for persona in ("city_admin", "hrss", "finance", "association"):
        assert selectors.organizations_for(roster["world"].persona(persona)).filter(pk=zone_org.pk).exists()
    assert not selectors.organizations_for(roster["world"].district_admin).filter(pk=zone_org.pk).exists()


# --- full ID numbers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("city_admin", True),
        ("district_admin", True),
        ("agency_admin", True),
        ("supervisor", True),  # it is their own record
        ("social_worker", False),
        ("erqi_admin", False),
        ("outsider", False),
        ("trainer", False),
        ("association", False),
        ("hrss", False),
        ("finance", False),
    ],
)
def test_who_may_see_the_supervisors_full_id_number(world, persona, allowed):
    assert permissions.can_see_full_id(world.persona(persona), world.supervisor_person) is allowed


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("city_admin", True),
        ("erqi_admin", True),
        ("outsider", True),  # the employer's agency admin
        ("district_admin", False),
        ("agency_admin", False),
        ("supervisor", False),
        ("hrss", False),
        ("finance", False),
        ("association", False),
        ("trainer", False),
    ],
)
def test_who_may_see_the_full_id_number_of_staff_in_erqi(roster, persona, allowed):
    person = roster["erqi_staff"]
    assert permissions.can_see_full_id(roster["world"].persona(persona), person) is allowed


def test_a_person_always_sees_their_own_full_id_number(world):
    assert permissions.can_see_full_id(world.social_worker, world.social_worker_person)
    assert not permissions.can_see_full_id(world.social_worker, world.supervisor_person)


def test_the_former_agency_no_longer_sees_the_full_id_number_of_someone_who_moved(roster):
    world = roster["world"]
    assert not permissions.can_see_full_id(world.agency_admin, roster["mover"])
    assert permissions.can_see_full_id(world.outsider, roster["mover"])


# --- what the user may do ------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("city_admin", ["金水阳光社工中心", "金水馨和社工中心", "二七同心社工中心", "启明培训"]),
        ("district_admin", ["金水阳光社工中心", "金水馨和社工中心"]),
        ("agency_admin", ["金水阳光社工中心"]),
        ("outsider", ["二七同心社工中心"]),
        ("trainer", []),
        ("supervisor", []),
        ("hrss", []),
        ("finance", []),
        ("association", []),
    ],
)
def test_employer_choices_are_the_organisations_the_user_manages(world, persona, expected):
    assert _names(selectors.employer_choices(world.persona(persona))) == sorted(expected)
    assert permissions.can_add_people(world.persona(persona)) is bool(expected)


def test_only_city_and_district_admins_create_organisations(world):
    allowed = {p for p in ALL_PERSONAS if permissions.can_create_organizations(world.persona(p))}
    assert allowed == {"city_admin", "district_admin", "erqi_admin"}


def test_manageable_jurisdictions_follow_the_role(world):
    assert selectors.manageable_jurisdictions(world.city_admin).count() == 17
    assert list(selectors.manageable_jurisdictions(world.district_admin)) == [world.jinshui]
    assert not selectors.manageable_jurisdictions(world.hrss).exists()
    assert not selectors.manageable_jurisdictions(world.agency_admin).exists()


# --- certified staff on a date ---------------------------------------------------

ON = dt.date(2020, 1, 1)


@pytest.fixture
def certified_roster(world):
    org = world.other_agency_same_district

    def person(name, start, end=None, issued=None, employer=org):
        p = PersonFactory(name=name)
        EmploymentFactory(person=p, organization=employer, start_date=start, end_date=end)
        if issued:
            CertificateFactory(person=p, issued_on=issued)
        return p

    person("在职持证", dt.date(2018, 1, 1), issued=dt.date(2019, 6, 1))
    person("当日入职", ON, issued=dt.date(2019, 6, 1))
    person("当日离职", dt.date(2018, 1, 1), end=ON, issued=dt.date(2019, 6, 1))
    person("当日取证", dt.date(2018, 1, 1), issued=ON)
    person("之前离职", dt.date(2018, 1, 1), end=ON - dt.timedelta(days=1), issued=dt.date(2019, 6, 1))
    person("之后入职", ON + dt.timedelta(days=1), issued=dt.date(2019, 6, 1))
    person("之后取证", dt.date(2018, 1, 1), issued=ON + dt.timedelta(days=1))
    person("无证", dt.date(2018, 1, 1))
    person("他处持证", dt.date(2018, 1, 1), issued=dt.date(2019, 6, 1), employer=world.erqi_agency)
    two = person("两证", dt.date(2018, 1, 1), issued=dt.date(2019, 6, 1))
    CertificateFactory(person=two, issued_on=dt.date(2019, 7, 1))
    return org


def test_certified_staff_on_a_date_counts_only_holders_employed_that_day(certified_roster):
    counted = selectors.certified_staff_of(certified_roster, on=ON)
    assert _names(counted) == sorted(["在职持证", "当日入职", "当日离职", "当日取证", "两证"])
    assert counted.count() == 5


def test_certified_staff_change_with_the_date(certified_roster):
    later = ON + dt.timedelta(days=1)
    assert _names(selectors.certified_staff_of(certified_roster, on=later)) == sorted(
        ["在职持证", "当日入职", "当日取证", "之后入职", "之后取证", "两证"]
    )
    assert not selectors.certified_staff_of(certified_roster, on=dt.date(2017, 12, 31)).exists()


def test_staff_of_counts_everyone_employed_that_day_certified_or_not(certified_roster):
    assert _names(selectors.staff_of(certified_roster, on=ON)) == sorted(
        ["在职持证", "当日入职", "当日离职", "当日取证", "之后取证", "无证", "两证"]
    )
