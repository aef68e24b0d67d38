"""Statements follow the month's sign-off without supervision knowing of them:
a reopening voids the month's unpaid statements in the same transaction
(rolled back with it), and a sign-off computes them after it commits."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext as _

from dudao.supervision.models import MonthSignOff

log = logging.getLogger(__name__)


def _compute_after_sign_off(sign_off_id) -> None:
    from .services.statements import compute

    sign_off = MonthSignOff.objects.select_related("engagement", "signed_by").filter(pk=sign_off_id).first()
    if sign_off is None or sign_off.status != MonthSignOff.Status.SIGNED:
        return
    try:
        compute(actor=sign_off.signed_by, engagement=sign_off.engagement, month=sign_off.month)
    except (ValidationError, PermissionDenied) as exc:
        # A month without confirmed sessions owes nothing; the payer can still compute by hand.
        log.info("no subsidy computed for sign-off %s: %s", sign_off_id, exc)


def _on_sign_off_saved(sender, instance, created, **kwargs):
    if instance.status == MonthSignOff.Status.REOPENED:
        from .services.statements import void_month

        void_month(
            actor=instance.reopened_by,
            engagement=instance.engagement,
            month=instance.month,
            reason=_("Month reopened: %(reason)s") % {"reason": instance.reopen_reason},
        )
    elif instance.status == MonthSignOff.Status.SIGNED:
        pk = instance.pk
        transaction.on_commit(lambda: _compute_after_sign_off(pk))


def connect() -> None:
    post_save.connect(_on_sign_off_saved, sender=MonthSignOff, dispatch_uid="subsidies.follow_sign_off", weak=False)
