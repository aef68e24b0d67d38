"""Statements as each reader sees them (permissions.visible_q), and the
signed-off months a payer has still to compute."""

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from dudao.supervision.models import MonthSignOff, Session

from .. import permissions
from ..models import Statement


def statements_for(user) -> QuerySet[Statement]:
    q = permissions.visible_q(user)
    if q is None:
        return Statement.objects.none()
    return Statement.objects.filter(q).select_related(
        "supervisor", "organization", "payer_organization", "payer_jurisdiction"
    )


def statement_for(user, pk) -> Statement:
    try:
        return statements_for(user).get(pk=int(pk))
    except (Statement.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def months_to_compute(user) -> QuerySet[MonthSignOff]:
    """Signed-off months with a confirmed session and no live statement, of
    the engagements whose subsidy the user pays."""
    orgs = sorted(permissions.paying_org_ids(user))
    if not orgs:
        return MonthSignOff.objects.none()
    live = Statement.objects.filter(
        engagement_id=OuterRef("engagement_id"), month=OuterRef("month"), kind=Statement.Kind.STATEMENT
    ).exclude(status=Statement.Status.VOIDED)
    confirmed = Session.objects.filter(
        engagement_id=OuterRef("engagement_id"), month=OuterRef("month"), status=Session.Status.CONFIRMED
    )
    return (
        MonthSignOff.objects.filter(engagement__organization_id__in=orgs, status=MonthSignOff.Status.SIGNED)
        .filter(Exists(confirmed))
        .exclude(Exists(live))
        .select_related("engagement__supervisor", "engagement__organization", "engagement__entry")
        .order_by("-month", "engagement_id")
    )
