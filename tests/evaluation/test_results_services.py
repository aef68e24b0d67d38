"""Compute and publish: the hand-computed example end to end, the consequences, matching."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dudao.core.models import AuditEntry, Notification
from dudao.evaluation.models import Cycle, EntryFlag, Evaluation, ResultVersion
from dudao.evaluation.services import results
from dudao.policy import services as policy_services
from dudao.pools.models import Entry
from dudao.supervision.matching import grade_score, latest_grades
from tests.evaluation.scoring_setup import make_cycle, make_evaluation, scene, score_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(world):
    return scene(world)


def test_the_hand_computed_example_with_a_missing_party(s):
    """Home agency: (90+85+80)÷3 = 85.00. Served agencies: (80+75+70)÷3 = 75.00 and
    (90+90+84)÷3 = 88.00, averaged (75+88)÷2 = 81.50. Association (70+80+90)÷3 = 80.00.
    The authority did not score: its 20 is shared, so
    party part = (30×85 + 30×81.50 + 20×80) ÷ 80 = 6595 ÷ 80 = 82.4375 → 82.44;
    indicator part = (20×100 + 20×80 + 20×90 + 15×70 + 10×100 + 15×85) ÷ 100 = 87.25;
    score = 82.44×0.6 + 87.25×0.4 = 84.364 → 84.36, graded 合格 (75 ≤ 84.36 < 90)."""
    score_all(s, authority=False)
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    e = Evaluation.objects.get(pk=s.evaluation.pk)
    assert (e.party_part, e.indicator_part, e.score, e.grade) == (
        Decimal("82.44"),
        Decimal("87.25"),
        Decimal("84.36"),
        "pass",
    )
    assert e.parties_missing == ["authority"] and not e.hours_capped
    assert e.breakdown["result"]["parties"]["served_agency"]["score"] == "81.50"
    assert e.breakdown["indicator_points"]["service_hours"] == "100.00"  # the computation's keys are kept
    assert Cycle.objects.get(pk=s.cycle.pk).status == Cycle.Status.REVIEW


def test_practice_hours_below_the_minimum_cap_the_grade(s):
    """Same figures, 90 practice hours against the minimum of 100: 84.36 stays, the grade is capped at 基本合格."""
    Evaluation.objects.filter(pk=s.evaluation.pk).update(
        indicators={"service_hours": "72.00", "practice_hours": "90.00"}
    )
    score_all(s, authority=False)
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    e = Evaluation.objects.get(pk=s.evaluation.pk)
    assert (e.score, e.grade, e.hours_capped) == (Decimal("84.36"), "basic", True)


def test_computing_twice_gives_the_same_result(s):
    score_all(s)
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    first = Evaluation.objects.values("score", "grade", "breakdown").get(pk=s.evaluation.pk)
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    assert Evaluation.objects.values("score", "grade", "breakdown").get(pk=s.evaluation.pk) == first


def test_only_the_owner_computes_and_publishes(s):
    for user in (s.world.district_admin, s.world.association, s.served_admin, s.supervisor):
        with pytest.raises(PermissionDenied):
            results.compute(actor=user, cycle=s.cycle)
        with pytest.raises(PermissionDenied):
            results.publish(actor=user, cycle=s.cycle)


def test_publishing_needs_a_review_first(s):
    with pytest.raises(ValidationError):
        results.publish(actor=s.world.city_admin, cycle=s.cycle)


def test_publishing_writes_version_one_and_tells_the_supervisor(s, django_capture_on_commit_callbacks):
    score_all(s)
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    with django_capture_on_commit_callbacks(execute=True):
        results.publish(actor=s.world.city_admin, cycle=s.cycle)
    version = ResultVersion.objects.get(evaluation=s.evaluation)
    assert (version.number, version.grade) == (1, Evaluation.objects.get(pk=s.evaluation.pk).grade)
    assert Notification.objects.filter(recipient=s.supervisor).exists()
    assert Cycle.objects.get(pk=s.cycle.pk).status == Cycle.Status.PUBLISHED


def _fail_points():
    return dict.fromkeys(
        ["service_hours", "practice_hours", "satisfaction", "ability_gain", "training_hours", "service_results"],
        "10.00",
    )


def test_a_fail_suspends_the_pool_entry_with_the_cycle_as_reason(s):
    Evaluation.objects.filter(pk=s.evaluation.pk).update(
        breakdown={**s.evaluation.breakdown, "indicator_points": _fail_points()}
    )
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    results.publish(actor=s.world.city_admin, cycle=s.cycle)
    entry = Entry.objects.get(pk=s.entry.pk)
    assert Evaluation.objects.get(pk=s.evaluation.pk).grade == "fail"
    assert entry.status == Entry.Status.SUSPENDED
    assert s.cycle.title in entry.history.order_by("-pk").first().reason


def publish_basic_after_basic(s, *, years_back: int):
    """A published 基本合格 `years_back` years before, then this cycle's result,
    capped to 基本合格 by the practice hours, computed and published."""
    earlier = make_cycle(s.world, year=s.cycle.year - years_back, status=Cycle.Status.PUBLISHED, title="往年度考评")
    Evaluation.objects.create(
        cycle=earlier, entry=s.entry, person=s.person, score=Decimal("65"), grade="basic", status="published"
    )
    Evaluation.objects.filter(pk=s.evaluation.pk).update(indicators={"practice_hours": "10.00"})  # capped to basic
    score_all(s)
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    results.publish(actor=s.world.city_admin, cycle=s.cycle)


def test_two_basic_or_worse_grades_in_a_row_flag_the_entry(s):
    publish_basic_after_basic(s, years_back=1)
    flag = EntryFlag.objects.get(entry=s.entry)
    assert flag.cycle == s.cycle and flag.cleared_at is None
    # The keeper sees it with the pool's other review flags, and why.
    entry = Entry.objects.get(pk=s.entry.pk)
    assert entry.flagged_for_review and entry.review_note == flag.reason and s.cycle.title in entry.review_note


def test_a_year_without_a_grade_breaks_the_run(s):
    publish_basic_after_basic(s, years_back=2)
    assert Evaluation.objects.get(pk=s.evaluation.pk).grade == "basic"
    assert not EntryFlag.objects.exists() and not Entry.objects.get(pk=s.entry.pk).flagged_for_review


def test_an_excellent_grade_raises_the_supervisor_in_matching(s):
    Evaluation.objects.filter(pk=s.evaluation.pk).update(
        breakdown={
            **s.evaluation.breakdown,
            "indicator_points": dict.fromkeys(s.evaluation.breakdown["indicator_weights"], "100.00"),
        }
    )
    score_all(s)
    assert latest_grades([s.person.pk]) == {}
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    assert latest_grades([s.person.pk]) == {}  # not published yet
    results.publish(actor=s.world.city_admin, cycle=s.cycle)
    grade = latest_grades([s.person.pk])[s.person.pk]
    assert grade == "excellent" and grade_score(grade) == Decimal("1.0")
    assert [grade_score(g) for g in ("pass", "basic", "fail")] == [Decimal("0.7"), Decimal("0.3"), Decimal("0")]


def test_the_weights_are_policy_data(s):
    policy_services.set_parameter(
        actor=s.world.city_admin,
        key="evaluation.party_share",
        jurisdiction=s.world.city,
        value="50.00",
        effective_from=timezone.localdate(),
        reason="试行",
    )
    score_all(s, authority=False)
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    # 82.44 × 0.5 + 87.25 × 0.5 = 84.845 → 84.85
    assert Evaluation.objects.get(pk=s.evaluation.pk).score == Decimal("84.85")


__all__ = ["make_evaluation"]


def _past_review(s):
    """The scores are in, the scoring and review deadlines both passed."""
    score_all(s)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Cycle.objects.filter(pk=s.cycle.pk).update(scoring_deadline=yesterday, review_deadline=yesterday)
    s.cycle.refresh_from_db()


def test_after_the_review_deadline_results_are_neither_computed_nor_published(s):
    score_all(s)
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    Cycle.objects.filter(pk=s.cycle.pk).update(
        scoring_deadline=timezone.localdate() - dt.timedelta(days=2),
        review_deadline=timezone.localdate() - dt.timedelta(days=1),
    )
    for service in (results.compute, results.publish):
        with pytest.raises(ValidationError, match=(timezone.localdate() - dt.timedelta(days=1)).isoformat()):
            service(actor=s.world.city_admin, cycle=s.cycle)
    assert Cycle.objects.get(pk=s.cycle.pk).status == Cycle.Status.REVIEW


def test_on_the_review_deadline_itself_the_owner_still_publishes(s):
    score_all(s)
    Cycle.objects.filter(pk=s.cycle.pk).update(
        scoring_deadline=timezone.localdate(), review_deadline=timezone.localdate()
    )
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    assert results.publish(actor=s.world.city_admin, cycle=s.cycle).status == Cycle.Status.PUBLISHED


def test_the_owner_moves_the_review_deadline_with_a_reason_and_then_publishes(s):
    _past_review(s)
    new = timezone.localdate() + dt.timedelta(days=5)
    with pytest.raises(PermissionDenied):
        results.move_review_deadline(actor=s.world.district_admin, cycle=s.cycle, review_deadline=new, reason="延期")
    with pytest.raises(ValidationError):
        results.move_review_deadline(actor=s.world.city_admin, cycle=s.cycle, review_deadline=new, reason=" ")
    with pytest.raises(ValidationError):
        results.move_review_deadline(
            actor=s.world.city_admin,
            cycle=s.cycle,
            review_deadline=timezone.localdate() - dt.timedelta(days=1),
            reason="x",
        )
    results.move_review_deadline(actor=s.world.city_admin, cycle=s.cycle, review_deadline=new, reason="复核材料补交")
    entry = AuditEntry.objects.get(event="evaluation.review_deadline_moved")
    assert entry.changes["review_deadline"][1] == new.isoformat() and entry.reason == "复核材料补交"
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    results.publish(actor=s.world.city_admin, cycle=s.cycle)
    with pytest.raises(ValidationError):
        results.move_review_deadline(
            actor=s.world.city_admin, cycle=s.cycle, review_deadline=new + dt.timedelta(days=1), reason="再延"
        )


def test_a_grade_lifted_on_appeal_lowers_the_flag_it_raised(s):
    from dudao.evaluation.services import appeals

    publish_basic_after_basic(s, years_back=1)
    assert Entry.objects.get(pk=s.entry.pk).flagged_for_review
    appeal = appeals.lodge(
        actor=s.supervisor, evaluation=Evaluation.objects.get(pk=s.evaluation.pk), reason="实务时数漏记"
    )
    Evaluation.objects.filter(pk=s.evaluation.pk).update(indicators={"practice_hours": "150.00"})
    appeals.decide(actor=s.world.city_admin, appeal=appeal, upheld=True, decision="补记实务时数")
    assert Evaluation.objects.get(pk=s.evaluation.pk).grade != "basic"
    assert EntryFlag.objects.get(entry=s.entry).cleared_at is not None
    assert not Entry.objects.get(pk=s.entry.pk).flagged_for_review
