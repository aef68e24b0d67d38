import django_filters
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import AuditEntry

# Every domain app whose records are audited; the object-type filter offers their models.
DOMAIN_APPS = ["directory", "accounts", "policy", "selection", "training", "pools", "core"]


class AuditFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Object"), field_name="object_repr", lookup_expr="icontains")
    actor = django_filters.CharFilter(label=_("Actor"), field_name="actor__username", lookup_expr="iexact")
    event = django_filters.ChoiceFilter(label=_("Event"), choices=audit.grouped_choices)
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditEntry.Action.choices)
    content_type = django_filters.ModelChoiceFilter(
        label=_("Object type"), queryset=ContentType.objects.filter(app_label__in=DOMAIN_APPS)
    )
    since = django_filters.DateFilter(label=_("From"), field_name="at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("To"), field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AuditEntry
        fields = ["q", "actor", "event", "action", "content_type", "since", "until"]
