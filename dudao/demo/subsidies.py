"""The subsidy demo (issue 11, "Done when"): statements in every status from
the supervision demo's signed-off months — one paid (split across purposes),
one voided by a reopening and computed again after the new sign-off, one
confirmed, and the city's supplement for the city pool supervisor; loading it
again adds nothing."""

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dudao.accounts.selectors import holders
from dudao.subsidies import permissions
from dudao.subsidies.models import Statement, yuan
from dudao.subsidies.services import statements
from dudao.supervision.models import MonthSignOff, Session
from dudao.supervision.services import sessions

log = logging.getLogger(__name__)
S = Statement.Status


def _compute(sign_off) -> list[Statement]:
    """The month's live statements, computed now unless the sign-off's receiver already did."""
    try:
        statements.compute(actor=sign_off.signed_by, engagement=sign_off.engagement, month=sign_off.month)
    except ValidationError as exc:
        log.info("demo: %s", exc)
    return list(
        Statement.objects.filter(engagement=sign_off.engagement, month=sign_off.month)
        .exclude(status=S.VOIDED)
        .order_by("kind")
    )


def _sign_off_open_month(today) -> MonthSignOff | None:
    """Sign off the latest past month of an active engagement whose sessions are all settled."""
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    done = MonthSignOff.objects.filter(month=last_month).values("engagement_id")
    candidates = (
        Session.objects.filter(month=last_month, status=Session.Status.CONFIRMED)
        .exclude(engagement_id__in=done)
        .values_list("engagement_id", flat=True)
        .distinct()
        .order_by("-engagement_id")
    )
    for engagement_id in candidates:
        session = Session.objects.select_related("engagement__organization").filter(engagement_id=engagement_id).first()
        engagement = session.engagement
        admin = next(iter(holders(permissions.PAY, organization=engagement.organization)), None)
        if admin is None:
            continue
        try:
            return sessions.sign_off(actor=admin, engagement=engagement, month=last_month)
        except ValidationError as exc:
            log.info("demo: %s", exc)
    return None


@transaction.atomic
def load(password: str) -> str:
    if Statement.objects.exists() and Statement.objects.filter(status=S.PAID).exists():
        return "subsidy demo already loaded"
    today = timezone.localdate()
    signed = list(
        MonthSignOff.objects.filter(status=MonthSignOff.Status.SIGNED)
        .select_related("engagement", "signed_by")
        .order_by("month", "engagement_id")
    )
    if not signed:
        return "subsidy demo skipped: no signed-off month"
    # 1. The oldest signed-off month: confirmed and paid, split across the purposes.
    first = _compute(signed[0])
    for statement in first:
        if statement.kind != Statement.Kind.STATEMENT or statement.status == S.PAID:
            continue
        payer = statement.computed_by or signed[0].signed_by
        if statement.status == S.COMPUTED:
            statement = statements.confirm(actor=payer, statement=statement)
        transport = yuan(statement.total * 3 / 10)
        statements.pay(
            actor=payer,
            statement=statement,
            paid_on=min(today, statement.month.replace(day=28) + dt.timedelta(days=10)),
            reference=f"ZF-{statement.month:%Y%m}-{statement.pk:04d}",
            purposes={"transport": transport, "self_training": statement.total - transport},
        )
    # 2. The next one: reopened (its statement voided), signed off again, computed afresh.
    if len(signed) > 1:
        second = signed[1]
        _compute(second)
        sessions.reopen(
            actor=second.signed_by, engagement=second.engagement, month=second.month, reason="补录督导记录后重新签核"
        )
        again = sessions.sign_off(actor=second.signed_by, engagement=second.engagement, month=second.month)
        _compute(again)
    # 3. Last month, signed off now: confirmed by the payer (a city pool supervisor's
    # government supplement stays computed for the city to confirm).
    latest = _sign_off_open_month(today)
    if latest is not None:
        for statement in _compute(latest):
            if statement.kind == Statement.Kind.STATEMENT and statement.status == S.COMPUTED:
                statements.confirm(actor=latest.signed_by, statement=statement)
    counts = {status: Statement.objects.filter(status=status).count() for status in S.values}
    return "subsidy statements: " + ", ".join(f"{k} {v}" for k, v in counts.items())
