"""The evaluation pages: cycles, a cycle with its progress, the evaluations,
the service results (entry and import) and HR&SS's statistics. Each works,
hides what is out of scope (404) and refuses the wrong role (403)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.evaluation.models import Cycle, Evaluation, Grade, ServiceResult
from dudao.evaluation.services import cycles as services
from dudao.pools.models import Entry
from tests.excel import xlsx_rows

from .test_cycles_api import sheet
from .test_cycles_services import open_city_cycle

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
LATER = TODAY + dt.timedelta(days=30)


def jinshui_cycle(world):
    return services.open_cycle(
        actor=world.district_admin,
        owner=world.jinshui,
        level=Entry.Level.DISTRICT,
        year=YEAR,
        title="金水区督导考评",
        scoring_deadline=LATER,
        review_deadline=LATER,
    )


def test_the_city_opens_a_cycle_from_the_form_with_policy_deadlines(world, login):
    client = login(world.city_admin)
    page = client.get(reverse("evaluation:cycle_new"))
    assert page.status_code == 200
    assert page.context["form"].initial["scoring_deadline"] == TODAY + dt.timedelta(days=30)
    response = client.post(
        reverse("evaluation:cycle_new"),
        {
            "owner": world.city.pk,
            "year": YEAR,
            "title": "市级考评",
            "scoring_deadline": str(LATER),
            "review_deadline": str(LATER),
        },
    )
    cycle = Cycle.objects.get()
    assert response.status_code == 302 and response.url == reverse("evaluation:cycle_detail", args=[cycle.pk])
    assert cycle.level == Entry.Level.CITY


def test_a_district_is_offered_only_its_own_pool(world, login):
    page = login(world.district_admin).get(reverse("evaluation:cycle_new"))
    assert list(page.context["form"].fields["owner"].queryset) == [world.jinshui]
    response = login(world.district_admin).post(
        reverse("evaluation:cycle_new"),
        {"owner": world.city.pk, "year": YEAR, "title": "x", "scoring_deadline": LATER, "review_deadline": LATER},
    )
    assert response.status_code == 200 and not Cycle.objects.exists()


@pytest.mark.parametrize("persona", ["hrss", "agency_admin", "supervisor", "social_worker", "finance"])
def test_other_roles_cannot_reach_the_open_form(world, login, persona):
    assert login(world.persona(persona)).get(reverse("evaluation:cycle_new")).status_code == 403


@pytest.mark.parametrize("persona", ["agency_admin", "supervisor", "social_worker", "finance", "trainer"])
def test_the_cycle_pages_refuse_roles_without_evaluation(world, login, persona):
    client = login(world.persona(persona))
    assert client.get(reverse("evaluation:cycle_list")).status_code == 403
    assert client.get(reverse("evaluation:evaluation_list")).status_code == 403
    assert client.get(reverse("evaluation:report")).status_code == 403


def test_the_cycle_page_shows_progress_and_the_owner_computes(world, supply, login):
    cycle = open_city_cycle(world)
    client = login(world.city_admin)
    page = client.get(reverse("evaluation:cycle_detail", args=[cycle.pk]))
    assert page.status_code == 200 and b'data-testid="compute"' in page.content
    response = client.post(reverse("evaluation:cycle_compute", args=[cycle.pk]))
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.SCORING
    page = client.get(reverse("evaluation:cycle_detail", args=[cycle.pk]))
    assert b'data-testid="evaluations-link"' in page.content
    assert b"hx-trigger" not in page.content  # finished: no polling


def test_while_computing_the_progress_fragment_polls(world, supply, login):
    cycle = open_city_cycle(world)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPUTING, progress_done=3, progress_total=12)
    client = login(world.hrss)
    fragment = client.get(reverse("evaluation:cycle_detail", args=[cycle.pk]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert b"hx-trigger" in fragment.content and b"<html" not in fragment.content
    assert b'data-width="25"' in fragment.content
    assert b'data-testid="compute"' not in fragment.content


def test_a_district_cycle_is_hidden_from_another_district_and_hrss_cannot_compute(world, supply, login):
    cycle = jinshui_cycle(world)
    assert login(world.erqi_admin).get(reverse("evaluation:cycle_detail", args=[cycle.pk])).status_code == 404
    assert login(world.erqi_admin).post(reverse("evaluation:cycle_compute", args=[cycle.pk])).status_code == 404
    page = login(world.hrss).get(reverse("evaluation:cycle_detail", args=[cycle.pk]))
    assert page.status_code == 200 and b'data-testid="compute"' not in page.content
    assert login(world.hrss).post(reverse("evaluation:cycle_compute", args=[cycle.pk])).status_code == 403
    listed = login(world.erqi_admin).get(reverse("evaluation:cycle_list"))
    assert listed.status_code == 200 and "金水区督导考评" not in listed.content.decode()


def test_the_evaluations_table_filters_sorts_and_exports(world, supply, login):
    cycle = services.compute(actor=world.city_admin, cycle=open_city_cycle(world))
    client = login(world.hrss)
    page = client.get(reverse("evaluation:evaluation_list"), {"cycle": cycle.pk, "sort": "-indicators"})
    assert page.status_code == 200 and "二七督导丙" in page.content.decode()
    assert client.get(reverse("evaluation:evaluation_list"), {"q": "无此人"}).context["object_list"] == []
    rows = xlsx_rows(client.get(reverse("evaluation:evaluation_list"), {"cycle": cycle.pk, "export": "xlsx"}))
    assert rows[1][2] == "二七督导丙"
    # A district does not see the city pool's evaluations.
    assert login(world.district_admin).get(reverse("evaluation:evaluation_list")).context["object_list"] == []


def test_an_agency_enters_and_imports_service_results(world, supply, login):
    client = login(world.agency_admin)
    assert client.get(reverse("evaluation:service_result_list")).status_code == 200
    form = client.get(reverse("evaluation:service_result_new"))
    assert world.social_worker_person in form.context["form"].fields["person"].queryset
    assert supply.external_person not in form.context["form"].fields["person"].queryset
    response = client.post(
        reverse("evaluation:service_result_new"),
        {"person": world.social_worker_person.pk, "year": YEAR, "score": "91"},
    )
    assert response.status_code == 302
    colleague = supply.colleagues[0]
    upload = SimpleUploadedFile("r.xlsx", sheet([(colleague.id_number, colleague.name, 70)]).getvalue())
    page = client.post(
        reverse("evaluation:service_result_import"), {"organization": world.agency.pk, "year": YEAR, "file": upload}
    )
    assert page.status_code == 200 and page.context["done"] == 1
    assert ServiceResult.objects.get(person=colleague).score == Decimal("70")
    template = client.get(reverse("evaluation:service_result_template", args=[world.agency.pk]))
    assert template.status_code == 200
    assert client.get(reverse("evaluation:service_result_template", args=[world.erqi_agency.pk])).status_code == 404


def test_a_bad_sheet_lists_its_rows_on_the_page_and_writes_nothing(world, login):
    upload = SimpleUploadedFile("r.xlsx", sheet([("410105199001010000", "查无此人", 70)]).getvalue())
    page = login(world.agency_admin).post(
        reverse("evaluation:service_result_import"), {"organization": world.agency.pk, "year": YEAR, "file": upload}
    )
    assert page.status_code == 200 and [e.row for e in page.context["errors"]] == [2]
    assert b'data-testid="import-errors"' in page.content
    assert not ServiceResult.objects.exists()


@pytest.mark.parametrize("persona", ["supervisor", "social_worker", "trainer", "finance"])
def test_service_results_refuse_other_roles(world, login, persona):
    client = login(world.persona(persona))
    assert client.get(reverse("evaluation:service_result_list")).status_code == 403
    assert client.get(reverse("evaluation:service_result_new")).status_code == 403
    assert client.get(reverse("evaluation:service_result_import")).status_code == 403


def test_hrss_sees_grade_distributions_with_a_chart_and_an_export(world, supply, login):
    cycle = services.compute(actor=world.city_admin, cycle=open_city_cycle(world))
    Evaluation.objects.filter(cycle=cycle).update(grade=Grade.PASS, status=Evaluation.Status.PUBLISHED)
    district = services.compute(actor=world.district_admin, cycle=jinshui_cycle(world))
    assert district.progress_total == 0
    client = login(world.hrss)
    page = client.get(reverse("evaluation:report"), {"year": YEAR})
    assert page.status_code == 200
    home = Evaluation.objects.get(cycle=cycle).home_organization
    assert home.name == "二七同心社工中心"
    district = home.jurisdiction
    assert page.context["by_district"] == [
        {"key": (district.pk, district.name), "counts": [0, 1, 0, 0], "total": 1, "name": district.name}
    ]
    assert page.context["by_agency"][0]["name"] == "二七同心社工中心"
    assert page.context["by_level"][0]["name"] == str(Entry.Level.CITY.label)
    assert b'id="grades-chart"' in page.content and b"echarts.min.js" in page.content
    assert b'data-testid="subsidies-none"' in page.content
    rows = xlsx_rows(client.get(reverse("evaluation:report"), {"export": "xlsx"}))
    total = rows[0].index(str(_("Total")))
    assert rows[1][1] == district.name and rows[1][total] == 1
    # A district reads only its own jurisdiction's cycles: the city pool's grades are not its.
    assert login(world.district_admin).get(reverse("evaluation:report")).context["by_district"] == []


def test_the_menu_offers_the_evaluation_pages_by_role(world, login):
    home = login(world.hrss).get(reverse("accounts:home")).content.decode()
    assert reverse("evaluation:report") in home and reverse("evaluation:cycle_list") in home
    agency = login(world.agency_admin).get(reverse("accounts:home")).content.decode()
    assert reverse("evaluation:service_result_list") in agency and reverse("evaluation:cycle_list") not in agency


def test_hrss_sees_the_years_subsidy_totals_per_district_agency_and_pool_level(world, internal_engagement, login):
    from decimal import Decimal

    from dudao.subsidies.models import Statement

    Statement.objects.create(
        kind=Statement.Kind.STATEMENT,
        engagement=internal_engagement,
        month=dt.date(YEAR, 3, 1),
        supervisor_id=internal_engagement.supervisor_id,
        organization=internal_engagement.organization,
        pool_level=internal_engagement.entry.level,
        payer_organization=internal_engagement.organization,
        hours=Decimal("3.00"),
        total=Decimal("180.00"),
    )
    page = login(world.hrss).get(reverse("evaluation:report"), {"year": YEAR})
    subsidies = page.context["subsidies"]
    assert [(r["name"], r["statement"], r["per_hour"]) for r in subsidies["districts"]] == [
        ("金水区", Decimal("180.00"), Decimal("60.00"))
    ]
    assert [r["name"] for r in subsidies["agencies"]] == ["金水阳光社工中心"]
    assert [r["key"] for r in subsidies["levels"]] == ["agency"]
    assert b'data-testid="subsidies-by-agency"' in page.content
    # "All years" holds the same figures, and the export carries them beside the grades.
    client = login(world.hrss)
    every = client.get(reverse("evaluation:report")).context["subsidies"]
    assert [(r["name"], r["statement"]) for r in every["districts"]] == [("金水区", Decimal("180.00"))]
    rows = xlsx_rows(client.get(reverse("evaluation:report"), {"year": YEAR, "export": "xlsx"}))
    statements = rows[0].index(str(_("Statements (yuan)")))
    assert ("金水区", 180) in {(r[1], r[statements]) for r in rows[1:]}
    # Another district's admin sees none of it.
    assert (
        login(world.erqi_admin).get(reverse("evaluation:report"), {"year": YEAR}).context["subsidies"]["agencies"] == []
    )
