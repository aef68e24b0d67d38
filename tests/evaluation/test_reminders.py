"""Each party with blank forms is reminded before the scoring deadline; a party
that has submitted its forms is not, and its reminder is handled as it submits."""

import datetime as dt

import pytest

from dudao.core.models import Notification
from dudao.core.reminders import send_due
from dudao.core.selectors import live_notification_count
from dudao.evaluation.services import scoring
from tests.evaluation.scoring_setup import scene

pytestmark = pytest.mark.django_db


def test_parties_with_blank_forms_are_reminded_before_the_scoring_deadline(world, django_capture_on_commit_callbacks):
    s = scene(world)
    parties = [s.home_admin, s.served_admin, s.other_admin, world.association, world.city_admin]
    deadline = s.cycle.scoring_deadline
    with django_capture_on_commit_callbacks(execute=True):
        send_due(deadline - dt.timedelta(days=3))
    assert [Notification.objects.filter(recipient=u).count() for u in parties] == [1, 1, 1, 1, 1]
    assert s.cycle.title in Notification.objects.get(recipient=world.association).message
    scoring.submit(
        actor=s.served_admin, evaluation=s.evaluation, party="served_agency", ethics=80, ability=75, performance=70
    )
    assert live_notification_count(s.served_admin) == 0
    assert live_notification_count(s.other_admin) == 1  # the other served agency still has its own form
    with django_capture_on_commit_callbacks(execute=True):
        send_due(deadline - dt.timedelta(days=1))
    assert [Notification.objects.filter(recipient=u).count() for u in parties] == [2, 1, 2, 2, 2]
