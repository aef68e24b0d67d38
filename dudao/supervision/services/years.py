"""Keeps models.SupervisorYear equal to the sums of its source rows.

`refresh` recomputes one supervisor's year from the sessions, ratings,
practice logs and ability assessments (four index range scans of one
supervisor's year) under a lock on the row, so two transactions changing the
same supervisor at once cannot leave a sum that misses either: the second
waits for the first to commit and then reads what it committed. `rebuild`
recomputes a whole year set-based (the nightly run, and the backfill): one
GROUP BY per source.

Derived data recomputed from audited changes: no audit event of its own."""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from ..models import Assessment, PracticeLog, Rating, Session, SupervisorYear

ZERO = {
    "service_minutes": 0,
    "practice_hours": Decimal(0),
    "ratings": 0,
    "rating_total": 0,
    "assessed": 0,
    "gain_total": Decimal(0),
}
FIELDS = list(ZERO)


def _sums(supervisor_ids, year: int) -> dict:
    """{supervisor_id: {field: value}} from the source rows of `year`; all
    supervisors of the year when `supervisor_ids` is None."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    who = {} if supervisor_ids is None else {"supervisor_id__in": list(supervisor_ids)}
    out: dict = {}

    def put(pid, **values):
        out.setdefault(pid, dict(ZERO))
        out[pid].update(values)

    for pid, minutes in (
        Session.objects.filter(**who, date__range=(start, end), status=Session.Status.CONFIRMED)
        .values_list("supervisor_id")
        .annotate(m=Sum("duration_minutes"))
        .order_by()
    ):
        put(pid, service_minutes=minutes or 0)
    for pid, hours in (
        PracticeLog.objects.filter(**who, date__range=(start, end), status=PracticeLog.Status.CONFIRMED)
        .values_list("supervisor_id")
        .annotate(h=Sum("hours"))
        .order_by()
    ):
        put(pid, practice_hours=Decimal(str(hours or 0)))
    for pid, count, total in (
        Rating.objects.filter(**who, month__range=(start, end))
        .values_list("supervisor_id")
        .annotate(c=Count("id"), t=Sum("score"))
        .order_by()
    ):
        put(pid, ratings=count, rating_total=total or 0)
    # Ability gain: per supervisee under one engagement assessed at both the start and the
    # end of the year, end − start (an average of two-place averages, so exact in Decimal).
    gains: dict = {}
    for pid, s, e in (
        Assessment.objects.filter(**who, year=year)
        .values_list("supervisor_id", "engagement_id", "supervisee_id")
        .annotate(
            s=Max("average", filter=Q(phase=Assessment.Phase.START)),
            e=Max("average", filter=Q(phase=Assessment.Phase.END)),
        )
        .values_list("supervisor_id", "s", "e")
        .order_by()
    ):
        if s is not None and e is not None:
            count, total = gains.get(pid, (0, Decimal(0)))
            gains[pid] = (count + 1, total + Decimal(str(e)) - Decimal(str(s)))
    for pid, (count, total) in gains.items():
        put(pid, assessed=count, gain_total=total)
    return out


def refresh(supervisor_id: int, year: int) -> SupervisorYear:
    """Recompute one supervisor's year, inside the caller's transaction."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                SupervisorYear.objects.get_or_create(supervisor_id=supervisor_id, year=year)
        except IntegrityError:  # created by a concurrent refresh between the get and the create
            pass
        row = SupervisorYear.objects.select_for_update().get(supervisor_id=supervisor_id, year=year)
        fresh = _sums([supervisor_id], year).get(supervisor_id) or ZERO
        for name, value in fresh.items():
            setattr(row, name, value)
        row.save()
        return row


def rebuild(year: int, *, batch_size: int = 5000) -> int:
    """Recompute every supervisor's row of `year` from the source rows; rows
    whose sources are gone are zeroed. Returns the number of rows written."""
    sums = _sums(None, year)
    now = timezone.now()
    written = 0
    with transaction.atomic():
        _zero_missing(year, sums, now)
        items = sorted(sums.items())
        for start in range(0, len(items), batch_size):
            SupervisorYear.objects.bulk_create(
                [
                    SupervisorYear(supervisor_id=pid, year=year, refreshed_at=now, **values)
                    for pid, values in items[start : start + batch_size]
                ],
                update_conflicts=True,
                unique_fields=["year", "supervisor"],
                update_fields=[*FIELDS, "refreshed_at"],
            )
            written += len(items[start : start + batch_size])
    return written


def _zero_missing(year, sums, now):
    """Zero the rows whose sources are gone, found in Python: a NOT IN of tens
    of thousands of ids is a poor query on either database."""
    rows = SupervisorYear.objects.filter(year=year).exclude(**ZERO)
    stale = [pid for pid in rows.values_list("supervisor_id", flat=True) if pid not in sums]
    for start in range(0, len(stale), 5000):
        SupervisorYear.objects.filter(year=year, supervisor_id__in=stale[start : start + 5000]).update(
            **ZERO, refreshed_at=now
        )
