"""The talent pools' part of each role's 工作台 (core.workbench): for a pool's
keeper, entries whose term ends within the renewal notice period (policy data,
evaluation.renewal_notice_days) and the size of the pool, the city's against
the 百名督导 target (training.programme_target)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core.scoping import scope_for
from dudao.core.workbench import Figure, Todo
from dudao.directory.models import Jurisdiction
from dudao.policy.selectors import resolve_many

from . import permissions, selectors
from .models import Entry

L = Entry.Level


def _kept(user) -> list[tuple[str, Jurisdiction]]:
    """(level, jurisdiction) of each pool the user keeps: the city's, a district's."""
    scope = scope_for(user)
    nodes = [(L.CITY, n) for n in scope.nodes_for(permissions.KEEP_CITY)]
    nodes += [(L.DISTRICT, n) for n in scope.nodes_for(permissions.KEEP_DISTRICT)]
    if not nodes:
        return []
    places = Jurisdiction.objects.in_bulk([n.id for _level, n in nodes])
    return [(level, places[n.id]) for level, n in nodes[:2] if n.id in places]


def _policy(jurisdiction) -> dict:
    values = resolve_many(
        ["evaluation.renewal_notice_days", "training.programme_target"], jurisdiction, timezone.localdate()
    )
    return {key: value for key, (value, _version) in values.items()}


def todos(user) -> list[Todo]:
    out = []
    for level, place in _kept(user):
        days = int(_policy(place)["evaluation.renewal_notice_days"])
        entries = selectors.entries_for(user).filter(level=level)
        label = (
            _("City pool entries whose term ends within %(days)s days")
            if level == L.CITY
            else _("District pool entries whose term ends within %(days)s days")
        )
        out.append(
            Todo(
                label % {"days": days},
                selectors.expiring(entries, days).count(),
                reverse("pools:entry_list") + f"?level={level}&expires_within={days}",
                "warning",
            )
        )
    return out


def figures(user) -> list[Figure]:
    out = []
    for level, place in _kept(user):
        size = selectors.available(selectors.entries_for(user).filter(level=level)).count()
        url = reverse("pools:entry_list") + f"?level={level}&status=active"
        if level == L.CITY:
            target = int(_policy(place)["training.programme_target"])
            out.append(Figure(_("City pool size"), size, url, target=target, detail=_("Target: %(n)s") % {"n": target}))
        else:
            out.append(Figure(_("District pool size"), size, url))
    return out
