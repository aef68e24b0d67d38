"""What the training app tells, beyond the services' own notices: the city is
told once the trainer has entered every score of a cohort (from the score
sheet, one by one or by import), so it can confirm the results."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from dudao.accounts.selectors import holders
from dudao.core.notifications import matter_of, notify, resolve_matter

from .permissions import PROGRAMMES_MANAGE


def scores_matter(cohort) -> str:
    """The trainer's to-do of scoring a cohort (its deadline reminder)."""
    return matter_of(cohort, "scores")


def confirm_matter(cohort) -> str:
    """The city's to-do of confirming a cohort's results."""
    return matter_of(cohort, "confirm")


def scores_entered(*, actor, cohort, completed_some: bool) -> None:
    """Call after scores were written, saying whether the write completed a
    member's scores; tells the city when no unconfirmed member lacks a score now."""
    if not completed_some:
        return
    open_members = cohort.members.filter(confirmed_at=None)
    if open_members.filter(Q(theory_score=None) | Q(practice_score=None)).exists():
        return
    count = open_members.count()
    if not count:
        return
    resolve_matter(scores_matter(cohort))
    programme = cohort.programme
    notify(
        holders(PROGRAMMES_MANAGE, over=programme.jurisdiction),
        _("%(trainer)s has entered the scores of all %(count)s trainees of %(cohort)s: please confirm the results.")
        % {"trainer": programme.trainer.name, "count": count, "cohort": cohort.name},
        reverse("training:cohort_detail", args=[cohort.pk]),
        matter=confirm_matter(cohort),
    )
