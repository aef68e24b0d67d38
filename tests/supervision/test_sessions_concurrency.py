"""Two records of one supervisor at the same moment, overlapping: the row lock
on the supervisor makes the second see the first and refuse. Skipped on SQLite,
which has no SELECT ... FOR UPDATE."""

import pytest

from dudao.supervision.models import Session
from tests.threads import api_call, run_together, skip_unless_postgresql

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db):
    skip_unless_postgresql()


def test_concurrent_overlapping_records_make_one_session(world, internal_engagement):
    payload = {
        "engagement": internal_engagement.pk,
        "date": "2026-03-10",
        "start_time": "09:00",
        "duration_minutes": 60,
        "form": "individual",
        "functions": ["教育"],
        "supervisees": [world.social_worker_person.pk],
        "topics": "沟通技巧",
    }
    late = payload | {"start_time": "09:30"}
    outcomes = run_together(
        [api_call(world.supervisor, "post", "/api/v1/supervision-sessions/", p, format="json") for p in (payload, late)]
    )
    assert all(kind == "ok" for kind, _result in outcomes), outcomes
    assert sorted(result.status_code for _kind, result in outcomes) == [201, 400]
    assert Session.objects.count() == 1
