"""The deadlines of a nomination round, for the daily reminders (core.reminders):
the submission deadline to each agency that still has places and has submitted
nobody, the district review deadline to the districts with nominations waiting,
the city review deadline to the city while any wait."""

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.selectors import holders
from dudao.core import reminders
from dudao.core.notifications import matter_of
from dudao.directory.models import Organization
from dudao.policy.registry import BY_KEY
from dudao.policy.selectors import value as policy_value

from . import permissions
from .models import Nomination, Round
from .selectors import quota_for

S = Nomination.Status
# No jurisdiction reminds earlier than the parameter's maximum: rounds further off are not looked at.
HORIZON = [BY_KEY["notifications.reminder_days"].maximum]


def nominate_matter(round_, organization) -> str:
    """A unit's to-do of nominating in a round: submitting a nomination handles it."""
    return matter_of(round_, "nominate", organization.pk)


def review_matter(round_, stage: str, jurisdiction) -> str:
    return matter_of(round_, stage, jurisdiction.pk)


def _days_at(today):
    """notifications.reminder_days as it applies in a jurisdiction (a district may set its own), read once each."""
    known = {}

    def days(jurisdiction):
        if jurisdiction.pk not in known:
            known[jurisdiction.pk] = policy_value("notifications.reminder_days", jurisdiction, today)
        return known[jurisdiction.pk]

    return days


def _nominations(round_, today, days_in) -> list[reminders.Deadline]:
    due_on = timezone.localdate(round_.submission_deadline)
    if not reminders.in_window(today, due_on, HORIZON):
        return []
    submitted = Nomination.objects.filter(round=round_, submitted_at__isnull=False).values("organization_id")
    units = Organization.objects.filter(jurisdiction__path__startswith=round_.jurisdiction.path).exclude(
        pk__in=submitted
    )
    link = reverse("selection:round_detail", args=[round_.pk])
    found = []
    for unit in units.select_related("jurisdiction").order_by("pk"):
        days = days_in(unit.jurisdiction)
        if not reminders.in_window(today, due_on, days):
            continue
        users = holders(permissions.NOMINATE_OWN_STAFF, organization=unit)
        if not users:
            continue
        quota = quota_for(round_, unit)
        if quota.quota <= quota.used:
            continue
        what = _("nominate for %(round)s (%(org)s has %(places)s place(s) and has nominated nobody yet)") % {
            "org": unit.name,
            "places": quota.quota - quota.used,
            "round": round_.title,
        }
        found.append(reminders.Deadline(nominate_matter(round_, unit), due_on, what, users, link, days))
    return found


def _reviews(round_, today, days_in) -> list[reminders.Deadline]:
    found = []
    link = reverse("selection:nomination_list")
    district_due = timezone.localdate(round_.district_review_deadline)
    if reminders.in_window(today, district_due, HORIZON):
        waiting = defaultdict(int)
        for unit in Organization.objects.filter(
            nominations__round=round_, nominations__status=S.DISTRICT_REVIEW
        ).select_related("jurisdiction"):
            waiting[unit.jurisdiction] += 1
        for district, count in sorted(waiting.items(), key=lambda item: item[0].path):
            days = days_in(district)
            if not reminders.in_window(today, district_due, days):
                continue
            what = _("review %(count)s nomination(s) of %(round)s") % {"count": count, "round": round_.title}
            users = holders(permissions.REVIEW_DISTRICT, over=district)
            found.append(
                reminders.Deadline(
                    review_matter(round_, S.DISTRICT_REVIEW, district), district_due, what, users, link, days
                )
            )
    city_due = timezone.localdate(round_.city_review_deadline)
    days = days_in(round_.jurisdiction)
    count = Nomination.objects.filter(round=round_, status=S.CITY_REVIEW).count()
    if count and reminders.in_window(today, city_due, days):
        what = _("review %(count)s nomination(s) of %(round)s") % {"count": count, "round": round_.title}
        users = holders(permissions.REVIEW_CITY, over=round_.jurisdiction)
        found.append(
            reminders.Deadline(
                review_matter(round_, S.CITY_REVIEW, round_.jurisdiction), city_due, what, users, link, days
            )
        )
    return found


def deadlines(today: dt.date) -> list[reminders.Deadline]:
    found = []
    for round_ in Round.objects.filter(closed_at=None, city_review_deadline__date__gte=today).select_related(
        "jurisdiction"
    ):
        days_in = _days_at(today)
        found += _nominations(round_, today, days_in) + _reviews(round_, today, days_in)
    return found


reminders.register(deadlines)
