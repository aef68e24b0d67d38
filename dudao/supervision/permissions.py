"""May this user do this with supervision? The one place the supervision app
answers it, from the Scope's capabilities and where they apply
(dudao/accounts/capabilities.py says which role carries which).

Reading follows the row: the supervisor their own engagements and sessions,
a supervisee the sessions they attended, an agency what it uses (and, without
notes, what its own supervisors do elsewhere), a jurisdiction what its
organisations use. Everything else is not found (404)."""

from dudao.core.scoping import scope_for

MANAGE = "supervision.engagements.manage"
RECORD = "supervision.sessions.record"
CONFIRM = "supervision.sessions.confirm"
COVERAGE = "supervision.coverage.read"


def managed_org_ids(user) -> frozenset:
    """The organisations whose supervision the user runs (as their agency admin)."""
    scope = scope_for(user)
    return scope.managed_org_ids if scope.can(MANAGE) else frozenset()


def manages_organization(user, organization_id) -> bool:
    return organization_id in managed_org_ids(user)


def coverage_nodes(user) -> tuple:
    """The jurisdictions whose supervision the user watches."""
    scope = scope_for(user)
    return scope.read_nodes if scope.can(COVERAGE) else ()


def watches_row(user, row) -> bool:
    """Whether `row` (anything with a jurisdiction chain) lies in a jurisdiction the user watches."""
    return row.in_chain(coverage_nodes(user))


def supervisor_person_id(user) -> int | None:
    """The person the user records supervision as, if they may."""
    scope = scope_for(user)
    return scope.person_id if scope.can(RECORD) else None


def supervisee_person_id(user) -> int | None:
    """The person the user confirms sessions as, if they may."""
    scope = scope_for(user)
    return scope.person_id if scope.can(CONFIRM) else None


def is_supervisor_of(user, engagement) -> bool:
    pid = supervisor_person_id(user)
    return pid is not None and engagement.supervisor_id == pid


def uses(user, engagement) -> bool:
    """The user runs the organisation that uses (and pays) the engagement."""
    return manages_organization(user, engagement.organization_id)


def is_home_agency_of(user, engagement) -> bool:
    return engagement.home_organization_id is not None and manages_organization(user, engagement.home_organization_id)


def reads_notes(user, session, *, attended: bool) -> bool:
    """Session notes are for the supervisor, the supervisees present and the
    using agency; the supervisor's home agency and the authorities see the
    session without them."""
    return (
        attended
        or session.supervisor_id == supervisor_person_id(user)
        or manages_organization(user, session.organization_id)
    )


# --- coverage and the supervisor directory ---------------------------------------------


def reads_coverage_of(user, organization) -> bool:
    """The agency's own admin, or a jurisdiction watching it."""
    return manages_organization(user, organization.pk) or watches_row(user, organization)


def uses_directory(user) -> bool:
    """Who searches the pools to hire (agencies) or to steer hiring (districts, the city)."""
    scope = scope_for(user)
    return scope.can(MANAGE) or scope.can(COVERAGE)


def sees_supervisor(user, person) -> bool:
    """Whether the user may read a supervisor's summary (hours, ratings, gain):
    the supervisor themself, the admins of their employer or of an organisation
    that engages them, and those watching the jurisdiction that holds them."""
    from .models import Engagement

    if person.pk == supervisor_person_id(user):
        return True
    managed = managed_org_ids(user)
    if person.employer_id in managed:
        return True
    if (
        managed
        and Engagement.objects.filter(
            supervisor=person,
            organization_id__in=managed,
            status__in=[Engagement.Status.ACTIVE, Engagement.Status.ENDED],
        ).exists()
    ):
        return True
    return watches_row(user, person)
