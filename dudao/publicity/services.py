"""Writes of 公示: publishing an item, lodging and deciding objections, and
the end of the period. An item's status takes effect when the period has
ended and no objection is upheld or still waiting; an upheld objection stops
it at once. What "take effect" and "stop" mean is the kind's (kinds.py)."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.selectors import holders
from dudao.core import audit
from dudao.core.notifications import notify
from dudao.core.validators import clean_text
from dudao.directory.models import Jurisdiction

from . import kinds, permissions
from .models import Item, Notice, Objection
from .selectors import due_items, settings_for

DECISIONS = (Objection.Status.UPHELD, Objection.Status.DISMISSED)


def _notice_for(*, actor, kind: str, jurisdiction: Jurisdiction, source: str, title: str, today) -> Notice:
    settings = settings_for(jurisdiction, today)
    notice = Notice.objects.filter(kind=kind, source=source, starts_on=today).first()
    if notice:
        return notice
    contact = _("%(jurisdiction)s civil affairs bureau") % {"jurisdiction": jurisdiction.name}
    try:
        with transaction.atomic():
            return Notice.objects.create(
                kind=kind,
                jurisdiction=jurisdiction,
                source=source,
                title=clean_text(title, field="title", max_length=200),
                starts_on=today,
                ends_on=today + dt.timedelta(days=int(settings["days"]) - 1),
                contact=contact,
                created_by=actor,
            )
    except IntegrityError:
        # Published by someone else a moment ago: join their list.
        return Notice.objects.get(kind=kind, source=source, starts_on=today)


@transaction.atomic
def publish(
    *,
    actor,
    kind: str,
    jurisdiction: Jurisdiction,
    source: str,
    title: str,
    target_id: int,
    record: str,
    name: str,
    unit: str,
    district: str,
    path: str,
) -> Item:
    """Put one person on today's list of the source; the caller decided that
    the keeper's policy publishes (selectors.is_enabled) and holds the target's
    row locked."""
    kinds.get(kind)
    today = timezone.localdate()
    notice = _notice_for(actor=actor, kind=kind, jurisdiction=jurisdiction, source=source, title=title, today=today)
    item = Item.objects.create(
        notice=notice,
        target_id=target_id,
        record=record,
        name=name[:64],
        unit=unit[:128],
        district=district[:64],
        path=str(path)[:64],
    )
    audit.record(
        actor=actor,
        event="publicity.item_published",
        obj=item,
        changes={
            "notice": [None, notice.title],
            "starts_on": [None, str(notice.starts_on)],
            "ends_on": [None, str(notice.ends_on)],
        },
    )
    return item


@transaction.atomic
def update_notice(*, actor, notice: Notice, contact: str) -> Notice:
    notice = Notice.objects.select_for_update(of=("self",)).select_related("jurisdiction").get(pk=notice.pk)
    if not permissions.can_keep(actor, notice):
        raise PermissionDenied(_("Only the keeper of this public notice may change it."))
    contact = clean_text(contact, field="contact", max_length=200)
    if not contact:
        raise ValidationError({"contact": _("Give a contact for objections.")})
    if contact != notice.contact:
        audit.record(
            actor=actor, event="publicity.notice_updated", obj=notice, changes={"contact": [notice.contact, contact]}
        )
        notice.contact = contact
        notice.save(update_fields=["contact", "updated_at"])
    return notice


def _locked_item(item_id) -> Item:
    return Item.objects.select_for_update(of=("self",)).select_related("notice__jurisdiction").get(pk=item_id)


def _keepers(notice: Notice):
    return holders(permissions.KEEP, over=notice.jurisdiction)


@transaction.atomic
def lodge_objection(*, actor, item: Item, text: str, anonymous: bool = False, contact: str = "") -> Objection:
    """Any signed-in user objects to an item while its period runs. An
    anonymous objection keeps no name (not in the row, not in the log) and
    needs a contact so the keeper can investigate."""
    if not permissions.may_lodge(actor):
        raise PermissionDenied(_("Sign in to lodge an objection."))
    item = _locked_item(item.pk)
    text = clean_text(text, field="text", multiline=True, max_length=2000)
    contact = clean_text(contact, field="contact", max_length=100)
    if not text:
        raise ValidationError({"text": _("Say what the objection is.")})
    if anonymous and not contact:
        raise ValidationError({"contact": _("An anonymous objection needs a contact (a phone number or an e-mail).")})
    if item.status != Item.Status.PENDING:
        raise ValidationError(_("This item is no longer in public notice."))
    if not item.notice.is_running():
        raise ValidationError(
            _("Objections are accepted from %(start)s to %(end)s.")
            % {"start": item.notice.starts_on, "end": item.notice.ends_on}
        )
    objection = Objection.objects.create(
        item=item, lodged_by=None if anonymous else actor, anonymous=anonymous, contact=contact, text=text
    )
    audit.record(
        actor=None if anonymous else actor,
        event="publicity.objection_lodged",
        obj=objection,
        changes={"item": [None, str(item)], "anonymous": [None, anonymous]},
    )
    notify(
        _keepers(item.notice),
        _("Objection to the public notice: %(name)s") % {"name": item.name},
        reverse("publicity:objection_detail", args=[objection.pk]),
    )
    return objection


def _stop(*, actor, item: Item, reason: str):
    item.status = Item.Status.STOPPED
    item.status_reason = reason
    item.settled_at = timezone.now()
    item.save(update_fields=["status", "status_reason", "settled_at"])
    kinds.get(item.notice.kind).stop(actor=actor, item=item, reason=reason)
    audit.record(
        actor=actor,
        event="publicity.item_stopped",
        obj=item,
        changes={"status": [Item.Status.PENDING, Item.Status.STOPPED]},
        reason=reason,
    )


def _take_effect(*, actor, item: Item):
    item.status = Item.Status.EFFECTIVE
    item.settled_at = timezone.now()
    item.save(update_fields=["status", "settled_at"])
    kinds.get(item.notice.kind).take_effect(actor=actor, item=item)
    audit.record(
        actor=actor,
        event="publicity.item_took_effect",
        obj=item,
        changes={"status": [Item.Status.PENDING, Item.Status.EFFECTIVE]},
    )


def _settle(*, actor, item: Item, today) -> bool:
    """Let a locked pending item take effect if its period is over and nothing is waiting."""
    if item.status != Item.Status.PENDING or item.notice.ends_on >= today:
        return False
    if item.objections.filter(status__in=[Objection.Status.PENDING, Objection.Status.UPHELD]).exists():
        return False
    _take_effect(actor=actor, item=item)
    return True


@transaction.atomic
def decide_objection(*, actor, objection: Objection, decision: str, reason: str) -> Objection:
    """The keeper upholds (the item stops, and says why) or dismisses (the
    item goes on) an objection, giving a reason either way."""
    objection = Objection.objects.select_for_update(of=("self",)).get(pk=objection.pk)
    item = _locked_item(objection.item_id)
    if not permissions.can_keep(actor, item.notice):
        raise PermissionDenied(_("Only the keeper of this public notice decides its objections."))
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Uphold or dismiss the objection.")})
    reason = clean_text(reason, field="reason", multiline=True, max_length=1000)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the decision.")})
    if objection.status != Objection.Status.PENDING:
        raise ValidationError(
            _("This objection was already decided: %(status)s.") % {"status": objection.get_status_display()}
        )
    objection.status = decision
    objection.decision_reason = reason
    objection.decided_by = actor
    objection.decided_at = timezone.now()
    objection.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        event="publicity.objection_decided",
        obj=objection,
        changes={"status": [Objection.Status.PENDING, decision]},
        reason=reason,
    )
    objection.item = item
    if decision == Objection.Status.UPHELD and item.status == Item.Status.PENDING:
        _stop(actor=actor, item=item, reason=reason)
    elif decision == Objection.Status.DISMISSED:
        _settle(actor=actor, item=item, today=timezone.localdate())
    if objection.lodged_by_id:
        notify(
            [objection.lodged_by],
            _("Your objection to the public notice of %(name)s was %(decision)s.")
            % {"name": item.name, "decision": objection.get_status_display()},
            reverse("publicity:objection_detail", args=[objection.pk]),
        )
    return objection


def settle_due(*, today: dt.date | None = None, actor=None) -> int:
    """Every item whose period has ended with no objection upheld or waiting
    takes effect; each in its own transaction, so one failure holds back only
    its item. Run daily (manage.py settle_publicity, Celery beat) and before
    the lists are read. Returns how many took effect."""
    today = today or timezone.localdate()
    done = 0
    for pk in list(due_items(today).values_list("pk", flat=True)):
        with transaction.atomic():
            if _settle(actor=actor, item=_locked_item(pk), today=today):
                done += 1
    return done
