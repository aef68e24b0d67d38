"""Reads of the directory, always through the user's scope. A record outside
the scope is simply not in the queryset, so views answer 404 for it."""

import datetime as dt
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from dudao.core.scoping import Scope, nodes_q, scope_for

from .models import Certificate, Employment, Jurisdiction, Organization, Person


def jurisdictions_for(user) -> QuerySet[Jurisdiction]:
    # The tree itself is public reference data; every signed-in user may read it.
    return Jurisdiction.objects.filter(is_active=True)


def manageable_jurisdictions(user) -> QuerySet[Jurisdiction]:
    q = nodes_q(scope_for(user).manage_nodes)
    return Jurisdiction.objects.filter(q, is_active=True) if q else Jurisdiction.objects.none()


def filter_jurisdictions(user) -> QuerySet[Jurisdiction]:
    """The jurisdictions a list may be narrowed to: those the user reads and
    every one below them; everyone else (an agency, a person) gets none."""
    q = nodes_q(scope_for(user).read_nodes)
    return Jurisdiction.objects.filter(q, is_active=True) if q else Jurisdiction.objects.none()


def organizations_for(user) -> QuerySet[Organization]:
    scope = scope_for(user)
    conditions = []
    if (q := nodes_q(scope.read_nodes)) is not None:
        conditions.append(q)
    if scope.org_ids:
        conditions.append(Q(pk__in=scope.org_ids))
    if scope.employer_id:
        conditions.append(Q(pk=scope.employer_id))
    if not conditions:
        return Organization.objects.none()
    return Organization.objects.filter(reduce(or_, conditions)).select_related("type", "jurisdiction")


def search_organizations(user, text: str) -> QuerySet[Organization]:
    """By name (any part) or exact credit code, within the user's scope."""
    text = (text or "").strip()[:64]
    queryset = organizations_for(user).filter(is_active=True)
    if text:
        queryset = queryset.filter(Q(name__icontains=text) | Q(credit_code=text.upper()))
    return queryset.order_by("name", "pk")


def with_staff_counts(organizations: list) -> list:
    """Set `staff_count` (current staff) on a page of organisations: one query
    for the page, not an aggregate over every organisation in scope."""
    counts = dict(
        Employment.objects.filter(organization_id__in=[o.pk for o in organizations], end_date=None)
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    )
    for organization in organizations:
        organization.staff_count = counts.get(organization.pk, 0)
    return organizations


def people_q(scope: Scope) -> Q | None:
    """Who a scope sees: people whose employer (or, between jobs, last
    employer) lies in a jurisdiction it reads, current staff of its
    organisations, and the user's own record. None: nobody."""
    conditions = []
    if (q := nodes_q(scope.read_nodes)) is not None:
        conditions.append(q)
    if scope.org_ids:
        conditions.append(Q(employer_id__in=scope.org_ids, employed=True))
    if scope.person_id:
        conditions.append(Q(pk=scope.person_id))
    return reduce(or_, conditions) if conditions else None


def managed_q(scope: Scope, prefix: str = "") -> Q | None:
    """People (reached by `prefix`) whom the scope manages, as a filter: the
    same rule as manages_person, for lists. None: nobody."""
    conditions = []
    if (q := nodes_q(scope.manage_nodes, prefix)) is not None:
        conditions.append(q)
    if scope.managed_org_ids:
        conditions.append(Q(**{f"{prefix}employer_id__in": scope.managed_org_ids, f"{prefix}employed": True}))
    if scope.person_id:
        conditions.append(Q(**{f"{prefix}pk": scope.person_id}))
    return reduce(or_, conditions) if conditions else None


def managed_people(user) -> QuerySet[Person]:
    q = managed_q(scope_for(user))
    return Person.objects.filter(q) if q is not None else Person.objects.none()


def find_by_id_number(user, id_number: str) -> Person | None:
    """The person with this full ID number, if the user manages them. Someone
    who sees a person's number only masked cannot confirm it by typing it in."""
    return managed_people(user).with_id_number(id_number).select_related("employer").first()


def search_managed_staff(user, text: str) -> QuerySet[Person]:
    """Current staff the user manages (an agency its own, a district those of
    its units) whose name or unit contains what was typed: the searchable
    person pickers (direct nomination, district admission) ask this instead
    of a typed ID number."""
    text = (text or "").strip()[:64]
    queryset = managed_people(user).filter(employed=True).select_related("employer")
    if text:
        queryset = queryset.filter(Q(name__icontains=text) | Q(employer__name__icontains=text))
    return queryset.order_by("name", "pk")


def people_for(user) -> QuerySet[Person]:
    q = people_q(scope_for(user))
    if q is None:
        return Person.objects.none()
    return (
        Person.objects.filter(q)
        .select_related("education", "employer")
        .prefetch_related(
            "service_domains",
            Prefetch("certificates", queryset=Certificate.objects.select_related("level")),
        )
    )


def current_employment_prefetch() -> Prefetch:
    """The current employment row itself (its start date, position), for the
    few places that show more than the employer."""
    return Prefetch(
        "employments",
        queryset=Employment.objects.filter(end_date=None).select_related("organization"),
        to_attr="current_employments",
    )


EMPLOYMENT_STATES = ("current", "former", "all")


def by_employment(queryset: QuerySet[Person], which: str | None) -> QuerySet[Person]:
    """Rosters list current staff unless former staff (people between jobs,
    kept by their last employer's jurisdiction) are asked for."""
    if which == "all":
        return queryset
    return queryset.filter(employed=which != "former")


def staff_of(organization: Organization, *, on: dt.date | None = None) -> QuerySet[Person]:
    """People employed by the organisation on a date (today by default)."""
    on = on or timezone.localdate()
    employed = Employment.objects.filter(organization=organization, start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )
    return Person.objects.filter(pk__in=employed.values("person_id"))


def certified_staff_of(organization: Organization, *, on: dt.date) -> QuerySet[Person]:
    """The policy's "certified social worker of an agency": holds any of the
    certificate levels, obtained by the date, and is employed there on it."""
    return staff_of(organization, on=on).filter(
        Exists(Certificate.objects.filter(person_id=OuterRef("pk"), issued_on__lte=on))
    )


def current_employer(person: Person) -> Organization | None:
    return person.current_employer


def employer_choices(user) -> QuerySet[Organization]:
    """Organisations a user may put a new person on the roster of."""
    scope = scope_for(user)
    conditions = []
    if (q := nodes_q(scope.manage_nodes)) is not None:
        conditions.append(q)
    if scope.managed_org_ids:
        conditions.append(Q(pk__in=scope.managed_org_ids))
    if not conditions:
        return Organization.objects.none()
    return Organization.objects.filter(reduce(or_, conditions), is_active=True).select_related("jurisdiction")
