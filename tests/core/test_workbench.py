import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dudao.core import workbench
from dudao.core.workbench import Todo
from dudao.directory.models import ServiceDomain
from dudao.pools import services as pool_services
from dudao.pools.models import Entry
from dudao.selection.models import Nomination
from tests.conftest import ALL_PERSONAS
from tests.factories import staff
from tests.workbench_scene import workbench_scene


def test_home_lists_the_registered_to_dos_with_something_to_do(world, login, monkeypatch):
    def provider(user):
        return [Todo("待确认的督导记录", 3, "/supervision/sessions/?status=pending"), Todo("空的", 0, "/x/")]

    monkeypatch.setattr(workbench, "_providers", [provider])
    page = login(world.agency_admin).get("/").content.decode()
    assert "待确认的督导记录" in page and "/supervision/sessions/?status=pending" in page
    assert "空的" not in page


def test_home_shows_no_to_do_heading_when_nothing_is_due(world, login, monkeypatch):
    monkeypatch.setattr(workbench, "_providers", [])
    assert 'data-testid="todos"' not in login(world.agency_admin).get("/").content.decode()


def test_deadlines_drop_the_past_and_come_soonest_first(world, monkeypatch):
    today = timezone.localdate()

    def provider(user):
        return [
            workbench.Deadline("晚", today + dt.timedelta(days=9)),
            workbench.Deadline("已过", today - dt.timedelta(days=1)),
            workbench.Deadline("今天", today),
        ]

    monkeypatch.setattr(workbench, "_deadline_providers", [provider])
    found = workbench.deadlines_for(world.agency_admin)
    assert [(d.label, d.days_left) for d in found] == [("今天", 0), ("晚", 9)]
    assert found[0].tone == "danger" and found[1].tone == "warning"


def test_figures_and_charts_are_told_apart_and_a_target_gives_a_bounded_percent(world, monkeypatch):
    def provider(user):
        return [
            workbench.Figure("库", 120, target=100),
            workbench.Figure("时", "—", target=10),
            workbench.Chart("c", "图", ["甲"], [("需求", [None])]),
        ]

    monkeypatch.setattr(workbench, "_figure_providers", [provider])
    figures, charts = workbench.figures_for(world.hrss)
    assert [f.percent for f in figures] == [100, None]
    assert charts[0].data() == {"kind": "bar", "categories": ["甲"], "series": [{"name": "需求", "data": [0.0]}]}


# --- every persona's 工作台, on data that gives each something to do ---------------


# The roles the issue gives no to-do of their own: they watch figures.
FIGURES_ONLY = {"hrss", "finance"}


@pytest.fixture
def busy(world):
    return workbench_scene(world)


def rows_behind(client, url) -> int:
    """How many rows the page a to-do links to lists."""
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    if "page_obj" in context:
        return context["page_obj"].total.value
    path = url.split("?")[0].split("#")[0]
    if path == reverse("supervision:me"):
        return len(context["due"])
    if path == reverse("subsidies:to_compute"):
        return len(context["months"])
    raise AssertionError(f"no row count known for {url}")


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_each_to_do_counts_the_rows_of_the_list_it_opens(world, busy, login, persona):
    client = login(world.persona(persona))
    response = client.get(reverse("accounts:home"))
    todos = response.context["todos"]
    if persona not in FIGURES_ONLY | {"erqi_admin"}:
        assert todos, f"{persona} has nothing to do"
    for todo in todos:
        assert todo.count == rows_behind(client, todo.url), (persona, todo.label, todo.url)
    page = response.content.decode()
    assert page.count('data-testid="todo-card"') == len(todos)
    if persona in FIGURES_ONLY:
        assert response.context["figures"] and 'data-testid="figure"' in page


def test_the_roles_see_what_the_issue_gives_them(world, busy, login):
    def labels(persona):
        return {t.label for t in login(world.persona(persona)).get("/").context["todos"]}

    assert "待市级审核的推荐" in labels("city_admin") and "有待确认成绩的培养计划" in labels("city_admin")
    assert "待区级审核的推荐" in labels("district_admin")
    assert any("区级人才库" in label for label in labels("district_admin"))
    assert {"被退回待修改的推荐", "待填写的考评表"} <= labels("agency_admin")
    assert "本月尚未记录督导的服务协议" in labels("supervisor")
    assert "待确认并评价的督导记录" in labels("social_worker")
    assert {"有课次未记考勤的培养计划", "有学员缺少成绩的培养计划"} <= labels("trainer")
    assert labels("association") == {"待填写的考评表"}


def test_deadlines_come_soonest_first_with_days_left(world, busy, login):
    response = login(world.agency_admin).get("/")
    deadlines = response.context["deadlines"]
    assert deadlines and [d.due for d in deadlines] == sorted(d.due for d in deadlines)
    assert all(d.due >= timezone.localdate() for d in deadlines)
    assert "天" in response.content.decode().split('data-testid="deadlines"')[1]


def test_the_city_sees_its_pool_against_the_target_and_coverage_by_district(world, busy, login):
    response = login(world.city_admin).get("/")
    figures = {f.label: f for f in response.context["figures"]}
    assert figures["市级人才库规模"].target == 100
    assert "coverage" in response.context["chart_data"]
    assert 'data-chart="coverage"' in response.content.decode()


def test_a_supervisor_sees_the_year_against_the_minimums(world, busy, login):
    figures = {f.label: f for f in login(world.supervisor).get("/").context["figures"]}
    given = figures["本年提供督导（小时）"]
    assert given.target and given.percent is not None


def _more_rows(world):
    """As many rows again of every kind the to-dos count."""
    round_ = Nomination.objects.first().round
    for status in (Nomination.Status.CITY_REVIEW, Nomination.Status.DISTRICT_REVIEW, Nomination.Status.RETURNED):
        for n in range(3):
            Nomination.objects.create(
                round=round_,
                person=staff(world.agency, certified=True, name=f"加{status}{n}"),
                organization=world.agency,
                path=Nomination.Path.QUOTA,
                status=status,
            )
    for n in range(3):
        entry = pool_services.admit_to_district_pool(
            actor=world.district_admin,
            person=staff(world.agency, certified=True, name=f"区库{n}"),
            district=world.jinshui,
            domains=[ServiceDomain.objects.get(code="community")],
        )
        Entry.objects.filter(pk=entry.pk).update(expires_on=timezone.localdate() + dt.timedelta(days=10))


@pytest.mark.parametrize("persona", ["city_admin", "district_admin", "agency_admin", "trainer", "supervisor"])
def test_the_home_page_costs_the_same_queries_with_more_rows(world, busy, login, persona):
    client = login(world.persona(persona))
    client.get("/")
    with CaptureQueriesContext(connection) as before:
        client.get("/")
    _more_rows(world)
    with CaptureQueriesContext(connection) as after:
        response = client.get("/")
    assert response.status_code == 200
    assert len(after) == len(before)
