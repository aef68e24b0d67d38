"""May this user do this to a public notice? The one place the publicity app
answers it. Every signed-in user reads the lists and may object to an item
while its period runs; the keeper (the city) decides objections."""

from dudao.core.scoping import scope_for

KEEP = "publicity.keep"


def reads_notices(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_keep(user, notice) -> bool:
    return scope_for(user).can_at(KEEP, notice.jurisdiction.path)


def keeps_any(user) -> bool:
    return scope_for(user).can(KEEP)


def keeper_nodes(user) -> tuple:
    return scope_for(user).nodes_for(KEEP)


def may_lodge(user) -> bool:
    return reads_notices(user)


def can_see_objection(user, objection) -> bool:
    """The keeper sees every objection to its lists; a person sees the ones they lodged by name."""
    return can_keep(user, objection.item.notice) or (
        objection.lodged_by_id is not None and objection.lodged_by_id == user.pk
    )
