"""Need against supply (issue 10, 2): computed from the staff, their types and
the policy in force at the agency's district, kept in OrganizationCoverage, and
shown to the agency, its district and the city."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dudao.core.models import AuditEntry
from dudao.directory.models import Employment
from dudao.policy.models import ParameterVersion
from dudao.supervision import need as need_rules
from dudao.supervision import receivers, signals
from dudao.supervision.models import (
    Attendance,
    Engagement,
    OrganizationCoverage,
    Session,
    SuperviseeProfile,
    SuperviseeType,
)
from dudao.supervision.services import coverage
from dudao.supervision.todos import coverage_todos
from tests.excel import xlsx_rows
from tests.factories import OrganizationFactory, staff
from tests.supervision.conftest import engagement

ON = dt.date(2026, 6, 15)


def start(person, when, position=""):
    Employment.objects.filter(person=person, end_date=None).update(start_date=when, position=position)


def session(eng, person, *, date, minutes, status=Attendance.Status.CONFIRMED, upheld=None):
    made = Session.objects.create(
        engagement=eng,
        supervisor=eng.supervisor,
        organization=eng.organization,
        home_organization=eng.home_organization,
        date=date,
        start_time=dt.time(9, 0),
        duration_minutes=minutes,
        form=Session.Form.INDIVIDUAL,
        functions=["教育"],
        topics="个案督导",
    )
    Attendance.objects.create(
        session=made, person=person, supervisee_type="frontline", date=date, status=status, resolution_upheld=upheld
    )
    return made


@pytest.fixture
def typed(world, supply):
    """社工乙 joined this year (new), 社工丁 is an intern, the rest are frontline."""
    dingg = supply.colleagues[0]
    start(world.social_worker_person, dt.date(2026, 2, 1))
    start(dingg, dt.date(2024, 1, 1), position="社工实习生")
    return dingg


@pytest.fixture
def jinshui_rates(world):
    return ParameterVersion.objects.create(
        key="supervision.need_hours",
        jurisdiction=world.jinshui,
        value={"new": 6, "intern": 4, "frontline": 3, "other": 1},
        effective_from=dt.date(2020, 1, 1),
    )


# --- the computation -------------------------------------------------------------------


def test_need_follows_the_district_rates_and_supply_the_live_engagements(
    world, supply, typed, jinshui_rates, internal_engagement, external_engagement
):
    """Five staff: 社工乙 new (6), 社工丁 intern (4), 督导甲, 社工戊, 社工己 frontline (3 each):
    need 6 + 4 + 9 = 19 h. Supply: internal 8 h (all staff) + external 8 h (乙, 丁) = 16 h,
    shortfall 3 h. 督导甲's own engagement does not cover 督导甲: one not covered."""
    engagement(supply.external_entry, world.agency, hours=Decimal(5), status=Engagement.Status.PROPOSED)
    engagement(supply.external_entry, world.agency, hours=Decimal(5), ends_on=dt.date(2026, 5, 31))
    need = need_rules.need_of(world.agency, ON)
    assert need.staff == 5
    assert need.by_type == {"new": 1, "intern": 1, "frontline": 3, "other": 0}
    assert need.need_hours == Decimal(19)
    assert (need.supply_hours, need.internal_hours, need.external_hours) == (Decimal(16), Decimal(8), Decimal(8))
    assert need.shortfall == Decimal(3)
    assert need.uncovered == 1
    assert not need.internal_enough
    lines = {line.person.name: line for line in need.lines(need_rules.current_staff(world.agency))}
    assert lines["督导甲"].covered_by == []
    assert lines["社工乙"].covered_by == ["督导甲", "二七督导丙"]
    assert lines["社工戊"].covered_by == ["督导甲"]
    assert lines["社工乙"].need_month == 6 and lines["社工乙"].need_year == 36


def test_the_city_rates_apply_where_the_district_sets_none(world, supply, typed):
    need = need_rules.need_of(world.agency, ON)
    # Defaults: new 4, intern 4, frontline 2.
    assert need.need_hours == Decimal(4 + 4 + 3 * 2)
    assert need.shortfall == need.need_hours
    assert need.uncovered == 5


def test_hours_received_count_confirmed_and_upheld_attendances_only(world, supply, internal_engagement):
    person = world.social_worker_person
    session(internal_engagement, person, date=dt.date(2026, 6, 2), minutes=60)
    session(internal_engagement, person, date=dt.date(2026, 6, 9), minutes=30, status=Attendance.Status.PENDING)
    session(
        internal_engagement,
        person,
        date=dt.date(2026, 6, 10),
        minutes=45,
        status=Attendance.Status.RESOLVED,
        upheld=True,
    )
    session(
        internal_engagement,
        person,
        date=dt.date(2026, 6, 11),
        minutes=50,
        status=Attendance.Status.RESOLVED,
        upheld=False,
    )
    session(internal_engagement, person, date=dt.date(2026, 3, 3), minutes=90)
    session(internal_engagement, person, date=dt.date(2025, 12, 3), minutes=90)
    need = need_rules.need_of(world.agency, ON)
    line = need.lines([person])[0]
    assert line.received_month == Decimal("1.75")
    assert line.received_year == Decimal("3.25")
    assert need.received_hours == Decimal("1.75")


def test_received_hours_for_a_page_of_staff_are_one_query(world, supply, internal_engagement):
    need = need_rules.need_of(world.agency, ON)
    people = list(need_rules.current_staff(world.agency))
    with CaptureQueriesContext(connection) as ctx:
        need.lines(people)
    assert len(ctx) == 1


def test_refresh_writes_the_row_a_district_sorts_by(world, supply, internal_engagement):
    assert coverage.refresh([world.agency.pk], ON) == 1
    row = OrganizationCoverage.objects.get(organization=world.agency)
    assert (row.month, row.staff, row.need_hours, row.supply_hours) == (dt.date(2026, 6, 1), 5, 10, 8)
    assert (row.internal_hours, row.shortfall, row.uncovered) == (8, 2, 1)
    assert row.scope_j2 == world.jinshui.pk


def test_a_change_of_need_or_supply_refreshes_the_row_after_commit(world, supply, django_capture_on_commit_callbacks):
    receivers.connect()
    with django_capture_on_commit_callbacks(execute=True):
        signals.changed({world.agency.pk})
    assert OrganizationCoverage.objects.get(organization=world.agency).need_hours == 10


def test_the_nightly_command_refreshes_every_organisation_in_batches(world, supply):
    call_command("refresh_supervision_coverage", "--batch-size", "2")
    assert OrganizationCoverage.objects.filter(organization=world.agency).exists()
    assert OrganizationCoverage.objects.filter(organization=world.erqi_agency).exists()


def test_the_celery_task_runs_the_command(world, supply):
    from dudao.supervision.tasks import refresh_coverage

    assert refresh_coverage().startswith("refreshed:")
    assert OrganizationCoverage.objects.filter(organization=world.agency).exists()


# --- supervisee types ----------------------------------------------------------------


def test_the_agency_corrects_a_type_and_clears_the_correction_audited(world, supply):
    person = world.social_worker_person
    assert coverage.set_supervisee_type(actor=world.agency_admin, person=person, type="intern") == "intern"
    assert SuperviseeProfile.objects.get(person=person).type == "intern"
    assert coverage.set_supervisee_type(actor=world.agency_admin, person=person, type="") == "frontline"
    assert not SuperviseeProfile.objects.filter(person=person).exists()
    entries = AuditEntry.objects.filter(event="supervision.supervisee_type_set").order_by("pk")
    assert [e.changes["type"] for e in entries] == [["frontline", "intern"], ["intern", "frontline"]]


@pytest.mark.parametrize("persona", ["outsider", "district_admin", "supervisor"])
def test_only_the_employers_agency_admin_sets_a_type(world, supply, persona):
    with pytest.raises(PermissionDenied):
        coverage.set_supervisee_type(actor=world.persona(persona), person=world.social_worker_person, type="intern")


def test_an_unknown_type_is_refused(world, supply):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        coverage.set_supervisee_type(actor=world.agency_admin, person=world.social_worker_person, type="boss")


# --- the agency page -----------------------------------------------------------------------


def agency_url(world):
    return f"/supervision/coverage/organizations/{world.agency.pk}/"


@pytest.mark.parametrize("persona", ["agency_admin", "district_admin", "city_admin", "hrss"])
def test_the_agency_page_shows_need_supply_and_each_staff_member(world, supply, internal_engagement, login, persona):
    response = login(world.persona(persona)).get(agency_url(world))
    assert response.status_code == 200
    text = response.content.decode()
    assert "社工戊" in text and 'data-testid="need-summary"' in text
    assert ('data-testid="find-supervisor"' in text) is (persona == "agency_admin")


@pytest.mark.parametrize("persona", ["outsider", "erqi_admin", "supervisor", "social_worker", "trainer", "finance"])
def test_the_agency_page_is_not_found_out_of_scope(world, supply, login, persona):
    assert login(world.persona(persona)).get(agency_url(world)).status_code == 404


def test_the_agency_page_exports_its_staff(world, supply, internal_engagement, login):
    rows = xlsx_rows(login(world.agency_admin).get(agency_url(world), {"export": "xlsx"}))
    assert len(rows) >= 6
    assert any("社工戊" in str(cell) for row in rows for cell in row)


def test_the_type_form_corrects_a_type_for_the_agency_only(world, supply, login):
    url = f"{agency_url(world)}staff/{world.social_worker_person.pk}/type/"
    assert login(world.district_admin).post(url, {"type": "intern"}).status_code == 403
    assert login(world.outsider).post(url, {"type": "intern"}).status_code == 404
    assert login(world.agency_admin).post(url, {"type": "intern"}).status_code == 302
    assert SuperviseeProfile.objects.get(person=world.social_worker_person).type == SuperviseeType.INTERN


def test_the_agency_page_costs_the_same_queries_for_few_and_many_staff(world, supply, internal_engagement, login):
    client = login(world.agency_admin)
    client.get(agency_url(world))
    with CaptureQueriesContext(connection) as few:
        client.get(agency_url(world))
    for n in range(30):
        staff(world.agency, name=f"新增社工{n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(agency_url(world))
    with CaptureQueriesContext(connection) as far:
        client.get(agency_url(world), {"page": 2})
    assert len(response.context["page_obj"].object_list) == 25
    assert len(few) == len(many) == len(far)


# --- candidates page ---------------------------------------------------------------------


def test_the_candidates_page_ranks_and_links_each_choice_to_a_proposal(world, supply, login):
    response = login(world.agency_admin).get(f"{agency_url(world)}candidates/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "二七督导丙" in text
    assert f"?organization={world.agency.pk}&amp;entry={supply.external_entry.pk}" in text


def test_the_candidates_page_is_for_the_agency_itself(world, supply, login):
    url = f"{agency_url(world)}candidates/"
    assert login(world.district_admin).get(url).status_code == 403
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.social_worker).get(url).status_code == 404


# --- district and city -----------------------------------------------------------------


@pytest.fixture
def rows(world, supply, internal_engagement):
    coverage.refresh([world.agency.pk, world.other_agency_same_district.pk, world.erqi_agency.pk], ON)


def test_a_district_sees_its_agencies_worst_first(world, rows, login):
    # 金水阳光 is 2 h short; 金水馨和 has no staff, so it is short of nothing.
    response = login(world.district_admin).get("/supervision/coverage/")
    assert response.status_code == 200
    names = [c.organization.name for c in response.context["page_obj"].object_list]
    assert names == ["金水阳光社工中心", "金水馨和社工中心"]
    assert not response.context["district_totals"]


def test_the_city_sees_totals_per_district_with_a_chart_and_drills_into_one(world, rows, login):
    client = login(world.city_admin)
    response = client.get("/supervision/coverage/")
    totals = {r["district"]: r for r in response.context["district_totals"]}
    assert totals["金水区"]["need"] == 10 and totals["金水区"]["shortfall"] == 2
    assert "vendor/echarts/echarts.min.js" in response.content.decode()
    drilled = client.get("/supervision/coverage/", {"district": world.erqi.pk})
    assert [c.organization.name for c in drilled.context["page_obj"].object_list] == ["二七同心社工中心"]


def test_an_agency_admin_is_taken_to_its_own_coverage(world, rows, login):
    response = login(world.agency_admin).get("/supervision/coverage/")
    assert response.status_code == 302 and response.url == agency_url(world)


@pytest.mark.parametrize("persona", ["supervisor", "social_worker", "trainer", "finance", "association"])
def test_the_coverage_page_refuses_other_roles(world, rows, login, persona):
    assert login(world.persona(persona)).get("/supervision/coverage/").status_code == 403


def test_the_coverage_list_exports(world, rows, login):
    exported = xlsx_rows(login(world.district_admin).get("/supervision/coverage/", {"export": "xlsx"}))
    assert [r[0] for r in exported[1:]] == ["金水阳光社工中心", "金水馨和社工中心"]


def test_the_coverage_list_costs_the_same_queries_for_few_and_many_agencies(world, rows, login):
    client = login(world.district_admin)
    client.get("/supervision/coverage/")
    with CaptureQueriesContext(connection) as few:
        client.get("/supervision/coverage/")
    made = [OrganizationFactory(name=f"成本机构{n}", jurisdiction=world.jinshui) for n in range(55)]
    coverage.refresh([o.pk for o in made], ON)
    with CaptureQueriesContext(connection) as many:
        client.get("/supervision/coverage/")
    with CaptureQueriesContext(connection) as far:
        response = client.get("/supervision/coverage/", {"page": 3})
    assert response.context["page_obj"].object_list
    assert len(few) == len(many) == len(far)


def test_the_city_page_costs_the_same_queries_for_few_and_many_agencies(world, rows, login):
    client = login(world.city_admin)
    client.get("/supervision/coverage/")
    with CaptureQueriesContext(connection) as few:
        client.get("/supervision/coverage/")
    made = [OrganizationFactory(name=f"成本机构{n}", jurisdiction=world.erqi) for n in range(30)]
    coverage.refresh([o.pk for o in made], ON)
    with CaptureQueriesContext(connection) as many:
        client.get("/supervision/coverage/")
    assert len(few) == len(many)


# --- API ---------------------------------------------------------------------------------


def test_the_need_endpoint_answers_the_agency_and_its_district(world, supply, internal_engagement, api):
    url = f"/api/v1/organizations/{world.agency.pk}/supervision-need/"
    for persona in ("agency_admin", "district_admin", "city_admin"):
        response = api(world.persona(persona)).get(url)
        assert response.status_code == 200, persona
        assert response.data["need_hours"] == "10.00"
        assert {line["name"] for line in response.data["lines"]} >= {"社工戊", "督导甲"}
    for persona in ("outsider", "erqi_admin", "social_worker"):
        assert api(world.persona(persona)).get(url).status_code == 404, persona


def test_the_candidates_endpoint_is_for_the_agency_itself(world, supply, api):
    url = f"/api/v1/organizations/{world.agency.pk}/candidates/"
    response = api(world.agency_admin).get(url)
    assert response.status_code == 200
    first = response.data["candidates"][0]
    assert first["name"] == "二七督导丙" and first["place"] == 1
    assert [f["name"] for f in first["factors"]] == ["领域匹配", "同区优先", "本市选拔", "服务余量", "考评等级"]
    assert api(world.district_admin).get(url).status_code == 403
    assert api(world.outsider).get(url).status_code == 404


def test_the_coverage_endpoint_lists_agencies_worst_first_within_scope(world, rows, api):
    response = api(world.district_admin).get("/api/v1/supervision-coverage/")
    assert response.status_code == 200
    assert [r["organization_name"] for r in response.data["results"]] == ["金水阳光社工中心", "金水馨和社工中心"]
    erqi = api(world.erqi_admin).get("/api/v1/supervision-coverage/")
    assert [r["organization_name"] for r in erqi.data["results"]] == ["二七同心社工中心"]
    own = api(world.agency_admin).get("/api/v1/supervision-coverage/")
    assert [r["organization_name"] for r in own.data["results"]] == ["金水阳光社工中心"]
    # 二七同心 employs 二七督导丙 (2 h needed, none agreed): as short as 金水阳光.
    short = api(world.city_admin).get("/api/v1/supervision-coverage/", {"short": "true"})
    assert {r["organization_name"] for r in short.data["results"]} == {"金水阳光社工中心", "二七同心社工中心"}


# --- to-dos -----------------------------------------------------------------------------


def test_the_todos_name_short_agencies_to_the_district_and_uncovered_staff_to_the_agency(world, rows, login):
    district = {t.label: t.count for t in coverage_todos(world.district_admin)}
    assert list(district.values()) == [1]
    agency = coverage_todos(world.agency_admin)
    assert len(agency) == 1 and agency[0].url == agency_url(world) + "?uncovered=true"
    # Counted live, as the staff page it opens lists them.
    listed = login(world.agency_admin).get(agency[0].url).context["page_obj"].total.value
    assert agency[0].count == listed
    assert coverage_todos(world.social_worker) == []


def test_the_candidates_page_costs_the_same_queries_for_few_and_many_candidates(world, supply, login):
    from tests.supervision.test_matching import pool_entry

    client = login(world.agency_admin)
    url = f"{agency_url(world)}candidates/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _n in range(25):
        entry = pool_entry(world, staff(world.erqi_agency), pool=world.erqi, home=world.erqi, domains=["drug"])
        engagement(entry, world.other_agency_same_district, hours=Decimal(2))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    with CaptureQueriesContext(connection) as far:
        response = client.get(url, {"page": 2})
    assert response.context["page_obj"].object_list
    assert len(few) == len(many) == len(far)


def test_the_coverage_endpoint_costs_the_same_queries_for_few_and_many_agencies(world, rows, api):
    client = api(world.district_admin)
    client.get("/api/v1/supervision-coverage/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/supervision-coverage/")
    made = [OrganizationFactory(name=f"成本机构{n}", jurisdiction=world.jinshui) for n in range(55)]
    coverage.refresh([o.pk for o in made], ON)
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/supervision-coverage/", {"page": 2})
    assert len(few) == len(many)


def test_the_need_endpoint_costs_the_same_queries_for_few_and_many_staff(world, supply, internal_engagement, api):
    client = api(world.agency_admin)
    url = f"/api/v1/organizations/{world.agency.pk}/supervision-need/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(30):
        staff(world.agency, name=f"新增社工{n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"page": 2})
    assert response.data["lines"]
    assert len(few) == len(many)


def test_a_hire_and_a_departure_refresh_both_agencies(world, supply, django_capture_on_commit_callbacks):
    from dudao.directory import services as directory

    receivers.connect()
    coverage.refresh([world.agency.pk, world.other_agency_same_district.pk], ON)
    person = supply.colleagues[2]
    with django_capture_on_commit_callbacks(execute=True):
        directory.end_employment(actor=world.district_admin, person=person, end_date=dt.date(2026, 3, 31))
    assert OrganizationCoverage.objects.get(organization=world.agency).staff == 4
    with django_capture_on_commit_callbacks(execute=True):
        directory.start_employment(
            actor=world.district_admin,
            person=person,
            organization=world.other_agency_same_district,
            start_date=dt.date(2026, 4, 1),
        )
    assert OrganizationCoverage.objects.get(organization=world.agency).staff == 4
    assert OrganizationCoverage.objects.get(organization=world.other_agency_same_district).staff == 1
