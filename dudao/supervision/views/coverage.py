"""Need against supply (agency, district, city), ranked candidates, and the
city-wide supervisor directory."""

import math

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.core import paging
from dudao.core.views import ListPage

from .. import matching, permissions
from .. import need as need_rules
from ..coverage_filters import CoverageFilter, DirectoryFilter, StaffFilter
from ..models import SuperviseeType
from ..selectors import coverage as selectors
from ..services import coverage as coverage_service

CHUNK = 500


def _chunks(queryset, size=CHUNK):
    """Rows of an export in chunks, so that what each row needs beyond the
    query (types, hours, capacity) costs a few queries per chunk, not per row."""
    chunk = []
    for row in queryset.iterator(chunk_size=size):
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _names(values) -> str:
    return "、".join(values) or "—"


# --- district and city: coverage per agency, per district --------------------------------


class CoverageList(ListPage):
    """A district's agencies worst first; a city (or hrss) sees its districts'
    totals and a chart above the same list, and drills into a district."""

    template_name = "supervision/coverage/coverage.html"
    table_template = "supervision/coverage/_coverage_table.html"
    filterset_class = CoverageFilter
    sort_fields = {
        "shortfall": ("shortfall", "organization_id"),
        "uncovered": ("uncovered", "organization_id"),
        "need": ("need_hours", "organization_id"),
    }
    default_sort = "-shortfall"
    export_title = gettext_lazy("Supervision coverage")
    export_columns = [
        (gettext_lazy("Organisation"), lambda c: c.organization.name),
        (gettext_lazy("District"), lambda c: c.organization.jurisdiction.district_label),
        (gettext_lazy("Month"), lambda c: c.month.strftime("%Y-%m")),
        (gettext_lazy("Staff"), lambda c: c.staff),
        (gettext_lazy("Hours needed per month"), lambda c: c.need_hours),
        (gettext_lazy("Hours agreed per month"), lambda c: c.supply_hours),
        (gettext_lazy("Internal hours agreed"), lambda c: c.internal_hours),
        (gettext_lazy("Hours received this month"), lambda c: c.received_hours),
        (gettext_lazy("Staff not covered"), lambda c: c.uncovered),
        (gettext_lazy("Shortfall (hours)"), lambda c: c.shortfall),
    ]

    def get(self, request, *args, **kwargs):
        if not permissions.coverage_nodes(request.user):
            managed = sorted(permissions.managed_org_ids(request.user))
            if managed:
                # An agency's coverage is its own page.
                return redirect("supervision:agency_coverage", pk=managed[0])
            raise PermissionDenied(_("Supervision coverage is for agencies, districts and the city."))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.coverage_rows_for(self.request.user)

    def get_context_data(self, **kwargs):
        totals = selectors.district_totals(self.request.user)
        return super().get_context_data(district_totals=totals, **kwargs)


# --- an agency: need against supply, staff by staff -------------------------------------


class TypeForm(forms.Form):
    type = forms.ChoiceField(
        label=gettext_lazy("Supervisee type"),
        required=False,
        choices=[("", gettext_lazy("As the data says"))] + list(SuperviseeType.choices),
    )


class AgencyCoverage(ListPage):
    template_name = "supervision/coverage/agency.html"
    table_template = "supervision/coverage/_staff_table.html"
    filterset_class = StaffFilter
    sort_fields = {"name": ("name",)}
    default_sort = "name"
    export_title = gettext_lazy("Supervision of staff")
    export_columns = [
        (gettext_lazy("Name"), lambda line: line.person.name),
        (gettext_lazy("Supervisee type"), lambda line: line.type_display),
        (gettext_lazy("Covered by"), lambda line: _names(line.covered_by)),
        (gettext_lazy("Hours needed this month"), lambda line: line.need_month),
        (gettext_lazy("Hours received this month"), lambda line: line.received_month),
        (gettext_lazy("Hours needed this year"), lambda line: line.need_year),
        (gettext_lazy("Hours received this year"), lambda line: line.received_year),
    ]

    def get(self, request, *args, **kwargs):
        self.organization = selectors.organization_for(request.user, kwargs["pk"])
        self.need = need_rules.need_of(self.organization)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        staff = selectors.staff_of(self.organization)
        if self.request.GET.get("uncovered") == "true":
            # The 工作台's to-do: the staff who need supervision and have none agreed.
            staff = staff.filter(pk__in=need_rules.uncovered_staff_ids(self.need))
        return staff

    def decorate(self, rows):
        return self.need.lines(rows)

    def export_table(self, queryset):
        def rows():
            for chunk in _chunks(queryset):
                yield from self.need.lines(chunk)

        return str(self.export_title), self.export_columns, rows()

    def get_context_data(self, **kwargs):
        manages = permissions.manages_organization(self.request.user, self.organization.pk)
        return super().get_context_data(
            organization=self.organization,
            need=self.need,
            manages=manages,
            type_choices=TypeForm.base_fields["type"].choices,
            rate_lines=[(SuperviseeType(code).label, hours) for code, hours in self.need.rates.items()],
            **kwargs,
        )


@login_required
@require_POST
def supervisee_type(request, pk, person_pk):
    organization = selectors.organization_for(request.user, pk)
    if not permissions.manages_organization(request.user, organization.pk):
        raise PermissionDenied(_("Only the agency sets its staff's supervisee types."))
    person = get_object_or_404(selectors.staff_of(organization), pk=person_pk)
    form = TypeForm(request.POST)
    if form.is_valid():
        try:
            kind = coverage_service.set_supervisee_type(
                actor=request.user, person=person, type=form.cleaned_data["type"]
            )
            messages.success(
                request,
                _("%(name)s is now counted as %(type)s.") % {"name": person.name, "type": SuperviseeType(kind).label},
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Choose one of the supervisee types."))
    return redirect("supervision:agency_coverage", pk=organization.pk)


# --- an agency: ranked candidates ----------------------------------------------------------


CANDIDATES_PER_PAGE = 20


def _engagement_new_url() -> str:
    # The engagements area owns the page; its path is fixed by the supervision contract.
    try:
        return reverse("supervision:engagement_new")
    except NoReverseMatch:
        return "/supervision/engagements/new/"


@login_required
def candidates(request, pk):
    organization = selectors.organization_for(request.user, pk)
    if not permissions.manages_organization(request.user, organization.pk):
        raise PermissionDenied(_("Only the agency itself hires supervisors for it."))
    ranking = matching.candidates(organization=organization)
    number = paging.page_number(request.GET.get("page"), CANDIDATES_PER_PAGE)
    last = max(1, math.ceil(len(ranking.candidates) / CANDIDATES_PER_PAGE))
    number = min(number, last)
    start = (number - 1) * CANDIDATES_PER_PAGE
    page = paging.Page(
        ranking.candidates[start : start + CANDIDATES_PER_PAGE],
        number=number,
        per_page=CANDIDATES_PER_PAGE,
        has_next=start + CANDIDATES_PER_PAGE < len(ranking.candidates),
        total=paging.Count(len(ranking.candidates), True),
    )
    return render(
        request,
        "supervision/coverage/candidates.html",
        {
            "organization": organization,
            "ranking": ranking,
            "page_obj": page,
            "first_place": start + 1,
            "querystring": "",
            "engagement_new_url": _engagement_new_url(),
        },
    )


# --- the city-wide supervisor directory -------------------------------------------------


def _domains(entry) -> str:
    return _names([d.name for d in entry.domains.all()])


class SupervisorDirectory(ListPage):
    """Available supervisors of the city pool and of the district pools of the
    user's city: public fields only (never the ID number or the phone)."""

    template_name = "supervision/coverage/directory.html"
    table_template = "supervision/coverage/_directory_table.html"
    filterset_class = DirectoryFilter
    sort_fields = {"number": ("entry_number",), "name": ("person__name", "entry_number")}
    default_sort = "number"
    export_title = gettext_lazy("Supervisors available for hire")
    export_columns = [
        (gettext_lazy("Entry number"), lambda e: e.entry_number),
        (gettext_lazy("Name"), lambda e: e.person.name),
        (gettext_lazy("Level"), lambda e: e.get_level_display()),
        (gettext_lazy("Pool"), lambda e: e.jurisdiction.name),
        (gettext_lazy("Home district"), lambda e: e.home_district.district_label),
        (gettext_lazy("Service domains"), _domains),
        (gettext_lazy("Spare hours per month"), lambda e: e.capacity.spare_hours),
        (gettext_lazy("Spare supervisee places"), lambda e: e.capacity.spare_supervisees),
        (gettext_lazy("Evaluation grade"), lambda e: e.grade if e.grade is not None else _("No evaluation yet")),
    ]

    def get(self, request, *args, **kwargs):
        if not permissions.uses_directory(request.user):
            raise PermissionDenied(_("The supervisor directory is for agencies, districts and the city."))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.directory_for(self.request.user)

    def decorate(self, rows):
        return selectors.with_capacity(rows)

    def export_table(self, queryset):
        def rows():
            for chunk in _chunks(queryset):
                yield from selectors.with_capacity(chunk)

        return str(self.export_title), self.export_columns, rows()


urlpatterns = [
    path("coverage/", CoverageList.as_view(), name="coverage"),
    path("coverage/organizations/<int:pk>/", AgencyCoverage.as_view(), name="agency_coverage"),
    path("coverage/organizations/<int:pk>/candidates/", candidates, name="candidates"),
    path("coverage/organizations/<int:pk>/staff/<int:person_pk>/type/", supervisee_type, name="supervisee_type"),
    path("supervisors/", SupervisorDirectory.as_view(), name="supervisor_directory"),
]
