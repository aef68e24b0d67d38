from django.core.exceptions import PermissionDenied
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from . import audit_display
from .filters import AuditFilter
from .selectors import audit_entries_for
from .views import ListPage


class AuditList(ListPage):
    template_name = "core/audit_list.html"
    table_template = "core/_audit_table.html"
    filterset_class = AuditFilter
    sort_fields = {"at": ("at",), "actor": ("actor__username",), "event": ("event",), "action": ("action",)}
    default_sort = "-at"
    export_title = gettext_lazy("Audit log")
    # A table a person reads: labels and display values, local time, the
    # actor's name and unit, the whole reason (the API keeps the raw entry).
    export_columns = [
        (gettext_lazy("Time"), lambda e: e.at),
        (gettext_lazy("Actor"), audit_display.actor_name),
        (gettext_lazy("Unit"), audit_display.actor_unit),
        (gettext_lazy("Event"), lambda e: e.event_label),
        (gettext_lazy("Object type"), lambda e: capfirst(e.content_type.name)),
        (gettext_lazy("Object"), lambda e: e.object_repr),
        (gettext_lazy("Changes"), audit_display.changes_text),
        (gettext_lazy("Reason"), lambda e: e.reason),
        (gettext_lazy("Event code"), lambda e: e.event),
    ]

    def get_queryset(self):
        entries = audit_entries_for(self.request.user)
        if entries is None:
            raise PermissionDenied
        return entries
