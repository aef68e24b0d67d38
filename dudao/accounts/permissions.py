"""May this user do this to this account? The one place the accounts app
answers it, from the Scope (what the user's roles allow, as capabilities, and
where: dudao.core.scoping)."""

from dudao.core.scoping import scope_for
from dudao.directory.permissions import can_manage_person

from .models import JURISDICTION_ROLES, ORGANIZATION_ROLES, Role, User

# Supervisors and social workers hold their role over their own record: an
# agency grants them to its staff.
SELF_SERVICE_ROLES = (Role.SUPERVISOR, Role.SOCIAL_WORKER)


def grantable_roles(actor) -> list[str]:
    scope = scope_for(actor)
    return [r for r in Role if scope.can(f"accounts.grant.{r}")]


def can_grant(actor, *, role, jurisdiction=None, organization=None, person=None) -> bool:
    scope = scope_for(actor)
    if not scope.can(f"accounts.grant.{role}"):
        return False
    if role in JURISDICTION_ROLES:
        return (
            jurisdiction is not None
            and scope.can("accounts.grant.over_jurisdiction")
            and scope.manages_path(jurisdiction.path)
        )
    if role in ORGANIZATION_ROLES:
        if organization is None:
            return False
        return scope.manages_path(organization.jurisdiction.path) or (
            role != Role.AGENCY_ADMIN and organization.pk in scope.managed_org_ids
        )
    return person is not None and can_manage_person(actor, person)


def can_manage_user(actor, user: User) -> bool:
    """An actor manages another account when it could grant every role that
    account holds; an account with no role yet belongs to the city. Nobody
    manages their own account here (they change their password themselves)."""
    if user.pk == actor.pk:
        return False
    assignments = list(user.role_assignments.select_related("jurisdiction", "organization__jurisdiction"))
    if not assignments:
        return scope_for(actor).can("accounts.unassigned.manage")
    return all(
        can_grant(actor, role=a.role, jurisdiction=a.jurisdiction, organization=a.organization, person=user.person)
        for a in assignments
    )


def can_lift_lockout(actor, user: User) -> bool:
    return scope_for(actor).can("accounts.lockout.lift") and can_manage_user(actor, user)


def can_read_access_log(actor) -> bool:
    return scope_for(actor).can("accounts.access_log.read")


def sees_unassigned_accounts(actor) -> bool:
    return scope_for(actor).can("accounts.unassigned.manage")


def sees_city_overview(actor) -> bool:
    return scope_for(actor).can("accounts.home.city_overview")


def may_administer_accounts(actor) -> bool:
    return bool(grantable_roles(actor))
