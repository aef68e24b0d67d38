"""Notices to users. Queued with transaction.on_commit so nobody is told about
a change that was rolled back; e-mail goes out too when it is configured.

A notice that asks someone to act names its matter (`matter_of(obj, step)`);
the service that handles the matter calls `resolve_matter`, and every
recipient's notice of it is resolved at once, whoever of them acted: the bell
counts only live notices (neither read nor handled). A notice that only
informs names no matter and stays until it is read."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification

log = logging.getLogger(__name__)


def matter_of(obj, *step) -> str:
    """The key of a matter: "selection.nomination:12:district_review" for
    matter_of(nomination, "district_review"); without a step, the object
    itself, whose every matter `resolve_matter(within=...)` resolves."""
    return ":".join([obj._meta.label_lower, str(obj.pk), *(str(s) for s in step)])


def notify(recipients, message: str, link: str = "", *, matter: str = "") -> None:
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not users:
        return

    def deliver():
        Notification.objects.bulk_create(
            [Notification(recipient_id=pk, message=message[:300], link=link, matter=matter) for pk in users]
        )
        if settings.DUDAO_EMAIL_NOTIFICATIONS:
            addresses = [u.email for u in users.values() if u.email]
            if addresses:
                try:
                    send_mail(message[:120], f"{message}\n\n{settings.DUDAO_PUBLIC_URL}{link}", None, addresses)
                except Exception:  # noqa: BLE001 - a mail outage must not undo or hide the in-app notice
                    log.exception("notification e-mail failed")

    transaction.on_commit(deliver)


def resolve_matter(*matters: str, within: str = "", recipients=None) -> None:
    """The matters are handled: their live notices are resolved for every
    recipient, or only for `recipients` where the matter is each person's own
    (a session each supervisee confirms). `within` resolves every matter of an
    object (matter_of(obj)), e.g. when it is withdrawn or closed.

    Done at once, inside the handling transaction (rolled back with it), and
    again after commit, so a notice of the matter queued earlier in the same
    transaction is resolved too; a notice queued after this call stays live."""
    from django.db.models import Q
    from django.utils import timezone

    condition = Q(matter__in=[m for m in matters if m])
    if within:
        condition |= Q(matter=within) | Q(matter__startswith=f"{within}:")
    if not matters and not within:
        return
    user_ids = None if recipients is None else [u.pk for u in recipients if u is not None]

    def settle():
        notices = Notification.objects.filter(condition, resolved_at=None)
        if user_ids is not None:
            notices = notices.filter(recipient_id__in=user_ids)
        notices.update(resolved_at=timezone.now())

    settle()
    transaction.on_commit(settle)


def mark_read(*, actor, pk=None) -> "Notification | None":
    """Mark one of the actor's notices read (returning it, to follow its link),
    or all of them when no pk is given. A pk that is not one of the actor's
    notices, or not a number at all, marks nothing."""
    from django.utils import timezone

    unread = Notification.objects.filter(recipient=actor, read_at=None)
    if pk is None:
        unread.update(read_at=timezone.now())
        return None
    if not str(pk).isdigit():
        return None
    notice = Notification.objects.filter(recipient=actor, pk=int(pk)).first()
    unread.filter(pk=int(pk)).update(read_at=timezone.now())
    return notice
