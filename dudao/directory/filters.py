import django_filters
from django.db import connections
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, Value
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from dudao.core.crypto import blind_indexes
from dudao.core.scoping import scope_for
from dudao.core.widgets import SearchSelect

from .models import (
    Certificate,
    CertificateLevel,
    EducationLevel,
    Jurisdiction,
    Organization,
    OrganizationType,
    Person,
    ServiceDomain,
)
from .selectors import filter_jurisdictions, managed_q, organizations_for


class NameHasBigram(Func):
    """`dudao_bigrams(name) @> ARRAY[value]`: the name holds this two-character
    substring, answered by the GIN index of migration 0009 (PostgreSQL only)."""

    arg_joiner = ") @> ARRAY["
    template = "dudao_bigrams(%(expressions)s]::text[]"
    output_field = BooleanField()

    def __init__(self, value: str):
        super().__init__(F("name"), Value(value))


class JurisdictionFilterMixin:
    """The district filter: offered within what the user reads (hidden when
    that is one organisation or one person), matched on the stored chain so
    it is an index range at any depth (dudao.core.scoping)."""

    def _limit_jurisdictions(self, request):
        choices = filter_jurisdictions(request.user) if request is not None else Jurisdiction.objects.none()
        self.filters["jurisdiction"].queryset = choices

    @extend_schema_field(OpenApiTypes.INT)
    def in_jurisdiction(self, queryset, name, value):
        return queryset.filter(**{f"scope_j{value.depth}": value.pk}) if value else queryset


class OrganizationFilter(JurisdictionFilterMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    jurisdiction = django_filters.ModelChoiceFilter(
        label=_("District"), queryset=Jurisdiction.objects.filter(is_active=True), method="in_jurisdiction"
    )
    type = django_filters.ModelChoiceFilter(label=_("Type"), queryset=OrganizationType.objects.filter(is_active=True))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Organization
        fields = ["q", "jurisdiction", "type", "is_active"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self._limit_jurisdictions(request)

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__iexact=value)) if value else queryset


class PersonFilter(JurisdictionFilterMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        help_text=_("Part of a name, or a full ID number or phone number."),
    )
    jurisdiction = django_filters.ModelChoiceFilter(
        label=_("District"), queryset=Jurisdiction.objects.filter(is_active=True), method="in_jurisdiction"
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        queryset=Organization.objects.none(),
        method="at_organization",
        widget=SearchSelect(reverse_lazy("directory:organization_choices")),
    )
    organization_type = django_filters.ModelChoiceFilter(
        label=_("Organisation type"),
        queryset=OrganizationType.objects.filter(is_active=True),
        method="at_organization_type",
    )
    certificate_level = django_filters.ModelChoiceFilter(
        label=_("Certificate level"),
        queryset=CertificateLevel.objects.filter(is_active=True),
        method="with_certificate",
    )
    domain = django_filters.ModelChoiceFilter(
        label=_("Service domain"), queryset=ServiceDomain.objects.filter(is_active=True), method="in_domain"
    )
    education = django_filters.ModelChoiceFilter(
        label=_("Education"), queryset=EducationLevel.objects.filter(is_active=True)
    )
    # Applied by the views (selectors.by_employment) so that "current" is also the default without a filter.
    employment = django_filters.ChoiceFilter(
        label=_("Employment"),
        choices=[("current", _("Current staff")), ("former", _("Former staff")), ("all", _("All"))],
        method="keep",
        empty_label=None,
    )

    class Meta:
        model = Person
        fields = [
            "q",
            "jurisdiction",
            "organization",
            "organization_type",
            "certificate_level",
            "domain",
            "education",
            "employment",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self._limit_jurisdictions(request)
        if request is not None:
            self.filters["organization"].queryset = organizations_for(request.user)

    def keep(self, queryset, name, value):
        return queryset

    def search(self, queryset, name, value):
        """Any part of a name (a surname, a given name); an ID or phone number
        only in full, and only among the people the user manages: a number seen
        masked cannot be confirmed by typing it. On PostgreSQL a trigram index
        serves names of three or more characters, a bigram index two."""
        value = value.strip()[:64]
        if not value:
            return queryset
        condition = Q(name__contains=value)
        if len(value) == 2 and connections[queryset.db].vendor == "postgresql":
            # The same rows, but from the bigram index: a trigram index cannot
            # serve two characters, the commonest search of a Chinese name.
            condition &= Q(NameHasBigram(value))
        managed = managed_q(scope_for(self.request.user)) if self.request is not None else None
        if managed is not None:
            numbers = Q(id_number_hash__in=blind_indexes(value.upper(), purpose="person.id_number"))
            numbers |= Q(phone_hash__in=blind_indexes(value, purpose="person.phone"))
            condition |= numbers & managed
        return queryset.filter(condition)

    # The employer filters follow the person's stored employer: the current one
    # for current staff, the last one for former staff.
    @extend_schema_field(OpenApiTypes.INT)
    def at_organization(self, queryset, name, value):
        return queryset.filter(employer=value) if value else queryset

    @extend_schema_field(OpenApiTypes.INT)
    def at_organization_type(self, queryset, name, value):
        return queryset.filter(employer__type=value) if value else queryset

    @extend_schema_field(OpenApiTypes.INT)
    def with_certificate(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(Certificate.objects.filter(person_id=OuterRef("pk"), level=value)))

    @extend_schema_field(OpenApiTypes.INT)
    def in_domain(self, queryset, name, value):
        return queryset.filter(service_domains=value) if value else queryset
