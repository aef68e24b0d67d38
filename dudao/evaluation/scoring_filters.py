"""Filters of the results, appeals and renewals lists: the page, its Excel
export (and an export run as a job) read the same filter, so a file holds
exactly the rows the page shows."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Appeal, Evaluation, Grade, Renewal


def _name(queryset, field: str, value: str):
    value = value.strip()
    return queryset.filter(**{f"{field}__contains": value}) if value else queryset


class ResultFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="search")
    cycle = django_filters.NumberFilter(label=_("Cycle"), field_name="cycle_id", min_value=1)
    year = django_filters.NumberFilter(label=_("Year"), field_name="cycle__year", min_value=2000, max_value=2100)
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=Grade.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Evaluation.Status.choices)

    class Meta:
        model = Evaluation
        fields = ["q", "cycle", "year", "grade", "status"]

    def search(self, queryset, name, value):
        return _name(queryset, "person__name", value)


class AppealFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="search")
    cycle = django_filters.NumberFilter(label=_("Cycle"), field_name="evaluation__cycle_id", min_value=1)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Appeal.Status.choices)

    class Meta:
        model = Appeal
        fields = ["q", "cycle", "status"]

    def search(self, queryset, name, value):
        return _name(queryset, "evaluation__person__name", value)


class RenewalFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or entry number"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Renewal.Status.choices)

    class Meta:
        model = Renewal
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(entry__person__name__contains=value) | Q(entry__entry_number__contains=value))
