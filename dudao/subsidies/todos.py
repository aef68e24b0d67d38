"""Subsidy to-dos for the 工作台: statements the user's agency (or, for the
supplements, city or district) has to confirm or pay, and signed-off months
still to compute."""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core.workbench import Chart, Figure, Todo

from . import permissions
from .models import Statement
from .selectors.statements import months_to_compute
from .selectors.summary import summary

CENT = Decimal("0.01")

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


def figures(user) -> list:
    """This year's subsidy cost and hours, for whoever reads the subsidy figures
    (the read-only report behind them is subsidies:finance)."""
    if not permissions.read_nodes(user):
        return []
    year = timezone.localdate().year
    figures = summary(user, year)
    url = reverse("subsidies:finance") + f"?year={year}"
    outstanding = sum((line["outstanding"] for line in figures["budget_lines"]), Decimal(0))
    out = [
        Figure(_("Subsidy cost this year (yuan)"), figures["cost"].quantize(CENT), url),
        Figure(_("Confirmed supervision hours this year"), figures["hours"].quantize(CENT), url),
        Figure(_("Government supplements outstanding (yuan)"), outstanding.quantize(CENT), url),
    ]
    if figures["districts"]:
        out.append(
            Chart(
                "subsidy_cost",
                _("Subsidy cost per district this year (yuan)"),
                [r["name"] for r in figures["districts"]],
                [
                    (_("Subsidy statements"), [r["statement"] for r in figures["districts"]]),
                    (_("Government supplements"), [r["supplement"] for r in figures["districts"]]),
                ],
                url=url,
            )
        )
    return out
