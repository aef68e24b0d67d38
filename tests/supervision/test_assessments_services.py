"""Ability assessments: the engagement's supervisor scores each covered supervisee
on every competency item (policy data), start before end, once per phase."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from dudao.core.models import AuditEntry
from dudao.policy.registry import BY_KEY
from dudao.supervision.models import Assessment, Engagement
from dudao.supervision.selectors.practice import assessments_due, assessments_for
from dudao.supervision.services.assessments import assess

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted in their source language (the site's default is Chinese).
    with translation.override("en"):
        yield


ITEMS = BY_KEY["supervision.competencies"].default
TODAY = timezone.localdate()
YEAR = TODAY.year


def scores(*values):
    values = values or (3,) * len(ITEMS)
    return dict(zip(ITEMS, values, strict=True))


def run(engagement, supervisee, actor, **overrides):
    args = {
        "actor": actor,
        "engagement": engagement,
        "supervisee": supervisee,
        "year": YEAR,
        "phase": "start",
        "scores": scores(),
        "assessed_on": dt.date(YEAR, 1, 15),
    } | overrides
    return assess(**args)


@pytest.fixture
def internal(world, internal_engagement):
    """督导甲 supervises all staff of the agency; 社工乙 is one of them."""
    return lambda **kw: run(internal_engagement, world.social_worker_person, world.supervisor, **kw)


def text(exc):
    return " ".join(exc.value.messages)


def test_a_start_assessment_is_recorded_with_its_average_to_two_places(world, internal):
    made = internal(scores=scores(3, 4, 4, 5, 2, 3))
    assert made.average == Decimal("3.50")
    assert made.supervisor == world.supervisor_person
    assert made.scores == scores(3, 4, 4, 5, 2, 3)
    assert AuditEntry.objects.filter(event="supervision.assessment_recorded", object_id=str(made.pk)).exists()


def test_an_uneven_average_rounds_half_up(internal):
    assert internal(scores=scores(1, 1, 1, 1, 1, 2)).average == Decimal("1.17")


def test_only_the_engagements_supervisor_assesses(world, internal_engagement, supply):
    for actor in (supply.external_supervisor, world.agency_admin, world.social_worker):
        with pytest.raises(PermissionDenied):
            run(internal_engagement, world.social_worker_person, actor)


def test_an_unknown_item_is_refused(internal):
    with pytest.raises(ValidationError) as exc:
        internal(scores=scores() | {"舞蹈": 3})
    assert "Not a competency item: 舞蹈" in text(exc)


def test_a_missing_item_is_refused(internal):
    partial = scores()
    partial.pop(ITEMS[-1])
    with pytest.raises(ValidationError) as exc:
        internal(scores=partial)
    assert f"missing: {ITEMS[-1]}" in text(exc)


@pytest.mark.parametrize("bad", [0, 6, 2.5, "3", True, None])
def test_a_score_that_is_not_a_whole_number_from_1_to_5_is_refused(internal, bad):
    with pytest.raises(ValidationError) as exc:
        internal(scores=scores() | {ITEMS[0]: bad})
    assert "whole number from 1 to 5" in text(exc)


def test_the_items_come_from_policy(world, internal):
    from dudao.policy.services import set_parameter

    set_parameter(
        actor=world.city_admin,
        key="supervision.competencies",
        jurisdiction=world.city,
        value=["伦理", "评估"],
        effective_from=TODAY,
        reason="市局调整",
    )
    assert internal(scores={"伦理": 5, "评估": 4}, assessed_on=TODAY).average == Decimal("4.50")


def test_a_supervisee_not_covered_by_the_engagement_is_refused(world, supply, external_engagement):
    outsider = supply.colleagues[2]  # not on the external engagement's list
    with pytest.raises(ValidationError) as exc:
        run(external_engagement, outsider, supply.external_supervisor)
    assert "not covered by this engagement" in text(exc)
    assert outsider.name not in text(exc)
    assert run(external_engagement, supply.colleagues[0], supply.external_supervisor).pk


def test_the_supervisor_is_not_their_own_supervisee(world, internal_engagement):
    with pytest.raises(ValidationError) as exc:
        run(internal_engagement, world.supervisor_person, world.supervisor)
    assert "not covered" in text(exc)


def test_an_end_assessment_needs_a_start_one_first(internal):
    with pytest.raises(ValidationError) as exc:
        internal(phase="end", assessed_on=TODAY)
    assert "at the start of" in text(exc)
    internal()
    assert internal(phase="end", assessed_on=TODAY).phase == Assessment.Phase.END


def test_a_second_assessment_of_a_phase_is_refused_not_replaced(internal):
    first = internal(scores=scores(2, 2, 2, 2, 2, 2))
    with pytest.raises(ValidationError) as exc:
        internal(scores=scores(5, 5, 5, 5, 5, 5))
    assert "cannot be replaced" in text(exc)
    first.refresh_from_db()
    assert first.average == Decimal("2.00")


def test_a_date_in_the_future_or_a_year_that_does_not_match_is_refused(internal):
    with pytest.raises(ValidationError) as exc:
        internal(assessed_on=TODAY + dt.timedelta(days=1))
    assert "future" in text(exc)
    with pytest.raises(ValidationError) as exc:
        internal(year=YEAR - 1)
    assert "does not match" in text(exc)


def test_an_engagement_not_in_force_is_refused(world, internal_engagement):
    Engagement.objects.filter(pk=internal_engagement.pk).update(status=Engagement.Status.PROPOSED)
    with pytest.raises(ValidationError) as exc:
        run(internal_engagement, world.social_worker_person, world.supervisor)
    assert "engagement in force" in text(exc)


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("supervisor", True),
        ("social_worker", True),
        ("agency_admin", True),
        ("district_admin", True),
        ("city_admin", True),
        ("outsider", False),
        ("erqi_admin", False),
        ("trainer", False),
    ],
)
def test_assessments_are_visible_to_the_supervisor_the_supervisee_the_agency_and_the_jurisdiction(
    world, internal, persona, sees
):
    made = internal()
    assert assessments_for(world.persona(persona)).filter(pk=made.pk).exists() is sees


def test_another_supervisee_does_not_see_someone_elses_assessment(world, supply, internal_engagement):
    from dudao.accounts.models import Role
    from tests.factories import user_with_role

    colleague = user_with_role(Role.SOCIAL_WORKER, username="colleague", person=supply.colleagues[0])
    made = run(internal_engagement, world.social_worker_person, world.supervisor)
    assert not assessments_for(colleague).filter(pk=made.pk).exists()


def test_assessments_due_lists_the_covered_staff_without_a_start_assessment(world, supply, internal_engagement):
    if not internal_engagement.starts_on <= TODAY <= internal_engagement.ends_on:
        Engagement.objects.filter(pk=internal_engagement.pk).update(
            starts_on=dt.date(YEAR, 1, 1), ends_on=dt.date(YEAR, 12, 31)
        )
    due = assessments_due(world.supervisor_person.pk, YEAR)
    names = {person.name for _engagement, person in due}
    assert names == {"社工乙", "社工丁", "社工戊", "社工己"}
    run(internal_engagement, world.social_worker_person, world.supervisor)
    assert {p.name for _e, p in assessments_due(world.supervisor_person.pk, YEAR)} == {"社工丁", "社工戊", "社工己"}
