"""May this user do this with the evaluation? The one place the evaluation app
answers it, from the Scope's capabilities and where they apply
(dudao/accounts/capabilities.py says which role carries which).

The keeper of a pool runs its cycle: the city administrator the city pool's,
a district administrator its own district pool's. Reading follows the cycle's
chain (the owner's): HR&SS, the city and a district read the cycles and
evaluations in their jurisdiction. Everything else is not found (404)."""

from dudao.core.scoping import scope_for
from dudao.pools.models import Entry

CYCLES_CITY = "evaluation.cycles.city"
CYCLES_DISTRICT = "evaluation.cycles.district"
RESULTS_ENTER = "evaluation.results.enter"
READ = "evaluation.read"


def keeps_pool(user, owner, level) -> bool:
    """Whether the user runs the evaluation of `level`'s pool kept by `owner`."""
    scope = scope_for(user)
    if level == Entry.Level.CITY:
        return owner.is_city_level and scope.can_at(CYCLES_CITY, owner.path)
    if level == Entry.Level.DISTRICT:
        return not owner.is_city_level and scope.can_at(CYCLES_DISTRICT, owner.path)
    return False


def keeping_nodes(user) -> tuple:
    """The jurisdictions whose pool the user may open a cycle for."""
    scope = scope_for(user)
    return scope.nodes_for(CYCLES_CITY) + scope.nodes_for(CYCLES_DISTRICT)


def opens_cycles(user) -> bool:
    return bool(keeping_nodes(user))


def reading_nodes(user) -> tuple:
    """Where the user reads cycles and evaluations."""
    scope = scope_for(user)
    return scope.nodes_for(READ) + keeping_nodes(user)


def reads_evaluation(user) -> bool:
    return bool(reading_nodes(user))


def reads_cycle(user, cycle) -> bool:
    return cycle.in_chain(reading_nodes(user))


def manages_cycle(user, cycle) -> bool:
    return keeps_pool(user, cycle.owner, cycle.level)


# --- supervisees' service evaluation results --------------------------------------------


def result_org_ids(user) -> frozenset:
    """The agencies whose staff's results the user enters (as their agency admin)."""
    scope = scope_for(user)
    return scope.managed_org_ids if scope.can(RESULTS_ENTER) else frozenset()


def result_nodes(user) -> tuple:
    """The jurisdictions in which the user enters results (as an authority)."""
    return scope_for(user).nodes_for(RESULTS_ENTER)


def enters_results(user) -> bool:
    return bool(result_org_ids(user) or result_nodes(user))


def enters_result_for(user, person) -> bool:
    """An agency for its own staff; an authority for anyone employed in its jurisdiction."""
    if person.employer_id is not None and person.employer_id in result_org_ids(user):
        return True
    return person.employer_id is not None and person.in_chain(result_nodes(user))


def enters_results_of(user, organization) -> bool:
    return organization.pk in result_org_ids(user) or organization.in_chain(result_nodes(user))
