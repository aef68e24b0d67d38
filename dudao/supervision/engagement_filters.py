"""The one search over engagements, shared by the list page and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Engagement
from .selectors import engagements as selectors
from .selectors import sessions as session_selectors

AWAITING = [
    ("answer", _("My answer")),
    ("confirmation", _("My confirmation of the agreement")),
    ("record", _("A session recorded this month")),
    ("sign_off", _("Months to sign off")),
]


class EngagementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Engagement.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Engagement.Kind.choices)
    organization = django_filters.CharFilter(label=_("Organisation"), method="by_organization")
    supervisor = django_filters.CharFilter(label=_("Supervisor"), method="by_supervisor")
    awaiting = django_filters.ChoiceFilter(label=_("Waiting for"), choices=AWAITING, method="by_awaiting")

    class Meta:
        model = Engagement
        fields = ["status", "kind", "organization", "supervisor", "awaiting"]

    def by_organization(self, queryset, name, value):
        """The using organisation, by name (or by id, as the API passes it)."""
        value = value.strip()
        if not value:
            return queryset
        if value.isascii() and value.isdigit():
            return queryset.filter(organization_id=int(value)) if len(value) < 19 else queryset.none()
        return queryset.filter(organization__name__contains=value)

    def by_supervisor(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if value.isascii() and value.isdigit():
            return queryset.filter(supervisor_id=int(value)) if len(value) < 19 else queryset.none()
        return queryset.filter(supervisor__name__contains=value)

    def by_awaiting(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value == "answer":
            return queryset.filter(pk__in=selectors.awaiting_answer(user).values("pk"))
        if value == "confirmation":
            return queryset.filter(pk__in=selectors.awaiting_confirmation(user).values("pk"))
        if value == "record":
            return queryset.filter(pk__in=session_selectors.engagements_to_record(user).values("pk"))
        if value == "sign_off":
            return queryset.filter(pk__in=session_selectors.engagements_to_sign_off(user).values("pk"))
        return queryset
