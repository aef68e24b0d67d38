import json

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

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
    export_columns = [
        (gettext_lazy("Time"), lambda e: e.at),
        (gettext_lazy("Actor"), lambda e: e.actor.username if e.actor else ""),
        (gettext_lazy("Event"), lambda e: e.event_label),
        (gettext_lazy("Object type"), lambda e: e.content_type.name),
        (gettext_lazy("Object"), lambda e: e.object_repr),
        (gettext_lazy("Changes"), lambda e: json.dumps(e.changes, ensure_ascii=False)),
        (gettext_lazy("Reason"), lambda e: e.reason),
        (gettext_lazy("Event code"), lambda e: e.event),
    ]

    def get_queryset(self):
        entries = audit_entries_for(self.request.user)
        if entries is None:
            raise PermissionDenied
        return entries
