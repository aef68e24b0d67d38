"""/api/v1/practice-hours/, /api/v1/assessments/ and
/api/v1/supervisors/<id>/summary/: scope (404), role (403), rules (400)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dudao.policy.registry import BY_KEY
from dudao.supervision.models import Assessment, PracticeLog
from tests.supervision.test_summary_selectors import make_session

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
ITEMS = BY_KEY["supervision.competencies"].default
PRACTICE = "/api/v1/practice-hours/"
ASSESSMENTS = "/api/v1/assessments/"


def summary_url(person, year=None):
    return f"/api/v1/supervisors/{person.pk}/summary/" + (f"?year={year}" if year is not None else "")


def body(world, **overrides):
    return {
        "organization": world.agency.pk,
        "date": (TODAY - dt.timedelta(days=1)).isoformat(),
        "hours": "2.5",
        "description": "个案服务",
    } | overrides


def logged(api, world, **overrides):
    response = api(world.supervisor).post(PRACTICE, body(world, **overrides), format="json")
    assert response.status_code == 201, response.content
    return response.json()


# --- practice hours --------------------------------------------------------------------


def test_a_supervisor_logs_practice_and_the_agency_confirms_it(world, api):
    made = logged(api, world)
    assert made["status"] == "pending" and made["hours"] == "2.5" and made["organization_name"] == "金水阳光社工中心"
    confirmed = api(world.agency_admin).post(f"{PRACTICE}{made['id']}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    again = api(world.agency_admin).post(f"{PRACTICE}{made['id']}/confirm/")
    assert again.status_code == 400


def test_the_agency_rejects_with_a_reason(world, api):
    made = logged(api, world)
    client = api(world.agency_admin)
    assert client.post(f"{PRACTICE}{made['id']}/reject/", {}, format="json").status_code == 400
    response = client.post(f"{PRACTICE}{made['id']}/reject/", {"reason": "当日未到岗"}, format="json")
    assert response.status_code == 200
    assert response.json()["reject_reason"] == "当日未到岗"


@pytest.mark.parametrize(
    "overrides",
    [
        {"date": (TODAY + dt.timedelta(days=1)).isoformat()},
        {"hours": "0"},
        {"hours": "25"},
        {"hours": "1.25"},
        {"description": ""},
        {"organization": 999999},
    ],
)
def test_bad_practice_is_a_400(world, api, overrides):
    response = api(world.supervisor).post(PRACTICE, body(world, **overrides), format="json")
    assert response.status_code == 400, response.content
    assert not PracticeLog.objects.exists()


def test_more_than_a_day_is_a_400_with_the_services_message(world, api):
    logged(api, world, hours="20")
    response = api(world.supervisor).post(PRACTICE, body(world, hours="5"), format="json")
    assert response.status_code == 400
    assert "hours" in response.json()


@pytest.mark.parametrize("persona", ["agency_admin", "social_worker", "city_admin"])
def test_only_a_supervisor_logs_practice_whatever_the_payload(world, api, persona):
    assert api(world.persona(persona)).post(PRACTICE, {}, format="json").status_code == 403


def test_deciding_is_404_out_of_scope_and_403_for_readers(world, api):
    made = logged(api, world)
    assert api(world.outsider).post(f"{PRACTICE}{made['id']}/confirm/").status_code == 404
    assert api(world.outsider).get(f"{PRACTICE}{made['id']}/").status_code == 404
    assert api(world.district_admin).get(f"{PRACTICE}{made['id']}/").status_code == 200
    assert api(world.district_admin).post(f"{PRACTICE}{made['id']}/confirm/").status_code == 403
    assert api(world.supervisor).post(f"{PRACTICE}{made['id']}/reject/", {"reason": "x"}).status_code == 403
    assert PracticeLog.objects.get().status == PracticeLog.Status.PENDING


def test_the_practice_list_filters_and_orders(world, api):
    logged(api, world, hours="1.0")
    logged(api, world, hours="3.0", organization=world.other_agency_same_district.pk)
    client = api(world.supervisor)
    assert client.get(PRACTICE, {"organization": world.other_agency_same_district.pk}).json()["count"] == 1
    assert client.get(PRACTICE, {"status": "confirmed"}).json()["count"] == 0
    assert client.get(PRACTICE, {"year": YEAR}).json()["count"] == 2
    hours = [row["hours"] for row in client.get(PRACTICE, {"ordering": "-hours"}).json()["results"]]
    assert hours == ["3.0", "1.0"]
    assert api(world.agency_admin).get(PRACTICE).json()["count"] == 1
    assert api(world.outsider).get(PRACTICE).json()["count"] == 0


def test_the_practice_endpoint_costs_the_same_queries_for_few_and_many_rows(world, api):
    client = api(world.agency_admin)

    def grow(n):
        for i in range(n):
            PracticeLog.objects.create(
                supervisor=world.supervisor_person,
                organization=world.agency,
                date=dt.date(YEAR, 1, 1) + dt.timedelta(days=i % 300),
                hours=Decimal("0.5"),
                description="个案服务",
            )

    grow(3)
    client.get(PRACTICE)
    with CaptureQueriesContext(connection) as few:
        client.get(PRACTICE, {"page_size": 25})
    grow(57)
    with CaptureQueriesContext(connection) as many:
        client.get(PRACTICE, {"page_size": 25})
    with CaptureQueriesContext(connection) as far:
        assert client.get(PRACTICE, {"page_size": 25, "page": 3}).json()["results"]
    assert len(few) == len(many) == len(far)


# --- assessments -----------------------------------------------------------------------


def assessment_body(engagement, person, **overrides):
    return {
        "engagement": engagement.pk,
        "supervisee": person.pk,
        "year": YEAR,
        "phase": "start",
        "scores": dict.fromkeys(ITEMS, 4),
        "assessed_on": TODAY.isoformat(),
    } | overrides


def test_a_supervisor_records_an_assessment(world, api, internal_engagement):
    response = api(world.supervisor).post(
        ASSESSMENTS, assessment_body(internal_engagement, world.social_worker_person), format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["average"] == "4.00" and data["supervisee_name"] == "社工乙"
    again = api(world.supervisor).post(
        ASSESSMENTS, assessment_body(internal_engagement, world.social_worker_person), format="json"
    )
    assert again.status_code == 400
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize(
    "scores",
    [{**dict.fromkeys(ITEMS, 4), "舞蹈": 3}, dict.fromkeys(ITEMS[1:], 4), {**dict.fromkeys(ITEMS, 4), ITEMS[0]: 6}],
)
def test_bad_scores_are_a_400(world, api, internal_engagement, scores):
    response = api(world.supervisor).post(
        ASSESSMENTS, assessment_body(internal_engagement, world.social_worker_person, scores=scores), format="json"
    )
    assert response.status_code == 400, response.content


def test_an_end_before_a_start_is_a_400(world, api, internal_engagement):
    response = api(world.supervisor).post(
        ASSESSMENTS, assessment_body(internal_engagement, world.social_worker_person, phase="end"), format="json"
    )
    assert response.status_code == 400


def test_another_supervisors_engagement_is_a_404_and_other_roles_a_403(world, api, supply, internal_engagement):
    payload = assessment_body(internal_engagement, world.social_worker_person)
    assert api(supply.external_supervisor).post(ASSESSMENTS, payload, format="json").status_code == 404
    assert api(world.agency_admin).post(ASSESSMENTS, payload, format="json").status_code == 403
    assert api(world.social_worker).post(ASSESSMENTS, {}, format="json").status_code == 403


def test_assessments_are_listed_per_scope(world, api, internal_engagement):
    made = (
        api(world.supervisor)
        .post(ASSESSMENTS, assessment_body(internal_engagement, world.social_worker_person), format="json")
        .json()
    )
    for persona, count in [("supervisor", 1), ("social_worker", 1), ("agency_admin", 1), ("outsider", 0)]:
        assert api(world.persona(persona)).get(ASSESSMENTS).json()["count"] == count, persona
    assert api(world.outsider).get(f"{ASSESSMENTS}{made['id']}/").status_code == 404
    assert api(world.district_admin).get(f"{ASSESSMENTS}{made['id']}/").json()["scores"] == dict.fromkeys(ITEMS, 4)


# --- the supervisor's summary ----------------------------------------------------------


def test_the_summary_gives_hours_against_the_minimums(world, api, internal_engagement):
    make_session(internal_engagement, dt.date(YEAR, 1, 5), 90)
    response = api(world.supervisor).get(summary_url(world.supervisor_person, YEAR))
    assert response.status_code == 200
    data = response.json()
    assert data["service_hours"] == "1.50" and data["service_minimum"] == "60.00"
    assert data["service_percent"] == "2.5"
    assert data["rating_average"] is None and data["rating_count"] == 0
    assert api(world.supervisor).get(summary_url(world.supervisor_person)).json()["year"] == YEAR


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("supervisor", 200),
        ("agency_admin", 200),  # the employer
        ("district_admin", 200),
        ("city_admin", 200),
        ("hrss", 200),
        ("outsider", 404),
        ("erqi_admin", 404),
        ("social_worker", 404),
        ("trainer", 404),
    ],
)
def test_the_summary_is_404_unless_the_caller_may_see_the_supervisor(world, api, supply, persona, status):
    assert api(world.persona(persona)).get(summary_url(world.supervisor_person)).status_code == status


def test_an_agency_engaging_an_external_supervisor_sees_their_summary(world, api, supply, external_engagement):
    person = supply.external_person
    assert api(world.agency_admin).get(summary_url(person)).status_code == 200
    assert api(world.outsider).get(summary_url(person)).status_code == 200  # their employer
    assert api(world.erqi_admin).get(summary_url(person)).status_code == 200
    assert api(world.district_admin).get(summary_url(person)).status_code == 404
    assert api(supply.external_supervisor).get(summary_url(world.supervisor_person)).status_code == 404


@pytest.mark.parametrize("year", ["abc", "1999", "20261", "-1", "２０２６"])
def test_a_bad_year_is_a_400(world, api, supply, year):
    response = api(world.supervisor).get(summary_url(world.supervisor_person, year))
    assert response.status_code == 400
    assert "year" in response.json()


def test_an_unknown_supervisor_is_a_404(world, api):
    assert api(world.city_admin).get("/api/v1/supervisors/999999/summary/").status_code == 404


def test_the_schema_documents_the_endpoints(world, client):
    import yaml

    client.force_login(world.city_admin)
    paths = yaml.safe_load(client.get("/api/schema/").content)["paths"]
    for path in [
        "/api/v1/practice-hours/",
        "/api/v1/practice-hours/{id}/",
        "/api/v1/practice-hours/{id}/confirm/",
        "/api/v1/practice-hours/{id}/reject/",
        "/api/v1/assessments/",
        "/api/v1/assessments/{id}/",
        "/api/v1/supervisors/{person_id}/summary/",
    ]:
        assert path in paths, path


def test_someone_who_is_no_supervisor_has_no_summary(world, api, supply):
    # The district sees 社工乙 in the directory, but a social worker has no supervisor's summary.
    assert api(world.district_admin).get(summary_url(world.social_worker_person)).status_code == 404
    assert api(world.district_admin).get(summary_url(world.supervisor_person)).status_code == 200


def test_an_uncovered_supervisee_is_refused_without_their_name(world, api, supply, external_engagement):
    stranger = supply.colleagues[2]
    response = api(supply.external_supervisor).post(
        ASSESSMENTS, assessment_body(external_engagement, stranger), format="json"
    )
    assert response.status_code == 400
    assert stranger.name not in response.content.decode()


@pytest.mark.parametrize("year", ["2026.5", "abc", "1900"])
def test_a_bad_year_filter_is_a_400(world, api, year):
    assert api(world.supervisor).get(PRACTICE, {"year": year}).status_code == 400
    assert api(world.supervisor).get(ASSESSMENTS, {"year": year}).status_code == 400
