"""The parties' forms: own forms only, scores 0–100 with two places, refused after the deadline."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dudao.evaluation.models import Cycle, PartyForm
from dudao.evaluation.selectors import scoring as selectors
from dudao.evaluation.services import scoring
from tests.evaluation.scoring_setup import scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(world):
    return scene(world)


def test_the_cycle_opens_one_form_per_party_and_one_per_served_agency(s):
    forms = PartyForm.objects.filter(evaluation=s.evaluation)
    assert sorted((f.party, f.organization_id or 0) for f in forms) == sorted(
        [
            ("association", 0),
            ("authority", 0),
            ("home_agency", s.world.erqi_agency.pk),
            ("served_agency", s.world.agency.pk),
            ("served_agency", s.world.other_agency_same_district.pk),
        ]
    )
    assert scoring.open_forms(cycle=s.cycle) == 0


def test_each_party_sees_only_its_own_forms(s):
    w = s.world
    assert [f.party for f in selectors.forms_for(s.home_admin)] == ["home_agency"]
    assert [f.organization_id for f in selectors.forms_for(s.served_admin)] == [w.agency.pk]
    assert [f.party for f in selectors.forms_for(w.association)] == ["association"]
    assert [f.party for f in selectors.forms_for(w.city_admin)] == ["authority"]
    for user in (s.supervisor, w.district_admin, w.hrss, w.social_worker):
        assert not selectors.forms_for(user).exists()


def test_a_party_cannot_change_another_party_s_form(s):
    w = s.world
    with pytest.raises(PermissionDenied):
        scoring.submit(
            actor=s.served_admin, evaluation=s.evaluation, party="home_agency", ethics=1, ability=1, performance=1
        )
    with pytest.raises(PermissionDenied):
        scoring.submit(
            actor=w.district_admin, evaluation=s.evaluation, party="authority", ethics=1, ability=1, performance=1
        )
    with pytest.raises(PermissionDenied):
        scoring.submit(
            actor=s.home_admin, evaluation=s.evaluation, party="association", ethics=1, ability=1, performance=1
        )
    assert not PartyForm.objects.filter(submitted_at__isnull=False).exists()


def test_a_served_agency_scores_on_its_own_form(s):
    form = scoring.submit(
        actor=s.served_admin,
        evaluation=s.evaluation,
        party="served_agency",
        ethics="80.50",
        ability=75,
        performance=70,
        comment="认真负责",
    )
    assert (form.organization_id, form.ethics, form.comment) == (s.world.agency.pk, Decimal("80.50"), "认真负责")
    other = PartyForm.objects.get(organization=s.world.other_agency_same_district)
    assert other.submitted_at is None


@pytest.mark.parametrize("bad", ["100.01", "-1", "80.555", "abc"])
def test_a_score_is_from_0_to_100_with_two_places(s, bad):
    with pytest.raises(ValidationError):
        scoring.submit(
            actor=s.world.association,
            evaluation=s.evaluation,
            party="association",
            ethics=bad,
            ability=80,
            performance=80,
        )


def test_a_score_after_the_deadline_is_refused(s):
    Cycle.objects.filter(pk=s.cycle.pk).update(scoring_deadline=dt.date.today() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="逾期评分不予受理"):
        scoring.submit(
            actor=s.world.association,
            evaluation=s.evaluation,
            party="association",
            ethics=80,
            ability=80,
            performance=80,
        )


def test_a_form_can_be_changed_until_the_deadline(s):
    args = {"actor": s.world.association, "evaluation": s.evaluation, "party": "association"}
    scoring.submit(**args, ethics=80, ability=80, performance=80)
    form = scoring.submit(**args, ethics=70, ability=80, performance=80)
    assert form.ethics == Decimal("70.00")
    assert PartyForm.objects.filter(evaluation=s.evaluation, party="association").count() == 1
