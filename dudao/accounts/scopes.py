"""What a user may see and manage, built once per request from the role
assignments. Every app asks the Scope (dudao.core.scoping.scope_for, which this
module serves) or its own permissions module; nothing else reads roles."""

from dudao.core.scoping import EMPTY, Node, Scope, nodes_q, scope_for
from dudao.directory.models import Person

from .capabilities import ROLE_CAPABILITIES, capabilities_of
from .models import JURISDICTION_ROLES, Role

# Roles that administer (not only read) the jurisdiction they are assigned to.
MANAGING_JURISDICTION_ROLES = {Role.CITY_ADMIN, Role.DISTRICT_ADMIN}


def build_scope(user) -> Scope:
    roles, read_nodes, manage_nodes, org_ids, managed_org_ids, jurisdiction_ids = (
        set(),
        set(),
        set(),
        set(),
        set(),
        set(),
    )
    capability_nodes = set()
    for a in user.role_assignments.select_related("jurisdiction"):
        roles.add(a.role)
        if a.role in JURISDICTION_ROLES and a.jurisdiction_id:
            node = Node(depth=a.jurisdiction.depth, id=a.jurisdiction_id, path=a.jurisdiction.path)
            capability_nodes.update((cap, node) for cap in ROLE_CAPABILITIES.get(a.role, ()))
            read_nodes.add(node)
            jurisdiction_ids.add(a.jurisdiction_id)
            if a.role in MANAGING_JURISDICTION_ROLES:
                manage_nodes.add(node)
        if a.organization_id:
            org_ids.add(a.organization_id)
            if a.role == Role.AGENCY_ADMIN:
                managed_org_ids.add(a.organization_id)
    employer_id = None
    if user.person_id:
        employer_id = (
            Person.objects.filter(pk=user.person_id, employed=True).values_list("employer_id", flat=True).first()
        )
    scope = Scope(
        roles=frozenset(roles),
        read_nodes=_outermost(read_nodes),
        manage_nodes=_outermost(manage_nodes),
        org_ids=frozenset(org_ids),
        managed_org_ids=frozenset(managed_org_ids),
        person_id=user.person_id,
        employer_id=employer_id,
        jurisdiction_ids=frozenset(jurisdiction_ids),
        capabilities=capabilities_of(roles),
        capability_nodes=tuple(sorted(capability_nodes, key=lambda c: (c[0], c[1].depth, c[1].path))),
    )
    return scope


def _outermost(nodes) -> tuple:
    """Drop nodes inside another node of the set: one condition fewer per query."""
    ordered = sorted(nodes, key=lambda n: (n.depth, n.path))
    kept = []
    for node in ordered:
        if not any(node.path.startswith(k.path) for k in kept):
            kept.append(node)
    return tuple(kept)


__all__ = ["EMPTY", "MANAGING_JURISDICTION_ROLES", "Scope", "build_scope", "nodes_q", "scope_for"]
