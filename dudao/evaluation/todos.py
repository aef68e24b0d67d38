"""The 工作台 to-dos of scoring and results: forms to fill in (agencies, the
association, the owner), appeals and renewals to decide, and for a supervisor a
published result whose appeal window is open."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core.workbench import Todo

from .models import Evaluation, Renewal
from .selectors import scoring as selectors


def scoring_todos(user) -> list[Todo]:
    todos = [
        Todo(_("Evaluation forms to fill in"), selectors.forms_due(user).count(), reverse("evaluation:form_list")),
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
    today = timezone.localdate()
    open_results = [
        e
        for e in selectors.own_results(user).filter(status=Evaluation.Status.PUBLISHED)[:20]
        if e.published_at and (today - timezone.localtime(e.published_at).date()).days <= e.cycle.appeal_days
    ]
    if open_results:
        todos.append(
            Todo(
                _("Evaluation results published (appeal window open)"),
                len(open_results),
                reverse("evaluation:result_detail", args=[open_results[0].pk]),
            )
        )
    return todos
