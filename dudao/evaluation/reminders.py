"""The scoring deadline of an evaluation cycle, for the daily reminders
(core.reminders): each party with supervisors still to score — an agency, the
association, the owning authority — is reminded as the deadline draws near."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from dudao.accounts.selectors import holders
from dudao.core import reminders
from dudao.core.notifications import matter_of
from dudao.directory.models import Organization
from dudao.policy.selectors import value as policy_value

from . import scoring_permissions as permissions
from .models import Cycle, Party
from .selectors.scoring import unscored_by_party


def forms_matter(cycle, party: str, organization_id) -> str:
    """A party's to-do of filling in its forms of a cycle; its last form submitted handles it."""
    return matter_of(cycle, "forms", party, organization_id or 0)


def _who(cycle, party, organization_id) -> list:
    if party in (Party.HOME_AGENCY, Party.SERVED_AGENCY):
        return holders(permissions.SCORE_AGENCY, organization=Organization(pk=organization_id))
    if party == Party.ASSOCIATION:
        return holders(permissions.SCORE_ASSOCIATION, over=cycle.owner)
    return holders(permissions.owner_capability(cycle.level), over=cycle.owner)


def deadlines(today: dt.date) -> list[reminders.Deadline]:
    found = []
    link = reverse("evaluation:form_list")
    cycles = Cycle.objects.filter(
        status__in=[Cycle.Status.SCORING, Cycle.Status.REVIEW], scoring_deadline__gte=today
    ).select_related("owner")
    for cycle in cycles.order_by("pk"):
        days = policy_value("notifications.reminder_days", cycle.owner, today)
        if not reminders.in_window(today, cycle.scoring_deadline, days):
            continue
        blank = unscored_by_party(cycle)
        for (party, organization_id), count in sorted(blank.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
            what = _("fill in %(count)s evaluation form(s) of %(cycle)s") % {"count": count, "cycle": cycle.title}
            found.append(
                reminders.Deadline(
                    forms_matter(cycle, party, organization_id),
                    cycle.scoring_deadline,
                    what,
                    _who(cycle, party, organization_id),
                    link,
                    days,
                )
            )
    return found


reminders.register(deadlines)
