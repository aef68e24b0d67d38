"""Pages of the evaluation cycles: the list, opening one, a cycle with the
progress of its computation, the evaluations with their indicators, the
supervisees' service results (entry and import) and HR&SS's grade statistics."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.core.excel import workbook_bytes, xlsx_response
from dudao.core.forms import add_service_errors, bootstrap, posted
from dudao.core.views import ListPage
from dudao.directory.models import Jurisdiction, Organization, Person
from dudao.pools.models import Entry
from dudao.subsidies.selectors.summary import summary as subsidy_summary

from .. import permissions
from ..cycle_filters import CycleFilter, EvaluationFilter, ServiceResultFilter
from ..models import Cycle, Grade
from ..selectors import cycles as selectors
from ..services import cycles as services
from ..services import service_results

YEARS_BACK = 5


def _reader(user):
    if not permissions.reads_evaluation(user):
        raise PermissionDenied(_("Evaluation is read by the pools' keepers and HR&SS."))


def _percent(cycle):
    if cycle.status == Cycle.Status.COMPUTING:
        return min(99, cycle.progress_done * 100 // cycle.progress_total) if cycle.progress_total else None
    return 100 if cycle.computed_at else 0


# --- cycles ------------------------------------------------------------------------------


class CycleList(ListPage):
    template_name = "evaluation/cycles/cycle_list.html"
    table_template = "evaluation/cycles/_cycle_table.html"
    filterset_class = CycleFilter
    sort_fields = {"year": ("year", "owner__path"), "status": ("status", "year")}
    default_sort = "-year"
    export_title = gettext_lazy("Evaluation cycles")
    export_columns = [
        (gettext_lazy("Year"), lambda c: c.year),
        (gettext_lazy("Title"), lambda c: c.title),
        (gettext_lazy("Owner"), lambda c: c.owner.name),
        (gettext_lazy("Pool"), lambda c: c.get_level_display()),
        (gettext_lazy("Deadline for party scores"), lambda c: c.scoring_deadline),
        (gettext_lazy("Deadline for review"), lambda c: c.review_deadline),
        (gettext_lazy("Status"), lambda c: c.get_status_display()),
    ]

    def get(self, request, *args, **kwargs):
        _reader(request.user)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.cycles_for(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_open=permissions.opens_cycles(self.request.user), **kwargs)


class CycleForm(forms.Form):
    owner = forms.ModelChoiceField(label=gettext_lazy("Pool of"), queryset=Jurisdiction.objects.none())
    year = forms.IntegerField(label=gettext_lazy("Year evaluated"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    scoring_deadline = forms.DateField(
        label=gettext_lazy("Deadline for party scores"), widget=forms.DateInput(attrs={"type": "date"})
    )
    review_deadline = forms.DateField(
        label=gettext_lazy("Deadline for review"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        bootstrap(self)


def _owners(user):
    return Jurisdiction.objects.filter(pk__in=[n.id for n in permissions.keeping_nodes(user)]).order_by("path")


@login_required
def cycle_new(request):
    if not permissions.opens_cycles(request.user):
        raise PermissionDenied(_("Only the keeper of a pool opens its evaluation cycle."))
    owners = _owners(request.user)
    initial = {}
    if (first := owners.first()) is not None:
        today = timezone.localdate()
        scoring, review = services.default_deadlines(first, today)
        # In the first months the cycle usually evaluates the year just ended.
        year = today.year - 1 if today.month <= 3 else today.year
        initial = {
            "owner": first,
            "year": year,
            "title": _("Annual evaluation of supervisors %(year)s") % {"year": year},
            "scoring_deadline": scoring,
            "review_deadline": review,
        }
    form = CycleForm(posted(request), owners=owners, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        level = Entry.Level.CITY if d["owner"].is_city_level else Entry.Level.DISTRICT
        try:
            cycle = services.open_cycle(actor=request.user, level=level, **d)
            messages.success(request, _("The cycle is open. Compute the indicators when the year's data is in."))
            return redirect("evaluation:cycle_detail", pk=cycle.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "evaluation/cycles/cycle_form.html", {"form": form})


def _visible_cycle(request, pk):
    _reader(request.user)
    return get_object_or_404(selectors.cycles_for(request.user), pk=pk)


@login_required
def cycle_detail(request, pk):
    cycle = _visible_cycle(request, pk)
    context = {
        "cycle": cycle,
        "percent": _percent(cycle),
        "manages": permissions.manages_cycle(request.user, cycle),
        "computable": cycle.status in (Cycle.Status.DRAFT, Cycle.Status.SCORING),
        "evaluations": selectors.evaluations_for(request.user, cycle).count(),
    }
    template = "evaluation/cycles/_progress.html" if request.htmx else "evaluation/cycles/cycle_detail.html"
    return render(request, template, context)


@login_required
@require_POST
def cycle_compute(request, pk):
    cycle = _visible_cycle(request, pk)
    try:
        services.compute(actor=request.user, cycle=cycle)
        messages.success(request, _("The indicators are being computed; this page shows the progress."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("evaluation:cycle_detail", pk=cycle.pk)


# --- evaluations -------------------------------------------------------------------------


def _indicator(key):
    return lambda e: e.indicators.get(key)


class EvaluationList(ListPage):
    template_name = "evaluation/cycles/evaluation_list.html"
    table_template = "evaluation/cycles/_evaluation_table.html"
    filterset_class = EvaluationFilter
    sort_fields = {
        "name": ("person__name",),
        "indicators": ("indicator_part", "person__name"),
        "score": ("score", "person__name"),
        "agency": ("home_organization__name", "person__name"),
    }
    default_sort = "name"
    export_title = gettext_lazy("Evaluations")
    export_columns = [
        (gettext_lazy("Cycle"), lambda e: e.cycle.title),
        (gettext_lazy("Entry number"), lambda e: e.entry.entry_number),
        (gettext_lazy("Supervisor"), lambda e: e.person.name),
        (gettext_lazy("Home agency"), lambda e: e.home_organization.name if e.home_organization else ""),
        (gettext_lazy("Supervision hours"), _indicator("service_hours")),
        (gettext_lazy("Practice hours"), _indicator("practice_hours")),
        (gettext_lazy("Satisfaction"), _indicator("satisfaction")),
        (gettext_lazy("Ratings"), _indicator("ratings")),
        (gettext_lazy("Ability gain"), _indicator("ability_gain")),
        (gettext_lazy("Training hours"), _indicator("training_hours")),
        (gettext_lazy("Service results"), _indicator("service_results")),
        (gettext_lazy("Indicator part"), lambda e: e.indicator_part),
        (gettext_lazy("Party part"), lambda e: e.party_part),
        (gettext_lazy("Score"), lambda e: e.score),
        (gettext_lazy("Grade"), lambda e: e.get_grade_display()),
        (gettext_lazy("Status"), lambda e: e.get_status_display()),
    ]

    def get(self, request, *args, **kwargs):
        _reader(request.user)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.evaluations_for(self.request.user)

    def get_context_data(self, **kwargs):
        cycle_id = self.request.GET.get("cycle", "")
        cycle = selectors.cycles_for(self.request.user).filter(pk=cycle_id).first() if cycle_id.isdigit() else None
        return super().get_context_data(cycle=cycle, **kwargs)


# --- service results ---------------------------------------------------------------------


class ServiceResultList(ListPage):
    template_name = "evaluation/cycles/service_result_list.html"
    table_template = "evaluation/cycles/_service_result_table.html"
    filterset_class = ServiceResultFilter
    sort_fields = {"year": ("year", "person__name"), "name": ("person__name", "year"), "score": ("score", "year")}
    default_sort = "-year"
    export_title = gettext_lazy("Service evaluation results")
    export_columns = [
        (gettext_lazy("Year"), lambda r: r.year),
        (gettext_lazy("Name"), lambda r: r.person.name),
        (gettext_lazy("Agency"), lambda r: r.organization.name if r.organization else ""),
        (gettext_lazy("Service evaluation result"), lambda r: r.score),
    ]

    def get(self, request, *args, **kwargs):
        if not (permissions.enters_results(request.user) or permissions.reads_evaluation(request.user)):
            raise PermissionDenied(_("Service results are kept by agencies and authorities."))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.service_results_for(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_enter=permissions.enters_results(self.request.user), **kwargs)


def _year_choices():
    this = timezone.localdate().year
    return [(y, str(y)) for y in range(this, this - YEARS_BACK, -1)]


class ServiceResultForm(forms.Form):
    person = forms.ModelChoiceField(label=gettext_lazy("Member of staff"), queryset=Person.objects.none())
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, choices=())
    score = forms.DecimalField(
        label=gettext_lazy("Service evaluation result"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["year"].choices = _year_choices()
        bootstrap(self)


class SheetForm(forms.Form):
    organization = forms.ModelChoiceField(label=gettext_lazy("Agency"), queryset=Organization.objects.none())
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, choices=())
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["year"].choices = _year_choices()
        bootstrap(self)


def _organizations(user):
    from dudao.core.scoping import nodes_q

    q = nodes_q(permissions.result_nodes(user))
    orgs = Organization.objects.filter(pk__in=permissions.result_org_ids(user))
    if q is not None:
        orgs = orgs | Organization.objects.filter(q)
    return orgs.filter(is_active=True).order_by("name", "pk")


def _people(user):
    return Person.objects.filter(employer__in=_organizations(user), employed=True).order_by("name", "pk")


def _enterer(user):
    if not permissions.enters_results(user):
        raise PermissionDenied(_("Only an agency or an authority enters service results."))


@login_required
def service_result_new(request):
    _enterer(request.user)
    form = ServiceResultForm(posted(request), people=_people(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            service_results.record(actor=request.user, **form.cleaned_data)
            messages.success(request, _("The result is recorded."))
            return redirect("evaluation:service_result_list")
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "evaluation/cycles/service_result_form.html", {"form": form})


@login_required
def service_result_import(request):
    _enterer(request.user)
    form = SheetForm(posted(request), request.FILES or None, organizations=_organizations(request.user))
    errors, done = [], None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            done = service_results.import_sheet(
                actor=request.user, organization=d["organization"], year=d["year"], file=d["file"]
            )
        except service_results.ImportRejected as exc:
            errors = exc.errors
    return render(
        request, "evaluation/cycles/service_result_import.html", {"form": form, "errors": errors, "done": done}
    )


@login_required
def service_result_template(request, pk):
    _enterer(request.user)
    organization = get_object_or_404(_organizations(request.user), pk=pk)
    return xlsx_response(
        _("Service evaluation results template") + ".xlsx", service_results.template_file(organization)
    )


# --- HR&SS: grade statistics -------------------------------------------------------------


def _report_year(request):
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


@login_required
def report(request):
    _reader(request.user)
    year = _report_year(request)
    data = selectors.grade_distribution(request.user, year=year)
    labels = [str(Grade(g).label) for g in data["grades"]]
    levels = dict(Entry.Level.choices)
    by_level = [dict(row, name=str(levels.get(row["key"][0], row["key"][0]))) for row in data["by_level"]]
    by_district = [dict(row, name=row["key"][1] or _("No agency")) for row in data["by_district"]]
    by_agency = [dict(row, name=row["key"][1] or _("No agency")) for row in data["by_agency"]]
    subsidies = subsidy_summary(request.user, year)
    if request.GET.get("export") == "xlsx":
        return _report_export(request.user, labels, by_district, by_agency, by_level, subsidies)
    chart = {"labels": labels, "rows": [{"name": r["name"], "counts": r["counts"]} for r in by_district]}
    return render(
        request,
        "evaluation/cycles/report.html",
        {
            "year": year,
            "years": [y for y, _label in _year_choices()],
            "labels": labels,
            "by_district": by_district,
            "by_agency": by_agency,
            "by_level": by_level,
            "chart": chart,
            # 五(一): HR&SS watches the incentives beside the grades (the subsidies app's figures).
            "subsidies": subsidies,
        },
    )


def _subsidy(key):
    return lambda row: row[1].get(key, "") if len(row) > 2 else ""


def _report_export(user, labels, by_district, by_agency, by_level, subsidies) -> HttpResponse:
    """The grade counts by district, agency and pool level, then the subsidy
    figures by the same groups (rows marked as subsidies): HR&SS's page in one sheet."""
    rows = [(_("District"), r) for r in by_district] + [(_("Agency"), r) for r in by_agency]
    rows += [(_("Pool"), r) for r in by_level]
    grades = len(labels)
    rows += [(_("Subsidies by district"), r, True) for r in subsidies["districts"]]
    rows += [(_("Subsidies by agency"), r, True) for r in subsidies["agencies"]]
    rows += [(_("Subsidies by pool level"), r, True) for r in subsidies["levels"]]

    def count(i):
        return lambda row: row[1]["counts"][i] if len(row) == 2 else ""

    columns = [
        (_("By"), lambda row: row[0]),
        (_("Name"), lambda row: row[1]["name"]),
        *[(label, count(i)) for i, label in zip(range(grades), labels, strict=True)],
        (_("Total"), lambda row: row[1]["total"] if len(row) == 2 else ""),
        (_("Confirmed hours"), _subsidy("hours")),
        (_("Statements (yuan)"), _subsidy("statement")),
        (_("Government supplements (yuan)"), _subsidy("supplement")),
        (_("Cost per hour (yuan)"), lambda row: (row[1].get("per_hour") or "") if len(row) > 2 else ""),
    ]
    title = _("Evaluation grades")
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", workbook_bytes(title, columns, rows, user=user))


urlpatterns = [
    path("cycles/", CycleList.as_view(), name="cycle_list"),
    path("cycles/new/", cycle_new, name="cycle_new"),
    path("cycles/<int:pk>/", cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/compute/", cycle_compute, name="cycle_compute"),
    path("evaluations/", EvaluationList.as_view(), name="evaluation_list"),
    path("service-results/", ServiceResultList.as_view(), name="service_result_list"),
    path("service-results/new/", service_result_new, name="service_result_new"),
    path("service-results/import/", service_result_import, name="service_result_import"),
    path("service-results/template/<int:pk>/", service_result_template, name="service_result_template"),
    path("report/", report, name="report"),
]
