"""Core's audit events, and the generic ones that describe entries written
before each act had its own event (the migration that added events gave them
these when nothing more precise could be told)."""

from django.utils.translation import gettext_lazy as _

from .audit import register
from .models import AuditEntry

A = AuditEntry.Action

EXPORT_REQUESTED = register("core.export_requested", _("Export requested"), A.EXPORT)
REMINDER_SENT = register("core.reminder_sent", _("Deadline reminder sent"), A.CREATE)

# Older entries only: record() refuses these.
for _action, _label in (
    (A.CREATE, _("Created (older entry)")),
    (A.UPDATE, _("Changed (older entry)")),
    (A.DELETE, _("Deleted (older entry)")),
    (A.ARCHIVE, _("Archived (older entry)")),
    (A.IMPORT, _("Imported (older entry)")),
    (A.EXPORT, _("Exported (older entry)")),
    (A.LOGIN, _("Logged in (older entry)")),
):
    register(f"core.legacy_{_action}", _label, _action, legacy=True)
