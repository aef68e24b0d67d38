"""The evaluation cycle, evaluation and service result endpoints: they work,
hide what is out of scope (404), refuse the wrong role (403) and bad input (400)."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from dudao.evaluation.models import Cycle, Evaluation, ServiceResult
from dudao.pools.models import Entry
from tests.factories import staff
from tests.pools.conftest import city_entry

from .test_cycles_services import open_city_cycle

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
LATER = TODAY + dt.timedelta(days=30)


def payload(world, **changes):
    return {
        "owner": world.city.pk,
        "level": "city",
        "year": YEAR,
        "title": "市级督导年度考评",
        "scoring_deadline": str(LATER),
        "review_deadline": str(LATER + dt.timedelta(days=10)),
    } | changes


def sheet(rows, headers=("ID number", "Name", "Service evaluation result")) -> BytesIO:
    wb = Workbook()
    wb.active.append(list(headers))
    for row in rows:
        wb.active.append(list(row))
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "results.xlsx"
    return buffer


def test_the_city_opens_computes_and_follows_a_cycle(world, supply, api):
    client = api(world.city_admin)
    response = client.post("/api/v1/evaluation-cycles/", payload(world), format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["appeal_days"] == 15
    response = client.post(f"/api/v1/evaluation-cycles/{pk}/compute/")
    assert response.status_code == 202
    assert response.json()["status"] == "scoring"
    progress = client.get(f"/api/v1/evaluation-cycles/{pk}/progress/").json()
    assert progress == {"status": "scoring", "progress_done": 1, "progress_total": 1, "percent": 100}
    rows = client.get(f"/api/v1/evaluations/?cycle={pk}").json()["results"]
    assert [r["person_name"] for r in rows] == ["二七督导丙"]
    assert rows[0]["indicators"]["ratings"] == 0
    assert rows[0]["indicators"]["service_hours"] == "0.00"


@pytest.mark.parametrize("persona", ["hrss", "agency_admin", "supervisor", "association", "finance"])
def test_other_roles_cannot_open_a_cycle(world, api, persona):
    response = api(world.persona(persona)).post("/api/v1/evaluation-cycles/", {}, format="json")
    assert response.status_code == 403


def test_a_district_cannot_open_the_city_pools_cycle_nor_anothers(world, api):
    client = api(world.district_admin)
    assert client.post("/api/v1/evaluation-cycles/", payload(world), format="json").status_code == 403
    other = payload(world, owner=world.erqi.pk, level="district")
    assert client.post("/api/v1/evaluation-cycles/", other, format="json").status_code == 403
    own = payload(world, owner=world.jinshui.pk, level="district", title="金水区考评")
    assert client.post("/api/v1/evaluation-cycles/", own, format="json").status_code == 201


@pytest.mark.parametrize(
    "changes",
    [
        {"level": "agency"},
        {"title": ""},
        {"year": "abc"},
        {"owner": 999999},
        {"review_deadline": str(TODAY)},
        {"scoring_deadline": "2000-01-01"},
    ],
)
def test_bad_input_is_a_400(world, api, changes):
    response = api(world.city_admin).post("/api/v1/evaluation-cycles/", payload(world, **changes), format="json")
    assert response.status_code == 400, response.json()
    assert not Cycle.objects.exists()


def test_a_district_cycle_is_hidden_from_another_district_and_read_by_hrss(world, supply, api):
    from dudao.evaluation.services import cycles

    cycle = cycles.open_cycle(
        actor=world.district_admin,
        owner=world.jinshui,
        level=Entry.Level.DISTRICT,
        year=YEAR,
        title="金水区考评",
        scoring_deadline=LATER,
        review_deadline=LATER,
    )
    for persona in ("erqi_admin", "agency_admin", "outsider", "supervisor", "finance"):
        client = api(world.persona(persona))
        assert client.get(f"/api/v1/evaluation-cycles/{cycle.pk}/").status_code == 404, persona
        assert client.post(f"/api/v1/evaluation-cycles/{cycle.pk}/compute/").status_code == 404, persona
        assert client.get("/api/v1/evaluation-cycles/").json()["count"] == 0, persona
    for persona in ("hrss", "city_admin", "district_admin"):
        assert api(world.persona(persona)).get(f"/api/v1/evaluation-cycles/{cycle.pk}/").status_code == 200
    # The city and HR&SS read the district's cycle, but only the district computes it.
    for persona in ("hrss", "city_admin"):
        assert api(world.persona(persona)).post(f"/api/v1/evaluation-cycles/{cycle.pk}/compute/").status_code == 403
    assert api(world.district_admin).post(f"/api/v1/evaluation-cycles/{cycle.pk}/compute/").status_code == 202


def test_evaluations_are_hidden_outside_the_jurisdiction(world, supply, api):
    from dudao.evaluation.services import cycles

    cycle = cycles.compute(actor=world.city_admin, cycle=open_city_cycle(world))
    evaluation = Evaluation.objects.get(cycle=cycle)
    assert api(world.hrss).get(f"/api/v1/evaluations/{evaluation.pk}/").status_code == 200
    for persona in ("erqi_admin", "district_admin", "outsider", "supervisor"):
        # A district reads its own pool's cycles, not the city's.
        assert api(world.persona(persona)).get(f"/api/v1/evaluations/{evaluation.pk}/").status_code == 404, persona


def test_the_evaluation_list_costs_the_same_queries_however_many_rows(world, supply, api):
    from dudao.evaluation.services import cycles

    cycle = open_city_cycle(world)
    cycles.compute(actor=world.city_admin, cycle=cycle)
    client = api(world.hrss)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/v1/evaluations/?cycle={cycle.pk}").status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request warms per-process caches
    few = count()
    for n in range(5):
        city_entry(world, staff(world.erqi_agency, certified=True, name=f"督导{n}"))
    cycles.compute(actor=world.city_admin, cycle=cycle)
    assert Evaluation.objects.filter(cycle=cycle).count() == 6
    assert count() == few


# --- service results ---------------------------------------------------------------------


def test_an_agency_enters_its_staffs_result(world, api):
    person = world.social_worker_person
    response = api(world.agency_admin).post(
        "/api/v1/service-results/", {"person": person.pk, "year": YEAR, "score": "88.5"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert ServiceResult.objects.get(person=person, year=YEAR).score == Decimal("88.50")
    assert api(world.agency_admin).get("/api/v1/service-results/").json()["count"] == 1
    assert api(world.district_admin).get("/api/v1/service-results/").json()["count"] == 1
    assert api(world.outsider).get("/api/v1/service-results/").json()["count"] == 0
    assert api(world.erqi_admin).get("/api/v1/service-results/").json()["count"] == 0


def test_another_agency_cannot_enter_a_result_and_other_roles_are_refused(world, api):
    person = world.social_worker_person
    body = {"person": person.pk, "year": YEAR, "score": "88"}
    assert api(world.outsider).post("/api/v1/service-results/", body, format="json").status_code == 400
    for persona in ("supervisor", "social_worker", "hrss", "trainer"):
        assert api(world.persona(persona)).post("/api/v1/service-results/", body, format="json").status_code == 403
    assert not ServiceResult.objects.exists()


@pytest.mark.parametrize("score", ["101", "-1", "abc", "12.345"])
def test_a_result_out_of_range_is_a_400(world, api, score):
    body = {"person": world.social_worker_person.pk, "year": YEAR, "score": score}
    assert api(world.agency_admin).post("/api/v1/service-results/", body, format="json").status_code == 400


def test_an_agency_imports_a_sheet(world, supply, api):
    sw, colleague = world.social_worker_person, supply.colleagues[0]
    upload = sheet([(sw.id_number, sw.name, 90), (colleague.id_number, colleague.name, "77.25")])
    response = api(world.agency_admin).post(
        "/api/v1/service-results/import/",
        {"organization": world.agency.pk, "year": YEAR, "file": upload},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {"imported": 2}
    assert ServiceResult.objects.get(person=colleague).score == Decimal("77.25")


def test_a_sheet_with_any_bad_row_writes_nothing_and_names_each_row(world, supply, api):
    sw, colleague = world.social_worker_person, supply.colleagues[0]
    stranger = supply.external_person  # staff of 二七区's agency, not of this one
    upload = sheet(
        [
            (sw.id_number, sw.name, 90),
            (colleague.id_number, "别人", 80),
            (stranger.id_number, stranger.name, 70),
            (sw.id_number, sw.name, 60),
            ("", "无名", 50),
            (supply.colleagues[1].id_number, supply.colleagues[1].name, 101),
        ]
    )
    response = api(world.agency_admin).post(
        "/api/v1/service-results/import/",
        {"organization": world.agency.pk, "year": YEAR, "file": upload},
        format="multipart",
    )
    assert response.status_code == 400
    rows = [e["row"] for e in response.json()["errors"]]
    assert rows == [3, 4, 5, 6, 7]
    assert not ServiceResult.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"year": YEAR},
        {"organization": "x", "year": YEAR},
        {"organization": 99999999, "year": YEAR},
        {"year": "later"},
    ],
)
def test_an_import_without_a_usable_agency_or_year_is_a_400(world, api, data):
    data = {"organization": data.get("organization", 0), **data, "file": sheet([])}
    response = api(world.agency_admin).post("/api/v1/service-results/import/", data, format="multipart")
    assert response.status_code == 400


def test_an_import_that_is_not_a_workbook_or_lacks_columns_is_a_400(world, api):
    junk = BytesIO(b"not a workbook")
    junk.name = "x.xlsx"
    for upload in (junk, sheet([("1", "2")], headers=("ID number", "Name"))):
        response = api(world.agency_admin).post(
            "/api/v1/service-results/import/",
            {"organization": world.agency.pk, "year": YEAR, "file": upload},
            format="multipart",
        )
        assert response.status_code == 400
        assert response.json()["errors"]


def test_another_agencys_sheet_is_refused(world, api):
    response = api(world.outsider).post(
        "/api/v1/service-results/import/",
        {"organization": world.agency.pk, "year": YEAR, "file": sheet([])},
        format="multipart",
    )
    assert response.status_code == 400
    assert api(world.supervisor).post("/api/v1/service-results/import/", {}, format="multipart").status_code == 403
