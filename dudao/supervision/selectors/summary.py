"""A supervisor's year against the policy minimums (supervision given, own
frontline practice, ratings, the supervisees' ability gain) and a supervisee's
year against their need. Each is a fixed handful of aggregate queries,
whatever the number of sessions, ratings or assessments behind it.

Callers check visibility first (permissions.sees_supervisor, or the person is
the user's own): these take a person, not a user."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from dudao.core.scoping import CHAIN_FIELDS
from dudao.directory.models import Jurisdiction, Person
from dudao.policy.selectors import resolve_many

from ..models import Assessment, Attendance, PracticeLog, Rating, Session
from ..types import type_of

TWO = Decimal("0.01")
ONE = Decimal("0.1")


def _q(value, places=TWO) -> Decimal:
    return Decimal(value).quantize(places, rounding=ROUND_HALF_UP)


def _percent(part: Decimal, whole) -> Decimal | None:
    whole = Decimal(str(whole))
    if whole <= 0:
        return None
    return _q(part * 100 / whole, ONE)


def _policy_date(year: int) -> dt.date:
    """The day whose policy applies to a year: today for this year, its last day for a past one."""
    today = timezone.localdate()
    if year == today.year:
        return today
    return dt.date(year, 12, 31) if year < today.year else dt.date(year, 1, 1)


def _jurisdiction_of(person: Person) -> Jurisdiction:
    """Where the person's policy is read: their (last) employer's jurisdiction,
    the deepest link of their chain; the root when they have none."""
    deepest = next((getattr(person, name) for name in reversed(CHAIN_FIELDS) if getattr(person, name)), None)
    found = Jurisdiction.objects.filter(pk=deepest).first() if deepest else None
    return found or Jurisdiction.objects.filter(parent=None).order_by("pk").first()


def _year(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def supervisor_summary(person: Person, year: int) -> dict:
    """Hours of supervision given (confirmed sessions) and of own practice
    (confirmed logs) against the minimums, the rating average and count (the
    average only at or above `supervision.min_ratings_shown`), and the ability
    gain of the supervisees assessed at both ends of the year."""
    start, end = _year(year)
    policy = resolve_many(
        [
            "supervision.min_service_hours_per_year",
            "supervision.min_practice_hours_per_year",
            "supervision.min_ratings_shown",
        ],
        _jurisdiction_of(person),
        _policy_date(year),
    )
    minimum_service = Decimal(str(policy["supervision.min_service_hours_per_year"][0]))
    minimum_practice = Decimal(str(policy["supervision.min_practice_hours_per_year"][0]))
    min_ratings = int(policy["supervision.min_ratings_shown"][0])

    minutes = (
        Session.objects.filter(supervisor=person, date__range=(start, end), status=Session.Status.CONFIRMED).aggregate(
            total=Sum("duration_minutes")
        )["total"]
        or 0
    )
    service_hours = _q(Decimal(minutes) / 60)
    practice = PracticeLog.objects.filter(
        supervisor=person, date__range=(start, end), status=PracticeLog.Status.CONFIRMED
    ).aggregate(total=Sum("hours"))["total"] or Decimal(0)
    practice_hours = _q(practice)
    ratings = Rating.objects.filter(supervisor=person, month__range=(start, end)).aggregate(
        count=Count("id"), average=Avg("score")
    )
    shown = ratings["count"] >= min_ratings
    return {
        "person": person.pk,
        "year": year,
        "service_hours": service_hours,
        "service_minimum": minimum_service,
        "service_percent": _percent(service_hours, minimum_service),
        "practice_hours": practice_hours,
        "practice_minimum": minimum_practice,
        "practice_percent": _percent(practice_hours, minimum_practice),
        "rating_count": ratings["count"],
        "rating_average": _q(ratings["average"]) if shown and ratings["average"] is not None else None,
        "ratings_needed": min_ratings,
        **ability_gain(person, year),
    }


def ability_gain(person: Person, year: int) -> dict:
    """Per supervisee (under one engagement) assessed at both the start and the
    end of the year: end average − start average; their count and mean."""
    rows = Assessment.objects.filter(supervisor=person, year=year).values_list(
        "engagement_id", "supervisee_id", "phase", "average"
    )
    by_pair: dict = {}
    for engagement_id, supervisee_id, phase, average in rows:
        by_pair.setdefault((engagement_id, supervisee_id), {})[phase] = average
    gains = [
        pair[Assessment.Phase.END] - pair[Assessment.Phase.START]
        for pair in by_pair.values()
        if Assessment.Phase.START in pair and Assessment.Phase.END in pair
    ]
    return {
        "assessed_at_start": sum(1 for pair in by_pair.values() if Assessment.Phase.START in pair),
        "assessed_both": len(gains),
        "average_gain": _q(sum(gains) / len(gains)) if gains else None,
    }


def months_elapsed(year: int) -> int:
    """Months of the year that have begun: all 12 of a past year, none of a future one."""
    today = timezone.localdate()
    if year < today.year:
        return 12
    return today.month if year == today.year else 0


def my_supervision(person: Person, year: int) -> dict:
    """A supervisee's year: sessions attended, hours received (their own
    confirmation, or a dispute resolved with the session standing) against
    their need (`supervision.need_hours` for their type × months begun)."""
    start, end = _year(year)
    on = _policy_date(year)
    supervisee_type = type_of(person, on)
    need_table = resolve_many(["supervision.need_hours"], _jurisdiction_of(person), on)["supervision.need_hours"][0]
    per_month = Decimal(str(need_table.get(supervisee_type, 0)))
    months = months_elapsed(year)
    received = Q(status=Attendance.Status.CONFIRMED) | Q(status=Attendance.Status.RESOLVED, resolution_upheld=True)
    totals = Attendance.objects.filter(person=person, date__range=(start, end)).aggregate(
        attended=Count("id"),
        confirmed=Count("id", filter=received),
        minutes=Sum("session__duration_minutes", filter=received),
    )
    hours = _q(Decimal(totals["minutes"] or 0) / 60)
    need = _q(per_month * months)
    return {
        "person": person.pk,
        "year": year,
        "type": supervisee_type,
        "need_per_month": per_month,
        "months": months,
        "sessions_attended": totals["attended"],
        "sessions_confirmed": totals["confirmed"],
        "hours_received": hours,
        "need_hours": need,
        "percent": _percent(hours, need),
    }
