"""Filters of the cycle, evaluation and service result lists (pages and API share them)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from dudao.pools.models import Entry

from .models import Cycle, Evaluation, Grade, ServiceResult


class CycleFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"), min_value=2000, max_value=2100)
    level = django_filters.ChoiceFilter(label=_("Pool"), choices=Entry.Level.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Cycle.Status.choices)

    class Meta:
        model = Cycle
        fields = ["year", "level", "status"]


class EvaluationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="search")
    cycle = django_filters.NumberFilter(label=_("Cycle"), field_name="cycle_id", min_value=1)
    home_organization = django_filters.NumberFilter(
        label=_("Home agency"), field_name="home_organization_id", min_value=1
    )
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=Grade.choices)

    class Meta:
        model = Evaluation
        fields = ["q", "cycle", "home_organization", "grade"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(person__name__contains=value) if value else queryset


class ServiceResultFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="search")
    year = django_filters.NumberFilter(label=_("Year"), min_value=2000, max_value=2100)
    organization = django_filters.NumberFilter(label=_("Agency"), field_name="organization_id", min_value=1)

    class Meta:
        model = ServiceResult
        fields = ["q", "year", "organization"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(person__name__contains=value) if value else queryset
