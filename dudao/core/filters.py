import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.forms import NullBooleanSelect
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import AuditEntry

# Every domain app whose records are audited; the object-type filter offers their models.
DOMAIN_APPS = ["directory", "accounts", "policy", "selection", "training", "pools", "core"]


class AuditFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Object"), field_name="object_repr", lookup_expr="icontains")
    actor = django_filters.CharFilter(label=_("Actor"), method="by_actor")
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

    def by_actor(self, queryset, name, value):
        """The log shows actors by name: a name finds them as the login does."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(actor__username__iexact=value) | Q(actor__display_name=value))


# django-filter's defaults for the empty choice of a select ("---------") and for
# a yes/no filter (未知/是/否): a filter left empty means every row.
_DASHES = "---------"


def readable_choices(form):
    """A list filter's selects in words: the empty choice reads 全部 (All), a
    yes/no filter 全部/是/否, and a jurisdiction that is the city itself reads
    as the city level in a list of districts (the model's `district_label`).
    Applied to every list page's filter form (dudao.core.views.ListPage)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, NullBooleanSelect):
            widget.choices = [("unknown", _("All")), ("true", _("Yes")), ("false", _("No"))]
            continue
        if str(getattr(field, "empty_label", None)) == _DASHES:
            field.empty_label = _("All")
        queryset = getattr(field, "queryset", None)
        if queryset is not None:
            # The options come from the query as the select renders (with the label just set).
            if hasattr(queryset.model, "district_label"):
                field.label_from_instance = _district_label
        elif getattr(widget, "choices", None) is not None:
            # The widget was handed its options, dashes included, when the form
            # was built (a fixed list, or an iterator bound to the declared field).
            widget.choices = [
                (value, _("All") if value == "" and str(label) == _DASHES else label)
                for value, label in iter(widget.choices)
            ]
    return form


def _district_label(obj):
    return obj.district_label
