"""May this user do this to a talent pool? The one place the pools app answers
it, from the Scope's capabilities and where they apply
(dudao/accounts/capabilities.py says which role carries which)."""

from dudao.core.scoping import scope_for

from .models import Entry

READ = "pools.entries.read"
KEEP_CITY = "pools.city.keep"
KEEP_DISTRICT = "pools.district.keep"
ADMIT_DISTRICT = "pools.district.admit"
DESIGNATE_INTERNAL = "pools.internal.designate"


def reads_pools(user) -> bool:
    return scope_for(user).can(READ)


def can_keep(actor, entry: Entry) -> bool:
    """Whether the actor keeps the pool the entry is in: the agency its
    internal supervisors, the city its pool, a district its own."""
    scope = scope_for(actor)
    if entry.level == Entry.Level.AGENCY:
        return scope.can(DESIGNATE_INTERNAL) and entry.organization_id in scope.managed_org_ids
    if entry.level == Entry.Level.CITY:
        return scope.can_at(KEEP_CITY, entry.jurisdiction.path)
    return scope.can_at(KEEP_DISTRICT, entry.jurisdiction.path)


def can_admit_to(actor, district) -> bool:
    """A district selects supervisors into its own pool (policy 四(二))."""
    return not district.is_city_level and scope_for(actor).can_at(ADMIT_DISTRICT, district.path)


def admitting_nodes(actor) -> tuple:
    return scope_for(actor).nodes_for(ADMIT_DISTRICT)


def can_designate_for(actor, organization) -> bool:
    """An agency names its own internal supervisors (policy 四(一))."""
    scope = scope_for(actor)
    return scope.can(DESIGNATE_INTERNAL) and organization.pk in scope.managed_org_ids


def designating_org_ids(actor) -> frozenset:
    scope = scope_for(actor)
    return scope.managed_org_ids if scope.can(DESIGNATE_INTERNAL) else frozenset()
