"""Reads of the directory, always through the user's scope. A record outside
the scope is simply not in the queryset, so views answer 404 for it."""

import datetime as dt
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from dudao.accounts.scopes import path_q, scope_for

from .models import Certificate, Employment, Jurisdiction, Organization, Person


def jurisdictions_for(user) -> QuerySet[Jurisdiction]:
    # The tree itself is public reference data; every signed-in user may read it.
    return Jurisdiction.objects.filter(is_active=True)


def manageable_jurisdictions(user) -> QuerySet[Jurisdiction]:
    q = path_q("path", scope_for(user).manage_paths)
    return Jurisdiction.objects.filter(q, is_active=True) if q else Jurisdiction.objects.none()


def organizations_for(user) -> QuerySet[Organization]:
    scope = scope_for(user)
    conditions = []
    if (q := path_q("jurisdiction__path", scope.read_paths)) is not None:
        conditions.append(q)
    if scope.org_ids:
        conditions.append(Q(pk__in=scope.org_ids))
    if scope.person_id:
        conditions.append(
            Q(pk__in=Employment.objects.filter(person_id=scope.person_id, end_date=None).values("organization_id"))
        )
    if not conditions:
        return Organization.objects.none()
    return Organization.objects.filter(reduce(or_, conditions)).select_related("type", "jurisdiction")


def current_employment_prefetch() -> Prefetch:
    return Prefetch(
        "employments",
        queryset=Employment.objects.filter(end_date=None).select_related("organization__jurisdiction"),
        to_attr="current_employments",
    )


def people_for(user) -> QuerySet[Person]:
    scope = scope_for(user)
    conditions = []
    current = Employment.objects.filter(person_id=OuterRef("pk"), end_date=None)
    if (q := path_q("organization__jurisdiction__path", scope.read_paths)) is not None:
        # Someone between jobs stays with the jurisdiction of their last employer
        # (as can_manage_person says); otherwise nobody could see them to re-hire them.
        latest = Employment.objects.filter(person_id=OuterRef(OuterRef("pk"))).order_by("-start_date", "-pk")
        last_employment = Employment.objects.filter(pk=Subquery(latest.values("pk")[:1]))
        conditions.append(Exists(current.filter(q)) | (~Exists(current) & Exists(last_employment.filter(q))))
    if scope.org_ids:
        conditions.append(Exists(current.filter(organization_id__in=scope.org_ids)))
    if scope.person_id:
        conditions.append(Q(pk=scope.person_id))
    if not conditions:
        return Person.objects.none()
    return (
        Person.objects.filter(reduce(or_, conditions))
        .select_related("education")
        .prefetch_related(
            "service_domains",
            Prefetch("certificates", queryset=Certificate.objects.select_related("level")),
            current_employment_prefetch(),
        )
    )


EMPLOYMENT_STATES = ("current", "former", "all")


def by_employment(queryset: QuerySet[Person], which: str | None) -> QuerySet[Person]:
    """Rosters list current staff unless former staff (people between jobs,
    kept by their last employer's jurisdiction) are asked for."""
    current = Exists(Employment.objects.filter(person_id=OuterRef("pk"), end_date=None))
    if which == "all":
        return queryset
    if which == "former":
        return queryset.filter(~current)
    return queryset.filter(current)


def staff_of(organization: Organization, *, on: dt.date | None = None) -> QuerySet[Person]:
    """People employed by the organisation on a date (today by default)."""
    on = on or dt.date.today()
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


# --- what the user may do with one record -------------------------------------


def can_manage_organization(user, organization: Organization) -> bool:
    return scope_for(user).manages_path(organization.jurisdiction.path)


def can_create_organizations(user) -> bool:
    return bool(scope_for(user).manage_paths)


def _current_employer(person: Person) -> Organization | None:
    cached = getattr(person, "current_employments", None)
    if cached is not None:
        return cached[0].organization if cached else None
    employment = person.employments.filter(end_date=None).select_related("organization__jurisdiction").first()
    return employment.organization if employment else None


def current_employer(person: Person) -> Organization | None:
    return _current_employer(person)


def can_manage_person(user, person: Person) -> bool:
    scope = scope_for(user)
    employer = _current_employer(person)
    if employer is None:
        # Someone between jobs belongs to no agency; only the jurisdiction admins keep them.
        return bool(scope.manage_paths) and person.pk is not None and _last_employer_managed(scope, person)
    return scope.manages_path(employer.jurisdiction.path) or employer.pk in scope.managed_org_ids


def _last_employer_managed(scope, person: Person) -> bool:
    last = person.employments.select_related("organization__jurisdiction").first()
    return last is None or scope.manages_path(last.organization.jurisdiction.path)


def can_see_full_id(user, person: Person) -> bool:
    return scope_for(user).person_id == person.pk or can_manage_person(user, person)


def can_add_people(user) -> bool:
    scope = scope_for(user)
    return bool(scope.manage_paths or scope.managed_org_ids)


def employer_choices(user) -> QuerySet[Organization]:
    """Organisations a user may put a new person on the roster of."""
    scope = scope_for(user)
    conditions = []
    if (q := path_q("jurisdiction__path", scope.manage_paths)) is not None:
        conditions.append(q)
    if scope.managed_org_ids:
        conditions.append(Q(pk__in=scope.managed_org_ids))
    if not conditions:
        return Organization.objects.none()
    return Organization.objects.filter(reduce(or_, conditions), is_active=True).select_related("jurisdiction")
