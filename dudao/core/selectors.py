from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .models import AuditEntry, Notification
from .scoping import scope_for


def audit_entries_for(user) -> QuerySet[AuditEntry] | None:
    """The city administrator reads the whole log; nobody else reads it yet.
    None means the user may not open the log at all (403, not 404: the log's
    existence is no secret)."""
    if not scope_for(user).can("core.audit.read"):
        return None
    # The log names each actor with their unit: what the user model says it reads
    # for that is fetched once per page, not once per row.
    unit_paths = getattr(get_user_model(), "UNIT_PREFETCH", ())
    return AuditEntry.objects.select_related("actor", "content_type").prefetch_related(
        *(f"actor__{path}" for path in unit_paths)
    )


def notifications_for(user) -> QuerySet[Notification]:
    """The user's own notices, newest first; handled ones too (shown as handled)."""
    return Notification.objects.filter(recipient=user)


def live_notification_count(user) -> int:
    """What the bell shows: notices neither read nor handled by anyone."""
    return Notification.objects.filter(recipient=user, read_at=None, resolved_at=None).count()
