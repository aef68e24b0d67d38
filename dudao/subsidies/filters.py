"""The one filter of the statement list, page and API alike."""

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from dudao.pools.models import Entry

from .models import Statement


def parse_month(raw) -> dt.date | None:
    """'YYYY-MM' → its first day, or None when it is not such a month."""
    try:
        return dt.datetime.strptime(str(raw).strip(), "%Y-%m").date()
    except (TypeError, ValueError):
        return None


class MonthField(forms.CharField):
    default_error_messages = {"invalid": gettext_lazy("Give the month as YYYY-MM.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        month = parse_month(value)
        if month is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class StatementFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Kind"), choices=Statement.Kind.choices)
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=Statement.Status.choices)
    month = MonthFilter(label=gettext_lazy("Month (YYYY-MM)"), field_name="month")
    pool_level = django_filters.ChoiceFilter(label=gettext_lazy("Pool level"), choices=Entry.Level.choices)
    payer = django_filters.CharFilter(label=gettext_lazy("Payer"), method="by_payer")
    supervisor = django_filters.CharFilter(label=gettext_lazy("Supervisor name"), method="by_supervisor")

    class Meta:
        model = Statement
        fields = ["kind", "status", "month", "pool_level", "payer", "supervisor"]

    def by_payer(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(payer_organization__name__contains=value) | queryset.filter(
            payer_jurisdiction__name__contains=value
        )

    def by_supervisor(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(supervisor__name__contains=value) if value else queryset
