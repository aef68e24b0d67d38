import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dudao.directory.models import Jurisdiction, ServiceDomain

from . import selectors
from .models import Entry


class EntryFilter(django_filters.FilterSet):
    """The one search over every pool the user may see; the list page and the
    API share it."""

    q = django_filters.CharFilter(label=_("Name or entry number"), method="search")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Entry.Level.choices)
    domain = django_filters.ModelChoiceFilter(
        label=_("Service domain"),
        field_name="domains",
        to_field_name="code",
        queryset=ServiceDomain.objects.filter(is_active=True),
    )
    home_district = django_filters.ModelChoiceFilter(
        label=_("Home district"),
        to_field_name="code",
        queryset=Jurisdiction.objects.filter(is_active=True).exclude(
            kind__in=[Jurisdiction.Kind.PROVINCE, Jurisdiction.Kind.CITY]
        ),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Entry.Status.choices, method="by_status")
    available = django_filters.BooleanFilter(
        label=_("Availability"),
        method="by_availability",
        widget=forms.Select(choices=[("", "---------"), ("true", _("Available now")), ("false", _("Not available"))]),
        help_text=_("Available: active and within the term."),
    )

    # The 工作台's to-do opens this list narrowed to terms ending soon.
    expires_within = django_filters.NumberFilter(
        label=_("Term ends within (days)"), method="by_expiry", min_value=0, max_value=3650
    )
    flagged = django_filters.BooleanFilter(
        label=_("Review flag"),
        method="by_flag",
        widget=forms.Select(choices=[("", "---------"), ("true", _("Flagged for review"))]),
        help_text=_("Entries of the pools you keep whose person has a disciplinary record to review."),
    )

    class Meta:
        model = Entry
        fields = ["q", "level", "domain", "home_district", "status", "available", "expires_within", "flagged"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(person__name__contains=value) | Q(entry_number__startswith=value.upper()))

    def by_status(self, queryset, name, value):
        return selectors.with_status(queryset, value) if value else queryset

    def by_expiry(self, queryset, name, value):
        return selectors.expiring(queryset, int(value)) if value is not None else queryset

    def by_availability(self, queryset, name, value):
        if value is None:
            return queryset
        return selectors.available(queryset) if value else selectors.unavailable(queryset)

    def by_flag(self, queryset, name, value):
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        return selectors.flagged_for_keeper(queryset, user) if user is not None else queryset.none()
