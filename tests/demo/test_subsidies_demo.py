"""The subsidy demo (issue 11, "Done when"): statements in every status from the
supervision demo's signed-off months; loading it again adds nothing."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from dudao.subsidies.models import Statement
from dudao.supervision.models import MonthSignOff

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(demo_once, db):
    """The demo, loaded once for the module (tests/demo/conftest.py)."""


def test_the_demo_has_statements_in_every_status(loaded):
    statuses = set(Statement.objects.values_list("status", flat=True))
    assert statuses == set(Statement.Status.values)
    paid = Statement.objects.filter(status=Statement.Status.PAID).first()
    assert sum(paid.purposes.values()) == paid.total and paid.paid_reference
    # The city pool supervisor's month brings the city's supplement, waiting for the city.
    supplement = Statement.objects.get(kind=Statement.Kind.SUPPLEMENT)
    assert supplement.status == Statement.Status.COMPUTED and supplement.payer_jurisdiction.code == "410100"


def test_the_voided_month_was_reopened_and_computed_again(loaded):
    voided = Statement.objects.filter(status=Statement.Status.VOIDED).first()
    assert "补录" in voided.void_reason
    assert MonthSignOff.objects.get(engagement=voided.engagement, month=voided.month).status == "signed"
    assert Statement.objects.filter(engagement=voided.engagement, month=voided.month, status="computed").exists()


def test_every_demo_statement_adds_up_to_the_fen(loaded):
    for statement in Statement.objects.all():
        assert statement.lines.aggregate(total=Sum("amount"))["total"] == statement.total


def test_loading_the_subsidy_demo_again_adds_nothing(loaded):
    before = Statement.objects.count()
    call_command("load_demo")
    assert Statement.objects.count() == before
