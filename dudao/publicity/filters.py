import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import kinds
from .models import Item, Objection


class NoticeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title"), field_name="title", lookup_expr="contains")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=kinds.choices, empty_label=_("All"))
    running = django_filters.ChoiceFilter(
        label=_("Period"),
        method="by_period",
        choices=[("running", _("Running")), ("ended", _("Ended"))],
        empty_label=_("All"),
    )

    def by_period(self, queryset, name, value):
        today = timezone.localdate()
        if value == "running":
            return queryset.filter(starts_on__lte=today, ends_on__gte=today)
        if value == "ended":
            return queryset.filter(ends_on__lt=today)
        return queryset


class ItemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or unit"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Item.Status.choices, empty_label=_("All"))

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__contains=value) | Q(unit__contains=value)) if value else queryset


class ObjectionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), field_name="item__name", lookup_expr="contains")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Objection.Status.choices, empty_label=_("All"))
    anonymous = django_filters.ChoiceFilter(
        label=_("Lodged"),
        method="by_anonymous",
        choices=[("yes", _("Anonymously")), ("no", _("By name"))],
        empty_label=_("All"),
    )

    def by_anonymous(self, queryset, name, value):
        return queryset.filter(anonymous=value == "yes") if value in ("yes", "no") else queryset
