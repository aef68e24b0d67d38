from django.db.models import QuerySet

from .models import AuditEntry
from .scoping import scope_for


def audit_entries_for(user) -> QuerySet[AuditEntry] | None:
    """The city administrator reads the whole log; nobody else reads it yet.
    None means the user may not open the log at all (403, not 404: the log's
    existence is no secret)."""
    if not scope_for(user).can("core.audit.read"):
        return None
    return AuditEntry.objects.select_related("actor", "content_type")
