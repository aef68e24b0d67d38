"""The pages of practice hours and ability assessments: each works for the
personas it serves, hides what is out of scope (404) and refuses the wrong
role (403); the lists cost a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dudao.policy.registry import BY_KEY
from dudao.supervision.models import Assessment, PracticeLog
from tests.excel import xlsx_rows

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
ITEMS = BY_KEY["supervision.competencies"].default
LIST = reverse("supervision:practice_list")


def entry(world, organization=None, status=PracticeLog.Status.PENDING, day=None, hours="2.0"):
    return PracticeLog.objects.create(
        supervisor=world.supervisor_person,
        organization=organization or world.agency,
        date=day or TODAY - dt.timedelta(days=1),
        hours=Decimal(hours),
        description="个案服务",
        status=status,
    )


# --- practice list ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "rows"),
    [("supervisor", 1), ("agency_admin", 1), ("district_admin", 1), ("city_admin", 1), ("hrss", 1), ("outsider", 0)],
)
def test_the_practice_list_shows_each_persona_its_scope(world, login, persona, rows):
    entry(world)
    response = login(world.persona(persona)).get(LIST)
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == rows


def test_the_practice_list_filters_by_status_year_and_organisation(world, login):
    entry(world, status=PracticeLog.Status.CONFIRMED)
    entry(world, organization=world.other_agency_same_district)
    entry(world, day=dt.date(YEAR - 1, 5, 1), status=PracticeLog.Status.CONFIRMED)
    client = login(world.supervisor)

    def count(**params):
        return len(client.get(LIST, params).context["page_obj"].object_list)

    assert count() == 3
    assert count(status="confirmed") == 2
    assert count(year=YEAR - 1) == 1
    assert count(organization=world.other_agency_same_district.pk) == 1
    assert count(organization=world.erqi_agency.pk) == 0  # not a choice: none, not all


def test_the_practice_list_sorts_and_exports(world, login):
    entry(world, hours="1.0")
    entry(world, hours="5.0")
    client = login(world.agency_admin)
    rows = client.get(LIST, {"sort": "-hours"}).context["page_obj"].object_list
    assert [r.hours for r in rows] == [Decimal("5.0"), Decimal("1.0")]
    response = client.get(LIST, {"export": "xlsx", "sort": "hours"})
    assert response.status_code == 200
    values = xlsx_rows(response)
    assert len(values) >= 3
    assert any("督导甲" in str(cell) for row in values for cell in row)


def test_the_agency_sees_a_decide_button_only_on_its_pending_rows(world, login):
    pending = entry(world)
    entry(world, status=PracticeLog.Status.CONFIRMED)
    html = login(world.agency_admin).get(LIST).content.decode()
    assert html.count('data-testid="decide"') == 1
    assert reverse("supervision:practice_decide", args=[pending.pk]) in html
    assert 'data-testid="decide"' not in login(world.district_admin).get(LIST).content.decode()


@pytest.mark.parametrize("persona", ["agency_admin", "supervisor", "city_admin"])
def test_the_practice_list_costs_the_same_queries_for_few_and_many_rows(world, login, persona):
    client = login(world.persona(persona))
    for _ in range(3):
        entry(world)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for day in range(1, 40):
        entry(world, day=dt.date(YEAR, 1, 1) + dt.timedelta(days=day), hours="0.5")
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    with CaptureQueriesContext(connection) as far:
        response = client.get(LIST, {"page": 2})
    assert response.context["page_obj"].object_list
    assert len(few) == len(many) == len(far)


# --- logging ---------------------------------------------------------------------------


def test_a_supervisor_logs_practice_through_the_form(world, login, internal_engagement):
    client = login(world.supervisor)
    page = client.get(reverse("supervision:practice_new"))
    assert page.status_code == 200
    assert world.agency in page.context["form"].fields["organization"].queryset
    response = client.post(
        reverse("supervision:practice_new"),
        {"organization": world.agency.pk, "date": TODAY.isoformat(), "hours": "3.5", "description": "小组工作"},
    )
    assert response.status_code == 302
    made = PracticeLog.objects.get()
    assert made.hours == Decimal("3.5") and made.status == PracticeLog.Status.PENDING


def test_the_form_shows_a_refusal_of_the_service(world, login, internal_engagement):
    entry(world, day=TODAY, hours="23.0")
    response = login(world.supervisor).post(
        reverse("supervision:practice_new"),
        {"organization": world.agency.pk, "date": TODAY.isoformat(), "hours": "2", "description": "小组工作"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["hours"]
    assert PracticeLog.objects.count() == 1


@pytest.mark.parametrize("persona", ["agency_admin", "social_worker", "district_admin"])
def test_only_a_supervisor_opens_the_log_form(world, login, persona):
    assert login(world.persona(persona)).get(reverse("supervision:practice_new")).status_code == 403


# --- deciding --------------------------------------------------------------------------


def test_the_agency_confirms_after_seeing_the_entry(world, login):
    pending = entry(world)
    client = login(world.agency_admin)
    url = reverse("supervision:practice_decide", args=[pending.pk])
    page = client.get(url)
    assert page.status_code == 200 and "个案服务" in page.content.decode()
    assert PracticeLog.objects.get().status == PracticeLog.Status.PENDING  # seeing is not deciding
    assert client.post(url, {"decision": "confirm"}).status_code == 302
    assert PracticeLog.objects.get().status == PracticeLog.Status.CONFIRMED


def test_the_agency_rejects_with_a_reason(world, login):
    pending = entry(world)
    client = login(world.agency_admin)
    url = reverse("supervision:practice_decide", args=[pending.pk])
    missing = client.post(url, {"decision": "reject", "reason": ""})
    assert missing.status_code == 200 and missing.context["reject_form"].errors["reason"]
    assert client.post(url, {"decision": "reject", "reason": "当日未到岗"}).status_code == 302
    pending.refresh_from_db()
    assert pending.status == PracticeLog.Status.REJECTED and pending.reject_reason == "当日未到岗"


def test_deciding_is_404_out_of_scope_and_403_for_a_reader(world, login):
    pending = entry(world)
    url = reverse("supervision:practice_decide", args=[pending.pk])
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.outsider).post(url, {"decision": "confirm"}).status_code == 404
    assert login(world.district_admin).get(url).status_code == 403
    assert login(world.supervisor).post(url, {"decision": "confirm"}).status_code == 403
    assert PracticeLog.objects.get().status == PracticeLog.Status.PENDING


# --- assessments -----------------------------------------------------------------------


def assessment_row(world, engagement, person, phase="start"):
    return Assessment.objects.create(
        engagement=engagement,
        supervisor=world.supervisor_person,
        supervisee=person,
        year=YEAR,
        phase=phase,
        scores=dict.fromkeys(ITEMS, 3),
        average=Decimal("3.00"),
        assessed_on=dt.date(YEAR, 1, 10),
    )


@pytest.mark.parametrize(
    ("persona", "rows"),
    [("supervisor", 1), ("social_worker", 1), ("agency_admin", 1), ("district_admin", 1), ("outsider", 0)],
)
def test_the_assessment_list_shows_each_persona_its_scope(world, login, internal_engagement, persona, rows):
    assessment_row(world, internal_engagement, world.social_worker_person)
    response = login(world.persona(persona)).get(reverse("supervision:assessment_list"))
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == rows


def test_the_assessment_list_costs_the_same_queries_for_few_and_many_rows(world, login, supply, internal_engagement):
    from tests.factories import staff

    client = login(world.agency_admin)
    url = reverse("supervision:assessment_list")
    for person in supply.colleagues:
        assessment_row(world, internal_engagement, person)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(30):
        assessment_row(world, internal_engagement, staff(world.agency, name=f"评估{n}"))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    with CaptureQueriesContext(connection) as far:
        response = client.get(url, {"page": 2})
    assert response.context["page_obj"].object_list
    assert len(few) == len(many) == len(far)


def test_a_supervisor_assesses_with_one_radio_row_per_policy_item(world, login, internal_engagement):
    client = login(world.supervisor)
    url = reverse("supervision:assessment_new")
    page = client.get(url, {"engagement": internal_engagement.pk, "supervisee": world.social_worker_person.pk})
    assert page.status_code == 200
    html = page.content.decode()
    for item in ITEMS:
        assert item in html
    assert html.count('type="radio"') == 5 * len(ITEMS)
    data = {
        "engagement": internal_engagement.pk,
        "supervisee": world.social_worker_person.pk,
        "phase": "start",
        "year": YEAR,
        "assessed_on": TODAY.isoformat(),
    } | {f"item_{i}": 4 for i in range(len(ITEMS))}
    assert client.post(url, data).status_code == 302
    made = Assessment.objects.get()
    assert made.average == Decimal("4.00") and made.scores == dict.fromkeys(ITEMS, 4)
    again = client.post(url, data)
    assert again.status_code == 200 and again.context["form"].non_field_errors()
    assert Assessment.objects.count() == 1


def test_the_assessment_form_refuses_a_missing_score(world, login, internal_engagement):
    data = {
        "engagement": internal_engagement.pk,
        "supervisee": world.social_worker_person.pk,
        "phase": "start",
        "year": YEAR,
        "assessed_on": TODAY.isoformat(),
    } | {f"item_{i}": 4 for i in range(len(ITEMS) - 1)}
    response = login(world.supervisor).post(reverse("supervision:assessment_new"), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("persona", ["agency_admin", "social_worker", "city_admin"])
def test_only_a_supervisor_opens_the_assessment_form(world, login, internal_engagement, persona):
    assert login(world.persona(persona)).get(reverse("supervision:assessment_new")).status_code == 403


def test_another_supervisors_engagement_cannot_be_chosen(
    world, login, supply, internal_engagement, external_engagement
):
    response = login(supply.external_supervisor).get(
        reverse("supervision:assessment_new"), {"engagement": internal_engagement.pk}
    )
    assert response.status_code == 200
    assert response.context["engagement"] == external_engagement


def test_an_htmx_filter_request_gets_only_the_table(world, login):
    entry(world)
    response = login(world.agency_admin).get(LIST, {"status": "pending"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'data-testid="practice-table"' in html and "<html" not in html
