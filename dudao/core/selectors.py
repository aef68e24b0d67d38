from django.db.models import QuerySet

from dudao.accounts.models import Role
from dudao.accounts.scopes import scope_for

from .models import AuditEntry


def audit_entries_for(user) -> QuerySet[AuditEntry] | None:
    """The city administrator reads the whole log; nobody else reads it yet.
    None means the user may not open the log at all (403, not 404: the log's
    existence is no secret)."""
    if Role.CITY_ADMIN not in scope_for(user).roles:
        return None
    return AuditEntry.objects.select_related("actor", "content_type")
