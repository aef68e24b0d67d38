"""Filters of the coverage lists and the supervisor directory (pages and API share them)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dudao.directory.models import Jurisdiction, Person, ServiceDomain
from dudao.pools.models import Entry

from .models import OrganizationCoverage
from .selectors import coverage as selectors


class StaffFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="search")

    class Meta:
        model = Person
        fields = ["q"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__contains=value) if value else queryset


class CoverageFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Organisation name"), method="search")
    district = django_filters.ModelChoiceFilter(
        label=_("District"), queryset=Jurisdiction.objects.none(), method="in_district"
    )
    short = django_filters.BooleanFilter(
        label=_("Shortfall"),
        method="only_short",
        widget=forms.Select(
            choices=[("", "---------"), ("true", _("Short of supervision")), ("false", _("Not short"))]
        ),
    )

    class Meta:
        model = OrganizationCoverage
        fields = ["q", "district", "short"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["district"].queryset = (
            selectors.watched_districts(request.user) if request else Jurisdiction.objects.none()
        )

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(organization__name__contains=value) if value else queryset

    # The hint is for the schema: the parameter is a jurisdiction ID (the filter hands over the row).
    def in_district(self, queryset, name, value: int):
        return queryset.filter(**{f"scope_j{value.depth}": value.pk}) if value else queryset

    def only_short(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(shortfall__gt=0) if value else queryset.filter(shortfall=0)


class DirectoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="search")
    domain = django_filters.ModelChoiceFilter(
        label=_("Service domain"),
        field_name="domains",
        to_field_name="code",
        queryset=ServiceDomain.objects.filter(is_active=True),
    )
    home_district = django_filters.ModelChoiceFilter(
        label=_("Home district"), to_field_name="code", queryset=Jurisdiction.objects.none()
    )
    level = django_filters.ChoiceFilter(
        label=_("Level"),
        choices=[(Entry.Level.CITY, Entry.Level.CITY.label), (Entry.Level.DISTRICT, Entry.Level.DISTRICT.label)],
    )

    class Meta:
        model = Entry
        fields = ["q", "domain", "home_district", "level"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["home_district"].queryset = (
            selectors.directory_districts(request.user) if request else Jurisdiction.objects.none()
        )

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(person__name__contains=value)) if value else queryset
