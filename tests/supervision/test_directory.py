"""The city-wide supervisor directory (issue 10, opening paragraph): every
agency and jurisdiction of the city finds the available supervisors of the city
pool and of every district pool of the city, with public fields only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dudao.pools.models import Entry
from tests.excel import xlsx_rows
from tests.factories import staff
from tests.supervision.conftest import domain, engagement

URL = "/supervision/supervisors/"
API = "/api/v1/supervisors/"
PHONE = "13912345678"


@pytest.fixture
def directory(world, supply):
    """二七督导丙 (city pool, home 二七区, 禁毒, phone on file), a 二七区 district-pool
    禁毒 supervisor, a suspended one, and 督导甲 (agency-internal: not in the directory)."""
    person = supply.external_person
    person.phone = PHONE
    person.save()
    erqi = _entry(world, staff(world.erqi_agency, name="二七区禁毒督导"), world.erqi, "ZZ-D-0001", ["drug"])
    suspended = _entry(world, staff(world.erqi_agency, name="暂停督导"), world.erqi, "ZZ-D-0002", ["drug"])
    Entry.objects.filter(pk=suspended.pk).update(status=Entry.Status.SUSPENDED)
    jinshui = _entry(world, staff(world.other_agency_same_district, name="金水养老督导"), world.jinshui, "ZZ-D-0003")
    engagement(jinshui, world.agency, hours=Decimal(10))
    return {"erqi": erqi, "suspended": suspended, "jinshui": jinshui}


def _entry(world, person, district, number, domains=("elderly",)):
    entry = Entry.objects.create(
        person=person,
        level=Entry.Level.DISTRICT,
        jurisdiction=district,
        home_district=district,
        entry_number=number,
        admitted_on=dt.date(2025, 3, 1),
        expires_on=dt.date(2028, 2, 28),
    )
    entry.domains.set([domain(code) for code in domains])
    return entry


def names(response):
    return [e.person.name for e in response.context["page_obj"].object_list]


@pytest.mark.parametrize("persona", ["agency_admin", "district_admin", "city_admin", "outsider"])
def test_a_drug_work_search_finds_supervisors_of_every_district_of_the_city(world, directory, login, persona):
    response = login(world.persona(persona)).get(URL, {"domain": "drug"})
    assert response.status_code == 200
    assert set(names(response)) == {"二七督导丙", "二七区禁毒督导"}


def test_jinshui_agency_admin_finds_erqi_supervisor_bing_for_drug_work(world, directory, login):
    response = login(world.agency_admin).get(URL, {"domain": "drug", "q": "丙"})
    assert names(response) == ["二七督导丙"]
    assert "二七区" in response.content.decode()


def test_the_directory_lists_only_available_pool_supervisors(world, directory, login):
    listed = set(names(login(world.district_admin).get(URL)))
    assert listed == {"二七督导丙", "二七区禁毒督导", "金水养老督导"}
    assert "暂停督导" not in listed and "督导甲" not in listed


def test_filters_by_district_and_level(world, directory, login):
    client = login(world.agency_admin)
    assert set(names(client.get(URL, {"home_district": world.erqi.code}))) == {"二七督导丙", "二七区禁毒督导"}
    assert names(client.get(URL, {"level": "city"})) == ["二七督导丙"]


def test_spare_capacity_and_the_grade_placeholder_are_shown(world, directory, login):
    response = login(world.agency_admin).get(URL, {"q": "金水养老"})
    entry = response.context["page_obj"].object_list[0]
    # 10 of 40 hours agreed, all 5 staff of 金水阳光 covered: 30 h and 10 places spare.
    assert entry.capacity.spare_hours == 30 and entry.capacity.spare_supervisees == 10
    assert entry.grade is None


def test_no_id_number_or_phone_in_the_page_the_export_or_the_api(world, directory, supply, login, api):
    person = supply.external_person
    secrets = [person.id_number, PHONE, person.id_number[-6:]]
    page = login(world.agency_admin).get(URL).content.decode()
    exported = xlsx_rows(login(world.agency_admin).get(URL, {"export": "xlsx"}))
    answer = api(world.agency_admin).get(API)
    assert answer.status_code == 200
    assert any("二七督导丙" in str(cell) for row in exported for cell in row)
    assert any(r["name"] == "二七督导丙" for r in answer.data["results"])
    for secret in secrets:
        assert secret not in page
        assert all(secret not in str(cell) for row in exported for cell in row)
        assert secret not in answer.content.decode()
    assert set(answer.data["results"][0]) == {
        "id",
        "entry_number",
        "name",
        "level",
        "pool",
        "home_district",
        "home_district_name",
        "domains",
        "spare_hours",
        "spare_supervisees",
        "spare_capacity",
        "grade",
    }


def test_the_api_filters_by_domain(world, directory, api):
    answer = api(world.district_admin).get(API, {"domain": "drug"})
    assert {r["name"] for r in answer.data["results"]} == {"二七督导丙", "二七区禁毒督导"}


@pytest.mark.parametrize("persona", ["supervisor", "social_worker", "trainer", "finance", "association"])
def test_the_directory_refuses_other_roles(world, directory, login, api, persona):
    assert login(world.persona(persona)).get(URL).status_code == 403
    assert api(world.persona(persona)).get(API).status_code == 403


def test_the_directory_costs_the_same_queries_for_few_and_many_supervisors(world, directory, login, api):
    client = login(world.agency_admin)
    rest = api(world.agency_admin)
    client.get(URL)
    rest.get(API)  # warm caches
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    with CaptureQueriesContext(connection) as few_api:
        rest.get(API)
    for n in range(60):
        entry = _entry(world, staff(world.erqi_agency), world.erqi, f"ZZ-E-{n:04d}", ["drug", "school"])
        if n % 3 == 0:
            engagement(entry, world.agency, hours=Decimal(2))
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    with CaptureQueriesContext(connection) as far:
        response = client.get(URL, {"page": 3})
    with CaptureQueriesContext(connection) as many_api:
        rest.get(API, {"page": 2})
    assert response.context["page_obj"].object_list
    assert len(few) == len(many) == len(far)
    assert len(few_api) == len(many_api)


def test_another_citys_agency_finds_none_of_this_citys_supervisors(world, directory, login, api):
    from dudao.accounts.models import Role
    from dudao.directory import reference_data
    from dudao.directory.models import Jurisdiction
    from dudao.supervision import matching
    from tests.factories import OrganizationFactory, user_with_role

    reference_data.load(reference_data.CITY_FILES["luoyang"])
    luolong = Jurisdiction.objects.get(code="410311")
    agency = OrganizationFactory(name="洛龙康乐社工中心", jurisdiction=luolong)
    staff(agency, name="洛阳社工")
    admin = user_with_role(Role.AGENCY_ADMIN, username="luoyang_agency", organization=agency)
    assert names(login(admin).get(URL)) == []
    assert api(admin).get(API).data["results"] == []
    assert matching.candidates(organization=agency).candidates == []
