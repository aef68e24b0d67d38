import django_filters
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from dudao.accounts.scopes import scope_for
from dudao.core.crypto import blind_indexes
from dudao.core.widgets import SearchSelect
from dudao.directory.filters import JurisdictionFilterMixin
from dudao.directory.models import Jurisdiction, Organization
from dudao.directory.selectors import filter_jurisdictions, managed_q, organizations_for

from .models import Nomination, Round, Trainee
from .selectors import rounds_for


class NominationFilter(JurisdictionFilterMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    round = django_filters.ModelChoiceFilter(label=_("Round"), queryset=Round.objects.all())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Nomination.Status.choices)
    path = django_filters.ChoiceFilter(label=_("Path"), choices=Nomination.Path.choices)
    jurisdiction = django_filters.ModelChoiceFilter(
        label=_("District"), queryset=Jurisdiction.objects.filter(is_active=True), method="in_jurisdiction"
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("Nominating unit"),
        queryset=Organization.objects.none(),
        widget=SearchSelect(reverse_lazy("directory:organization_choices")),
    )

    class Meta:
        model = Nomination
        fields = ["q", "round", "status", "path", "jurisdiction", "organization"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self._limit_jurisdictions(request)
        if request is not None:
            # Only the units the user may see are accepted; the picker searches them.
            self.filters["organization"].queryset = organizations_for(request.user)
            self.filters["round"].queryset = rounds_for(request.user)

    def search(self, queryset, name, value):
        """A nominee's name, or their full ID number among people the user manages."""
        value = value.strip()[:64]
        if not value:
            return queryset
        condition = Q(person__name__contains=value)
        managed = managed_q(scope_for(self.request.user), "person__") if self.request is not None else None
        if managed is not None:
            hashes = blind_indexes(value.upper(), purpose="person.id_number")
            condition |= Q(person__id_number_hash__in=hashes) & managed
        return queryset.filter(condition)


class TraineeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="person_name", lookup_expr="contains")
    round = django_filters.ModelChoiceFilter(label=_("Round"), queryset=Round.objects.all())
    path = django_filters.ChoiceFilter(label=_("Path"), choices=Nomination.Path.choices, field_name="nomination__path")
    jurisdiction = django_filters.ModelChoiceFilter(
        label=_("District"), queryset=Jurisdiction.objects.filter(is_active=True), method="in_jurisdiction"
    )

    class Meta:
        model = Trainee
        fields = ["q", "round", "path", "jurisdiction"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["jurisdiction"].queryset = (
            filter_jurisdictions(request.user) if request is not None else Jurisdiction.objects.none()
        )
        # Only the rounds of the user's city are offered (and accepted).
        self.filters["round"].queryset = rounds_for(request.user) if request is not None else Round.objects.none()

    @extend_schema_field(OpenApiTypes.INT)
    def in_jurisdiction(self, queryset, name, value):
        return queryset.filter(**{f"scope_j{value.depth}": value.pk}) if value else queryset
