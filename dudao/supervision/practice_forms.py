"""Filters and forms of practice hours and ability assessments, shared by the
pages and the API."""

import datetime as dt
from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from dudao.core.forms import BootstrapMixin
from dudao.directory.models import Organization
from dudao.directory.selectors import organizations_for

from . import permissions
from .models import Assessment, PracticeLog

FIRST_YEAR, LAST_YEAR = 2018, 2100


class DateInput(forms.DateInput):
    input_type = "date"


def practice_organizations(request):
    """The organisations a user's practice list can be narrowed to."""
    user = getattr(request, "user", None)
    if user is None:
        return Organization.objects.none()
    conditions = []
    supervisor_id = permissions.supervisor_person_id(user)
    if supervisor_id is not None:
        logged = PracticeLog.objects.filter(supervisor_id=supervisor_id).values("organization_id")
        conditions.append(Q(pk__in=logged))
    if managed := permissions.managed_org_ids(user):
        conditions.append(Q(pk__in=managed))
    if permissions.coverage_nodes(user):
        conditions.append(Q(pk__in=organizations_for(user).values("pk")))
    if not conditions:
        return Organization.objects.none()
    return Organization.objects.filter(reduce(or_, conditions)).order_by("name", "pk")


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.NumberFilter):
    """A calendar year: a whole number (2026.5 is refused, not rounded)."""

    field_class = forms.IntegerField


class PracticeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PracticeLog.Status.choices)
    year = YearFilter(label=_("Year"), field_name="date", lookup_expr="year", min_value=FIRST_YEAR, max_value=LAST_YEAR)
    organization = django_filters.ModelChoiceFilter(label=_("Organisation"), queryset=practice_organizations)

    class Meta:
        model = PracticeLog
        fields = ["status", "year", "organization"]


class AssessmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Supervisee"), field_name="supervisee__name", lookup_expr="contains")
    year = YearFilter(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    phase = django_filters.ChoiceFilter(label=_("Phase"), choices=Assessment.Phase.choices)

    class Meta:
        model = Assessment
        fields = ["q", "year", "phase"]


class PracticeLogForm(BootstrapMixin, forms.Form):
    organization = forms.ModelChoiceField(label=_("Organisation where the practice took place"), queryset=None)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    hours = forms.DecimalField(label=_("Hours"), max_digits=4, decimal_places=1, min_value=0.1, max_value=24)
    description = forms.CharField(label=_("Description"), max_length=300)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class RejectForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for rejecting"), max_length=300)


class AssessmentForm(BootstrapMixin, forms.Form):
    """One radio row of 1–5 per competency item (policy data)."""

    # Chosen above the form (its supervisees and items depend on it), carried here.
    engagement = forms.ModelChoiceField(label=_("Engagement"), queryset=None, widget=forms.HiddenInput)
    supervisee = forms.ModelChoiceField(label=_("Supervisee"), queryset=None)
    phase = forms.ChoiceField(label=_("Phase"), choices=Assessment.Phase.choices)
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput())

    SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]

    def __init__(self, *args, engagements, supervisees, items, **kwargs):
        kwargs.setdefault("initial", {})
        today = timezone.localdate()
        kwargs["initial"].setdefault("year", today.year)
        kwargs["initial"].setdefault("assessed_on", today)
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = engagements
        self.fields["supervisee"].queryset = supervisees
        self.items = list(items)
        for index, item in enumerate(self.items):
            self.fields[f"item_{index}"] = forms.TypedChoiceField(
                label=item,
                choices=self.SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )

    def head_fields(self):
        return [self[name] for name in ("supervisee", "phase", "year", "assessed_on")]

    def item_fields(self):
        return [self[f"item_{index}"] for index in range(len(self.items))]

    def scores(self) -> dict:
        return {item: self.cleaned_data[f"item_{index}"] for index, item in enumerate(self.items)}


def parse_month(value: str | None) -> dt.date:
    """The first day of a YYYY-MM month; this month when absent or malformed."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if FIRST_YEAR <= year <= LAST_YEAR:
            return dt.date(year, month, 1)
    except ValueError:
        pass
    return timezone.localdate().replace(day=1)
