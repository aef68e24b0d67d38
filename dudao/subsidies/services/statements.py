"""Subsidy statements: computed from a signed-off month's confirmed sessions,
confirmed by the payer, paid with the split across purposes; voided when the
month is reopened (receivers), and computed again after the new sign-off.

Rules (policy 三(三), 四(二)):
- only sessions with status confirmed in a month signed off count;
- each line carries the rate in force on its session's date (a standard that
  takes effect mid-month splits the month by session dates); the statement's
  rate is read at the using organisation's jurisdiction (districts set their
  own), the supplement's at the pool keeper's (it is the keeper's budget);
- the monthly ceiling is the one in force on the month's last counted session
  date, applied as a visible negative line; supplements have no ceiling;
- the total is the sum of the lines, to the fen;
- a paid statement is not voided by a reopening: the money has left, and the
  new sign-off's computation leaves it standing (a correction is a matter
  for the payer, outside the platform)."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.selectors import holders
from dudao.core import audit
from dudao.core.notifications import matter_of, notify, resolve_matter
from dudao.core.validators import clean_text
from dudao.policy.kinds import two_places
from dudao.policy.selectors import value as policy_value
from dudao.pools.models import Entry
from dudao.supervision.models import Engagement, MonthSignOff, Session

from .. import permissions
from ..models import Line, Purpose, Statement, yuan

S = Statement.Status
SUPPLEMENTED_LEVELS = (Entry.Level.CITY, Entry.Level.DISTRICT)


def _users_of(person_ids):
    from dudao.accounts.models import User  # accounts sits below; only the link to the person is read

    return list(User.objects.filter(person_id__in=list(person_ids), is_active=True).order_by("pk"))


def _link(statement) -> str:
    return reverse("subsidies:statement_detail", args=[statement.pk])


def _month(month) -> dt.date:
    if isinstance(month, dt.datetime):
        month = month.date()
    if not isinstance(month, dt.date):
        raise ValidationError({"month": _("Give the month as YYYY-MM.")})
    return month.replace(day=1)


def _money(value) -> Decimal:
    return yuan(Decimal(str(value)))


def _signed_off(engagement_id, month) -> bool:
    return MonthSignOff.objects.filter(
        engagement_id=engagement_id, month=month, status=MonthSignOff.Status.SIGNED
    ).exists()


def _payers(statement) -> list:
    if statement.kind == Statement.Kind.STATEMENT:
        return holders(permissions.PAY, organization=statement.payer_organization)
    line = statement.payer_jurisdiction
    within = {u.pk for u in holders(permissions.PAY_SUPPLEMENTS, within=line)}
    # Exactly at the budget line's jurisdiction: above it or below it is another budget.
    return [u for u in holders(permissions.PAY_SUPPLEMENTS, over=line) if u.pk in within]


def _build(actor, engagement, month, kind, sessions) -> Statement:
    level = engagement.entry.level
    if kind == Statement.Kind.STATEMENT:
        where, key = engagement.organization.jurisdiction, f"subsidies.rate.{level}"
        payer = {"payer_organization": engagement.organization}
    else:
        where, key = engagement.entry.jurisdiction, f"subsidies.supplement.{level}"
        payer = {"payer_jurisdiction": engagement.entry.jurisdiction}
    statement = Statement.objects.create(
        kind=kind,
        engagement=engagement,
        month=month,
        supervisor_id=engagement.supervisor_id,
        organization=engagement.organization,
        pool_level=level,
        computed_by=actor if getattr(actor, "pk", None) else None,
        **payer,
    )
    rates: dict[dt.date, Decimal] = {}
    lines = []
    for position, session in enumerate(sessions, start=1):
        if session.date not in rates:
            rates[session.date] = _money(policy_value(key, where, session.date))
        rate = rates[session.date]
        hours = session.hours
        lines.append(
            Line(
                statement=statement,
                position=position,
                kind=Line.Kind.SESSION,
                session=session,
                date=session.date,
                minutes=session.duration_minutes,
                hours=hours,
                rate=rate,
                amount=yuan(hours * rate),
                description=session.topics[:300],
            )
        )
    gross = sum((line.amount for line in lines), Decimal("0.00"))
    hours = sum((line.hours for line in lines), Decimal("0.00"))
    ceiling = None
    if kind == Statement.Kind.STATEMENT:
        ceiling = _money(policy_value(f"subsidies.ceiling.{level}", where, sessions[-1].date))
        if gross > ceiling:
            lines.append(
                Line(
                    statement=statement,
                    position=len(lines) + 1,
                    kind=Line.Kind.CEILING,
                    date=sessions[-1].date,
                    amount=ceiling - gross,
                    description=_("Monthly ceiling of %(amount)s yuan") % {"amount": ceiling},
                )
            )
    Line.objects.bulk_create(lines)
    statement.hours, statement.gross, statement.ceiling = hours, gross, ceiling
    statement.total = sum((line.amount for line in lines), Decimal("0.00"))
    statement.save(update_fields=["hours", "gross", "ceiling", "total", "updated_at"])
    audit.record(
        actor=actor,
        event="subsidies.statement_computed",
        obj=statement,
        changes={
            "kind": [None, kind],
            "month": [None, f"{month:%Y-%m}"],
            "hours": [None, str(hours)],
            "total": [None, str(statement.total)],
        },
    )
    notify(
        _payers(statement),
        _("%(kind)s for %(supervisor)s, %(month)s: %(total)s yuan to confirm.")
        % {
            "kind": statement.get_kind_display(),
            "supervisor": engagement.supervisor.name,
            "month": f"{month:%Y-%m}",
            "total": statement.total,
        },
        _link(statement),
        matter=matter_of(statement, "confirm"),
    )
    return statement


@transaction.atomic
def compute(*, actor, engagement: Engagement, month) -> list[Statement]:
    """The statement (and, for a city or district pool supervisor, the
    government supplement) of a signed-off month not yet computed."""
    month = _month(month)
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("organization__jurisdiction", "entry__jurisdiction", "supervisor")
        .get(pk=engagement.pk)
    )
    if not permissions.computes_for(actor, engagement):
        raise PermissionDenied(_("Only the paying agency, or the pool's city or district, computes subsidies."))
    if not _signed_off(engagement.pk, month):
        raise ValidationError(
            {"month": _("%(month)s is not signed off: its subsidy cannot be computed.") % {"month": f"{month:%Y-%m}"}}
        )
    sessions = list(
        Session.objects.filter(engagement=engagement, month=month, status=Session.Status.CONFIRMED).order_by(
            "date", "start_time", "pk"
        )
    )
    if not sessions:
        raise ValidationError(
            {"month": _("%(month)s has no confirmed session: nothing is owed.") % {"month": f"{month:%Y-%m}"}}
        )
    live = set(
        Statement.objects.select_for_update(of=("self",))
        .filter(engagement=engagement, month=month)
        .exclude(status=S.VOIDED)
        .values_list("kind", flat=True)
    )
    kinds = [Statement.Kind.STATEMENT]
    if engagement.entry.level in SUPPLEMENTED_LEVELS and engagement.entry.jurisdiction_id:
        kinds.append(Statement.Kind.SUPPLEMENT)
    missing = [k for k in kinds if k not in live]
    if not missing:
        raise ValidationError(
            {"month": _("The subsidy of %(month)s is already computed.") % {"month": f"{month:%Y-%m}"}}
        )
    return [_build(actor, engagement, month, kind, sessions) for kind in missing]


def _locked(statement) -> Statement:
    return (
        Statement.objects.select_for_update(of=("self",))
        .select_related("supervisor", "payer_organization", "payer_jurisdiction")
        .get(pk=statement.pk)
    )


def _require_payer(actor, statement) -> None:
    if not permissions.pays(actor, statement):
        raise PermissionDenied(_("Only the payer confirms and pays this statement."))


@transaction.atomic
def confirm(*, actor, statement: Statement) -> Statement:
    """The payer confirms what it owes."""
    statement = _locked(statement)
    _require_payer(actor, statement)
    if statement.status != S.COMPUTED:
        raise ValidationError(_("Only a computed statement can be confirmed."))
    if not _signed_off(statement.engagement_id, statement.month):
        raise ValidationError(_("The month has been reopened: the statement will be computed again."))
    statement.status = S.CONFIRMED
    statement.confirmed_by, statement.confirmed_at = actor, timezone.now()
    statement.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    resolve_matter(matter_of(statement, "confirm"))
    audit.record(
        actor=actor, event="subsidies.statement_confirmed", obj=statement, changes={"status": [S.COMPUTED, S.CONFIRMED]}
    )
    return statement


def _split(purposes, total) -> dict[str, Decimal]:
    if not isinstance(purposes, dict) or not purposes:
        raise ValidationError({"purposes": _("Split the amount across the purposes.")})
    labels = dict(Purpose.choices)
    if unknown := [str(k) for k in purposes if k not in labels]:
        raise ValidationError({"purposes": _("Not a purpose: %(names)s.") % {"names": "、".join(unknown)}})
    split = {}
    for key in Purpose.values:
        raw = purposes.get(key)
        try:
            split[key] = Decimal("0.00") if raw in (None, "") else two_places(raw, what=str(labels[key]))
        except ValidationError as exc:
            raise ValidationError({"purposes": exc.messages}) from exc
    if sum(split.values()) != total:
        raise ValidationError(
            {
                "purposes": _("The purposes add up to %(sum)s yuan; the statement's total is %(total)s yuan.")
                % {"sum": sum(split.values()), "total": total}
            }
        )
    return split


@transaction.atomic
def pay(*, actor, statement: Statement, paid_on, reference: str, purposes: dict) -> Statement:
    """The payer records the payment: its date, reference, and the total split
    across the purposes (三(三): 自我培训、自我提升、交通等), to the fen."""
    statement = _locked(statement)
    _require_payer(actor, statement)
    if statement.status != S.CONFIRMED:
        raise ValidationError(_("Only a confirmed statement can be paid."))
    errors = {}
    if not isinstance(paid_on, dt.date) or isinstance(paid_on, dt.datetime):
        errors["paid_on"] = [_("Give the date of payment.")]
    elif paid_on > timezone.localdate():
        errors["paid_on"] = [_("The date of payment cannot be in the future.")]
    elif paid_on < statement.month:
        errors["paid_on"] = [_("The date of payment cannot be before the month it pays for.")]
    try:
        reference = clean_text(reference, field="reference", max_length=100)
        if not reference:
            errors["reference"] = [_("Give the payment reference.")]
    except ValidationError as exc:
        errors["reference"] = exc.message_dict["reference"]
    try:
        split = _split(purposes, statement.total)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    statement.status = S.PAID
    statement.paid_by, statement.paid_on, statement.paid_reference = actor, paid_on, reference
    for key, amount in split.items():
        setattr(statement, f"paid_{key}", amount)
    statement.save()
    audit.record(
        actor=actor,
        event="subsidies.statement_paid",
        obj=statement,
        changes={
            "status": [S.CONFIRMED, S.PAID],
            "paid_on": [None, paid_on.isoformat()],
            "reference": [None, reference],
        }
        | {f"paid_{k}": [None, str(v)] for k, v in split.items()},
    )
    notify(
        _users_of([statement.supervisor_id]),
        _("%(payer)s paid your %(kind)s for %(month)s: %(total)s yuan.")
        % {
            "payer": statement.payer_name,
            "kind": statement.get_kind_display(),
            "month": f"{statement.month:%Y-%m}",
            "total": statement.total,
        },
        _link(statement),
    )
    return statement


@transaction.atomic
def void_month(*, actor, engagement: Engagement, month, reason: str) -> list[Statement]:
    """A reopened month's unpaid statements are void; the new sign-off computes
    them again. Called by the receiver of the month's reopening."""
    month = _month(month)
    voided = list(
        Statement.objects.select_for_update(of=("self",))
        .filter(engagement_id=engagement.pk, month=month, status__in=[S.COMPUTED, S.CONFIRMED])
        .order_by("pk")
    )
    now = timezone.now()
    for statement in voided:
        before = statement.status
        statement.status, statement.voided_at, statement.void_reason = S.VOIDED, now, reason[:300]
        statement.save(update_fields=["status", "voided_at", "void_reason", "updated_at"])
        resolve_matter(within=matter_of(statement))
        audit.record(
            actor=actor,
            event="subsidies.statement_voided",
            obj=statement,
            changes={"status": [before, S.VOIDED]},
            reason=reason[:300],
        )
    return voided
