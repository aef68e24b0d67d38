from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from dudao.core.scoping import path_and_ancestors

from .capabilities import roles_with
from .models import AccessLogEntry, RoleAssignment, User
from .permissions import SELF_SERVICE_ROLES, can_read_access_log, sees_unassigned_accounts
from .scopes import nodes_q, scope_for


def users_for(actor) -> QuerySet[User]:
    """Accounts with at least one role inside the actor's administrative scope."""
    scope = scope_for(actor)
    if not (scope.manage_paths or scope.managed_org_ids):
        return User.objects.none()
    in_scope = []
    for prefix in ("jurisdiction__", "organization__"):
        if (q := nodes_q(scope.manage_nodes, prefix)) is not None:
            in_scope.append(q)
    if (q := nodes_q(scope.manage_nodes, "user__person__")) is not None:
        in_scope.append(q & Q(user__person__employed=True))
    if scope.managed_org_ids:
        self_roles = SELF_SERVICE_ROLES
        in_scope += [
            Q(organization_id__in=scope.managed_org_ids, role__in=self_roles),
            Q(user__person__employer_id__in=scope.managed_org_ids, user__person__employed=True, role__in=self_roles),
        ]
    assignments = RoleAssignment.objects.filter(reduce(or_, in_scope))
    condition = Q(Exists(assignments.filter(user_id=OuterRef("pk"))))
    if sees_unassigned_accounts(actor):
        condition |= ~Q(Exists(RoleAssignment.objects.filter(user_id=OuterRef("pk"))))
    return (
        User.objects.filter(condition)
        .select_related("person")
        .prefetch_related(
            Prefetch("role_assignments", queryset=RoleAssignment.objects.select_related("jurisdiction", "organization"))
        )
    )


def access_log_for(user) -> QuerySet[AccessLogEntry] | None:
    """The city administrator reads the access log; for anyone else None (403:
    the log's existence is no secret, its content is)."""
    if not can_read_access_log(user):
        return None
    return AccessLogEntry.objects.select_related("user")


def holders(capability: str, *, over=None, within=None, organization=None) -> list[User]:
    """Active accounts that hold `capability` through a role granted
    - `over` a jurisdiction: at that jurisdiction or one above it (who reviews
      a nomination of this district);
    - `within` a jurisdiction: at it, below it, or at an organisation inside it
      (the agencies of a city);
    - at `organization`.
    Whom to notify is a question of who may act, so it is asked in capabilities
    too; nothing outside accounts reads roles."""
    assignments = RoleAssignment.objects.filter(role__in=roles_with(capability), user__is_active=True)
    if over is not None:
        assignments = assignments.filter(jurisdiction__path__in=path_and_ancestors(over.path))
    if within is not None:
        assignments = assignments.filter(
            Q(jurisdiction__path__startswith=within.path) | Q(organization__jurisdiction__path__startswith=within.path)
        )
    if organization is not None:
        assignments = assignments.filter(organization=organization)
    return list(User.objects.filter(pk__in=assignments.values("user_id")).order_by("pk"))
