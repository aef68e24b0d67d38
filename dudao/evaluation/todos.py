"""The 工作台 part of scoring and results: forms to fill in (agencies, the
association, the owner), appeals and renewals to decide, and for a supervisor a
published result whose appeal window is open; the deadlines of the cycles that
concern the user (scoring, review, the appeal window)."""

from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core.workbench import Chart, Deadline, Figure, Todo

from . import permissions
from .models import Cycle, Evaluation, Grade, Renewal
from .selectors import cycles as cycle_selectors
from .selectors import scoring as selectors

OPEN = [Cycle.Status.SCORING, Cycle.Status.REVIEW]


def scoring_todos(user) -> list[Todo]:
    todos = [
        Todo(
            _("Evaluation forms to fill in"),
            selectors.due_count(user),
            reverse("evaluation:form_list") + "?todo=1",
        ),
        Todo(
            _("Evaluation appeals to decide"),
            selectors.appeals_to_decide(user).count(),
            reverse("evaluation:appeal_list") + "?status=lodged",
            "danger",
        ),
        Todo(
            _("Renewals to decide"),
            selectors.renewals_for(user).filter(status=Renewal.Status.PROPOSED).count(),
            reverse("evaluation:renewal_list") + "?status=proposed",
        ),
    ]
    if selectors.own_results(user).exists():
        todos.append(
            Todo(
                _("Evaluation results published (appeal window open)"),
                selectors.results_open_to_appeal(user).count(),
                reverse("evaluation:result_list") + "?appeal_open=1",
            )
        )
    return todos


def deadlines(user) -> list[Deadline]:
    out = []
    today = timezone.localdate()
    # The owner's cycles: the parties' scores, then the review.
    for cycle in selectors.owned_cycles(user).filter(status__in=OPEN).order_by("scoring_deadline")[:3]:
        url = reverse("evaluation:cycle_detail", args=[cycle.pk])
        if cycle.status == Cycle.Status.SCORING:
            out.append(Deadline(_("Evaluation scores due"), cycle.scoring_deadline, url, cycle.title))
        out.append(Deadline(_("Evaluation review due"), cycle.review_deadline, url, cycle.title))
    # A party's forms: the soonest scoring deadline of the cycles it still owes forms in.
    due = selectors.first_deadline(user)
    if due:
        out.append(Deadline(_("Evaluation forms due"), due, reverse("evaluation:form_list") + "?todo=1"))
    # The supervisor's appeal window.
    for result in selectors.results_open_to_appeal(user)[:2]:
        ends = selectors.appeal_ends_on(result)
        if ends and ends >= today:
            url = reverse("evaluation:result_detail", args=[result.pk])
            out.append(Deadline(_("Appeal window closes"), ends, url, result.cycle.title))
    return out


def figures(user) -> list:
    """The latest year's published grades, for whoever reads the evaluation report."""
    if not permissions.reads_evaluation(user):
        return []
    published = cycle_selectors.evaluations_for(user).filter(status=Evaluation.Status.PUBLISHED).exclude(grade="")
    year = published.aggregate(latest=Max("cycle__year"))["latest"]
    if year is None:
        return []
    counts = dict(published.filter(cycle__year=year).order_by().values_list("grade").annotate(n=Count("pk")))
    grades = [g for g in Grade.values if counts.get(g)]
    url = reverse("evaluation:report") + f"?year={year}"
    return [
        Figure(_("Supervisors evaluated in %(year)s") % {"year": year}, sum(counts.values()), url),
        Chart(
            "grades",
            _("Evaluation grades %(year)s") % {"year": year},
            [Grade(g).label for g in grades],
            [(_("Supervisors"), [counts[g] for g in grades])],
            kind="pie",
            url=url,
        ),
    ]
