"""On PostgreSQL a pool is computed inside the database (the SQL renderings of
the point functions, services.cycles._compute_postgresql); everywhere else in
Python. The two must agree to the fen: here both run on the same PostgreSQL data."""

import logging
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from hypothesis import given, settings
from hypothesis import strategies as st

from dudao.evaluation import indicators as ind
from dudao.evaluation.models import Evaluation
from dudao.evaluation.selectors import cycles as selectors
from dudao.evaluation.services import cycles as services
from tests.factories import staff
from tests.pools.conftest import city_entry
from tests.supervision.test_summary_selectors import rate

from .test_cycles_services import YEAR, open_city_cycle, year_of_work  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the SQL renderings run on PostgreSQL only; run with DATABASE_URL=postgres://...")


def in_sql(expression: str, value) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({expression})::text FROM (SELECT %s::numeric AS v) figure", [value])
        return cursor.fetchone()[0]


figures = st.decimals(min_value=0, max_value=5000, places=2)
maybe = st.one_of(st.none(), st.decimals(min_value=-5, max_value=100, places=2))
ints = st.integers(min_value=0, max_value=300)


@settings(max_examples=150, deadline=None)
@given(hours=figures, minimum=ints)
def test_hours_points_agree_in_sql(hours, minimum):
    assert in_sql(ind.hours_points_sql("v", minimum), hours) == str(ind.hours_points(str(hours), minimum))


@settings(max_examples=150, deadline=None)
@given(average=maybe, without=st.integers(min_value=0, max_value=100))
def test_satisfaction_and_service_results_points_agree_in_sql(average, without):
    assert in_sql(ind.satisfaction_points_sql("v", without), average) == str(
        ind.satisfaction_points(None if average is None else str(average), without)
    )
    assert in_sql(ind.service_results_points_sql("v", without), average) == str(
        ind.service_results_points(None if average is None else str(average), without)
    )


@settings(max_examples=150, deadline=None)
@given(total=st.decimals(min_value=-40, max_value=40, places=2), count=st.integers(min_value=1, max_value=300))
def test_the_averaged_gain_reads_the_same_in_sql_and_in_python(total, count):
    # As pool_figures_sql and pool_indicators average a supervisor's year; a gain that rounds
    # to zero from below must read "0.00" in both, not "-0.00" in Python.
    with connection.cursor() as cursor:
        cursor.execute("SELECT round(%s::numeric / %s, 2)::text", [total, count])
        assert cursor.fetchone()[0] == selectors._text(total / count)


def test_a_gain_that_rounds_to_zero_from_below_reads_zero():
    with connection.cursor() as cursor:
        cursor.execute("SELECT round(-0.01::numeric / 3, 2)::text")
        assert cursor.fetchone()[0] == selectors._text(Decimal("-0.01") / 3) == "0.00"


@settings(max_examples=150, deadline=None)
@given(gain=maybe, target=st.integers(min_value=0, max_value=50))
def test_ability_gain_points_agree_in_sql(gain, target):
    assert in_sql(ind.ability_gain_points_sql("v", target), gain) == str(
        ind.ability_gain_points(None if gain is None else str(gain), target)
    )


def _rows(cycle):
    return sorted(
        Evaluation.objects.filter(cycle=cycle).values_list(
            "person_id", "entry_id", "home_organization_id", "indicators", "indicator_part", "breakdown"
        )
    )


def test_a_pool_computed_in_sql_matches_the_python_computation_to_the_fen(
    world,
    supply,
    year_of_work,  # noqa: F811
    caplog,
    monkeypatch,
):
    # A second supervisor with ratings below the fewest shown, one with nothing at all.
    other = city_entry(world, staff(world.erqi_agency, certified=True, name="二七督导丁"))
    city_entry(world, staff(world.erqi_agency, certified=True, name="二七督导戊"))
    assert other.person_id != supply.external_person.pk
    rate(year_of_work, 3)
    cycle = open_city_cycle(world)
    cycle.status = cycle.Status.COMPUTING
    cycle.save()
    policy = selectors.cycle_policy(cycle)
    assert services._compute_portable(cycle, policy) == 3
    in_python = _rows(cycle)
    Evaluation.objects.filter(cycle=cycle).delete()
    assert services._compute_postgresql(cycle, policy) == 3
    in_sql_rows = _rows(cycle)
    assert in_sql_rows == in_python
    assert {row[4] for row in in_python} != {None}
    # A first computation's plain inserts write the same rows.
    Evaluation.objects.filter(cycle=cycle).delete()
    assert services._compute_postgresql(cycle, policy, first=True) == 3
    assert _rows(cycle) == in_python
    # Computing again in SQL changes nothing and rewrites nothing.
    stamps = dict(Evaluation.objects.filter(cycle=cycle).values_list("pk", "updated_at"))
    services._compute_postgresql(cycle, policy)
    assert dict(Evaluation.objects.filter(cycle=cycle).values_list("pk", "updated_at")) == stamps
    # Nor does a "first" computation that finds the rows there (one restarted over a stalled
    # one): its batch is written again as an upsert instead of failing on the unique key.
    # A batch per supervisor: after the first batch meets its row, the others go straight to the upsert.
    monkeypatch.setattr(services, "BATCH", 1)
    with caplog.at_level(logging.WARNING, logger=services.__name__):
        assert services._compute_postgresql(cycle, policy, first=True) == 3
    assert [r.getMessage() for r in caplog.records] == [
        f"cycle {cycle.pk}: rows found on a first computation; written as upserts"
    ]
    assert dict(Evaluation.objects.filter(cycle=cycle).values_list("pk", "updated_at")) == stamps
    assert _rows(cycle) == in_python


def test_a_first_computation_stops_on_any_other_integrity_error(world, supply, year_of_work, monkeypatch):  # noqa: F811
    """Only the unique key sends a first computation's batch back as an upsert."""
    cycle = open_city_cycle(world)
    policy = selectors.cycle_policy(cycle)
    real = services._batch_sql

    def broken_insert(policy, upsert=True):
        # The plain insert leaves the supervisor's column empty: a NOT NULL violation, not a
        # row already there. The upsert is the real one, which would succeed.
        sql = real(policy, upsert)
        return sql if upsert else sql.replace("p.person_id, p.employer_id", "NULL, p.employer_id")

    monkeypatch.setattr(services, "_batch_sql", broken_insert)
    with pytest.raises(IntegrityError):
        services._compute_postgresql(cycle, policy, first=True)
    assert not Evaluation.objects.filter(cycle=cycle).exists()
