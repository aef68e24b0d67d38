import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from dudao.directory.models import Organization, ServiceDomain

from .models import Activity, Cohort, Member, Module, Programme, Session, Survey
from .selectors import needing


class DateInput(forms.DateInput):
    input_type = "date"


class ProgrammeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="name", lookup_expr="icontains")
    trainer = django_filters.ModelChoiceFilter(
        label=_("Commissioned trainer"), queryset=Organization.objects.filter(type__code="trainer")
    )
    # The 工作台's to-dos open this list narrowed to what waits.
    needs = django_filters.ChoiceFilter(
        label=_("Waiting for"),
        method="by_need",
        choices=[
            ("attendance", _("Attendance of held sessions")),
            ("scores", _("Trainees' scores")),
            ("confirmation", _("The city's confirmation of results")),
        ],
    )

    class Meta:
        model = Programme
        fields = ["q", "trainer", "needs"]

    def by_need(self, queryset, name, value):
        return needing(queryset, value) if value else queryset


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="title", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Activity.Kind.choices)
    domain = django_filters.ModelChoiceFilter(
        label=_("Service domain"), queryset=ServiceDomain.objects.filter(is_active=True)
    )
    since = django_filters.DateFilter(label=_("From"), field_name="held_on", lookup_expr="gte", widget=DateInput())
    until = django_filters.DateFilter(label=_("To"), field_name="held_on", lookup_expr="lte", widget=DateInput())
    is_plan = django_filters.BooleanFilter(label=_("Planned (not yet held)"))

    class Meta:
        model = Activity
        fields = ["q", "kind", "domain", "since", "until", "is_plan"]


# The API's filters narrow a scoped list to one programme or cohort. Plain
# numbers, not model choices: a record outside the scope reads as no match,
# not as "does not exist" versus an empty list.


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A record's ID: a whole number in the database's range (a huge or
    fractional value is a 400, not an overflow in the query)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class ModuleFilter(django_filters.FilterSet):
    programme = IdFilter(field_name="programme_id")

    class Meta:
        model = Module
        fields = ["programme", "kind", "is_ethics"]


class CohortFilter(django_filters.FilterSet):
    programme = IdFilter(field_name="programme_id")
    round = IdFilter(field_name="round_id")

    class Meta:
        model = Cohort
        fields = ["programme", "round"]


class SessionFilter(django_filters.FilterSet):
    programme = IdFilter(field_name="cohort__programme_id")
    cohort = IdFilter(field_name="cohort_id")
    module = IdFilter(field_name="module_id")

    class Meta:
        model = Session
        fields = ["programme", "cohort", "module"]


class MemberFilter(django_filters.FilterSet):
    programme = IdFilter(field_name="cohort__programme_id")
    cohort = IdFilter(field_name="cohort_id")

    class Meta:
        model = Member
        fields = ["programme", "cohort"]


class SurveyFilter(django_filters.FilterSet):
    programme = IdFilter(field_name="programme_id")

    class Meta:
        model = Survey
        fields = ["programme"]
