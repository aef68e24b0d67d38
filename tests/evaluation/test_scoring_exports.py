"""The results, appeals and renewals lists export to Excel what the page shows:
the same scope (a supervisor only their own, another district nothing) and the
same filters, at a cost that does not grow with the rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dudao.evaluation.models import Appeal, Cycle, Evaluation, PartyForm, Renewal
from dudao.evaluation.services import appeals, results
from dudao.pools.models import Entry
from tests.evaluation.scoring_setup import make_cycle, make_evaluation, scene, score_all
from tests.excel import xlsx_rows
from tests.factories import staff
from tests.pools.conftest import city_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(world):
    s = scene(world)
    score_all(s)
    PartyForm.objects.filter(party="association").update(comment="协会意见：仅供主管部门")
    results.compute(actor=world.city_admin, cycle=s.cycle)
    results.publish(actor=world.city_admin, cycle=s.cycle)
    s.evaluation.refresh_from_db()
    return s


def _export(client, name, **params):
    return xlsx_rows(client.get(reverse(name), {**params, "export": "xlsx"}))


def _other_results(world, n):
    """n more published results in another cycle of the city pool, graded 不合格."""
    cycle = make_cycle(world, year=timezone.localdate().year - 1, status=Cycle.Status.PUBLISHED, title="上年度考评")
    for i in range(n):
        entry = city_entry(world, staff(world.agency, certified=True, name=f"导出督导{i}"))
        evaluation = make_evaluation(cycle, entry)
        Evaluation.objects.filter(pk=evaluation.pk).update(
            score=Decimal("50.00"), grade="fail", status=Evaluation.Status.PUBLISHED, published_at=timezone.now()
        )
    return cycle


def test_the_results_export_follows_the_filters_and_leaves_party_comments_out(s, login, world):
    _other_results(world, 2)
    client = login(world.city_admin)
    rows = _export(client, "evaluation:result_list")
    assert len(rows) == 4 and {r[3] for r in rows[1:]} == {"二七督导丙", "导出督导0", "导出督导1"}
    rows = _export(client, "evaluation:result_list", cycle=s.cycle.pk)
    assert [(r[3], r[7]) for r in rows[1:]] == [("二七督导丙", float(s.evaluation.score))]
    assert [r[3] for r in _export(client, "evaluation:result_list", grade="fail")[1:]] == ["导出督导0", "导出督导1"]
    assert [r[3] for r in _export(client, "evaluation:result_list", q="丙")[1:]] == ["二七督导丙"]
    assert all("协会意见" not in str(cell) for row in rows for cell in row)
    # A filter that cannot be applied exports no rows rather than everything.
    assert _export(client, "evaluation:result_list", cycle="x")[1:] == []


def test_the_results_export_holds_only_what_the_user_may_see(s, login, world):
    _other_results(world, 1)
    assert [r[3] for r in _export(login(s.supervisor), "evaluation:result_list")[1:]] == ["二七督导丙"]
    assert _export(login(world.district_admin), "evaluation:result_list")[1:] == []
    assert login(s.served_admin).get(reverse("evaluation:result_list"), {"export": "xlsx"}).status_code == 403


def test_the_results_export_costs_the_same_for_one_row_or_many(s, login, world):
    client = login(world.city_admin)
    url = reverse("evaluation:result_list")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"export": "xlsx"}).status_code == 200
        return len(captured)

    queries()  # the session and the scope are read once per client
    few = queries()
    _other_results(world, 4)
    assert queries() == few


def test_the_appeals_export_follows_the_filters_and_the_scope(s, login, world):
    appeal = appeals.lodge(actor=s.supervisor, evaluation=s.evaluation, reason="服务机构评分偏低")
    client = login(world.city_admin)
    rows = _export(client, "evaluation:appeal_list")
    assert [(r[2], r[3], r[4]) for r in rows[1:]] == [
        ("二七督导丙", "服务机构评分偏低", str(Appeal.Status.LODGED.label))
    ]
    assert _export(client, "evaluation:appeal_list", status="rejected")[1:] == []
    appeals.decide(actor=world.city_admin, appeal=appeal, upheld=False, decision="评分有据")
    rows = _export(client, "evaluation:appeal_list", status="rejected")
    assert [(r[2], r[5]) for r in rows[1:]] == [("二七督导丙", "评分有据")]
    assert len(_export(login(s.supervisor), "evaluation:appeal_list")) == 2
    assert _export(login(world.supervisor), "evaluation:appeal_list")[1:] == []
    assert _export(login(world.district_admin), "evaluation:appeal_list")[1:] == []


def test_the_renewals_export_follows_the_filters_and_the_scope(s, login, world):
    today = timezone.localdate()
    Entry.objects.filter(pk=s.entry.pk).update(
        admitted_on=today.replace(year=today.year - 3), expires_on=today + dt.timedelta(days=30)
    )
    Renewal.objects.create(entry=s.entry, grades=[{"year": s.cycle.year, "grade": s.evaluation.grade}])
    client = login(world.city_admin)
    rows = _export(client, "evaluation:renewal_list")
    assert [(r[0], r[1]) for r in rows[1:]] == [(s.entry.entry_number, "二七督导丙")]
    assert str(s.evaluation.get_grade_display()) in rows[1][5]
    assert _export(client, "evaluation:renewal_list", status="approved")[1:] == []
    assert len(_export(client, "evaluation:renewal_list", q=s.entry.entry_number)) == 2
    # The 金水 district keeps only its own pool; the supervisor keeps none.
    assert _export(login(world.district_admin), "evaluation:renewal_list")[1:] == []
    assert login(s.supervisor).get(reverse("evaluation:renewal_list"), {"export": "xlsx"}).status_code == 403
