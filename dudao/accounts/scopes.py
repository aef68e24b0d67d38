"""What a user may see and manage, computed once per request from the role
assignments. Selectors and services ask this object; nothing else reads roles."""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q

from .models import JURISDICTION_ROLES, Role

# Roles that administer (not only read) the jurisdiction they are assigned to.
MANAGING_JURISDICTION_ROLES = {Role.CITY_ADMIN, Role.DISTRICT_ADMIN}


@dataclass(frozen=True)
class Scope:
    roles: frozenset = frozenset()
    read_paths: tuple = ()
    manage_paths: tuple = ()
    org_ids: frozenset = frozenset()
    managed_org_ids: frozenset = frozenset()
    person_id: int | None = None
    jurisdiction_ids: frozenset = field(default=frozenset())

    def has(self, *roles) -> bool:
        return any(r in self.roles for r in roles)

    def reads_path(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.read_paths)

    def manages_path(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.manage_paths)


EMPTY = Scope()


def scope_for(user) -> Scope:
    if not getattr(user, "is_authenticated", False):
        return EMPTY
    cached = getattr(user, "_dudao_scope", None)
    if cached is not None:
        return cached
    roles, read_paths, manage_paths, org_ids, managed_org_ids, jurisdiction_ids = set(), [], [], set(), set(), set()
    for a in user.role_assignments.select_related("jurisdiction"):
        roles.add(a.role)
        if a.role in JURISDICTION_ROLES and a.jurisdiction_id:
            read_paths.append(a.jurisdiction.path)
            jurisdiction_ids.add(a.jurisdiction_id)
            if a.role in MANAGING_JURISDICTION_ROLES:
                manage_paths.append(a.jurisdiction.path)
        if a.organization_id:
            org_ids.add(a.organization_id)
            if a.role == Role.AGENCY_ADMIN:
                managed_org_ids.add(a.organization_id)
    scope = Scope(
        roles=frozenset(roles),
        read_paths=tuple(sorted(set(read_paths))),
        manage_paths=tuple(sorted(set(manage_paths))),
        org_ids=frozenset(org_ids),
        managed_org_ids=frozenset(managed_org_ids),
        person_id=user.person_id,
        jurisdiction_ids=frozenset(jurisdiction_ids),
    )
    user._dudao_scope = scope
    return scope


def path_q(prefix: str, paths) -> Q | None:
    """Q matching rows whose jurisdiction path (reached by `prefix`) lies under
    any of `paths`; None when there are no paths, so callers can skip the term."""
    if not paths:
        return None
    return reduce(or_, (Q(**{f"{prefix}__startswith": p}) for p in paths))
