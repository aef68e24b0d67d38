"""On PostgreSQL a pool's batches are written through several connections at
once (services.cycles._in_parallel). Committed data, so that the other
connections see the pool: a transactional test, on PostgreSQL only."""

import datetime as dt
import threading

import pytest
from django.db import connection

from dudao.core.models import AuditEntry
from dudao.evaluation.models import Cycle, Evaluation
from dudao.evaluation.selectors import cycles as selectors
from dudao.evaluation.services import cycles as services
from tests.factories import staff
from tests.pools.conftest import city_entry
from tests.supervision.conftest import engagement
from tests.supervision.test_summary_selectors import make_session, rate

from .test_cycles_services import YEAR, open_city_cycle, year_of_work  # noqa: F401 (a fixture)

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("several connections write at once on PostgreSQL only; run with DATABASE_URL=postgres://...")


@pytest.fixture
def pool(world, supply, year_of_work):  # noqa: F811
    """Five supervisors in the city pool, each with work of their own, so that every
    bound of the batches (two, two and one) cuts between supervisors with figures."""
    for n in range(4):
        entry = city_entry(world, staff(world.erqi_agency, certified=True, name=f"并行督导{n}"))
        e = engagement(entry, world.agency, supervisees=[world.social_worker_person])
        for day in range(n + 1):
            make_session(e, dt.date(YEAR, 4, 1 + day), 60 + 30 * n, supervisees=[world.social_worker_person])
        rate(e, 1 + n)
    rate(year_of_work, 3)
    return world


def _rows(cycle):
    return sorted(
        Evaluation.objects.filter(cycle=cycle).values_list(
            "person_id", "entry_id", "home_organization_id", "indicators", "indicator_part", "breakdown"
        )
    )


def test_batches_written_through_two_connections_give_the_rows_of_the_python_computation(pool, settings, monkeypatch):
    settings.DUDAO_COMPUTE_CONNECTIONS = 2
    monkeypatch.setattr(services, "BATCH", 2)
    writers = []
    real_write = services._write_batch

    def spy(*args, **kwargs):
        writers.append(threading.current_thread().name)
        return real_write(*args, **kwargs)

    monkeypatch.setattr(services, "_write_batch", spy)
    cycle = open_city_cycle(pool)
    assert services._compute_portable(cycle, selectors.cycle_policy(cycle)) == 5
    in_python = _rows(cycle)
    Evaluation.objects.filter(cycle=cycle).delete()

    cycle = services.compute(actor=pool.city_admin, cycle=cycle)

    assert cycle.status == Cycle.Status.SCORING
    assert (cycle.progress_done, cycle.progress_total) == (5, 5)
    assert _rows(cycle) == in_python
    assert len(writers) == 3
    assert set(writers) <= {"dudao-compute-0", "dudao-compute-1"}
    assert threading.main_thread().name not in writers


def test_a_batch_that_fails_on_one_connection_ends_the_job_and_computing_again_completes_it(
    pool, settings, monkeypatch
):
    settings.DUDAO_COMPUTE_CONNECTIONS = 2
    monkeypatch.setattr(services, "BATCH", 2)
    real_write = services._write_batch
    lock = threading.Lock()
    calls = []

    def failing(cycle, sql, params, supervisors):
        with lock:
            calls.append(supervisors)
            second = len(calls) == 2
        if second:
            raise RuntimeError("connection lost")
        return real_write(cycle, sql, params, supervisors)

    monkeypatch.setattr(services, "_write_batch", failing)
    cycle = services.compute(actor=pool.city_admin, cycle=open_city_cycle(pool))

    # The failure reached the job: not reported as computed, not left computing (the batch
    # written before it stands, so back to scoring), and no thread is left behind.
    assert cycle.status == Cycle.Status.SCORING
    assert cycle.progress_done < cycle.progress_total == 5
    assert not AuditEntry.objects.filter(event="evaluation.indicators_computed").exists()
    assert Evaluation.objects.filter(cycle=cycle).count() < 5
    assert not [t for t in threading.enumerate() if t.name.startswith("dudao-compute-")]

    monkeypatch.setattr(services, "_write_batch", real_write)
    cycle = services.compute(actor=pool.city_admin, cycle=cycle)
    assert (cycle.status, cycle.progress_done) == (Cycle.Status.SCORING, 5)
    assert Evaluation.objects.filter(cycle=cycle).count() == 5
