from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.core.excel import workbook_bytes, xlsx_response
from dudao.core.forms import add_service_errors, form_errors_text, posted
from dudao.core.views import ListPage

from .. import permissions, selectors, services
from ..forms import (
    CloseRoundForm,
    RoundForm,
)
from ..models import Nomination

S = Nomination.Status


class RoundList(ListPage):
    template_name = "selection/round_list.html"
    table_template = "selection/_round_table.html"
    sort_fields = {"year": ("year",), "deadline": ("submission_deadline",)}
    default_sort = "-year"
    export_title = gettext_lazy("Nomination rounds")
    export_columns = [
        (gettext_lazy("Year"), lambda r: r.year),
        (gettext_lazy("Title"), lambda r: r.title),
        (gettext_lazy("Snapshot date"), lambda r: r.snapshot_date),
        (gettext_lazy("Submission deadline"), lambda r: r.submission_deadline),
        (gettext_lazy("Nominations"), lambda r: r.live_count),
        (gettext_lazy("Trainees"), lambda r: r.trainee_count),
    ]

    def get_queryset(self):
        return selectors.rounds_for(self.request.user).annotate(
            live_count=Count("nominations", distinct=True), trainee_count=Count("trainees", distinct=True)
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_create=permissions.can_manage_rounds(self.request.user), **kwargs)


@login_required
def round_create(request):
    city = selectors.round_jurisdiction_for(request.user)
    if city is None:
        raise PermissionDenied
    form = RoundForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.open_round(actor=request.user, jurisdiction=city, **form.cleaned_data)
            messages.success(request, _("The round is open."))
            return redirect("selection:round_detail", pk=round_.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "selection/round_form.html", {"form": form})


@login_required
def round_detail(request, pk):
    round_ = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    agencies = selectors.own_agencies_quotas(request.user, round_)
    summary = selectors.district_summary(round_, request.user) if permissions.reads_summaries(request.user) else []
    return render(
        request,
        "selection/round_detail.html",
        {
            "round": round_,
            "agencies": agencies,
            "summary": summary,
            "totals": _totals(summary),
            "is_city_admin": permissions.can_manage_rounds(request.user, round_.jurisdiction),
            "can_direct": permissions.can_nominate_anywhere(request.user),
            "lists": _lists(request.user, round_),
        },
    )


def _lists(user, round_):
    """The printable lists of the round the user may download: the city's, and one per district."""
    if not permissions.reads_round_lists(user):
        return None
    return {
        "city": permissions.reads_whole_round(user, round_),
        "districts": selectors.round_list_districts(user, round_),
    }


def _totals(summary):
    keys = ("certified", "quota", "nominated", "direct", "approved", "pending", "agencies")
    return {k: sum(row[k] for row in summary) for k in keys}


@login_required
def round_summary_export(request, pk):
    round_ = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    if not permissions.reads_summaries(request.user):
        raise PermissionDenied
    columns = [
        (_("District"), lambda r: r["district"]),
        (_("Agencies with certified staff"), lambda r: r["agencies"]),
        (_("Certified social workers"), lambda r: r["certified"]),
        (_("Quota"), lambda r: r["quota"]),
        (_("Quota nominations"), lambda r: r["nominated"]),
        (_("Direct entries"), lambda r: r["direct"]),
        (_("Awaiting review"), lambda r: r["pending"]),
        (_("Approved trainees"), lambda r: r["approved"]),
    ]
    title = _("District summary")
    return xlsx_response(
        f"{round_.title}-{title}.xlsx",
        workbook_bytes(title, columns, selectors.district_summary(round_, request.user), user=request.user),
    )


@login_required
@require_POST
def round_close(request, pk):
    round_ = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    if not permissions.can_manage_rounds(request.user, round_.jurisdiction):
        raise PermissionDenied
    form = CloseRoundForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("selection:round_detail", pk=round_.pk)
    try:
        services.close_round(actor=request.user, round_=round_, reason=form.cleaned_data["reason"])
        messages.success(request, _("The round is closed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("selection:round_detail", pk=round_.pk)
