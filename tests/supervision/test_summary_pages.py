"""My supervision (/supervision/me/): the supervisor's calendar, hours against
the minimums, ratings and assessments due; the social worker's year against
their need and their history."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from dudao.supervision.models import Engagement, PracticeLog, Session
from tests.supervision.test_summary_selectors import make_session, rate

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
ME = reverse("supervision:me")


def cell(html, day: dt.date) -> str:
    match = re.search(rf'data-day="{day:%Y-%m-%d}">(.*?)</td>', html, re.S)
    assert match, day
    return match.group(1)


def test_the_calendar_shows_the_supervisors_sessions_on_their_days(
    world, supply, internal_engagement, external_engagement, login
):
    fifth = make_session(internal_engagement, dt.date(2026, 3, 5), 60)
    later = make_session(internal_engagement, dt.date(2026, 3, 17), 90, start=(14, 30))
    other = make_session(external_engagement, dt.date(2026, 3, 5), 60)  # another supervisor's
    make_session(internal_engagement, dt.date(2026, 4, 1), 60)  # another month

    response = login(world.supervisor).get(ME, {"month": "2026-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="calendar-month">2026-03<' in html
    assert f"/supervision/sessions/{fifth.pk}/" in cell(html, dt.date(2026, 3, 5))
    assert f"/supervision/sessions/{other.pk}/" not in html
    assert f"/supervision/sessions/{later.pk}/" in cell(html, dt.date(2026, 3, 17))
    assert "14:30" in cell(html, dt.date(2026, 3, 17))
    assert "calendar-session" not in cell(html, dt.date(2026, 3, 6))
    assert html.count('data-testid="calendar-session"') == 2
    assert len(re.findall(r'data-day="2026-03-\d\d"', html)) == 31
    assert "?month=2026-02" in html and "?month=2026-04" in html


def test_the_calendar_crosses_the_year_and_falls_back_on_a_bad_month(world, supply, login):
    client = login(world.supervisor)
    html = client.get(ME, {"month": "2026-12"}).content.decode()
    assert "?month=2026-11" in html and "?month=2027-01" in html
    html = client.get(ME, {"month": "2026-13"}).content.decode()
    assert f'data-testid="calendar-month">{TODAY:%Y-%m}<' in html


def test_the_supervisor_sees_hours_against_the_minimums_ratings_and_assessments_due(
    world, supply, internal_engagement, login
):
    Engagement.objects.filter(pk=internal_engagement.pk).update(
        starts_on=dt.date(YEAR, 1, 1), ends_on=dt.date(YEAR, 12, 31)
    )
    make_session(internal_engagement, dt.date(YEAR, 1, 5), 1800)  # 30 hours: half the minimum
    PracticeLog.objects.create(
        supervisor=world.supervisor_person,
        organization=world.agency,
        date=dt.date(YEAR, 1, 2),
        hours=Decimal("20"),
        description="个案服务",
        status=PracticeLog.Status.CONFIRMED,
    )
    for score in (5, 4, 3):
        rate(internal_engagement, score)
    html = login(world.supervisor).get(ME).content.decode()
    assert 'data-testid="progress-service"' in html and 'data-width="50.0"' in html
    assert 'data-testid="progress-practice"' in html and 'data-width="20.0"' in html
    assert "4.00" in html  # the rating average, from 3 ratings
    due = re.search(r'data-testid="assessments-due">(.*?)</ul>', html, re.S).group(1)
    for name in ("社工乙", "社工丁", "社工戊", "社工己"):
        assert name in due
    assert "督导甲" not in due


def test_the_supervisor_sees_no_average_below_the_threshold(world, supply, internal_engagement, login):
    rate(internal_engagement, 1)
    html = login(world.supervisor).get(ME).content.decode()
    ratings = re.search(r'data-testid="ratings">(.*?)</div>', html, re.S).group(1)
    assert "1.00" not in ratings


def test_the_social_worker_sees_their_year_against_need_and_their_history(world, supply, internal_engagement, login):
    from dudao.supervision.models import Attendance

    session = make_session(internal_engagement, dt.date(YEAR, 1, 5), 120, supervisees=[world.social_worker_person])
    Attendance.objects.filter(session=session).update(status=Attendance.Status.CONFIRMED)
    other = make_session(internal_engagement, dt.date(YEAR, 1, 6), 60, supervisees=[supply.colleagues[0]])
    response = login(world.social_worker).get(ME)
    assert response.status_code == 200
    mine = response.context["mine"]
    assert mine["hours_received"] == Decimal("2.00")
    html = response.content.decode()
    assert f"/supervision/sessions/{session.pk}/" in html
    assert f"/supervision/sessions/{other.pk}/" not in html
    assert 'href="/supervision/sessions/"' in html
    assert 'data-testid="progress-need"' in html


@pytest.mark.parametrize("persona", ["agency_admin", "district_admin", "city_admin", "hrss", "trainer"])
def test_my_supervision_is_refused_to_other_roles(world, login, persona):
    assert login(world.persona(persona)).get(ME).status_code == 403


def test_my_supervision_needs_a_login(client):
    assert client.get(ME).status_code == 302


def test_the_menu_shows_my_lines_to_their_roles(world, login):
    supervisor = login(world.supervisor).get(ME).content.decode()
    assert reverse("supervision:practice_list") in supervisor and reverse("supervision:assessment_list") in supervisor
    worker = login(world.social_worker).get(ME).content.decode()
    assert ME in worker and reverse("supervision:practice_list") not in worker
    hrss = login(world.hrss).get(reverse("supervision:practice_list")).content.decode()
    assert reverse("supervision:assessment_list") not in hrss


def test_session_links_use_the_agreed_path(world, supply, internal_engagement, login):
    session = make_session(internal_engagement, TODAY, 60)
    assert Session.objects.filter(pk=session.pk).exists()
    html = login(world.supervisor).get(ME).content.decode()
    assert f'href="/supervision/sessions/{session.pk}/"' in html


def test_the_supervisors_page_costs_the_same_queries_for_few_and_many_sessions(
    world, supply, internal_engagement, login
):
    client = login(world.supervisor)
    make_session(internal_engagement, dt.date(2026, 3, 2), 60)
    client.get(ME, {"month": "2026-03"})
    with CaptureQueriesContext(connection) as few:
        client.get(ME, {"month": "2026-03"})
    for day in range(3, 29):
        make_session(internal_engagement, dt.date(2026, 3, day), 60, start=(8, 0))
        make_session(internal_engagement, dt.date(2026, 3, day), 60, start=(15, 0))
    with CaptureQueriesContext(connection) as many:
        response = client.get(ME, {"month": "2026-03"})
    assert response.content.decode().count('data-testid="calendar-session"') == 53
    assert len(few) == len(many)


def test_the_supervisors_to_dos_count_the_supervisees_to_assess(world, supply, internal_engagement):
    from dudao.supervision.todos import practice_todos

    Engagement.objects.filter(pk=internal_engagement.pk).update(
        starts_on=dt.date(YEAR, 1, 1), ends_on=dt.date(YEAR, 12, 31)
    )
    with translation.override("en"):
        todos = {t.label: t for t in practice_todos(world.supervisor)}
    assert todos["Supervisees to assess this year"].count == 4
    assert todos["Supervisees to assess this year"].url == ME + "#assessments-due"
    assert practice_todos(world.social_worker) == []
    assert practice_todos(world.city_admin) == []
