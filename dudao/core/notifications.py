"""Notices to users. Queued with transaction.on_commit so nobody is told about
a change that was rolled back; e-mail goes out too when it is configured."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification

log = logging.getLogger(__name__)


def notify(recipients, message: str, link: str = "") -> None:
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not users:
        return

    def deliver():
        Notification.objects.bulk_create(
            [Notification(recipient_id=pk, message=message[:300], link=link) for pk in users]
        )
        if settings.DUDAO_EMAIL_NOTIFICATIONS:
            addresses = [u.email for u in users.values() if u.email]
            if addresses:
                try:
                    send_mail(message[:120], f"{message}\n\n{settings.DUDAO_PUBLIC_URL}{link}", None, addresses)
                except Exception:  # noqa: BLE001 - a mail outage must not undo or hide the in-app notice
                    log.exception("notification e-mail failed")

    transaction.on_commit(deliver)


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
