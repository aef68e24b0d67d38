"""The evaluation demo (issue 11, "Done when"): a published city-pool cycle with
grades across all four bands, an appeal decided, a suspended entry and a renewed
one; loading it again adds nothing."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from dudao.accounts.models import User
from dudao.demo import evaluation as demo
from dudao.evaluation.models import Appeal, Cycle, Evaluation, Renewal, ResultVersion
from dudao.pools.models import Entry
from dudao.subsidies.models import Statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_loaded(demo_once, db):
    """The demo, loaded once for the module (tests/demo/conftest.py)."""


def test_the_demo_publishes_a_city_cycle_with_all_four_grades_that_hrss_and_finance_see(demo_loaded, client):
    cycle = Cycle.objects.get(level="city")
    assert cycle.status == Cycle.Status.PUBLISHED and cycle.level == "city"
    grades = set(Evaluation.objects.filter(cycle=cycle).values_list("grade", flat=True))
    assert grades == {"excellent", "pass", "basic", "fail"}
    assert Evaluation.objects.filter(hours_capped=True).exists()
    assert Evaluation.objects.exclude(parties_missing=[]).exists()
    # The demo's hrss login sees the grades and the subsidies (all years, the default); finance its figures.
    client.force_login(User.objects.get(username="hrss"))
    report = client.get(reverse("evaluation:report")).context
    assert all(sum(row["counts"][i] for row in report["by_district"]) for i in range(4))
    assert report["subsidies"]["districts"]
    client.force_login(User.objects.get(username="finance"))
    year = Statement.objects.exclude(status=Statement.Status.VOIDED).latest("month").month.year
    figures = client.get(reverse("subsidies:finance"), {"year": year}).context["figures"]
    assert figures["hours"] > 0 and figures["per_hour"] and figures["budget_lines"]


def test_the_demo_has_an_appeal_decided_with_history(demo_loaded):
    appeal = Appeal.objects.get()
    assert appeal.status == Appeal.Status.UPHELD and appeal.decision
    assert ResultVersion.objects.filter(evaluation=appeal.evaluation).count() == 2
    assert appeal.evaluation.grade == "pass"


def test_the_demo_has_a_suspended_entry_and_a_renewed_one(demo_loaded):
    failed = Evaluation.objects.get(grade="fail")
    assert Entry.objects.get(pk=failed.entry_id).status == Entry.Status.SUSPENDED
    renewal = Renewal.objects.get()
    assert renewal.status == Renewal.Status.APPROVED
    assert Entry.objects.get(pk=renewal.entry_id).expires_on == renewal.new_expires_on


def test_the_evaluation_logins_exist_with_the_demo_password(demo_loaded):
    for username, _label in demo.LOGINS:
        assert User.objects.get(username=username).check_password("Dudao@2026"), username


def test_loading_the_evaluation_demo_again_adds_nothing(demo_loaded):
    before = (Evaluation.objects.count(), ResultVersion.objects.count(), Appeal.objects.count())
    call_command("load_demo")
    assert (Evaluation.objects.count(), ResultVersion.objects.count(), Appeal.objects.count()) == before
