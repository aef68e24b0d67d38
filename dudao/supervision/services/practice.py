"""A supervisor's own frontline practice (issue 10 item 7): the supervisor logs
it, the organisation where it happened confirms or rejects it. Only confirmed
hours count towards the yearly minimum (selectors.summary)."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.models import User
from dudao.accounts.selectors import holders
from dudao.core import audit
from dudao.core.notifications import matter_of, notify, resolve_matter
from dudao.core.validators import clean_text
from dudao.directory.models import Organization, Person

from .. import permissions
from ..models import PracticeLog

DAY = Decimal(24)


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"hours": _("Give the hours as a number.")}) from None
    if not hours.is_finite() or hours <= 0 or hours > DAY:
        raise ValidationError({"hours": _("Hours must be more than 0 and at most 24.")})
    if hours != hours.quantize(Decimal("0.1")):
        raise ValidationError({"hours": _("Give the hours to one decimal place.")})
    return hours.quantize(Decimal("0.1"))


@transaction.atomic
def log(*, actor, organization: Organization, date: dt.date, hours, description: str) -> PracticeLog:
    """A supervisor logs frontline practice done at `organization` on `date`."""
    supervisor_id = permissions.supervisor_person_id(actor)
    if supervisor_id is None:
        raise PermissionDenied(_("Only a supervisor logs practice hours."))
    if date > timezone.localdate():
        raise ValidationError({"date": _("Practice hours cannot be logged for a date in the future.")})
    hours = _hours(hours)
    description = clean_text(description, field="description", max_length=300)
    if not description:
        raise ValidationError({"description": _("Say what the practice was.")})
    if not organization.is_active:
        raise ValidationError({"organization": _("This organisation is no longer active.")})
    # The supervisor's row serialises their logs, so two at once cannot together pass 24 hours a day.
    Person.objects.select_for_update().filter(pk=supervisor_id).first()
    logged = PracticeLog.objects.filter(supervisor_id=supervisor_id, date=date).exclude(
        status=PracticeLog.Status.REJECTED
    ).aggregate(total=Sum("hours"))["total"] or Decimal(0)
    if logged + hours > DAY:
        raise ValidationError(
            {
                "hours": _("%(logged)s hours are already logged on %(date)s; a day has no more than 24.")
                # One place, as the hours are entered: SQLite's sum reads 24, PostgreSQL's 24.0.
                % {"logged": f"{Decimal(logged).quantize(Decimal('0.1'))}", "date": date.isoformat()}
            }
        )
    entry = PracticeLog(
        supervisor_id=supervisor_id, organization=organization, date=date, hours=hours, description=description
    )
    entry.full_clean()
    entry.save()
    audit.record(
        actor=actor,
        event="supervision.practice_logged",
        obj=entry,
        changes={
            "hours": [None, str(hours)],
            "date": [None, date.isoformat()],
            "organization": [None, organization.pk],
        },
    )
    notify(
        holders(permissions.MANAGE, organization=organization),
        _("%(name)s logged %(hours)s hours of practice on %(date)s; please confirm them.")
        % {"name": entry.supervisor.name, "hours": hours, "date": date.isoformat()},
        reverse("supervision:practice_decide", args=[entry.pk]),
        matter=matter_of(entry, "decide"),
    )
    return entry


def _lock_pending(actor, entry: PracticeLog) -> PracticeLog:
    if not permissions.manages_organization(actor, entry.organization_id):
        raise PermissionDenied(_("Only the organisation where the practice took place confirms it."))
    entry = PracticeLog.objects.select_for_update().select_related("supervisor").get(pk=entry.pk)
    if entry.status != PracticeLog.Status.PENDING:
        raise ValidationError(
            _("These practice hours have already been %(status)s.") % {"status": entry.get_status_display()}
        )
    return entry


def _decide(actor, entry: PracticeLog, status: str, reason: str = "") -> PracticeLog:
    entry.status = status
    entry.reject_reason = reason
    entry.decided_by = actor
    entry.decided_at = timezone.now()
    entry.save(update_fields=["status", "reject_reason", "decided_by", "decided_at", "updated_at"])
    resolve_matter(matter_of(entry, "decide"))
    audit.record(
        actor=actor,
        event="supervision.practice_decided",
        obj=entry,
        changes={"status": [PracticeLog.Status.PENDING, status]},
        reason=reason,
    )
    message = (
        _("Your %(hours)s practice hours on %(date)s were confirmed.")
        if status == PracticeLog.Status.CONFIRMED
        else _("Your %(hours)s practice hours on %(date)s were rejected: %(reason)s")
    )
    notify(
        User.objects.filter(person_id=entry.supervisor_id, is_active=True),
        message % {"hours": entry.hours, "date": entry.date.isoformat(), "reason": reason},
        reverse("supervision:practice_list") + f"?status={status}",
    )
    return entry


@transaction.atomic
def confirm(*, actor, log: PracticeLog) -> PracticeLog:
    """The organisation where the practice happened confirms it."""
    return _decide(actor, _lock_pending(actor, log), PracticeLog.Status.CONFIRMED)


@transaction.atomic
def reject(*, actor, log: PracticeLog, reason: str) -> PracticeLog:
    """The organisation where the practice happened rejects it, saying why."""
    entry = _lock_pending(actor, log)
    reason = clean_text(reason, field="reason", max_length=300)
    if not reason:
        raise ValidationError({"reason": _("Say why the practice hours are rejected.")})
    return _decide(actor, entry, PracticeLog.Status.REJECTED, reason)
