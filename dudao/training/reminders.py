"""The scoring deadline of a programme, for the daily reminders (core.reminders):
the commissioned trainer is reminded of each cohort whose members still lack a
score as the programme's end draws near."""

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from dudao.accounts.selectors import holders
from dudao.core import reminders
from dudao.policy.selectors import value as policy_value

from .models import Cohort, Member
from .notices import scores_matter
from .permissions import PROGRAMMES_DELIVER


def deadlines(today: dt.date) -> list[reminders.Deadline]:
    unscored = Member.objects.filter(confirmed_at=None).filter(Q(theory_score=None) | Q(practice_score=None))
    cohorts = (
        Cohort.objects.filter(programme__ends_on__gte=today, members__in=unscored)
        .select_related("programme__jurisdiction", "programme__trainer")
        .distinct()
        .order_by("pk")
    )
    found = []
    for cohort in cohorts:
        programme = cohort.programme
        days = policy_value("notifications.reminder_days", programme.jurisdiction, today)
        if not reminders.in_window(today, programme.ends_on, days):
            continue
        count = unscored.filter(cohort=cohort).count()
        what = _("enter the scores of %(count)s trainee(s) of %(cohort)s") % {"count": count, "cohort": cohort.name}
        found.append(
            reminders.Deadline(
                scores_matter(cohort),
                programme.ends_on,
                what,
                holders(PROGRAMMES_DELIVER, organization=programme.trainer),
                reverse("training:scores", args=[cohort.pk]),
                days,
            )
        )
    return found


reminders.register(deadlines)
