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


def test_two_supervisees_confirming_at_once_both_count_in_the_supervisors_year(world, internal_engagement, supply):
    import datetime as dt

    from dudao.accounts.models import Role
    from dudao.supervision.models import SupervisorYear
    from dudao.supervision.services import sessions
    from tests.factories import user_with_role

    session = sessions.record(
        actor=world.supervisor,
        engagement=internal_engagement,
        date=dt.date(2026, 3, 10),
        start_time=dt.time(9, 0),
        duration_minutes=90,
        form=Session.Form.GROUP,
        functions=["教育"],
        supervisees=[world.social_worker_person, supply.colleagues[0]],
        topics="小组督导",
        notes="",
    )
    colleague = user_with_role(Role.SOCIAL_WORKER, username="colleague", person=supply.colleagues[0])
    url = f"/api/v1/supervision-sessions/{session.pk}/confirm/"
    outcomes = run_together(
        [api_call(user, "post", url, {"rating": 4}, format="json") for user in (world.social_worker, colleague)]
    )
    assert [result.status_code for _kind, result in outcomes] == [200, 200], outcomes
    # Without the lock on the supervisor's year, each confirmation could settle the session
    # before seeing the other's, leaving it pending with both supervisees confirmed.
    assert Session.objects.get(pk=session.pk).status == Session.Status.CONFIRMED
    row = SupervisorYear.objects.get(supervisor=world.supervisor_person, year=2026)
    assert (row.service_minutes, row.ratings, row.rating_total) == (90, 2, 8)
