"""Finance's page: a year's statements and payments, the government
supplements against each budget line, and the cost per confirmed supervision
hour by district and pool level, with a chart and an Excel export."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core.excel import workbook_bytes, xlsx_response

from .. import permissions
from ..selectors.summary import summary


def _year(raw) -> int:
    this = timezone.localdate().year
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return this
    return year if 2000 <= year <= this + 1 else this


@login_required
def finance(request):
    if not permissions.read_nodes(request.user):
        raise PermissionDenied(_("Your role does not read the subsidy figures."))
    year = _year(request.GET.get("year"))
    figures = summary(request.user, year)
    if request.GET.get("export") == "xlsx":
        columns = [
            (_("Group"), lambda r: r["group"]),
            (_("Name"), lambda r: r["name"]),
            (_("Confirmed hours"), lambda r: r.get("hours", "")),
            (_("Subsidy statements (yuan)"), lambda r: r.get("statement", "")),
            (_("Government supplements (yuan)"), lambda r: r.get("supplement", "")),
            (_("Cost (yuan)"), lambda r: r.get("cost", "")),
            (_("Cost per confirmed hour (yuan)"), lambda r: r.get("per_hour") or ""),
            (_("Owed (yuan)"), lambda r: r.get("owed", "")),
            (_("Paid (yuan)"), lambda r: r.get("paid", "")),
            (_("Outstanding (yuan)"), lambda r: r.get("outstanding", "")),
        ]
        rows = [{"group": _("District"), **r} for r in figures["districts"]] + [
            {"group": _("Pool level"), **r} for r in figures["levels"]
        ]
        rows += [{"group": _("Budget line"), **b} for b in figures["budget_lines"]]
        title = _("Subsidy figures %(year)s") % {"year": year}
        return xlsx_response(f"{title}.xlsx", workbook_bytes(title, columns, rows, user=request.user))
    chart = [
        {"name": r["name"], "per_hour": str(r["per_hour"] or 0), "cost": str(r["cost"])} for r in figures["districts"]
    ]
    return render(
        request,
        "subsidies/finance.html",
        {"figures": figures, "chart": chart, "years": range(timezone.localdate().year, 2019, -1)},
    )


urlpatterns = [path("finance/", finance, name="finance")]
