"""May this user do this with subsidies? The one place the subsidies app answers
it, from the Scope's capabilities and where they apply (accounts/capabilities.py).

Reading follows the row: a supervisor what is owed and paid to them, a paying
agency its statements, a city or district the supplements on its budget line,
and finance, HR&SS and the authorities everything in their jurisdiction
(read only). Everything else is not found (404)."""

from django.db.models import Q

from dudao.core.scoping import nodes_q, scope_for

PAY = "subsidies.statements.pay"
PAY_SUPPLEMENTS = "subsidies.supplements.pay"
READ = "subsidies.read"
OWN = "subsidies.own.read"


def paying_org_ids(user) -> frozenset:
    """The organisations whose statements the user confirms and pays (their agency admin)."""
    scope = scope_for(user)
    return scope.managed_org_ids if scope.can(PAY) else frozenset()


def budget_line_ids(user) -> frozenset:
    """The jurisdictions whose budget line the user pays supplements from."""
    return frozenset(node.id for node in scope_for(user).nodes_for(PAY_SUPPLEMENTS))


def read_nodes(user) -> tuple:
    return scope_for(user).nodes_for(READ)


def own_person_id(user) -> int | None:
    scope = scope_for(user)
    return scope.person_id if scope.can(OWN) else None


def visible_q(user) -> Q | None:
    """Rows the user reads, as one Q over indexed columns; None when none."""
    terms = []
    if (pid := own_person_id(user)) is not None:
        terms.append(Q(supervisor_id=pid))
    if orgs := paying_org_ids(user):
        terms.append(Q(kind="statement", payer_organization_id__in=sorted(orgs)))
    if lines := budget_line_ids(user):
        terms.append(Q(kind="supplement", payer_jurisdiction_id__in=sorted(lines)))
    if (nodes := nodes_q(read_nodes(user))) is not None:
        terms.append(nodes)
    if not terms:
        return None
    q = terms[0]
    for term in terms[1:]:
        q |= term
    return q


def reads_any(user) -> bool:
    return visible_q(user) is not None


def pays(user, statement) -> bool:
    """The payer: the using agency's admin for a statement, the budget line's
    city or district admin for a supplement."""
    if statement.kind == "supplement":
        return statement.payer_jurisdiction_id in budget_line_ids(user)
    return statement.payer_organization_id in paying_org_ids(user)


def computes_for(user, engagement) -> bool:
    """Who may (re)compute an engagement's month: the using agency, or the
    city or district whose pool the supervisor is in (for its supplement)."""
    if engagement.organization_id in paying_org_ids(user):
        return True
    return engagement.entry.jurisdiction_id is not None and engagement.entry.jurisdiction_id in budget_line_ids(user)
