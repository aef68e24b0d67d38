"""The annual evaluation cycle (issue 11 items 3 and 7): the keeper of a pool
opens it; the indicators of every active supervisor in the pool are computed
from data as a background job with visible progress.

The computation is set-based: a fixed handful of GROUP BY queries per batch of
supervisors (BATCH of them, each source read by the batch's range of people),
and inserts or upserts, each batch its own short transaction with the progress
updated after it. On PostgreSQL all of it runs inside the database, a
statement per batch, the batches shared among several connections
(_compute_postgresql); elsewhere the figures are read into Python
(selectors.cycles.pool_indicators) and scored there. Both give the same rows
(tests/evaluation/test_indicators_sql.py). No table is locked for long, so
people keep recording sessions while it runs; what they record after a batch is read shows
the next time the cycle is computed. Running it twice gives identical rows."""

import datetime as dt
import json
import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core import audit
from dudao.core.validators import clean_text
from dudao.directory.models import Jurisdiction
from dudao.policy.selectors import value

from .. import indicators as ind
from .. import permissions
from ..models import Cycle, Evaluation, PartyForm
from ..selectors import cycles as selectors

log = logging.getLogger(__name__)

# Supervisors written per transaction and statement (and per progress report).
BATCH = 5000

# PostgreSQL's SQLSTATE for a unique_violation.
UNIQUE_VIOLATION = "23505"

INDICATOR_FIELDS = ["indicators", "indicator_part", "breakdown", "home_organization", "entry", "updated_at"]


def default_deadlines(owner: Jurisdiction, on: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The deadlines offered when a cycle is opened: policy days from `on` (today)."""
    on = on or timezone.localdate()
    scoring = on + timedelta(days=int(value("evaluation.scoring_days", owner, on)))
    review = scoring + timedelta(days=int(value("evaluation.review_days", owner, on)))
    return scoring, review


@transaction.atomic
def open_cycle(
    *,
    actor,
    owner: Jurisdiction,
    level: str,
    year: int,
    title: str,
    scoring_deadline: dt.date,
    review_deadline: dt.date,
) -> Cycle:
    """The city opens the city pool's cycle, a district its own pool's."""
    if not permissions.keeps_pool(actor, owner, level):
        raise PermissionDenied(_("Only the keeper of a pool opens its evaluation cycle."))
    title = clean_text(title, field="title", max_length=200)
    if not title:
        raise ValidationError({"title": _("Give the cycle a title.")})
    today = timezone.localdate()
    if not (2000 <= int(year) <= today.year):
        raise ValidationError({"year": _("The year evaluated must have begun and not be before 2000.")})
    if scoring_deadline < today:
        raise ValidationError({"scoring_deadline": _("The deadline for party scores cannot be in the past.")})
    if review_deadline < scoring_deadline:
        raise ValidationError({"review_deadline": _("The review deadline cannot come before the scoring deadline.")})
    if Cycle.objects.filter(owner=owner, level=level, year=year).exists():
        raise ValidationError({"year": _("This pool already has a cycle for that year.")})
    cycle = Cycle(
        owner=owner,
        level=level,
        year=year,
        title=title,
        scoring_deadline=scoring_deadline,
        review_deadline=review_deadline,
        appeal_days=int(value("evaluation.appeal_days", owner, today)),
        opened_by=actor,
    )
    try:
        with transaction.atomic():
            cycle.save()
    except IntegrityError:
        raise ValidationError({"year": _("This pool already has a cycle for that year.")}) from None
    audit.record(
        actor=actor,
        event="evaluation.cycle_opened",
        obj=cycle,
        changes={
            "owner": [None, owner.name],
            "level": [None, level],
            "year": [None, year],
            "scoring_deadline": [None, str(scoring_deadline)],
            "review_deadline": [None, str(review_deadline)],
            "appeal_days": [None, cycle.appeal_days],
        },
    )
    return cycle


def _stale(cycle: Cycle) -> bool:
    return cycle.updated_at < timezone.now() - timedelta(minutes=settings.DUDAO_JOB_STALE_MINUTES)


def compute(*, actor, cycle: Cycle) -> Cycle:
    """Start computing the cycle's indicators in the background; the cycle
    shows `computing` with its progress until the job ends in `scoring`."""
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update(of=("self",)).select_related("owner").get(pk=cycle.pk)
        if not permissions.manages_cycle(actor, cycle):
            raise PermissionDenied(_("Only the cycle's owner computes its indicators."))
        if cycle.status == Cycle.Status.COMPUTING and not _stale(cycle):
            raise ValidationError(_("The indicators are being computed already."))
        if cycle.status not in (Cycle.Status.DRAFT, Cycle.Status.SCORING, Cycle.Status.COMPUTING):
            raise ValidationError(_("The indicators cannot be computed again once the cycle is under review."))
        before = cycle.status
        total = selectors.pool_entries(cycle).count()
        cycle.status = Cycle.Status.COMPUTING
        cycle.progress_done = 0
        cycle.progress_total = total
        cycle.save(update_fields=["status", "progress_done", "progress_total", "updated_at"])
        audit.record(
            actor=actor,
            event="evaluation.cycle_changed",
            obj=cycle,
            changes={"status": [before, cycle.status], "progress_total": [None, total]},
            reason=_("Computation of the indicators started."),
        )
        actor_id = actor.pk
        if settings.CELERY_BROKER_URL:
            transaction.on_commit(lambda: _enqueue(cycle.pk, actor_id))
        elif not settings.DUDAO_JOBS_RUN_INLINE:
            transaction.on_commit(lambda: _start_thread(cycle.pk, actor_id))
    if settings.DUDAO_JOBS_RUN_INLINE and not settings.CELERY_BROKER_URL:
        run_computation(cycle.pk, actor_id)
    cycle.refresh_from_db()
    return cycle


def _enqueue(cycle_id, actor_id):
    from ..tasks import compute_cycle_task

    try:
        compute_cycle_task.delay(cycle_id, actor_id)
    except Exception:
        log.exception("could not queue the computation of cycle %s", cycle_id)
        _give_up(cycle_id)


def _start_thread(cycle_id, actor_id):
    threading.Thread(
        target=_run_in_thread, args=(cycle_id, actor_id), name=f"dudao-cycle-{cycle_id}", daemon=True
    ).start()


def _run_in_thread(cycle_id, actor_id):
    try:
        run_computation(cycle_id, actor_id)
    finally:
        connections.close_all()


def _give_up(cycle_id):
    """Leave `computing` after a crash: back to scoring if indicators exist, else to draft."""
    computed = Evaluation.objects.filter(cycle_id=cycle_id).exists()
    Cycle.objects.filter(pk=cycle_id, status=Cycle.Status.COMPUTING).update(
        status=Cycle.Status.SCORING if computed else Cycle.Status.DRAFT, updated_at=timezone.now()
    )


def run_computation(cycle_id: int, actor_id: int | None = None) -> None:
    """The job: compute and write the indicators of every active supervisor in the pool."""
    from dudao.accounts.models import User

    try:
        cycle = Cycle.objects.select_related("owner").get(pk=cycle_id, status=Cycle.Status.COMPUTING)
    except Cycle.DoesNotExist:
        log.warning("cycle %s is not computing; not run", cycle_id)
        return
    try:
        written = _compute(cycle)
    except Exception:
        log.exception("computation of cycle %s failed", cycle_id)
        _give_up(cycle_id)
        return
    now = timezone.now()
    with transaction.atomic():
        _no_flush_wait()
        Cycle.objects.filter(pk=cycle_id).update(
            status=Cycle.Status.SCORING, computed_at=now, progress_done=written, updated_at=now
        )
        cycle.refresh_from_db()
        # Scoring opens: each party finds what it is due to score from the evaluations
        # (selectors.scoring.to_score); no blank form is written for it.
        audit.record(
            actor=User.objects.filter(pk=actor_id).first(),
            event="evaluation.indicators_computed",
            obj=cycle,
            changes={"status": [Cycle.Status.COMPUTING, cycle.status], "supervisors": [None, written]},
        )


def _no_flush_wait() -> None:
    """The job's transactions on PostgreSQL commit without waiting for the WAL to
    reach the disk (synchronous_commit off, for this transaction only): a
    computation commits once per batch, each wait cost as much as writing the
    batch, and what a crash could lose is derived data written in order, the
    cycle's status last, so the owner simply computes again."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _breakdown(lines: dict) -> dict:
    """The indicator half of an evaluation's breakdown: the points and weights by
    indicator that the result (services.results, which lays out the whole
    arithmetic) and an upheld appeal (services.appeals) read and correct. Only
    these: the weighted lines and the part are the result's to show, and every
    key more is built and written for each of a pool's 50,000 evaluations."""
    return {
        "indicator_points": {key: line["points"] for key, line in lines.items()},
        "indicator_weights": {key: line["weight"] for key, line in lines.items()},
    }


def _compute(cycle: Cycle) -> int:
    policy = selectors.cycle_policy(cycle)
    # Only rows written before can belong to a supervisor who has since left: a pool's first
    # computation skips the anti-join over all its new rows.
    computed_before = Evaluation.objects.filter(cycle_id=cycle.pk).exists()
    if connection.vendor == "postgresql":
        done = _compute_postgresql(cycle, policy, first=not computed_before)
    else:
        done = _compute_portable(cycle, policy)
    # A supervisor no longer active in the pool leaves the cycle, unless a party has scored them.
    if computed_before:
        # Anti-joins (NOT EXISTS), not NOT IN: PostgreSQL cannot hash a NOT IN over a pool's
        # 200,000 forms when its statistics still describe the table before this computation.
        (
            Evaluation.objects.filter(cycle_id=cycle.pk)
            .exclude(Exists(selectors.pool_entries(cycle).filter(pk=OuterRef("entry_id"))))
            .exclude(Exists(PartyForm.objects.filter(evaluation_id=OuterRef("pk"))))
            .delete()
        )
    return done


def _advance(cycle: Cycle, supervisors: int) -> None:
    """Count a written batch in the cycle's progress (compute() starts it at 0). Added,
    not set: on PostgreSQL several connections finish batches in any order."""
    Cycle.objects.filter(pk=cycle.pk).update(progress_done=F("progress_done") + supervisors, updated_at=timezone.now())


def _compute_portable(cycle: Cycle, policy: dict) -> int:
    """Figures read into Python, scored there (indicators.scorer) and written in batches."""
    entries = list(selectors.pool_entries(cycle).values_list("pk", "person_id", "person__employer_id"))
    data = selectors.pool_indicators(cycle, policy)
    chain = [getattr(cycle, name) for name in ("scope_j0", "scope_j1", "scope_j2", "scope_j3")]
    score = ind.scorer(policy)
    done = 0
    for start in range(0, len(entries), BATCH):
        rows = []
        for entry_id, person_id, employer_id in entries[start : start + BATCH]:
            values = data.get(person_id) or selectors.empty_indicators()
            part, lines = score(values)
            rows.append((entry_id, person_id, employer_id, values, part, _breakdown(lines)))
        done += len(rows)
        with transaction.atomic():
            _write_portable(cycle, chain, rows, timezone.now())
            _advance(cycle, len(rows))
    return done


def _compute_postgresql(cycle: Cycle, policy: dict, first: bool = False) -> int:
    """The whole computation inside PostgreSQL, without carrying 50,000 rows and
    their JSON through Python and back. The pool is cut into batches of
    supervisors by person id; for each, one statement reads its figures
    (selectors.pool_figures_sql, every source read by the batch's range of
    people), builds the points (indicators.points_sql, the SQL rendering of the
    point functions) and the breakdown, and inserts or upserts them, a
    transaction per batch with the progress after it. A row whose indicators
    did not change is left untouched, so a refresh of an unchanged pool writes
    nothing.

    PostgreSQL runs a statement and writes its rows on one core, so the batches
    are shared among DUDAO_COMPUTE_CONNECTIONS connections. Inside a transaction (a test's) the other connections would
    not see the pool, so there every batch is written on this one.

    A `first` computation (the cycle had no rows) inserts without ON CONFLICT:
    an upsert first probes the unique index for every row and logs each insert
    as speculative. Should a row be there after all (a computation restarted
    over a stalled one), that batch is written again as an upsert, and so is
    every batch after it."""
    entries = selectors.pool_entries(cycle)
    people = list(entries.order_by("person_id").values_list("person_id", flat=True))
    # (lowest, highest person id, how many) of each batch.
    batches = [
        (chunk[0], chunk[-1], len(chunk)) for chunk in (people[i : i + BATCH] for i in range(0, len(people), BATCH))
    ]
    upsert = _batch_sql(policy)
    insert = _batch_sql(policy, upsert=False)
    # Cleared for good by the first batch that meets a row already written.
    inserting = threading.Event()
    if first:
        inserting.set()
    chain = [getattr(cycle, name) for name in ("scope_j0", "scope_j1", "scope_j2", "scope_j3")]

    def write(batch):
        lowest, highest, supervisors = batch
        figures, params = selectors.pool_figures_sql(cycle, policy, entries, (lowest, highest))
        now = timezone.now()
        params = [*params, now, now, *chain, cycle.pk]
        if inserting.is_set():
            try:
                _write_batch(cycle, insert.replace("{figures}", figures), params, supervisors)
                return
            except IntegrityError as error:
                if getattr(error.__cause__, "sqlstate", None) != UNIQUE_VIOLATION:
                    raise
                inserting.clear()
                log.warning("cycle %s: rows found on a first computation; written as upserts", cycle.pk)
        _write_batch(cycle, upsert.replace("{figures}", figures), params, supervisors)

    workers = 1 if connection.in_atomic_block else settings.DUDAO_COMPUTE_CONNECTIONS
    if workers == 1:
        for batch in batches:
            write(batch)
    else:
        _in_parallel(workers, batches, write)
    return len(people)


def _write_batch(cycle: Cycle, sql: str, params: list, supervisors: int) -> None:
    with transaction.atomic():
        _no_flush_wait()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    # After the commit, so that two connections never wait on each other for the cycle's row.
    _advance(cycle, supervisors)


def _in_parallel(workers: int, batches: list, write) -> None:
    """Each of `workers` threads takes the next batch until none is left, on its
    own connection (Django's are per thread), closed when it is done. The first
    error is raised here once every thread has stopped."""
    pending = list(reversed(batches))
    lock = threading.Lock()
    errors = []

    def work():
        try:
            while not errors:
                with lock:
                    if not pending:
                        return
                    batch = pending.pop()
                write(batch)
        except BaseException as error:  # raised again below, in the job's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, name=f"dudao-compute-{n}") for n in range(min(workers, len(batches)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _batch_sql(policy: dict, upsert: bool = True) -> str:
    """The INSERT … ON CONFLICT of a batch (a plain INSERT if not `upsert`),
    `{figures}` left for the batch's figures: the indicators and the breakdown
    as _compute_portable writes them (the same keys, the same two-place
    strings)."""
    columns = selectors.FIGURE_COLUMNS
    points = ind.points_sql(columns, policy)
    weights = ind.weights(policy)
    keys = list(points)
    weight = {key: ind.number(weights[key]) for key in keys}
    text = "'{}'".format

    def pairs(items) -> str:
        return ", ".join(f"{text(key)}, {expr}" for key, expr in items)

    counts = ("ratings", "assessed", "service_results_count")
    indicators = pairs(
        (key, f"p.{column}" if column in counts else f"p.{column}::text") for key, column in columns.items()
    )
    weighted = " + ".join(f"p.pt_{key} * {weight[key]}" for key in keys)
    part = f"round(({weighted}) / 100, 2)"
    # The weights are the cycle's, the same for every row: one constant, not built per row.
    constant = json.dumps({key: str(weights[key]) for key in keys}).replace("'", "''")
    breakdown = (
        f"jsonb_build_object('indicator_points', jsonb_build_object("
        f"{pairs((key, f'p.pt_{key}::text') for key in keys)}), 'indicator_weights', '{constant}'::jsonb)"
    )
    point_columns = ", ".join(f"{expr} AS pt_{key}" for key, expr in points.items())
    table = Evaluation._meta.db_table
    compared = "entry_id, home_organization_id, indicators, indicator_part, breakdown"
    sql = f"""
        WITH f AS ({{figures}}),
        p AS (SELECT f.*, {point_columns} FROM f)
        INSERT INTO {table} (created_at, updated_at, scope_j0, scope_j1, scope_j2, scope_j3, cycle_id,
            entry_id, person_id, home_organization_id, indicators, indicator_part, breakdown,
            grade, hours_capped, parties_missing, status)
        SELECT %s, %s, %s, %s, %s, %s, %s, p.entry_id, p.person_id, p.employer_id,
            jsonb_build_object({indicators}), {part}, {breakdown},
            '', false, '[]', '{Evaluation.Status.OPEN}'
        FROM p
    """
    if not upsert:
        return sql
    return f"""{sql}
        ON CONFLICT (cycle_id, person_id) DO UPDATE SET
            entry_id = EXCLUDED.entry_id, home_organization_id = EXCLUDED.home_organization_id,
            indicators = EXCLUDED.indicators, indicator_part = EXCLUDED.indicator_part,
            breakdown = EXCLUDED.breakdown, updated_at = EXCLUDED.updated_at
        WHERE ({", ".join(f"{table}.{c}" for c in compared.split(", "))})
            IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in compared.split(", "))})
    """


def _write_portable(cycle, chain, rows, now):
    Evaluation.objects.bulk_create(
        [
            Evaluation(
                cycle_id=cycle.pk,
                entry_id=entry_id,
                person_id=person_id,
                home_organization_id=employer_id,
                indicators=values,
                indicator_part=part,
                breakdown=breakdown,
                created_at=now,
                updated_at=now,
                **dict(zip(("scope_j0", "scope_j1", "scope_j2", "scope_j3"), chain, strict=True)),
            )
            for entry_id, person_id, employer_id, values, part, breakdown in rows
        ],
        update_conflicts=True,
        unique_fields=["cycle", "person"],
        update_fields=INDICATOR_FIELDS,
    )
