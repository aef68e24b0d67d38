"""Which role may do what, as data: the one table that turns roles into the
named capabilities every app asks its Scope about (scope.can("…")). A new
capability is a line here and a check in the app's permissions module; where a
capability applies (which district, which agency) is the Scope's other half.

Capability names are "<app>.<thing>.<verb>"."""

from .models import Role


def _grant(*roles) -> set[str]:
    return {f"accounts.grant.{role}" for role in roles}


ROLE_CAPABILITIES: dict[str, set[str]] = {
    Role.CITY_ADMIN: {
        "core.audit.read",
        "accounts.access_log.read",
        # The city grants every role, and alone grants roles over a jurisdiction
        # (a district administrator cannot mint peers); it keeps the accounts that
        # hold no role yet, and lifts lock-outs.
        *_grant(*Role),
        "accounts.grant.over_jurisdiction",
        "accounts.unassigned.manage",
        "accounts.lockout.lift",
        "accounts.home.city_overview",
        # Policy 四(三): the city opens the year's rounds and has the last review.
        "selection.rounds.manage",
        "selection.review.city",
        # Policy 四(三): the city runs the training programmes.
        "training.programmes.manage",
        "training.activities.organise",
        "pools.city.keep",
        # The city publishes its decisions (公示) and decides the objections to them.
        "publicity.keep",
        # Policy 三(三), 五(一): the city evaluates its pool's supervisors each year.
        "evaluation.cycles.city",
    },
    # A district onboards its agencies; an agency gives its own staff their self-service roles.
    Role.DISTRICT_ADMIN: {
        *_grant(Role.AGENCY_ADMIN, Role.SUPERVISOR, Role.SOCIAL_WORKER),
        # The district reviews its agencies' nominations first and recommends the
        # supervisors it selected itself (direct entry).
        "selection.review.district",
        "selection.nominate.district_selected",
        "training.activities.organise",
        # Policy 四(二): a district selects and keeps its own pool.
        "pools.district.keep",
        "pools.district.admit",
        # Policy 四(二): a district evaluates its own pool's supervisors.
        "evaluation.cycles.district",
    },
    Role.AGENCY_ADMIN: {
        *_grant(Role.SUPERVISOR, Role.SOCIAL_WORKER),
        "selection.nominate.own_staff",
        "pools.internal.designate",
        # Policy 三(二): the agency uses its own supervisors first and hires from the pools
        # when short; it confirms the practice its staff supervisors log with it.
        "supervision.engagements.manage",
        # Policy 三(三): 谁使用、谁补贴 — the using agency confirms and pays what it owes.
        "subsidies.statements.pay",
        # Policy 三(三): the supervisor's own agency and each agency served score the supervisor.
        "evaluation.score.agency",
    },
    # Policy 一: the supervisor records the supervision given; the supervisees confirm it.
    Role.SUPERVISOR: {"supervision.sessions.record", "supervision.sessions.confirm"},
    Role.SOCIAL_WORKER: {"supervision.sessions.confirm"},
    # The third-party trainer delivers the programmes assigned to it.
    Role.TRAINER: {"training.programmes.deliver"},
    # Policy 三(三): the social work association is one of the four parties that assess supervisors.
    Role.ASSOCIATION: {"evaluation.score.association"},
    Role.HRSS: set(),
    Role.FINANCE: set(),
}


# Who reads the talent pools at all (where: the Scope's nodes and organisations).
POOL_READERS = {
    Role.CITY_ADMIN,
    Role.DISTRICT_ADMIN,
    Role.AGENCY_ADMIN,
    Role.SUPERVISOR,
    Role.ASSOCIATION,
    Role.HRSS,
    Role.FINANCE,
}
for _role in POOL_READERS:
    ROLE_CAPABILITIES[_role].add("pools.entries.read")


# Who watches supervision coverage over a jurisdiction (where: the Scope's read nodes).
for _role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.HRSS):
    ROLE_CAPABILITIES[_role].add("supervision.coverage.read")


# Policy 三(三), 五(一): the keeper of a pool (the city its pool, a district its own)
# runs the pool's annual evaluation; HR&SS reads evaluation over its jurisdiction.
ROLE_CAPABILITIES[Role.CITY_ADMIN].add("evaluation.cycles.city")
ROLE_CAPABILITIES[Role.DISTRICT_ADMIN].add("evaluation.cycles.district")
# Supervisees' service evaluation results: an agency for its staff, an authority in its jurisdiction.
for _role in (Role.AGENCY_ADMIN, Role.CITY_ADMIN, Role.DISTRICT_ADMIN):
    ROLE_CAPABILITIES[_role].add("evaluation.results.enter")
for _role in (Role.HRSS, Role.CITY_ADMIN, Role.DISTRICT_ADMIN):
    ROLE_CAPABILITIES[_role].add("evaluation.read")
# Policy 三(三), 五(一): the city and the districts pay the government supplement from
# their budget lines; finance (and the authorities) read the subsidies in their jurisdiction.
for _role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN):
    ROLE_CAPABILITIES[_role].add("subsidies.supplements.pay")
for _role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.HRSS, Role.FINANCE):
    ROLE_CAPABILITIES[_role].add("subsidies.read")
# A supervisor reads what is owed and paid to them.
ROLE_CAPABILITIES[Role.SUPERVISOR].add("subsidies.own.read")


def roles_with(capability: str) -> list[str]:
    return [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]


def capabilities_of(roles) -> frozenset:
    return frozenset(c for role in roles for c in ROLE_CAPABILITIES.get(role, ()))
