"""Reads of public notices: every signed-in user reads the lists; the keeper
reads the objections to its lists, a person the ones they lodged by name."""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from dudao.directory.models import Jurisdiction
from dudao.policy.selectors import resolve_many, value_by_jurisdiction

from . import permissions
from .models import Item, Notice, Objection

SETTINGS = ("publicity.enabled", "publicity.days", "publicity.public_page")


def settings_for(jurisdiction: Jurisdiction, on: dt.date | None = None) -> dict:
    """{"enabled", "days", "public_page"} in force for the keeper on the date."""
    values = resolve_many(SETTINGS, jurisdiction, on)
    return {key.split(".", 1)[1]: values[key][0] for key in SETTINGS}


def is_enabled(jurisdiction: Jurisdiction, on: dt.date | None = None) -> bool:
    return bool(settings_for(jurisdiction, on)["enabled"])


def _notices() -> QuerySet[Notice]:
    return Notice.objects.select_related("jurisdiction").annotate(
        item_count=Count("items", distinct=True),
        pending_objections=Count("items__objections", filter=Q(items__objections__status="pending"), distinct=True),
    )


def notices_for(user) -> QuerySet[Notice]:
    if not permissions.reads_notices(user):
        return Notice.objects.none()
    return _notices()


def public_notices(today: dt.date | None = None) -> QuerySet[Notice]:
    """The running notices of the keepers whose policy allows a public page."""
    today = today or timezone.localdate()
    running = Notice.objects.filter(starts_on__lte=today, ends_on__gte=today).select_related("jurisdiction")
    keepers = Jurisdiction.objects.filter(pk__in=running.values("jurisdiction_id"))
    allowed = [pk for pk, shown in value_by_jurisdiction("publicity.public_page", keepers, today).items() if shown]
    return running.filter(jurisdiction_id__in=allowed).prefetch_related("items")


def public_notice(pk: int, today: dt.date | None = None) -> Notice | None:
    return public_notices(today).filter(pk=pk).first()


def items_for(user) -> QuerySet[Item]:
    if not permissions.reads_notices(user):
        return Item.objects.none()
    return Item.objects.select_related("notice__jurisdiction").annotate(
        objection_count=Count("objections"),
    )


def objections_for(user) -> QuerySet[Objection]:
    """The keeper's objections to its lists, and the ones the user lodged by name."""
    if not permissions.reads_notices(user):
        return Objection.objects.none()
    visible = Q(lodged_by=user)
    kept = [node.path for node in permissions.keeper_nodes(user)]
    for path in kept:
        visible |= Q(item__notice__jurisdiction__path__startswith=path)
    return Objection.objects.filter(visible).select_related("item__notice__jurisdiction", "lodged_by", "decided_by")


def objections_awaiting_decision(user) -> QuerySet[Objection]:
    """The keeper's queue: objections to its lists not decided yet."""
    kept = [node.path for node in permissions.keeper_nodes(user)]
    if not kept:
        return Objection.objects.none()
    paths = Q()
    for path in kept:
        paths |= Q(item__notice__jurisdiction__path__startswith=path)
    return Objection.objects.filter(paths, status=Objection.Status.PENDING)


def objections_awaiting_decision_count(user) -> int:
    """For the keeper's 工作台: the number of rows objections_awaiting_decision_url() lists."""
    return objections_awaiting_decision(user).count()


def objections_awaiting_decision_url() -> str:
    return reverse("publicity:objection_list") + "?status=pending"


def items_of_record(record: str) -> list[Item]:
    """The items a record (a nomination) was published as, with their objections, oldest first."""
    return list(
        Item.objects.filter(record=record)
        .select_related("notice")
        .prefetch_related("objections__decided_by")
        .order_by("notice__starts_on", "id")
    )


def due_items(today: dt.date | None = None) -> QuerySet[Item]:
    """Pending items whose period is over with no objection waiting: they take effect now."""
    today = today or timezone.localdate()
    return Item.objects.filter(status=Item.Status.PENDING, notice__ends_on__lt=today).exclude(
        objections__status=Objection.Status.PENDING
    )


def record_key(app_model: str, pk) -> str:
    return f"{app_model}:{pk}"
