"""How rows are scoped to jurisdictions at a cost that does not grow with the data.

Every row whose visibility follows a jurisdiction (a jurisdiction itself, an
organisation, a person through their employer, and the records that hang off
them) stores the chain of its jurisdiction's ancestors: `scope_j0` is the root
(the country, a province or a city, whatever the instance serves), `scope_j1`
the next level down, and so on to `scope_j3`. A user who reads a jurisdiction at
depth d sees exactly the rows with `scope_j{d}` equal to that jurisdiction's id:
one equality on an indexed column, so a list is an index range scan in the
order of the composite index (chain column, sort key, id), never an
`EXISTS (... path LIKE ...)` evaluated row by row.

The services that move a row (hire, leave, transfer, an organisation moved to
another jurisdiction, a reference data reload that re-parents a jurisdiction)
rewrite the chain; the test suite drives random sequences of those and compares
every user's visible set with the definition computed the slow way.

Four levels cover country → province → city → district, the deepest tree the
platform has to serve; organisations register at district level.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q

MAX_DEPTH = 3
CHAIN_FIELDS = tuple(f"scope_j{d}" for d in range(MAX_DEPTH + 1))


class JurisdictionChain(models.Model):
    """The ancestors of the row's jurisdiction by depth (see the module docstring)."""

    scope_j0 = models.BigIntegerField(null=True, blank=True, editable=False)
    scope_j1 = models.BigIntegerField(null=True, blank=True, editable=False)
    scope_j2 = models.BigIntegerField(null=True, blank=True, editable=False)
    scope_j3 = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def chain(self) -> dict:
        return {name: getattr(self, name) for name in CHAIN_FIELDS}

    def set_chain(self, source) -> None:
        """Copy the chain of `source` (a jurisdiction, an organisation, a
        mapping), or clear it when there is none."""
        for name in CHAIN_FIELDS:
            if source is None:
                value = None
            elif isinstance(source, dict):
                value = source.get(name)
            else:
                value = getattr(source, name)
            setattr(self, name, value)

    def in_chain(self, nodes) -> bool:
        """Whether the row lies under any of `nodes`, without a query."""
        return any(getattr(self, f"scope_j{n.depth}") == n.id for n in nodes)


def chain_indexes(prefix: str, *sort_fields: str, skip_empty: bool = False) -> list[models.Index]:
    """One composite index per depth, so the list of any jurisdiction is a
    range scan already in the default sort order. `prefix` names them
    (index names are limited to 30 characters).

    `skip_empty` leaves out of each index the rows without that depth (a city's
    rows have no district): a reader's filter `scope_j{d} = id` never matches
    them, and a table written a whole pool at a time then writes only the
    indexes of the depths its rows have (issue 11 item 7: two of the four for a
    city pool's evaluations)."""
    return [
        models.Index(
            fields=[name, *sort_fields],
            name=f"{prefix}_{name[-2:]}",
            condition=Q(**{f"{name}__isnull": False}) if skip_empty else None,
        )
        for name in CHAIN_FIELDS
    ]


def path_and_ancestors(path: str) -> list[str]:
    """ "410000/410100/410105/" -> the paths of the province, the city and the district."""
    return [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]


@dataclass(frozen=True)
class Node:
    """A jurisdiction in a user's scope: its depth picks the chain column."""

    depth: int
    id: int
    path: str


def nodes_q(nodes, prefix: str = "") -> Q | None:
    """Q matching rows under any of `nodes` through the chain reached by
    `prefix` ("" for the row itself, "organization__" through a relation);
    None when there are no nodes, so callers can leave the term out."""
    if not nodes:
        return None
    return reduce(or_, (Q(**{f"{prefix}scope_j{n.depth}": n.id}) for n in nodes))


@dataclass(frozen=True)
class Scope:
    """What a user may see and manage, computed once per request from the role
    assignments (dudao.accounts.scopes.scope_for)."""

    roles: frozenset = frozenset()
    read_nodes: tuple = ()
    manage_nodes: tuple = ()
    org_ids: frozenset = frozenset()
    managed_org_ids: frozenset = frozenset()
    person_id: int | None = None
    # The person's current employer, so "my own agency" needs no query per row.
    employer_id: int | None = None
    jurisdiction_ids: frozenset = field(default=frozenset())
    # What the roles allow, as named capabilities ("core.audit.read"): apps ask
    # can(); only accounts knows which role carries which (accounts/capabilities.py).
    capabilities: frozenset = field(default=frozenset())
    # Where each capability applies: (capability, Node) for the jurisdictions
    # the role carrying it was granted over. A user who is both a district and
    # a city administrator reviews as a district only in their district.
    capability_nodes: tuple = ()

    def can(self, capability: str) -> bool:
        return capability in self.capabilities

    def nodes_for(self, capability: str) -> tuple:
        return tuple(node for cap, node in self.capability_nodes if cap == capability)

    def can_at(self, capability: str, path: str) -> bool:
        """Whether the capability is held over a jurisdiction that contains `path`."""
        return any(path.startswith(node.path) for node in self.nodes_for(capability))

    def can_over_row(self, capability: str, row: JurisdictionChain) -> bool:
        return row.in_chain(self.nodes_for(capability))

    def home_node(self, capability: str):
        """The (outermost) jurisdiction a capability is held over, e.g. the city
        a city administrator opens rounds for; None when not held over one."""
        nodes = sorted(self.nodes_for(capability), key=lambda n: (n.depth, n.path))
        return nodes[0] if nodes else None

    @property
    def read_paths(self) -> tuple:
        return tuple(n.path for n in self.read_nodes)

    @property
    def manage_paths(self) -> tuple:
        return tuple(n.path for n in self.manage_nodes)

    def reads_path(self, path: str) -> bool:
        return any(path.startswith(n.path) for n in self.read_nodes)

    def manages_path(self, path: str) -> bool:
        return any(path.startswith(n.path) for n in self.manage_nodes)

    def reads_row(self, row: JurisdictionChain) -> bool:
        return row.in_chain(self.read_nodes)

    def manages_row(self, row: JurisdictionChain) -> bool:
        return row.in_chain(self.manage_nodes)


EMPTY = Scope()

# Set by the accounts app at start-up: it reads role assignments, which the
# apps below it may not import, and builds the Scope from them.
_resolver = None


def register_resolver(resolver) -> None:
    global _resolver
    _resolver = resolver


def scope_for(user) -> Scope:
    """The user's scope, computed once per request (cached on the user object,
    which Django loads afresh for every request)."""
    if not getattr(user, "is_authenticated", False):
        return EMPTY
    cached = getattr(user, "_dudao_scope", None)
    if cached is not None:
        return cached
    if _resolver is None:
        raise RuntimeError("No scope resolver registered: is dudao.accounts installed?")
    scope = _resolver(user)
    user._dudao_scope = scope
    return scope


def analyze_after_rewrite(schema_editor, *tables: str) -> None:
    """For data migrations that rewrite a chain column on many rows: refresh
    PostgreSQL's statistics at once. Until autovacuum does, the planner thinks
    a value it never saw in that column matches one row, and a list that
    decides exact count or estimate on that number counts a million rows."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')
