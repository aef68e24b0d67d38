"""The statement pages and endpoints: who sees what (404 out of scope, 403 for
the wrong role), the confirm and pay forms, the PDF, the months to compute,
finance's figures, and lists whose query count does not grow with the rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dudao.subsidies import pdf
from dudao.subsidies.models import Statement
from dudao.subsidies.services import statements as services
from tests.excel import xlsx_rows
from tests.pools.pdftext import text_lines

from .helpers import session, sign_off, standard

pytestmark = pytest.mark.django_db
APRIL = dt.date(2026, 4, 1)
S = Statement.Status


@pytest.fixture
def owed(world, supply, external_engagement, internal_engagement):
    """April: 二七督导丙 (city pool) at 金水阳光 — a statement and the city's
    supplement; 督导甲 (internal) — a statement."""
    session(external_engagement, dt.date(2026, 4, 3), 60)
    session(external_engagement, dt.date(2026, 4, 17), 40)
    sign_off(external_engagement, APRIL, world.agency_admin)
    session(internal_engagement, dt.date(2026, 4, 8), 90)
    sign_off(internal_engagement, APRIL, world.agency_admin)
    statement, supplement = services.compute(actor=world.agency_admin, engagement=external_engagement, month=APRIL)
    (internal,) = services.compute(actor=world.agency_admin, engagement=internal_engagement, month=APRIL)
    return {"statement": statement, "supplement": supplement, "internal": internal}


def _visible(client_for, user):
    response = client_for(user).get("/api/v1/subsidy-statements/")
    return response.status_code, {
        row["id"] for row in response.json().get("results", [])
    } if response.status_code == 200 else set()


def test_each_persona_sees_what_is_theirs(world, supply, owed, api):
    s, sup, internal = owed["statement"].pk, owed["supplement"].pk, owed["internal"].pk
    expected = {
        "agency_admin": {s, internal},  # what it owes, not the government's supplement
        "supervisor": {internal},  # 督导甲's own
        "city_admin": {s, sup, internal},
        "district_admin": {s, sup, internal},  # in 金水区's jurisdiction (read only for the supplement)
        "finance": {s, sup, internal},
        "hrss": {s, sup, internal},
        "outsider": set(),
        "erqi_admin": set(),
    }
    for persona, ids in expected.items():
        status, seen = _visible(api, world.persona(persona))
        assert status == 200 and seen == ids, persona
    status, seen = _visible(api, supply.external_supervisor)
    assert seen == {s, sup}
    assert api(world.social_worker).get("/api/v1/subsidy-statements/").status_code in (200, 403)
    assert _visible(api, world.social_worker)[1] == set()


def test_out_of_scope_is_not_found_and_the_wrong_role_is_refused(world, owed, api, login):
    statement = owed["statement"]
    url = f"/api/v1/subsidy-statements/{statement.pk}/"
    assert api(world.outsider).get(url).status_code == 404
    assert api(world.erqi_admin).post(f"{url}confirm/").status_code == 404
    assert api(world.finance).get(url).status_code == 200
    assert api(world.finance).post(f"{url}confirm/").status_code == 403
    assert (
        api(world.district_admin).post(f"/api/v1/subsidy-statements/{owed['supplement'].pk}/confirm/").status_code
        == 403
    )
    page = reverse("subsidies:statement_detail", args=[statement.pk])
    assert login(world.outsider).get(page).status_code == 404
    assert login(world.finance).get(page).status_code == 200
    assert (
        login(world.finance)
        .post(reverse("subsidies:statement_confirm", args=[statement.pk]), {"confirmed": "on"})
        .status_code
        == 403
    )
    assert login(world.social_worker).get(reverse("subsidies:statement_list")).status_code == 403


def test_the_agency_confirms_and_pays_through_the_api(world, owed, api):
    url = f"/api/v1/subsidy-statements/{owed['statement'].pk}/"
    client = api(world.agency_admin)
    got = client.post(f"{url}confirm/")
    assert got.status_code == 200 and got.json()["status"] == "confirmed"
    bad = client.post(
        f"{url}pay/",
        {"paid_on": "2026-05-06", "reference": "ZF-1", "purposes": {"transport": "100.00"}},
        format="json",
    )
    assert bad.status_code == 400 and "purposes" in bad.json()
    for body in (
        {},
        {"paid_on": "x", "reference": "", "purposes": []},
        {"paid_on": "2026-05-06", "reference": "R", "purposes": {"other": "1e400"}},
    ):
        assert client.post(f"{url}pay/", body, format="json").status_code == 400
    paid = client.post(
        f"{url}pay/",
        {"paid_on": "2026-05-06", "reference": "ZF-1", "purposes": {"transport": "100.00", "self_training": "150.50"}},
        format="json",
    )
    assert paid.status_code == 200, paid.json()
    body = paid.json()
    assert body["status"] == "paid" and body["total"] == "250.50"
    assert body["purposes"] == {
        "self_training": "150.50",
        "self_improvement": "0.00",
        "transport": "100.00",
        "other": "0.00",
    }
    assert [line["amount"] for line in body["lines"]] == ["150.00", "100.50"]


def test_compute_through_the_api(world, internal_engagement, api):
    session(internal_engagement, dt.date(2026, 6, 8), 60)
    client = api(world.agency_admin)
    assert (
        client.post(
            "/api/v1/subsidy-statements/compute/",
            {"engagement": internal_engagement.pk, "month": "2026-06"},
            format="json",
        ).status_code
        == 400
    )
    sign_off(internal_engagement, dt.date(2026, 6, 1), world.agency_admin)
    for body in (
        {},
        {"engagement": "x", "month": "2026-06"},
        {"engagement": internal_engagement.pk, "month": "2026-13"},
        {"engagement": 2**70, "month": "2026-06"},
    ):
        assert client.post("/api/v1/subsidy-statements/compute/", body, format="json").status_code == 400, body
    assert (
        api(world.outsider)
        .post(
            "/api/v1/subsidy-statements/compute/",
            {"engagement": internal_engagement.pk, "month": "2026-06"},
            format="json",
        )
        .status_code
        == 404
    )
    assert (
        api(world.finance)
        .post(
            "/api/v1/subsidy-statements/compute/",
            {"engagement": internal_engagement.pk, "month": "2026-06"},
            format="json",
        )
        .status_code
        == 403
    )
    made = client.post(
        "/api/v1/subsidy-statements/compute/", {"engagement": internal_engagement.pk, "month": "2026-06"}, format="json"
    )
    assert made.status_code == 201 and [r["total"] for r in made.json()] == ["60.00"]


def test_the_pages_confirm_and_pay_a_statement(world, owed, login):
    statement = owed["statement"]
    client = login(world.agency_admin)
    detail = reverse("subsidies:statement_detail", args=[statement.pk])
    page = client.get(detail).content.decode()
    assert 'data-testid="confirm-form"' in page and "250.50" in page
    client.post(reverse("subsidies:statement_confirm", args=[statement.pk]), {})
    assert Statement.objects.get(pk=statement.pk).status == S.COMPUTED  # without the tick, nothing happens
    client.post(reverse("subsidies:statement_confirm", args=[statement.pk]), {"confirmed": "on"})
    assert Statement.objects.get(pk=statement.pk).status == S.CONFIRMED
    assert 'data-testid="pay-form"' in client.get(detail).content.decode()
    wrong = client.post(
        reverse("subsidies:statement_pay", args=[statement.pk]),
        {"paid_on": "2026-05-06", "reference": "ZF-9", "transport": "1.00", "confirmed": "on"},
    )
    assert wrong.status_code == 400
    client.post(
        reverse("subsidies:statement_pay", args=[statement.pk]),
        {"paid_on": "2026-05-06", "reference": "ZF-9", "transport": "200.00", "other": "50.50", "confirmed": "on"},
    )
    paid = Statement.objects.get(pk=statement.pk)
    assert paid.status == S.PAID and paid.paid_other == Decimal("50.50")


def test_the_list_filters_and_exports(world, owed, login):
    client = login(world.finance)
    url = reverse("subsidies:statement_list")
    page = client.get(url, {"kind": "supplement"}).content.decode()
    assert "郑州市" in page or world.city.name in page
    assert client.get(url, {"month": "2026-04", "status": "computed", "sort": "-total"}).status_code == 200
    assert client.get(url, {"month": "bad"}).status_code == 200
    export = client.get(url, {"payer": world.agency.name, "month": "2026-04", "export": "xlsx"})
    assert export.status_code == 200 and "spreadsheet" in export["Content-Type"]


def test_the_printable_statement_holds_the_lines_and_the_total(world, supply, internal_engagement, login):
    standard("subsidies.ceiling.agency", world.city, dt.date(2026, 1, 1), "100.00")
    session(internal_engagement, dt.date(2026, 7, 2), 90, topics="危机介入")
    session(internal_engagement, dt.date(2026, 7, 9), 60)
    sign_off(internal_engagement, dt.date(2026, 7, 1), world.agency_admin)
    (statement,) = services.compute(actor=world.agency_admin, engagement=internal_engagement, month=dt.date(2026, 7, 1))
    text = "\n".join(text_lines(pdf.render(statement)))
    for expected in (
        "金水阳光社工中心",
        "督导甲",
        "2026-07",
        "2026-07-02",
        "1.50",
        "90.00",
        "60.00",
        "-50.00",
        "100.00",
        "危机介入",
    ):
        assert expected in text, expected
    assert (
        login(world.supervisor).get(reverse("subsidies:statement_pdf", args=[statement.pk]))["Content-Type"]
        == "application/pdf"
    )
    assert login(world.outsider).get(reverse("subsidies:statement_pdf", args=[statement.pk])).status_code == 404


def test_the_payer_computes_its_signed_off_months_from_its_page(world, internal_engagement, login):
    session(internal_engagement, dt.date(2026, 8, 3), 30)
    signed = sign_off(internal_engagement, dt.date(2026, 8, 1), world.agency_admin)
    client = login(world.agency_admin)
    page = client.get(reverse("subsidies:to_compute")).content.decode()
    assert "2026-08" in page
    assert login(world.finance).get(reverse("subsidies:to_compute")).status_code == 403
    assert login(world.outsider).post(reverse("subsidies:to_compute"), {"sign_off": signed.pk}).status_code == 404
    client = login(world.agency_admin)
    client.post(reverse("subsidies:to_compute"), {"sign_off": signed.pk})
    assert Statement.objects.get(engagement=internal_engagement, month=dt.date(2026, 8, 1)).total == Decimal("30.00")
    client.get(reverse("subsidies:to_compute"))  # the message about the computation is shown once
    assert "2026-08" not in client.get(reverse("subsidies:to_compute")).content.decode()


def test_finance_sees_supplements_against_the_budget_line_and_the_cost_per_hour(world, owed, login, api):
    services.confirm(actor=world.city_admin, statement=owed["supplement"])
    services.pay(
        actor=world.city_admin,
        statement=owed["supplement"],
        paid_on=dt.date(2026, 5, 2),
        reference="CZ",
        purposes={"transport": "83.50"},
    )
    got = api(world.finance).get("/api/v1/subsidy-summary/", {"year": 2026})
    assert got.status_code == 200
    body = got.json()
    # Hours: 1.00 + 0.67 (external) + 1.50 (internal) = 3.17; cost 250.50 + 83.50 + 90.00 = 424.00.
    assert body["hours"] == "3.17" and body["cost"] == "424.00" and body["per_hour"] == "133.75"
    assert body["budget_lines"] == [
        {"id": world.city.pk, "name": world.city.name, "owed": "83.50", "paid": "83.50", "outstanding": "0.00"}
    ]
    levels = {r["key"]: r for r in body["levels"]}
    assert levels["city"]["per_hour"] == "200.00" and levels["agency"]["per_hour"] == "60.00"
    assert [r["name"] for r in body["districts"]] == [world.jinshui.name]
    assert api(world.finance).get("/api/v1/subsidy-summary/", {"year": "abc"}).status_code == 400
    assert api(world.agency_admin).get("/api/v1/subsidy-summary/").status_code == 403
    assert api(world.erqi_admin).get("/api/v1/subsidy-summary/", {"year": 2026}).json()["cost"] == "0.00"
    page = login(world.finance).get(reverse("subsidies:finance"), {"year": 2026}).content.decode()
    assert "133.75" in page and 'id="subsidy-chart"' in page
    export = login(world.finance).get(reverse("subsidies:finance"), {"year": 2026, "export": "xlsx"})
    assert "spreadsheet" in export["Content-Type"]
    # The budget line's owed, paid and outstanding each under its own header.
    assert xlsx_rows(export)[-1][-3:] == (83.5, 83.5, 0)
    assert login(world.agency_admin).get(reverse("subsidies:finance")).status_code == 403


def _many(world, engagement, n):
    for i in range(n):
        Statement.objects.create(
            kind=Statement.Kind.STATEMENT,
            engagement=engagement,
            month=dt.date(2000 + i // 12, i % 12 + 1, 1),
            supervisor_id=engagement.supervisor_id,
            organization=engagement.organization,
            pool_level=engagement.entry.level,
            payer_organization=engagement.organization,
            total=Decimal("10.00"),
        )


def _queries(fetch):
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["agency_admin", "finance", "supervisor"])
def test_the_lists_cost_the_same_queries_for_few_and_many_rows(world, internal_engagement, login, api, persona):
    user = world.persona(persona)
    _many(world, internal_engagement, 5)
    page = lambda: login(user).get(reverse("subsidies:statement_list"))  # noqa: E731
    endpoint = lambda: api(user).get("/api/v1/subsidy-statements/")  # noqa: E731
    page(), endpoint()  # the first request fills the per-process caches (content types, the city)
    few = (_queries(page), _queries(endpoint))
    _many_more = Statement.objects.count()
    for i in range(55):
        Statement.objects.create(
            kind=Statement.Kind.STATEMENT,
            engagement=internal_engagement,
            month=dt.date(2010 + i // 12, i % 12 + 1, 1),
            supervisor_id=internal_engagement.supervisor_id,
            organization=internal_engagement.organization,
            pool_level="agency",
            payer_organization=internal_engagement.organization,
        )
    assert Statement.objects.count() == _many_more + 55
    many = (_queries(page), _queries(endpoint))
    far = _queries(lambda: login(user).get(reverse("subsidies:statement_list"), {"page": 3}))
    assert few == many and far == many[0]


def test_the_workbench_lists_what_each_payer_has_to_do(world, owed, internal_engagement, login):
    from dudao.subsidies.todos import subsidy_todos

    session(internal_engagement, dt.date(2026, 9, 3), 30)
    sign_off(internal_engagement, dt.date(2026, 9, 1), world.agency_admin)
    agency = {t.label: t.count for t in subsidy_todos(world.agency_admin)}
    assert list(agency.values()) == [2, 0, 1]  # two to confirm, none to pay, one month to compute
    city = {t.label: t.count for t in subsidy_todos(world.city_admin)}
    assert list(city.values()) == [1, 0]  # the city's supplement
    assert [t for t in subsidy_todos(world.district_admin) if t.count] == []
    assert subsidy_todos(world.finance) == []
    assert "待确认的督导补贴结算单" in login(world.agency_admin).get(reverse("accounts:home")).content.decode()


def test_statements_follow_their_organisation_to_another_district(world, owed, api):
    from dudao.directory.scoping import organization_moved

    world.agency.jurisdiction = world.erqi
    world.agency.save()
    organization_moved(world.agency)
    assert _visible(api, world.erqi_admin)[1] >= {owed["statement"].pk, owed["internal"].pk}
