import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import (
    Certificate,
    CertificateLevel,
    EducationLevel,
    Employment,
    Jurisdiction,
    Organization,
    OrganizationType,
    Person,
    ServiceDomain,
)
from .selectors import organizations_for


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    jurisdiction = django_filters.ModelChoiceFilter(
        label=_("District"), queryset=Jurisdiction.objects.filter(is_active=True), method="in_jurisdiction"
    )
    type = django_filters.ModelChoiceFilter(label=_("Type"), queryset=OrganizationType.objects.filter(is_active=True))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Organization
        fields = ["q", "jurisdiction", "type", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__iexact=value)) if value else queryset

    @extend_schema_field(OpenApiTypes.INT)
    def in_jurisdiction(self, queryset, name, value):
        return queryset.filter(jurisdiction__path__startswith=value.path) if value else queryset


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    jurisdiction = django_filters.ModelChoiceFilter(
        label=_("District"), queryset=Jurisdiction.objects.filter(is_active=True), method="in_jurisdiction"
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=Organization.objects.none(), method="at_organization"
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
        fields = ["q", "jurisdiction", "organization", "organization_type", "certificate_level", "domain", "education", "employment"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["organization"].queryset = organizations_for(request.user)

    def keep(self, queryset, name, value):
        return queryset

    @staticmethod
    def _current(**lookups):
        return Exists(Employment.objects.filter(person_id=OuterRef("pk"), end_date=None, **lookups))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(id_number__iexact=value.upper()) | Q(phone=value))

    @extend_schema_field(OpenApiTypes.INT)
    def in_jurisdiction(self, queryset, name, value):
        return (
            queryset.filter(self._current(organization__jurisdiction__path__startswith=value.path))
            if value
            else queryset
        )

    @extend_schema_field(OpenApiTypes.INT)
    def at_organization(self, queryset, name, value):
        return queryset.filter(self._current(organization=value)) if value else queryset

    @extend_schema_field(OpenApiTypes.INT)
    def at_organization_type(self, queryset, name, value):
        return queryset.filter(self._current(organization__type=value)) if value else queryset

    @extend_schema_field(OpenApiTypes.INT)
    def with_certificate(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(Certificate.objects.filter(person_id=OuterRef("pk"), level=value)))

    @extend_schema_field(OpenApiTypes.INT)
    def in_domain(self, queryset, name, value):
        return queryset.filter(service_domains=value) if value else queryset
