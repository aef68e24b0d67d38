"""Which city a row, a jurisdiction or a user belongs to: the one place that
answers it. An instance may serve a province with several cities (each its own
reference file); the city is the `city` jurisdiction on the row's chain, found
by the chain's ids whatever the depth the city sits at (a city-rooted tree has
it at depth 0, a province tree at depth 1).

Every city-specific value (the prefix of pool entry numbers, the policy
document and its date, the city's own policy values) is read from the City
this returns; nothing else names a city."""

from django.db.models import Q

from dudao.core.scoping import CHAIN_FIELDS, scope_for

from .models import City, Jurisdiction, Organization


def _chain_ids(row) -> list[int]:
    return [v for v in (getattr(row, name, None) for name in CHAIN_FIELDS) if v]


def city_of(row) -> City | None:
    """The city above (or at) a row that stores a jurisdiction chain: a
    jurisdiction, an organisation, a person, a nomination, a pool entry.
    None for a row above city level (the province) or with no place."""
    if row is None:
        return None
    ids = _chain_ids(row)
    if isinstance(row, Jurisdiction) and row.pk:
        ids.append(row.pk)  # a jurisdiction not yet saved with its own id at its depth
    if not ids:
        return None
    return City.objects.select_related("jurisdiction").filter(jurisdiction_id__in=ids).first()


def cities_of(user) -> list[City]:
    """Every city the user works in: the cities of the jurisdictions they are
    assigned to (the cities below a province assignment), of the organisations
    they act for, and of their employer. Cached on the user like the scope."""
    cached = getattr(user, "_dudao_cities", None)
    if cached is not None:
        return cached
    scope = scope_for(user)
    ids: set[int] = set()
    below = Q()
    for node in scope.read_nodes:
        ids.add(node.id)
        below |= Q(**{f"jurisdiction__scope_j{node.depth}": node.id})
    if scope.read_nodes:
        for chain in Jurisdiction.objects.filter(pk__in=[n.id for n in scope.read_nodes]).values(*CHAIN_FIELDS):
            ids.update(v for v in chain.values() if v)
    org_ids = set(scope.org_ids) | ({scope.employer_id} if scope.employer_id else set())
    if org_ids:
        for chain in Organization.objects.filter(pk__in=org_ids).values(*CHAIN_FIELDS):
            ids.update(v for v in chain.values() if v)
    if not ids:
        cities = []
    else:
        cities = list(City.objects.select_related("jurisdiction").filter(Q(jurisdiction_id__in=ids) | below))
    if getattr(user, "is_authenticated", False):
        user._dudao_cities = cities
    return cities


def home_city(user) -> City | None:
    """The user's city when there is exactly one (a province-level reader has
    several, and no home city)."""
    cities = cities_of(user)
    return cities[0] if len(cities) == 1 else None


def all_cities():
    return City.objects.select_related("jurisdiction").filter(jurisdiction__is_active=True)


def default_city(user) -> City | None:
    """For a page or an endpoint that shows one city's values: the user's
    city, else the first city the instance serves."""
    return home_city(user) or all_cities().first()
