"""May this user score, review, publish or appeal an evaluation? The scoring
half of the evaluation app's permissions (the cycle half is permissions.py),
from the Scope's capabilities and where they apply
(dudao/accounts/capabilities.py says which role carries which).

The four parties (policy 三(三)): the supervisor's home agency and each agency
that engaged them in the cycle's year (their admins), the social work
association over the cycle owner's jurisdiction, and the authority that owns
the cycle (the city for its pool, a district for its own). A party sees its own
forms only; anything else is not found (404)."""

from dudao.core.scoping import scope_for
from dudao.pools.models import Entry

SCORE_AGENCY = "evaluation.score.agency"
SCORE_ASSOCIATION = "evaluation.score.association"
# Held by the cycle's owner (named by the cycle half of the app).
CYCLES_CITY = "evaluation.cycles.city"
CYCLES_DISTRICT = "evaluation.cycles.district"


def owner_capability(level: str) -> str:
    return CYCLES_CITY if level == Entry.Level.CITY else CYCLES_DISTRICT


def owns_cycle(user, cycle) -> bool:
    """The authority that owns the cycle: it scores as 主管部门, reviews, publishes and decides appeals."""
    return scope_for(user).can_over_row(owner_capability(cycle.level), cycle)


def owner_nodes(user) -> dict:
    """{pool level: the jurisdictions whose cycles of that level the user owns}."""
    scope = scope_for(user)
    return {
        Entry.Level.CITY: scope.nodes_for(CYCLES_CITY),
        Entry.Level.DISTRICT: scope.nodes_for(CYCLES_DISTRICT),
    }


def scoring_org_ids(user) -> frozenset:
    """The agencies whose forms (as home or served agency) the user fills in."""
    scope = scope_for(user)
    return scope.managed_org_ids if scope.can(SCORE_AGENCY) else frozenset()


def association_nodes(user) -> tuple:
    """The jurisdictions over which the user scores as the social work association."""
    return scope_for(user).nodes_for(SCORE_ASSOCIATION)


def fills_form(user, form, cycle) -> bool:
    """Whether `form` (a PartyForm) is one of the user's own."""
    from .models import Party

    if form.party in (Party.HOME_AGENCY, Party.SERVED_AGENCY):
        return form.organization_id in scoring_org_ids(user)
    if form.party == Party.ASSOCIATION:
        return cycle.in_chain(association_nodes(user))
    return owns_cycle(user, cycle)


def is_evaluated(user, evaluation) -> bool:
    """The supervisor the evaluation is about."""
    person_id = scope_for(user).person_id
    return person_id is not None and evaluation.person_id == person_id


def scoring_person_id(user) -> int | None:
    """The person whose own results the user reads."""
    return scope_for(user).person_id


def reads_results(user) -> bool:
    """Results and appeals are read by the owners of cycles and by supervisors (their own)."""
    return any(owner_nodes(user).values()) or scoring_person_id(user) is not None


def keeps_pools(user) -> bool:
    """Renewals are read and decided by the keepers of the city and district pools."""
    from dudao.pools import permissions as pool_permissions

    scope = scope_for(user)
    return bool(scope.nodes_for(pool_permissions.KEEP_CITY) or scope.nodes_for(pool_permissions.KEEP_DISTRICT))
