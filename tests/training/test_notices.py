"""The city is told when the trainer has entered every score of a cohort, once,
and the notice is handled when the city confirms the results; the trainer is
reminded of missing scores before the programme ends."""

import datetime as dt

from django.urls import reverse

from dudao.core.models import Notification
from dudao.core.reminders import send_due
from dudao.core.selectors import live_notification_count
from dudao.training import services


def test_the_city_is_told_once_when_a_cohort_is_fully_scored_until_it_confirms(
    world, training, django_capture_on_commit_callbacks
):
    def record(member, theory, practice):
        with django_capture_on_commit_callbacks(execute=True):
            services.record_scores(actor=world.trainer, member=member, theory_score=theory, practice_score=practice)

    record(training.supervisor_member, 80, None)
    record(training.worker_member, 70, 75)
    assert not Notification.objects.filter(recipient=world.city_admin).exists()
    record(training.supervisor_member, 80, 85)  # the last missing score
    notice = Notification.objects.get(recipient=world.city_admin)
    assert training.cohort.name in notice.message
    assert notice.link == reverse("training:cohort_detail", args=[training.cohort.pk])
    record(training.worker_member, 72, 75)  # a correction completes nothing new
    assert Notification.objects.filter(recipient=world.city_admin).count() == 1
    assert not Notification.objects.exclude(recipient=world.city_admin).exists()
    assert live_notification_count(world.city_admin) == 1

    services.confirm_results(actor=world.city_admin, cohort=training.cohort)
    assert live_notification_count(world.city_admin) == 0
    assert Notification.objects.get(recipient=world.city_admin).resolved_at is not None


def test_the_trainer_is_reminded_of_missing_scores_before_the_programme_ends(
    world, training, django_capture_on_commit_callbacks
):
    services.record_scores(actor=world.trainer, member=training.supervisor_member, theory_score=80, practice_score=80)
    ends = training.programme.ends_on
    with django_capture_on_commit_callbacks(execute=True):
        send_due(ends - dt.timedelta(days=3))
    reminder = Notification.objects.get(recipient=world.trainer)
    assert "1" in reminder.message and training.cohort.name in reminder.message
    assert reminder.link == reverse("training:scores", args=[training.cohort.pk])
    with django_capture_on_commit_callbacks(execute=True):
        services.record_scores(actor=world.trainer, member=training.worker_member, theory_score=70, practice_score=70)
    # Scoring the last trainee handles the reminder at once.
    assert live_notification_count(world.trainer) == 0
    with django_capture_on_commit_callbacks(execute=True):
        send_due(ends - dt.timedelta(days=1))
    assert Notification.objects.filter(recipient=world.trainer).count() == 1
