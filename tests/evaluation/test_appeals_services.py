"""Appeals: the supervisor within the window, the owner decides with a reason;
an upheld appeal recomputes and republishes with history, consequences follow."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dudao.evaluation.models import Appeal, Evaluation, PartyForm, ResultVersion
from dudao.evaluation.services import appeals, results
from dudao.pools.models import Entry
from tests.evaluation.scoring_setup import scene, score_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(world):
    s = scene(world)
    score_all(s, authority=False)
    results.compute(actor=world.city_admin, cycle=s.cycle)
    results.publish(actor=world.city_admin, cycle=s.cycle)
    s.evaluation.refresh_from_db()
    return s


def test_the_supervisor_appeals_within_the_window(s):
    appeal = appeals.lodge(actor=s.supervisor, evaluation=s.evaluation, reason="服务机构评分未计入全年服务")
    assert appeal.status == Appeal.Status.LODGED
    with pytest.raises(ValidationError, match="等待处理"):
        appeals.lodge(actor=s.supervisor, evaluation=s.evaluation, reason="再次申诉")


def test_only_the_supervisor_appeals(s):
    for user in (s.world.city_admin, s.served_admin, s.world.supervisor):
        with pytest.raises(PermissionDenied):
            appeals.lodge(actor=user, evaluation=s.evaluation, reason="理由")


def test_an_appeal_after_the_window_is_refused(s):
    Evaluation.objects.filter(pk=s.evaluation.pk).update(published_at=timezone.now() - dt.timedelta(days=16))
    s.evaluation.refresh_from_db()
    with pytest.raises(ValidationError, match="届满"):
        appeals.lodge(actor=s.supervisor, evaluation=s.evaluation, reason="理由")


def test_a_rejected_appeal_keeps_the_result(s):
    appeal = appeals.lodge(actor=s.supervisor, evaluation=s.evaluation, reason="理由")
    with pytest.raises(PermissionDenied):
        appeals.decide(actor=s.world.district_admin, appeal=appeal, upheld=False, decision="不予支持")
    with pytest.raises(ValidationError):
        appeals.decide(actor=s.world.city_admin, appeal=appeal, upheld=False, decision="  ")
    appeals.decide(actor=s.world.city_admin, appeal=appeal, upheld=False, decision="评分有据，不予支持")
    assert Appeal.objects.get(pk=appeal.pk).status == Appeal.Status.REJECTED
    assert ResultVersion.objects.filter(evaluation=s.evaluation).count() == 1


def test_an_upheld_appeal_corrects_recomputes_and_republishes_with_history(s):
    """The 金水阳光 form corrected from 80/75/70 (75.00) to 95/95/95: served agencies (95+88)÷2 = 91.50;
    party part (30×85 + 30×91.50 + 20×80) ÷ 80 = (2550 + 2745 + 1600) ÷ 80 = 6895 ÷ 80 = 86.1875 → 86.19;
    score 86.19×0.6 + 87.25×0.4 = 51.714 + 34.90 = 86.614 → 86.61, still 合格."""
    appeal = appeals.lodge(actor=s.supervisor, evaluation=s.evaluation, reason="服务机构评分有误")
    form = PartyForm.objects.get(evaluation=s.evaluation, organization=s.world.agency)
    appeals.decide(
        actor=s.world.city_admin,
        appeal=appeal,
        upheld=True,
        decision="经核实，服务机构评分录入有误，予以更正",
        changes={"forms": {str(form.pk): {"ethics": "95", "ability": "95", "performance": "95"}}},
    )
    e = Evaluation.objects.get(pk=s.evaluation.pk)
    assert (e.party_part, e.score, e.grade) == (Decimal("86.19"), Decimal("86.61"), "pass")
    versions = list(ResultVersion.objects.filter(evaluation=e).order_by("number").values_list("number", "score"))
    assert versions == [(1, Decimal("84.36")), (2, Decimal("86.61"))]


def test_an_upheld_appeal_that_lifts_a_fail_reinstates_the_entry(s):
    low = dict.fromkeys(s.evaluation.breakdown["indicator_points"], "0.00")
    e = s.evaluation
    # Republish as a fail first, as if the indicators had been entered wrong.
    appeal = appeals.lodge(actor=s.supervisor, evaluation=e, reason="理由")
    appeals.decide(
        actor=s.world.city_admin, appeal=appeal, upheld=True, decision="更正", changes={"indicator_points": low}
    )
    e.refresh_from_db()
    # 82.44 × 0.6 + 0 = 49.46: 不合格, the entry is suspended.
    assert (e.score, e.grade) == (Decimal("49.46"), "fail")
    assert Entry.objects.get(pk=s.entry.pk).status == Entry.Status.SUSPENDED
    second = appeals.lodge(actor=s.supervisor, evaluation=e, reason="指标录入错误")
    appeals.decide(
        actor=s.world.city_admin,
        appeal=second,
        upheld=True,
        decision="指标更正",
        changes={"indicator_points": dict.fromkeys(low, "87.25")},
    )
    e.refresh_from_db()
    assert (e.score, e.grade) == (Decimal("84.36"), "pass")
    assert Entry.objects.get(pk=s.entry.pk).status == Entry.Status.ACTIVE
    assert e.versions.count() == 3


def test_corrections_only_come_with_an_upheld_appeal(s):
    appeal = appeals.lodge(actor=s.supervisor, evaluation=s.evaluation, reason="理由")
    with pytest.raises(ValidationError):
        appeals.decide(
            actor=s.world.city_admin,
            appeal=appeal,
            upheld=False,
            decision="不予支持",
            changes={"indicator_points": {"service_hours": "1"}},
        )
