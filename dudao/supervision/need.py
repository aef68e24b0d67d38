"""Need against supply (issue 10, 2): how many supervision hours an agency's
current staff should receive a month (policy supervision.need_hours, per
supervisee type, at the agency's jurisdiction), the hours its live engagements
agree, which staff no engagement covers, and the confirmed hours each one has
received. services/coverage.py keeps models.OrganizationCoverage in step with
it, so that a district's agencies sort worst first by an index range."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from dudao.directory.models import Organization, Person
from dudao.policy.selectors import value

from .models import Attendance, Engagement, SuperviseeType
from .types import is_corrected, types_of

ZERO = Decimal("0")
HOUR = Decimal(60)


def month_start(on: dt.date) -> dt.date:
    return on.replace(day=1)


def current_staff(organization) -> "QuerySet[Person]":  # noqa: F821
    return Person.objects.filter(employer=organization, employed=True)


def live_engagements(organization, on: dt.date):
    """Active engagements whose term includes `on`: the agency's supply."""
    return Engagement.objects.filter(
        organization=organization, status=Engagement.Status.ACTIVE, starts_on__lte=on, ends_on__gte=on
    )


def confirmed_attendances():
    """Attendances that count as supervision received: confirmed, or disputed
    and found by the agency to have taken place as recorded."""
    return Attendance.objects.filter(
        Q(status=Attendance.Status.CONFIRMED) | Q(status=Attendance.Status.RESOLVED, resolution_upheld=True)
    )


def received_by(person_ids, on: dt.date) -> dict[int, tuple[Decimal, Decimal]]:
    """{person id: (hours received in on's month, hours received in on's year
    up to on)}, in one grouped query however many people."""
    month, year = month_start(on), on.replace(month=1, day=1)
    rows = (
        confirmed_attendances()
        .filter(person_id__in=list(person_ids), date__gte=year, date__lte=on)
        .values("person_id")
        .annotate(
            month_minutes=Coalesce(Sum("session__duration_minutes", filter=Q(date__gte=month)), 0),
            year_minutes=Coalesce(Sum("session__duration_minutes"), 0),
        )
    )
    return {
        row["person_id"]: (
            (Decimal(row["month_minutes"]) / HOUR).quantize(Decimal("0.01")),
            (Decimal(row["year_minutes"]) / HOUR).quantize(Decimal("0.01")),
        )
        for row in rows
    }


def need_rates(organization, on: dt.date) -> dict[str, Decimal]:
    """Monthly hours per supervisee type in force at the agency's jurisdiction."""
    rates = value("supervision.need_hours", organization.jurisdiction, on) or {}
    return {code: Decimal(str(rates.get(code, 0))) for code in SuperviseeType.values}


@dataclass
class StaffLine:
    """One staff member's supervision: type, need, who covers them, hours received."""

    person: Person
    type: str
    corrected: bool
    need_month: Decimal
    need_year: Decimal
    covered_by: list = field(default_factory=list)  # supervisor names
    received_month: Decimal = ZERO
    received_year: Decimal = ZERO

    @property
    def covered(self) -> bool:
        return bool(self.covered_by)

    @property
    def type_display(self) -> str:
        return str(SuperviseeType(self.type).label)

    @property
    def short_this_month(self) -> bool:
        return self.received_month < self.need_month


@dataclass
class Need:
    """An agency's supervision need against its supply on a date."""

    organization: Organization
    on: dt.date
    rates: dict
    types: dict  # person id -> supervisee type
    corrected: set
    covering: dict  # person id -> [supervisor names]
    engagements: list
    staff: int
    by_type: dict  # type -> staff count
    need_hours: Decimal
    supply_hours: Decimal
    internal_hours: Decimal
    received_hours: Decimal
    uncovered: int

    @property
    def month(self) -> dt.date:
        return month_start(self.on)

    @property
    def external_hours(self) -> Decimal:
        return self.supply_hours - self.internal_hours

    @property
    def shortfall(self) -> Decimal:
        return max(self.need_hours - self.supply_hours, ZERO)

    @property
    def internal_enough(self) -> bool:
        """Policy 三(二): an agency uses its own supervisors first; if they already
        give the hours its staff need, it has no call to hire from the pools."""
        return self.internal_hours >= self.need_hours

    def line(self, person, received=None) -> StaffLine:
        kind = self.types.get(person.pk, SuperviseeType.OTHER)
        rate = self.rates.get(kind, ZERO)
        month, year = (received or {}).get(person.pk, (ZERO, ZERO))
        return StaffLine(
            person=person,
            type=kind,
            corrected=person.pk in self.corrected,
            need_month=rate,
            need_year=rate * self.on.month,
            covered_by=self.covering.get(person.pk, []),
            received_month=month,
            received_year=year,
        )

    def lines(self, people) -> list[StaffLine]:
        """Lines for a page of staff: one grouped query for the hours received."""
        people = list(people)
        received = received_by([p.pk for p in people], self.on)
        return [self.line(p, received) for p in people]


def need_of(organization, on: dt.date | None = None) -> Need:
    """The agency's need against supply, in a fixed number of queries: the staff
    ids, their types (two), the policy rates, the live engagements with their
    supervisees, and the month's confirmed hours."""
    on = on or timezone.localdate()
    staff_ids = list(current_staff(organization).values_list("pk", flat=True))
    types = types_of(staff_ids, on)
    corrected = is_corrected(staff_ids)
    rates = need_rates(organization, on)
    engagements = list(
        live_engagements(organization, on).select_related("supervisor").prefetch_related("supervisees").order_by("pk")
    )
    covering: dict[int, list] = {}
    staff_set = set(staff_ids)
    for engagement in engagements:
        covered = staff_set if engagement.covers_all_staff else {p.pk for p in engagement.supervisees.all()}
        # Nobody supervises themselves: an internal supervisor's own engagement does not cover them.
        for pid in sorted(covered - {engagement.supervisor_id}):
            if pid in staff_set:
                covering.setdefault(pid, []).append(engagement.supervisor.name)
    by_type = dict.fromkeys(SuperviseeType.values, 0)
    for kind in types.values():
        by_type[kind] = by_type.get(kind, 0) + 1
    need = sum((rates.get(kind, ZERO) for kind in types.values()), ZERO)
    supply = sum((e.hours_per_month for e in engagements), ZERO)
    internal = sum((e.hours_per_month for e in engagements if e.kind == Engagement.Kind.INTERNAL), ZERO)
    # Staff whose type needs no supervision are not counted as lacking it.
    uncovered = sum(1 for pid in staff_ids if rates.get(types[pid], ZERO) > 0 and pid not in covering)
    minutes = (
        confirmed_attendances()
        .filter(person_id__in=staff_ids, date__gte=month_start(on), date__lte=on)
        .aggregate(total=Coalesce(Sum("session__duration_minutes"), 0))["total"]
    )
    return Need(
        organization=organization,
        on=on,
        rates=rates,
        types=types,
        corrected=corrected,
        covering=covering,
        engagements=engagements,
        staff=len(staff_ids),
        by_type=by_type,
        need_hours=need,
        supply_hours=supply,
        internal_hours=internal,
        received_hours=(Decimal(minutes) / HOUR).quantize(Decimal("0.01")),
        uncovered=uncovered,
    )


def uncovered_staff_ids(need: Need) -> list[int]:
    return sorted(
        pid for pid, kind in need.types.items() if need.rates.get(kind, ZERO) > 0 and pid not in need.covering
    )
