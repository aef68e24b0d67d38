"""Reading engagements, each reader by the column its index starts with
(models.Engagement.Meta.indexes): the supervisor by supervisor_id, an agency
by organization_id and home_organization_id, a jurisdiction by its chain."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dudao.core.scoping import nodes_q
from dudao.directory.cities import city_of
from dudao.directory.models import Organization, Person
from dudao.policy.registry import BY_KEY
from dudao.policy.selectors import value_by_jurisdiction
from dudao.pools.models import Entry
from dudao.pools.selectors import available, is_available

from .. import permissions
from ..models import Engagement

S = Engagement.Status
# An engagement holds its place in the supervisor's capacity while proposed or active.
LIVE = (S.PROPOSED, S.ACTIVE)


def reads_engagements(user) -> bool:
    """Whether the user's roles read engagements at all (the list is refused, 403, otherwise)."""
    return bool(
        permissions.supervisor_person_id(user) is not None
        or permissions.managed_org_ids(user)
        or permissions.coverage_nodes(user)
    )


def engagements_for(user) -> QuerySet[Engagement]:
    """The supervisor their own; an agency administrator those its agencies use
    and those of its own supervisors elsewhere; a coverage reader those used
    under its jurisdictions; nobody else any."""
    conditions = []
    if (pid := permissions.supervisor_person_id(user)) is not None:
        conditions.append(Q(supervisor_id=pid))
    if managed := permissions.managed_org_ids(user):
        conditions.append(Q(organization_id__in=managed))
        conditions.append(Q(home_organization_id__in=managed))
    if (q := nodes_q(permissions.coverage_nodes(user))) is not None:
        conditions.append(q)
    if not conditions:
        return Engagement.objects.none()
    return Engagement.objects.filter(reduce(or_, conditions)).select_related(
        "supervisor", "organization", "home_organization", "entry"
    )


def live_engagements_of(person_ids, on: dt.date | None = None) -> QuerySet[Engagement]:
    """The engagements of these supervisors active on a day (today by default)."""
    on = on or timezone.localdate()
    return Engagement.objects.filter(
        supervisor_id__in=list(person_ids), status=S.ACTIVE, starts_on__lte=on, ends_on__gte=on
    )


def kind_for(organization: Organization, entry: Entry) -> str | None:
    """How the organisation may engage the entry's supervisor: internal (one of
    its own internal supervisors, or its staff member in any pool), external (a
    city or district pool of its city, someone not on its staff), or None."""
    person = entry.person
    if person.employed and person.employer_id == organization.pk:
        return Engagement.Kind.INTERNAL
    if entry.level == Entry.Level.AGENCY:
        return Engagement.Kind.INTERNAL if entry.organization_id == organization.pk else None
    city = city_of(organization)
    if city is not None and city == city_of(entry.jurisdiction):
        return Engagement.Kind.EXTERNAL
    return None


def usable_entries(organization: Organization) -> QuerySet[Entry]:
    """The available entries an organisation may engage: its internal
    supervisors, its staff's entries, and the pools of its city."""
    city = city_of(organization)
    condition = Q(organization_id=organization.pk) | Q(person__employer_id=organization.pk, person__employed=True)
    if city is not None:
        condition |= Q(
            level__in=[Entry.Level.CITY, Entry.Level.DISTRICT], jurisdiction__path__startswith=city.jurisdiction.path
        )
    return (
        available(Entry.objects.filter(condition))
        .select_related("person", "jurisdiction", "organization")
        .order_by("person__name", "entry_number")
    )


@dataclass(frozen=True)
class Capacity:
    """What a supervisor carries across live (proposed or active) engagements,
    against the policy's maximums."""

    hours: Decimal
    supervisees: int
    max_hours: Decimal
    max_supervisees: int

    @property
    def spare_hours(self) -> Decimal:
        return max(self.max_hours - self.hours, Decimal(0))

    @property
    def spare_supervisees(self) -> int:
        return max(self.max_supervisees - self.supervisees, 0)

    @property
    def full(self) -> bool:
        return self.spare_hours <= 0 or self.spare_supervisees <= 0


def _policy_jurisdictions(people) -> dict:
    """{person id: the jurisdiction whose maximums apply}: where they work, or
    where they were selected when between jobs."""
    out = {}
    employers = {
        o.pk: o.jurisdiction
        for o in Organization.objects.filter(pk__in={p.employer_id for p in people if p.employed}).select_related(
            "jurisdiction"
        )
    }
    for person in people:
        if person.employed and person.employer_id in employers:
            out[person.pk] = employers[person.employer_id]
    missing = [p.pk for p in people if p.pk not in out]
    if missing:
        for entry in (
            Entry.objects.filter(person_id__in=missing).select_related("home_district").order_by("-admitted_on")
        ):
            out.setdefault(entry.person_id, entry.home_district)
    return out


def capacities_of(people, *, exclude=None, on: dt.date | None = None) -> dict[int, Capacity]:
    """{person id: Capacity} for many supervisors in a fixed number of queries.
    `exclude` leaves one engagement out (the one being changed)."""
    people = list(people)
    on = on or timezone.localdate()
    live = Engagement.objects.filter(supervisor_id__in=[p.pk for p in people], status__in=LIVE, ends_on__gte=on)
    if exclude is not None:
        live = live.exclude(pk=exclude.pk)
    rows = list(
        live.values("supervisor_id", "organization_id", "covers_all_staff", "hours_per_month").annotate(
            listed=Count("supervisees")
        )
    )
    all_staff_orgs = {r["organization_id"] for r in rows if r["covers_all_staff"]}
    staff_counts = dict(
        Person.objects.filter(employer_id__in=all_staff_orgs, employed=True)
        .values("employer_id")
        .annotate(n=Count("pk"))
        .values_list("employer_id", "n")
    )
    # A supervisor on the staff they cover is not their own supervisee.
    own_staff = {p.pk: p.employer_id for p in people if p.employed}
    hours = {p.pk: Decimal(0) for p in people}
    supervisees = {p.pk: 0 for p in people}
    for r in rows:
        pid = r["supervisor_id"]
        hours[pid] += r["hours_per_month"]
        if r["covers_all_staff"]:
            count = staff_counts.get(r["organization_id"], 0)
            supervisees[pid] += count - (1 if own_staff.get(pid) == r["organization_id"] and count else 0)
        else:
            supervisees[pid] += r["listed"]
    where = _policy_jurisdictions(people)
    jurisdictions = {j.pk: j for j in where.values() if j is not None}
    max_hours = value_by_jurisdiction("supervision.max_hours_per_month", jurisdictions.values(), on)
    max_people = value_by_jurisdiction("supervision.max_supervisees", jurisdictions.values(), on)
    default_hours = BY_KEY["supervision.max_hours_per_month"].default
    default_people = BY_KEY["supervision.max_supervisees"].default
    out = {}
    for p in people:
        j = where.get(p.pk)
        out[p.pk] = Capacity(
            hours=hours[p.pk],
            supervisees=supervisees[p.pk],
            max_hours=Decimal(str(max_hours.get(j.pk, default_hours) if j else default_hours)),
            max_supervisees=int(max_people.get(j.pk, default_people) if j else default_people),
        )
    return out


def capacity_of(person: Person, *, exclude=None, on: dt.date | None = None) -> Capacity:
    return capacities_of([person], exclude=exclude, on=on)[person.pk]


# --- what each person may do with an engagement (the pages and the API show the same) ----


@dataclass(frozen=True)
class Actions:
    accept: bool = False
    decline: bool = False
    withdraw: bool = False
    end: bool = False
    confirm: bool = False
    change_agreement: bool = False

    def __bool__(self):
        return any(vars(self).values())


def actions_for(user, engagement: Engagement) -> Actions:
    supervisor = permissions.is_supervisor_of(user, engagement)
    agency = permissions.uses(user, engagement)
    proposed = engagement.status == S.PROPOSED
    active = engagement.status == S.ACTIVE
    live = engagement.status in LIVE
    return Actions(
        accept=supervisor and proposed and is_available(engagement.entry),
        decline=supervisor and proposed,
        withdraw=agency and proposed,
        end=(agency or supervisor) and active,
        confirm=live
        and (
            (agency and engagement.agency_confirmed_at is None)
            or (supervisor and engagement.supervisor_confirmed_at is None)
        ),
        change_agreement=agency and live,
    )


def awaiting_answer(user) -> QuerySet[Engagement]:
    """Proposals the user, as the supervisor, has still to accept or decline."""
    pid = permissions.supervisor_person_id(user)
    if pid is None:
        return Engagement.objects.none()
    return Engagement.objects.filter(supervisor_id=pid, status=S.PROPOSED)


def awaiting_confirmation(user) -> QuerySet[Engagement]:
    """Live engagements whose agreement waits for the user's side to confirm it."""
    conditions = []
    if (pid := permissions.supervisor_person_id(user)) is not None:
        conditions.append(Q(supervisor_id=pid, supervisor_confirmed_at=None))
    if managed := permissions.managed_org_ids(user):
        conditions.append(Q(organization_id__in=managed, agency_confirmed_at=None))
    if not conditions:
        return Engagement.objects.none()
    return Engagement.objects.filter(reduce(or_, conditions), status__in=LIVE)
