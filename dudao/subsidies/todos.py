"""Subsidy to-dos for the 工作台: statements the user's agency (or, for the
supplements, city or district) has to confirm or pay, and signed-off months
still to compute."""

from django.urls import reverse
from django.utils.translation import gettext as _

from dudao.core.workbench import Todo

from . import permissions
from .models import Statement
from .selectors.statements import months_to_compute

S = Statement.Status


def subsidy_todos(user) -> list[Todo]:
    todos = []
    url = reverse("subsidies:statement_list")
    orgs = sorted(permissions.paying_org_ids(user))
    if orgs:
        mine = Statement.objects.filter(kind=Statement.Kind.STATEMENT, payer_organization_id__in=orgs)
        todos.append(
            Todo(
                _("Subsidy statements to confirm"),
                mine.filter(status=S.COMPUTED).count(),
                f"{url}?kind=statement&status=computed",
                "warning",
            )
        )
        todos.append(
            Todo(
                _("Subsidy statements to pay"),
                mine.filter(status=S.CONFIRMED).count(),
                f"{url}?kind=statement&status=confirmed",
            )
        )
        todos.append(
            Todo(_("Signed-off months to compute"), months_to_compute(user).count(), reverse("subsidies:to_compute"))
        )
    lines = sorted(permissions.budget_line_ids(user))
    if lines:
        mine = Statement.objects.filter(kind=Statement.Kind.SUPPLEMENT, payer_jurisdiction_id__in=lines)
        todos.append(
            Todo(
                _("Government supplements to confirm"),
                mine.filter(status=S.COMPUTED).count(),
                f"{url}?kind=supplement&status=computed",
                "warning",
            )
        )
        todos.append(
            Todo(
                _("Government supplements to pay"),
                mine.filter(status=S.CONFIRMED).count(),
                f"{url}?kind=supplement&status=confirmed",
            )
        )
    return todos
