"""Deadline reminders of a round: an agency with places that has submitted
nobody is reminded 3 days and 1 day before the submission deadline, once each
however often the job runs; an agency that has nominated is not, and its
reminder is handled as it submits."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from dudao.core.models import AuditEntry, Notification, Reminder
from dudao.core.reminders import send_due, step_due
from dudao.core.selectors import live_notification_count

from .helpers import agency_with_admin, hire_many, nominate


def reminded(user):
    return Notification.objects.filter(recipient=user, matter__contains=":nominate:")


def test_agencies_still_to_nominate_are_reminded_3_and_1_days_before_once_each(
    world, round_, django_capture_on_commit_callbacks
):
    hire_many(world.agency, 7)
    other, other_admin = agency_with_admin(world.jinshui)
    staff = hire_many(other, 7)
    due = timezone.localdate(round_.submission_deadline)

    def run(days_before):
        with django_capture_on_commit_callbacks(execute=True):
            return send_due(due - dt.timedelta(days=days_before))

    assert run(4)["sent"] == 0
    assert run(3)["sent"] == 2
    assert run(3)["sent"] == 0  # the same day again: nothing twice
    assert [reminded(u).count() for u in (world.agency_admin, other_admin, world.outsider)] == [1, 1, 0]
    assert round_.title in reminded(other_admin).get().message
    # The other agency nominates: its reminder is handled, and it is not reminded again.
    with django_capture_on_commit_callbacks(execute=True):
        nominate(world, round_, staff[0], org=other, actor=other_admin)
    assert not reminded(other_admin).filter(resolved_at=None).exists()
    assert run(2)["sent"] == 0
    day_before = f"--today={(due - dt.timedelta(days=1)).isoformat()}"
    for _run in range(2):  # the command, as cron runs it
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", day_before, stdout=StringIO())
    assert [reminded(u).count() for u in (world.agency_admin, other_admin)] == [2, 1]
    assert Reminder.objects.count() == 3
    assert AuditEntry.objects.filter(event="core.reminder_sent").count() == 3
    # Once the deadline has passed, the run resolves what is left.
    assert live_notification_count(world.agency_admin) >= 1
    run(-1)
    assert not reminded(world.agency_admin).filter(resolved_at=None).exists()


def test_a_reminder_is_due_on_the_smallest_step_not_yet_passed():
    today = dt.date(2027, 3, 1)
    due = [step_due(today, today + dt.timedelta(days=left), [3, 1]) for left in (5, 4, 3, 2, 1, 0, -1)]
    assert due == [None, None, 3, 3, 1, 1, None]
    assert step_due(today, today, []) is None
