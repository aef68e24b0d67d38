"""The selection part of each role's 工作台 (core.workbench): nominations
waiting for the reviewer's stage, returned nominations for the agency that
made them; the round deadlines that concern each role; the open round's quota
left to an agency."""

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core.scoping import scope_for
from dudao.core.workbench import Deadline, Figure, Todo
from dudao.directory.models import Organization

from . import permissions, selectors
from .models import Nomination

S = Nomination.Status


def todos(user) -> list[Todo]:
    stages = permissions.queue_stages(user)
    nominating = permissions.nominating_org_ids(user)
    if not stages and not nominating:
        return []
    # One grouped query gives every status the to-dos read.
    counts = dict(
        selectors.nominations_for(user)
        .filter(status__in=[*stages, S.RETURNED])
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    out = []
    queue = reverse("selection:queue")
    if S.DISTRICT_REVIEW in stages:
        out.append(
            Todo(
                _("Nominations awaiting district review"),
                counts.get(S.DISTRICT_REVIEW, 0),
                f"{queue}?status={S.DISTRICT_REVIEW}",
            )
        )
    if S.CITY_REVIEW in stages:
        out.append(
            Todo(_("Nominations awaiting city review"), counts.get(S.CITY_REVIEW, 0), f"{queue}?status={S.CITY_REVIEW}")
        )
    if nominating:
        out.append(
            Todo(
                _("Returned nominations to revise"),
                counts.get(S.RETURNED, 0),
                reverse("selection:nomination_list") + f"?status={S.RETURNED}",
                "warning",
            )
        )
    return out


def _open_rounds(user):
    return selectors.rounds_for(user).filter(closed_at__isnull=True).order_by("-year", "-id")[:3]


def deadlines(user) -> list[Deadline]:
    scope = scope_for(user)
    stages = permissions.queue_stages(user)
    nominates = bool(permissions.nominating_org_ids(user)) or bool(permissions.district_drafts_nodes(user))
    if not (stages or nominates or scope.can(permissions.ROUNDS_MANAGE)):
        return []
    out = []
    for round_ in _open_rounds(user):
        url = reverse("selection:round_detail", args=[round_.pk])
        if nominates:
            out.append(
                Deadline(_("Nominations due"), timezone.localdate(round_.submission_deadline), url, round_.title)
            )
        if S.DISTRICT_REVIEW in stages:
            out.append(
                Deadline(
                    _("District review due"), timezone.localdate(round_.district_review_deadline), url, round_.title
                )
            )
        if S.CITY_REVIEW in stages:
            out.append(
                Deadline(_("City review due"), timezone.localdate(round_.city_review_deadline), url, round_.title)
            )
    return out


def figures(user) -> list[Figure]:
    """An agency's places left in the round open for submissions."""
    orgs = sorted(permissions.nominating_org_ids(user))
    if not orgs:
        return []
    out = []
    now = timezone.now()
    rounds = [r for r in _open_rounds(user) if r.submission_deadline >= now][:1]
    for round_ in rounds:
        for organization in Organization.objects.filter(pk__in=orgs).select_related("jurisdiction")[:3]:
            quota = selectors.quota_for(round_, organization)
            out.append(
                Figure(
                    _("Nomination places left"),
                    quota.remaining,
                    reverse("selection:round_nominate", args=[round_.pk, organization.pk]),
                    detail=_("%(round)s · quota %(quota)s, used %(used)s")
                    % {"round": round_.title, "quota": quota.quota, "used": quota.used},
                )
            )
    return out
