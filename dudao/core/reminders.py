"""Deadline reminders: a daily job (`manage.py send_reminders`, or Celery beat)
tells whoever still has a matter that its deadline is near — N days before,
for each N of the policy parameter notifications.reminder_days (3 and 1 by
default) of the matter's jurisdiction.

Core knows no matter by name (tests/test_layers.py): each app declares its
deadlines in its own `reminders.py`, which registers a provider, a function of
the day returning the `Deadline`s still open then, each with the people who
have yet to act (an agency that has nominated is no longer reminded).

Each step of each deadline is sent once: a `Reminder` row, unique per matter,
deadline and step, is written in the same transaction as the notice is queued,
so running the job twice on a day sends nothing twice. A reminder is a to-do
notice of its matter: the service that handles the matter resolves it, and the
job resolves the reminders of matters no longer open (handled by everyone, the
deadline passed or moved) on each run."""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import audit
from .models import Notification, Reminder
from .notifications import notify

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deadline:
    matter: str  # notifications.matter_of(...): what is to be done, by whom
    due_on: dt.date  # the last day to do it
    what: str  # what is still to be done, a phrase: "nominate for 2027年度推荐"
    recipients: list = field(hash=False)  # the users who still have the matter
    link: str
    days: tuple  # the steps of the jurisdiction's notifications.reminder_days


_providers: list = []


def register(provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def step_due(today: dt.date, due_on: dt.date, days) -> int | None:
    """The step a reminder is due for today: the smallest N of `days` with no
    more than N days left, so a deadline set 2 days ahead still gets the
    3-day reminder once, then the 1-day one; None once the deadline has passed
    or while it is further away than the largest step."""
    left = (due_on - today).days
    steps = sorted(int(d) for d in days if int(d) >= left)
    return steps[0] if left >= 0 and steps else None


def in_window(today: dt.date, due_on: dt.date, days) -> bool:
    """Whether a deadline is close enough to remind anyone of (for providers, before they look for recipients)."""
    return step_due(today, due_on, days) is not None


def message(deadline: Deadline, today: dt.date) -> str:
    left = (deadline.due_on - today).days
    if left == 0:
        return _("Reminder: %(what)s; the deadline is today, %(date)s.") % {
            "what": deadline.what,
            "date": deadline.due_on.isoformat(),
        }
    return ngettext(
        "Reminder: %(what)s by %(date)s, %(days)s day left.",
        "Reminder: %(what)s by %(date)s, %(days)s days left.",
        left,
    ) % {"what": deadline.what, "date": deadline.due_on.isoformat(), "days": left}


def open_deadlines(today: dt.date) -> list[Deadline]:
    autodiscover_modules("reminders")
    return [d for provider in _providers for d in provider(today) if in_window(today, d.due_on, d.days)]


def _send(deadline: Deadline, today: dt.date) -> bool:
    step = step_due(today, deadline.due_on, deadline.days)
    users = [u for u in deadline.recipients if u is not None and u.is_active]
    if step is None or not users:
        return False
    text = message(deadline, today)
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                matter=deadline.matter,
                due_on=deadline.due_on,
                days_before=step,
                message=text[:300],
                recipients=len(users),
            )
            audit.record(
                actor=None,
                event="core.reminder_sent",
                obj=reminder,
                changes={"recipients": [None, len(users)], "days_before": [None, step]},
            )
            notify(users, text, deadline.link, matter=deadline.matter)
    except IntegrityError:
        return False  # sent already (today, or by a run at the same moment)
    return True


def send_due(today: dt.date | None = None) -> dict:
    """Send the reminders due today and resolve those of matters no longer open.
    Returns {"sent": n, "resolved": m}."""
    today = today or timezone.localdate()
    # Notices are stored as text: written in the platform's language, as a request would.
    with translation.override(settings.LANGUAGE_CODE):
        deadlines = open_deadlines(today)
        sent = 0
        for deadline in deadlines:
            if Reminder.objects.filter(
                matter=deadline.matter,
                due_on=deadline.due_on,
                days_before=step_due(today, deadline.due_on, deadline.days),
            ).exists():
                continue
            sent += _send(deadline, today)
    stale = Notification.objects.filter(
        resolved_at=None, matter__in=Reminder.objects.values("matter").distinct()
    ).exclude(matter__in=[d.matter for d in deadlines])
    resolved = stale.update(resolved_at=timezone.now())
    log.info("deadline reminders: %s sent, %s resolved", sent, resolved)
    return {"sent": sent, "resolved": resolved}
