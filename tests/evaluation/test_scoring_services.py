"""The parties' forms: own forms only, scores 0–100 with two places, refused after the deadline."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dudao.evaluation.models import Cycle, PartyForm
from dudao.evaluation.selectors import scoring as selectors
from dudao.evaluation.services import scoring
from tests.evaluation.scoring_setup import scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(world):
    return scene(world)


def test_each_party_is_due_to_score_the_supervisor_and_no_blank_form_is_written(s):
    w = s.world
    assert not PartyForm.objects.exists()
    e = s.evaluation.pk

    def rows(user, party):
        return [(x.pk, x.scoring_org) for x in selectors.to_score(user, party)]

    assert rows(s.home_admin, "home_agency") == [(e, w.erqi_agency.pk)]
    assert rows(s.served_admin, "served_agency") == [(e, w.agency.pk)]
    assert rows(s.other_admin, "served_agency") == [(e, w.other_agency_same_district.pk)]
    assert rows(w.association, "association") == [(e, None)]
    assert rows(w.city_admin, "authority") == [(e, None)]
    assert selectors.unscored_by_party(s.cycle) == {
        ("association", None): 1,
        ("authority", None): 1,
        ("home_agency", w.erqi_agency.pk): 1,
        ("served_agency", w.agency.pk): 1,
        ("served_agency", w.other_agency_same_district.pk): 1,
    }


def test_each_party_sees_only_its_own_supervisors_to_score(s):
    w = s.world
    assert selectors.parties_of(s.home_admin) == ["home_agency", "served_agency"]
    assert selectors.parties_of(w.association) == ["association"]
    assert "authority" in selectors.parties_of(w.city_admin)
    # The home agency is not also a served agency of its own supervisor.
    assert not selectors.to_score(s.home_admin, "served_agency").exists()
    assert not selectors.to_score(s.served_admin, "home_agency").exists()
    assert not selectors.to_score(w.district_admin, "authority").exists()
    for user in (s.supervisor, w.hrss, w.social_worker):
        assert selectors.parties_of(user) == []
        # Asked for any party, or one that is none, they read nothing: never an error.
        for party in ("home_agency", "served_agency", "association", "authority", "nobody"):
            assert not selectors.due(selectors.to_score(user, party)).exists()


def test_each_party_sees_only_its_own_written_forms(s):
    from tests.evaluation.scoring_setup import score_all

    w = s.world
    score_all(s)
    assert [f.party for f in selectors.forms_for(s.home_admin)] == ["home_agency"]
    assert [f.organization_id for f in selectors.forms_for(s.served_admin)] == [w.agency.pk]
    assert [f.party for f in selectors.forms_for(w.association)] == ["association"]
    assert [f.party for f in selectors.forms_for(w.city_admin)] == ["authority"]
    for user in (s.supervisor, w.district_admin, w.hrss, w.social_worker):
        assert not selectors.forms_for(user).exists()


def test_a_party_s_scores_show_on_its_own_row_only(s):
    scoring.submit(
        actor=s.home_admin, evaluation=s.evaluation, party="home_agency", ethics=90, ability=85, performance=80
    )
    (home,) = selectors.to_score(s.home_admin, "home_agency")
    assert (home.scored_ethics, home.scored_performance) == (Decimal("90.00"), Decimal("80.00")) and home.scored_at
    (association,) = selectors.to_score(s.world.association, "association")
    assert association.scored_at is None and association.form_id is None
    assert selectors.unscored(s.cycle, "home_agency", s.world.erqi_agency.pk) == 0
    assert selectors.unscored(s.cycle, "association", None) == 1


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
    assert not PartyForm.objects.filter(organization=s.world.other_agency_same_district).exists()


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
    Cycle.objects.filter(pk=s.cycle.pk).update(scoring_deadline=timezone.localdate() - dt.timedelta(days=1))
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
