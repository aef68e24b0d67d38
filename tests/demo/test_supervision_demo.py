"""The supervision demo (issue 10, "Done when"): internal and external
engagements, four months of sessions with ratings and ability assessments, an
agency short of supervision with its ranked candidates, a disputed session and
a signed-off month; loading it again adds nothing."""

import pytest
from django.core.management import call_command

from dudao.accounts.models import User
from dudao.demo import supervision as demo
from dudao.directory.models import Organization
from dudao.supervision import matching
from dudao.supervision.models import Assessment, Attendance, Engagement, MonthSignOff, Rating, Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(demo_once, db):
    """The demo, loaded once for the module (tests/demo/conftest.py)."""


def test_the_demo_has_internal_and_external_engagements_both_agreed(loaded):
    kinds = set(Engagement.objects.filter(status=Engagement.Status.ACTIVE).values_list("kind", flat=True))
    assert kinds == {Engagement.Kind.INTERNAL, Engagement.Kind.EXTERNAL}
    assert all(e.agreement_confirmed for e in Engagement.objects.all())


def test_the_demo_has_four_months_of_sessions_rated_and_assessed(loaded):
    months = set(Session.objects.values_list("month", flat=True))
    assert len(months) >= 4
    assert Rating.objects.count() >= 3 * 3
    assert Assessment.objects.filter(phase="start").exists()
    assert Assessment.objects.filter(phase="end").exists() or Assessment.objects.filter(phase="start").count() >= 5


def test_the_demo_has_a_disputed_session_a_pending_one_and_signed_off_months(loaded):
    assert Attendance.objects.filter(status=Attendance.Status.DISPUTED).exists()
    social_worker = User.objects.get(username="social_worker")
    assert Attendance.objects.filter(person=social_worker.person, status=Attendance.Status.PENDING).exists()
    assert MonthSignOff.objects.filter(status=MonthSignOff.Status.SIGNED).count() >= 2


def test_the_demo_agency_short_of_supervision_has_ranked_candidates(loaded):
    tongxin = Organization.objects.get(name=demo.TONGXIN)
    ranking = matching.candidates(organization=tongxin)
    assert not ranking.internal_enough
    assert ranking.candidates


def test_the_supervision_logins_exist_with_the_demo_password(loaded):
    for username, _label in demo.LOGINS:
        assert User.objects.get(username=username).check_password("Dudao@2026"), username


def test_loading_the_supervision_demo_again_adds_nothing(loaded):
    before = (Engagement.objects.count(), Session.objects.count(), Rating.objects.count())
    call_command("load_demo")
    assert (Engagement.objects.count(), Session.objects.count(), Rating.objects.count()) == before
