"""Reads of need against supply and of the city-wide supervisor directory,
scoped to the user (supervision.permissions)."""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from dudao.core.scoping import nodes_q
from dudao.directory.cities import cities_of
from dudao.directory.models import Jurisdiction, Organization, Person
from dudao.pools.models import Entry
from dudao.pools.selectors import available

from .. import permissions
from ..models import OrganizationCoverage


def organization_for(user, pk) -> Organization:
    """The organisation whose coverage the user may read, else 404."""
    organization = get_object_or_404(Organization.objects.select_related("jurisdiction", "type"), pk=pk)
    if not permissions.reads_coverage_of(user, organization):
        raise Http404
    return organization


def staff_of(organization) -> QuerySet[Person]:
    return Person.objects.filter(employer=organization, employed=True)


def coverage_rows_for(user, *, with_own: bool = False) -> QuerySet[OrganizationCoverage]:
    """Each watched organisation's coverage row (and, `with_own`, those of the
    agencies the user runs); the jurisdiction's chain is on the row, so worst
    first is an index range (chain, shortfall)."""
    q = nodes_q(permissions.coverage_nodes(user))
    managed = permissions.managed_org_ids(user) if with_own else ()
    if managed:
        own = Q(organization_id__in=managed)
        q = own if q is None else q | own
    if q is None:
        return OrganizationCoverage.objects.none()
    return OrganizationCoverage.objects.filter(q).select_related("organization__jurisdiction")


def watched_districts(user) -> QuerySet[Jurisdiction]:
    """The districts below the cities the user watches (a district admin: none)."""
    ids = [n.id for n in permissions.coverage_nodes(user)]
    if not ids:
        return Jurisdiction.objects.none()
    q = Q(parent_id__in=ids, parent__kind=Jurisdiction.Kind.CITY)
    return Jurisdiction.objects.filter(q, is_active=True).order_by("order", "code")


def district_totals(user) -> list[dict]:
    """Need, supply and shortfall summed per district of the cities the user
    watches: one grouped query over the coverage rows plus the districts."""
    districts = list(watched_districts(user))
    if not districts:
        return []
    depth = districts[0].depth
    column = f"scope_j{depth}"
    sums = {
        row[column]: row
        for row in coverage_rows_for(user)
        .filter(**{f"{column}__in": [d.pk for d in districts]})
        .values(column)
        .annotate(
            need=Sum("need_hours"),
            supply=Sum("supply_hours"),
            received=Sum("received_hours"),
            shortfall=Sum("shortfall"),
            staff=Sum("staff"),
            uncovered=Sum("uncovered"),
        )
        .order_by()
    }
    totals = []
    for district in districts:
        row = sums.get(district.pk, {})
        totals.append(
            {
                "id": district.pk,
                "code": district.code,
                "district": district.name,
                **{k: row.get(k) or 0 for k in ("need", "supply", "received", "shortfall", "staff", "uncovered")},
            }
        )
    return totals


# --- the supervisor directory ----------------------------------------------------------

PRIVATE_PERSON_FIELDS = ("id_number", "id_number_hash", "phone", "phone_hash")


def directory_for(user) -> QuerySet[Entry]:
    """Available supervisors of the city pool and the district pools of the
    user's city (or cities): a city-wide resource every agency that may hire
    from it finds (policy 三(二)). Only public fields are shown of them."""
    if not permissions.uses_directory(user):
        return Entry.objects.none()
    cities = cities_of(user)
    if not cities:
        return Entry.objects.none()
    q = reduce(or_, (Q(**{f"scope_j{c.jurisdiction.depth}": c.jurisdiction_id}) for c in cities))
    return available(
        Entry.objects.filter(q, level__in=[Entry.Level.CITY, Entry.Level.DISTRICT])
        .select_related("person", "home_district", "jurisdiction")
        # Never read what the directory must not show (nor decrypt it for nothing).
        .defer(*(f"person__{name}" for name in PRIVATE_PERSON_FIELDS))
        .prefetch_related("domains")
    )


def directory_districts(user) -> QuerySet[Jurisdiction]:
    """The districts of the user's cities, for the directory's filter."""
    cities = cities_of(user)
    if not cities:
        return Jurisdiction.objects.none()
    q = reduce(or_, (Q(parent_id=c.jurisdiction_id) for c in cities))
    return Jurisdiction.objects.filter(q, is_active=True).order_by("order", "code")


def with_capacity(entries) -> list:
    """The entries with their spare capacity and grade, for a page: a few
    queries for the page, not per entry."""
    from .. import matching

    entries = list(entries)
    caps = matching.capacities(entries)
    grades = matching.latest_grades({e.person_id for e in entries})
    for entry in entries:
        entry.capacity = caps[entry.pk]
        entry.grade = grades.get(entry.person_id)
    return entries
