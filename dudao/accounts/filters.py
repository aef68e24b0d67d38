import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import AccessLogEntry, Role, User


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=Role.choices, field_name="role_assignments__role", distinct=True
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value) | Q(display_name__icontains=value) | Q(person__name__icontains=value)
        )


class AccessLogFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(label=_("User"), field_name="username", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label=_("Event"), choices=AccessLogEntry.Kind.choices)
    method = django_filters.ChoiceFilter(label=_("How"), choices=AccessLogEntry.Method.choices)
    address = django_filters.CharFilter(label=_("Address"), field_name="ip_address", lookup_expr="startswith")
    since = django_filters.DateFilter(label=_("From"), field_name="at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("To"), field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AccessLogEntry
        fields = ["username", "kind", "method", "address", "since", "until"]
