"""Engagement pages and endpoints per persona: who sees which engagement (out
of scope is 404), who may act (403 otherwise), bad input answered with a
message and nothing written, the agreement PDF, and lists whose query count
does not grow with the rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dudao.core.models import AuditEntry
from dudao.supervision import agreement
from dudao.supervision.models import Engagement
from dudao.supervision.selectors import engagements as selectors
from dudao.supervision.todos import engagement_todos as todos
from tests.pools.pdftext import text_lines

from .conftest import engagement as make_engagement

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()

# Who sees which of the two engagements of world.agency: the internal one (督导甲)
# and the external one (二七督导丙, home agency 二七同心社工中心, whose admin is `outsider`).
SEES = {
    "supervisor": {"internal"},
    "external_supervisor": {"external"},
    "agency_admin": {"internal", "external"},
    "outsider": {"external"},
    "district_admin": {"internal", "external"},
    "erqi_admin": set(),
    "city_admin": {"internal", "external"},
    "hrss": {"internal", "external"},
    "social_worker": set(),
    "trainer": set(),
    "association": set(),
    "finance": set(),
}
READERS = {"supervisor", "external_supervisor", "agency_admin", "outsider", "district_admin", "erqi_admin"} | {
    "city_admin",
    "hrss",
}


def persona(world, supply, name):
    return supply.external_supervisor if name == "external_supervisor" else world.persona(name)


@pytest.fixture
def both(internal_engagement, external_engagement):
    return {"internal": internal_engagement, "external": external_engagement}


def proposal(world, supply):
    return make_engagement(
        supply.external_entry,
        world.agency,
        supervisees=[world.social_worker_person],
        starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=90),
        status=Engagement.Status.PROPOSED,
    )


# --- visibility ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SEES))
def test_each_persona_sees_exactly_its_engagements(world, supply, both, name):
    user = persona(world, supply, name)
    visible = set(selectors.engagements_for(user).values_list("pk", flat=True))
    assert visible == {both[k].pk for k in SEES[name]}


@pytest.mark.parametrize("name", sorted(SEES))
def test_the_detail_page_is_found_only_in_scope(world, supply, both, login, name):
    client = login(persona(world, supply, name))
    for key, engagement in both.items():
        response = client.get(reverse("supervision:engagement_detail", args=[engagement.pk]))
        assert response.status_code == (200 if key in SEES[name] else 404), (name, key)


@pytest.mark.parametrize("name", sorted(SEES))
def test_the_list_page_shows_the_scope_and_refuses_other_roles(world, supply, both, login, name):
    response = login(persona(world, supply, name)).get(reverse("supervision:engagement_list"))
    if name not in READERS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    shown = {e.pk for e in response.context["object_list"]}
    assert shown == {both[k].pk for k in SEES[name]}


@pytest.mark.parametrize("name", sorted(SEES))
def test_the_api_lists_the_scope_and_finds_nothing_outside_it(world, supply, both, api, name):
    client = api(persona(world, supply, name))
    response = client.get("/api/v1/engagements/")
    if name not in READERS:
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert {row["id"] for row in response.json()["results"]} == {both[k].pk for k in SEES[name]}
    for key, engagement in both.items():
        got = client.get(f"/api/v1/engagements/{engagement.pk}/")
        assert got.status_code == (200 if key in SEES[name] else 404), (name, key)


def test_the_list_filters_by_status_kind_and_organisation_text(world, supply, both, login):
    client = login(world.agency_admin)
    url = reverse("supervision:engagement_list")
    assert {e.pk for e in client.get(url, {"kind": "external"}).context["object_list"]} == {both["external"].pk}
    assert {e.pk for e in client.get(url, {"organization": "阳光"}).context["object_list"]} == {
        both["internal"].pk,
        both["external"].pk,
    }
    assert list(client.get(url, {"organization": "馨和"}).context["object_list"]) == []
    assert list(client.get(url, {"status": "proposed"}).context["object_list"]) == []
    assert client.get(url, {"status": "nonsense"}).status_code == 200  # shows none, says why
    assert client.get(url, {"sort": "-hours", "page": "x"}).status_code == 200


def test_the_list_exports_to_excel(world, supply, both, login):
    response = login(world.agency_admin).get(reverse("supervision:engagement_list"), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# --- acting -------------------------------------------------------------------------------


def test_the_supervisor_accepts_a_proposal_on_the_page(world, supply, login):
    engagement = proposal(world, supply)
    client = login(supply.external_supervisor)
    page = client.get(reverse("supervision:engagement_detail", args=[engagement.pk]))
    assert b'data-testid="accept"' in page.content and b'data-testid="decline-form"' in page.content
    response = client.post(reverse("supervision:engagement_accept", args=[engagement.pk]))
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.ACTIVE


def test_declining_on_the_page_without_a_reason_writes_nothing(world, supply, login):
    engagement = proposal(world, supply)
    client = login(supply.external_supervisor)
    response = client.post(reverse("supervision:engagement_decline", args=[engagement.pk]), {"reason": ""}, follow=True)
    assert response.status_code == 200
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.PROPOSED
    client.post(reverse("supervision:engagement_decline", args=[engagement.pk]), {"reason": "时间冲突"})
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.DECLINED and engagement.decline_reason == "时间冲突"


def test_parties_who_may_not_act_are_refused_and_strangers_find_nothing(world, supply, login):
    engagement = proposal(world, supply)
    accept = reverse("supervision:engagement_accept", args=[engagement.pk])
    withdraw = reverse("supervision:engagement_withdraw", args=[engagement.pk])
    assert login(world.agency_admin).post(accept).status_code == 403
    assert login(world.outsider).post(withdraw).status_code == 403  # the home agency sees, does not act
    assert login(world.district_admin).post(withdraw).status_code == 403
    assert login(world.erqi_admin).post(accept).status_code == 404
    assert login(world.social_worker).post(accept).status_code == 404
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.PROPOSED


def test_the_agency_withdraws_its_proposal(world, supply, login):
    engagement = proposal(world, supply)
    login(world.agency_admin).post(reverse("supervision:engagement_withdraw", args=[engagement.pk]))
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.WITHDRAWN


def test_ending_early_asks_for_the_confirmation_and_a_reason(world, supply, external_engagement, login):
    client = login(world.agency_admin)
    url = reverse("supervision:engagement_end", args=[external_engagement.pk])
    client.post(url, {"ended_on": TODAY.isoformat(), "reason": "项目结束"})  # no confirmation ticked
    client.post(url, {"ended_on": TODAY.isoformat(), "confirm": "on"})  # no reason, ends before its end
    external_engagement.refresh_from_db()
    assert external_engagement.status == Engagement.Status.ACTIVE
    client.post(url, {"ended_on": TODAY.isoformat(), "confirm": "on", "reason": "项目结束"})
    external_engagement.refresh_from_db()
    assert external_engagement.status == Engagement.Status.ENDED and external_engagement.end_reason == "项目结束"


def test_both_sides_confirm_the_agreement_on_the_page(world, supply, login):
    engagement = proposal(world, supply)
    Engagement.objects.filter(pk=engagement.pk).update(agency_confirmed_at=None, supervisor_confirmed_at=None)
    url = reverse("supervision:engagement_confirm", args=[engagement.pk])
    login(world.agency_admin).post(url)
    login(supply.external_supervisor).post(url)
    engagement.refresh_from_db()
    assert engagement.agreement_confirmed
    assert engagement.agency_confirmed_by == world.agency_admin
    response = login(world.agency_admin).post(url, follow=True)  # twice: a message, nothing more
    assert response.status_code == 200
    assert AuditEntry.objects.filter(event="supervision.agreement_confirmed").count() == 2


def test_the_agency_changes_the_agreement_and_both_confirm_again(world, supply, external_engagement, login):
    client = login(world.agency_admin)
    response = client.post(
        reverse("supervision:engagement_agreement", args=[external_engagement.pk]),
        {
            "goals": "新目标",
            "frequency": "每月一次",
            "functions": ["教育"],
            "confidentiality": "保密",
            "subsidy_basis": "机构支付",
        },
    )
    assert response.status_code == 302
    external_engagement.refresh_from_db()
    assert external_engagement.goals == "新目标" and external_engagement.agency_confirmed_at is None
    forbidden = login(supply.external_supervisor).post(
        reverse("supervision:engagement_agreement", args=[external_engagement.pk]), {"goals": "x"}
    )
    assert forbidden.status_code == 403


# --- a new engagement ---------------------------------------------------------------------


def new_data(chosen, **overrides):
    data = {
        "entry": chosen.pk,
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=120)).isoformat(),
        "hours_per_month": "6",
        "covers_all_staff": "on",
        "functions": ["教育", "支持"],
        "goals": "提升能力",
        "frequency": "每月两次",
        "confidentiality": "保密",
        "subsidy_basis": "谁使用、谁补贴",
    }
    data.update(overrides)
    return data


def test_the_new_page_preselects_the_organisation_and_the_entry(world, supply, login):
    client = login(world.agency_admin)
    url = reverse("supervision:engagement_new")
    response = client.get(url, {"organization": world.agency.pk, "entry": supply.external_entry.pk})
    assert response.status_code == 200
    assert response.context["form"].initial["entry"] == supply.external_entry.pk
    assert response.context["kind"] == "external"
    assert "二七督导丙" in response.content.decode()
    assert client.get(url, {"entry": "abc"}).status_code == 200
    assert client.get(url, {"organization": world.erqi_agency.pk}).status_code == 404
    assert client.get(url, {"organization": "x"}).status_code == 404


def test_only_an_agency_admin_opens_the_new_page(world, supply, login):
    for user in (world.supervisor, world.district_admin, world.social_worker, supply.external_supervisor):
        assert login(user).get(reverse("supervision:engagement_new")).status_code == 403


def test_the_new_page_proposes_an_external_and_engages_an_internal_supervisor(world, supply, login):
    client = login(world.agency_admin)
    url = reverse("supervision:engagement_new")
    response = client.post(url, {"organization": world.agency.pk, **new_data(supply.external_entry)})
    assert response.status_code == 302
    external = Engagement.objects.get(supervisor=supply.external_person)
    assert external.status == Engagement.Status.PROPOSED and external.functions == ["教育", "支持"]
    data = new_data(supply.internal_entry, covers_all_staff="", supervisees=[world.social_worker_person.pk])
    client.post(url, data)
    internal = Engagement.objects.get(supervisor=world.supervisor_person)
    assert internal.status == Engagement.Status.ACTIVE
    assert list(internal.supervisees.all()) == [world.social_worker_person]


@pytest.mark.parametrize(
    "overrides",
    [
        {"hours_per_month": "abc"},
        {"hours_per_month": "-3"},
        {"ends_on": "2020-01-01"},
        {"starts_on": "not a date"},
        {"covers_all_staff": "", "supervisees": []},
        {"entry": "999999999"},
        {"functions": ["心理治疗"]},
        {"goals": "a\x00b"},
        {"ends_on": "2099-01-01"},
    ],
    ids=lambda o: ",".join(o),
)
def test_bad_input_on_the_new_page_is_a_message_and_nothing_written(world, supply, login, overrides):
    response = login(world.agency_admin).post(
        reverse("supervision:engagement_new"), new_data(supply.external_entry, **overrides)
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Engagement.objects.exists()


# --- the agreement PDF --------------------------------------------------------------------


def test_the_agreement_pdf_holds_the_parties_terms_and_confirmations(world, supply, external_engagement):
    text = "\n".join(text_lines(agreement.render(external_engagement)))
    for expected in (
        "金水阳光社工中心",
        "二七督导丙",
        "二七同心社工中心",
        "2026-01-01",
        "2026-12-31",
        "8.0",
        "社工乙",
        "提升一线社工专业能力",
        "行政、教育、支持",
        "谁使用、谁补贴",
        "2025-12-2",
    ):
        assert expected in text, expected


def test_an_unconfirmed_agreement_has_blank_signature_lines(world, supply):
    engagement = proposal(world, supply)
    Engagement.objects.filter(pk=engagement.pk).update(agency_confirmed_at=None, supervisor_confirmed_at=None)
    engagement.refresh_from_db()
    text = "\n".join(text_lines(agreement.render(engagement)))
    assert "＿＿＿" in text


def test_the_agreement_pdf_is_served_in_scope_only(world, supply, external_engagement, login, api):
    url = reverse("supervision:engagement_agreement_pdf", args=[external_engagement.pk])
    response = login(world.outsider).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert login(world.erqi_admin).get(url).status_code == 404
    got = api(world.agency_admin).get(f"/api/v1/engagements/{external_engagement.pk}/agreement/")
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    assert api(world.erqi_admin).get(f"/api/v1/engagements/{external_engagement.pk}/agreement/").status_code == 404


# --- the API's writes ---------------------------------------------------------------------


def api_body(chosen, **overrides):
    body = {
        "organization": None,
        "entry": chosen.pk,
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=120)).isoformat(),
        "hours_per_month": "6.0",
        "covers_all_staff": False,
        "supervisees": [],
        "functions": ["教育"],
    }
    body.update(overrides)
    return body


def test_the_api_proposes_and_the_supervisor_answers(world, supply, api):
    body = api_body(supply.external_entry, organization=world.agency.pk, supervisees=[world.social_worker_person.pk])
    response = api(world.agency_admin).post("/api/v1/engagements/", body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "proposed" and created["kind"] == "external"
    assert created["supervisees"] == [world.social_worker_person.pk]
    assert "withdraw" in created["actions"]
    pk = created["id"]
    assert api(world.agency_admin).post(f"/api/v1/engagements/{pk}/accept/").status_code == 403
    assert api(world.erqi_admin).post(f"/api/v1/engagements/{pk}/accept/").status_code == 404
    supervisor = api(supply.external_supervisor)
    assert supervisor.post(f"/api/v1/engagements/{pk}/decline/", {}, format="json").status_code == 400
    accepted = supervisor.post(f"/api/v1/engagements/{pk}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "active"
    confirmed = supervisor.post(f"/api/v1/engagements/{pk}/confirm-agreement/")
    assert confirmed.status_code == 200 and confirmed.json()["supervisor_confirmed_at"]
    assert supervisor.post(f"/api/v1/engagements/{pk}/confirm-agreement/").status_code == 400
    early = api(world.agency_admin).post(
        f"/api/v1/engagements/{pk}/end/", {"ended_on": TODAY.isoformat()}, format="json"
    )
    assert early.status_code == 400 and "reason" in early.json()
    ended = api(world.agency_admin).post(
        f"/api/v1/engagements/{pk}/end/", {"ended_on": TODAY.isoformat(), "reason": "项目调整"}, format="json"
    )
    assert ended.status_code == 200 and ended.json()["status"] == "ended"


def test_the_api_refuses_the_wrong_role_and_out_of_scope_organisations(world, supply, api):
    body = api_body(supply.external_entry, organization=world.agency.pk, covers_all_staff=True)
    assert api(world.supervisor).post("/api/v1/engagements/", body, format="json").status_code == 403
    assert api(world.district_admin).post("/api/v1/engagements/", body, format="json").status_code == 403
    assert api(world.outsider).post("/api/v1/engagements/", body, format="json").status_code == 404
    assert not Engagement.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"entry": 987654},
        {"supervisees": [987654]},
        {"hours_per_month": "0"},
        {"ends_on": "2020-01-01"},
        {"functions": ["心理治疗"]},
        {"supervisees": []},
        {"entry": "x"},
    ],
    ids=lambda o: ",".join(o),
)
def test_bad_input_to_the_api_is_a_400_and_nothing_written(world, supply, api, overrides):
    body = api_body(supply.external_entry, organization=world.agency.pk, **overrides)
    response = api(world.agency_admin).post("/api/v1/engagements/", body, format="json")
    assert response.status_code == 400, response.content
    assert not Engagement.objects.exists()


def test_the_withdraw_action_is_the_using_agencys(world, supply, api):
    engagement = proposal(world, supply)
    assert api(supply.external_supervisor).post(f"/api/v1/engagements/{engagement.pk}/withdraw/").status_code == 403
    response = api(world.agency_admin).post(f"/api/v1/engagements/{engagement.pk}/withdraw/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


# --- to-dos -------------------------------------------------------------------------------


def test_the_to_dos_name_proposals_to_answer_and_agreements_to_confirm(world, supply):
    engagement = proposal(world, supply)
    Engagement.objects.filter(pk=engagement.pk).update(agency_confirmed_at=None, supervisor_confirmed_at=None)
    supervisor = {t.label: t for t in todos(supply.external_supervisor)}
    # A proposal is not yet under way: nothing to record this month.
    assert [t.count for t in supervisor.values()] == [1, 0, 1]
    assert "awaiting=record" in list(supervisor.values())[1].url
    agency = todos(world.agency_admin)
    assert [t.count for t in agency] == [1]
    assert "awaiting=confirmation" in agency[0].url
    assert todos(world.social_worker) == []
    listed = selectors.awaiting_answer(supply.external_supervisor)
    assert list(listed) == [engagement]


# --- costs --------------------------------------------------------------------------------


def grow(world, supply, n):
    for i in range(n):
        make_engagement(
            supply.external_entry,
            world.agency,
            supervisees=[world.social_worker_person],
            hours=Decimal(1 + i % 5),
        )


def count(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["agency_admin", "external_supervisor", "district_admin", "outsider"])
def test_the_list_page_and_endpoint_cost_the_same_for_few_and_many_rows(world, supply, login, api, name):
    user = persona(world, supply, name)
    page, endpoint = reverse("supervision:engagement_list"), "/api/v1/engagements/"
    grow(world, supply, 3)
    client = login(user)
    count(client, page)
    few_page = count(client, page)
    api_client = api(user)
    count(api_client, endpoint, {"page_size": 25})
    few_api = count(api_client, endpoint, {"page_size": 25})
    grow(world, supply, 57)
    assert count(client, page) == few_page
    assert count(client, page, {"page": 2}) == few_page
    assert count(api_client, endpoint, {"page_size": 25}) == few_api
    assert count(api_client, endpoint, {"page_size": 25, "page": 2}) == few_api
