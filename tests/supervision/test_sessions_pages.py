"""The pages of supervision records, persona by persona: the list per way in
with filters, sorting, export (notes only for those who read them, ratings
never) and a fixed query count; a session with its confirm, dispute and
resolve forms; the record form with its warning; the months with sign-off and
reopen. Out of scope is 404, the wrong role 403, and a signed month frozen."""

import datetime as dt
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from dudao.accounts.models import Role
from dudao.core.workbench import Todo
from dudao.supervision.models import Attendance, MonthSignOff, Rating, Session
from dudao.supervision.services import sessions as services
from dudao.supervision.todos import session_todos
from tests.excel import xlsx_rows
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def zh(message: str, **params) -> str:
    with translation.override("zh-hans"):
        text = gettext(message)
    return html.escape(text % params if params else text)


def plain(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def url(name, *args):
    return reverse(f"supervision:{name}", args=args)


def record(world, engagement, actor=None, **changes):
    terms = {
        "date": dt.date(2026, 3, 10),
        "start_time": dt.time(9, 0),
        "duration_minutes": 60,
        "form": Session.Form.INDIVIDUAL,
        "functions": ["教育"],
        "supervisees": [world.social_worker_person],
        "topics": "沟通技巧",
        "notes": "督导笔记内容",
    } | changes
    return services.record(actor=actor or world.supervisor, engagement=engagement, **terms)


def shown(response) -> set[int]:
    assert response.status_code == 200
    return {s.pk for s in response.context["object_list"]}


@pytest.fixture
def both(world, internal_engagement, external_engagement, supply):
    mine = record(world, internal_engagement)
    theirs = record(world, external_engagement, actor=supply.external_supervisor, supervisees=[supply.colleagues[0]])
    return mine, theirs


def test_each_persona_lists_only_its_sessions(world, login, both, supply):
    mine, theirs = both
    assert shown(login(world.supervisor).get(url("session_list"))) == {mine.pk}
    assert shown(login(world.social_worker).get(url("session_list"))) == {mine.pk}
    assert shown(login(world.agency_admin).get(url("session_list"))) == {mine.pk, theirs.pk}
    assert shown(login(world.district_admin).get(url("session_list"))) == {mine.pk, theirs.pk}
    assert shown(login(world.hrss).get(url("session_list"))) == {mine.pk, theirs.pk}
    assert shown(login(world.erqi_admin).get(url("session_list"))) == set()
    assert shown(login(world.outsider).get(url("session_list"), {"view": "home"})) == {theirs.pk}
    assert shown(login(supply.external_supervisor).get(url("session_list"))) == {theirs.pk}


def test_the_supervisor_also_lists_the_sessions_they_attended(world, login, internal_engagement, supply):
    # 督导甲 is staff of the agency too: the external supervisor may supervise them.
    from tests.supervision.conftest import engagement

    e = engagement(supply.external_entry, world.agency, supervisees=[world.supervisor_person])
    attended = record(world, e, actor=supply.external_supervisor, supervisees=[world.supervisor_person])
    given = record(world, internal_engagement, date=dt.date(2026, 3, 11))
    client = login(world.supervisor)
    assert shown(client.get(url("session_list"))) == {given.pk}
    assert shown(client.get(url("session_list"), {"view": "supervisee"})) == {attended.pk}


@pytest.mark.parametrize("persona", ["trainer", "finance", "association"])
def test_roles_without_supervision_are_refused_the_list(world, login, persona):
    assert login(world.persona(persona)).get(url("session_list")).status_code == 403


def test_the_list_needs_a_login(client):
    assert client.get(url("session_list")).status_code == 302


def test_the_list_filters_and_sorts(world, login, internal_engagement):
    march = record(world, internal_engagement)
    april = record(world, internal_engagement, date=dt.date(2026, 4, 2))
    services.confirm(actor=world.social_worker, session=april, rating=5)
    client = login(world.agency_admin)
    assert shown(client.get(url("session_list"), {"month": "2026-04"})) == {april.pk}
    assert shown(client.get(url("session_list"), {"status": "pending"})) == {march.pk}
    assert shown(client.get(url("session_list"), {"supervisor": "督导甲"})) == {march.pk, april.pk}
    assert shown(client.get(url("session_list"), {"supervisor": "无此人"})) == set()
    assert shown(client.get(url("session_list"), {"engagement": internal_engagement.pk})) == {march.pk, april.pk}
    assert shown(client.get(url("session_list"), {"month": "四月"})) == set()
    rows = client.get(url("session_list"), {"sort": "date"}).context["object_list"]
    assert [s.pk for s in rows] == [march.pk, april.pk]
    rows = client.get(url("session_list"), {"sort": "-date"}).context["object_list"]
    assert [s.pk for s in rows] == [april.pk, march.pk]
    assert shown(login(world.social_worker).get(url("session_list"), {"to_confirm": "true"})) == {march.pk}


def test_the_list_pages(world, login, internal_engagement):
    for day in range(1, 28):
        Session.objects.create(
            engagement=internal_engagement,
            supervisor=world.supervisor_person,
            organization=world.agency,
            date=dt.date(2026, 2, day),
            start_time=dt.time(9),
            duration_minutes=60,
            month=dt.date(2026, 2, 1),
            form="individual",
            topics="分页",
        )
    client = login(world.supervisor)
    assert len(client.get(url("session_list")).context["object_list"]) == 25
    assert len(client.get(url("session_list"), {"page": 2}).context["object_list"]) == 2


def test_the_export_holds_notes_only_for_readers_of_notes_and_never_ratings(world, login, both):
    mine, theirs = both
    services.confirm(actor=world.social_worker, session=mine, rating=1, comment="秘密评语")
    rows = xlsx_rows(login(world.agency_admin).get(url("session_list"), {"export": "xlsx"}))
    text = str(rows)
    assert "督导笔记内容" in text and "秘密评语" not in text
    notes, rating = plain("Notes"), plain("rating")
    assert any(notes in row for row in rows[:3])
    for user, params in ((world.district_admin, {}), (world.outsider, {"view": "home"})):
        rows = xlsx_rows(login(user).get(url("session_list"), {"export": "xlsx", **params}))
        assert "督导笔记内容" not in str(rows) and "秘密评语" not in str(rows)
        assert not any(notes in row for row in rows[:3]) and rating not in str(rows[:3])
        assert any(theirs.topics in row for row in rows)


def _queries(client, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url("session_list"), params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(world, engagement, n, start):
    for i in range(n):
        record(world, engagement, date=dt.date(2026, 2, 1) + dt.timedelta(days=start + i))


@pytest.mark.parametrize(
    ("persona", "params"),
    [
        ("agency_admin", {}),
        ("agency_admin", {"export": "xlsx"}),
        ("agency_admin", {"status": "pending", "month": "2026-02", "sort": "date"}),
        ("supervisor", {}),
        ("social_worker", {"to_confirm": "true"}),
        ("district_admin", {}),
    ],
)
def test_list_queries_do_not_grow_with_rows(world, login, internal_engagement, persona, params):
    client = login(world.persona(persona))
    _grow(world, internal_engagement, 3, 0)
    client.get(url("session_list"), params)
    few = _queries(client, params)
    _grow(world, internal_engagement, 20, 3)
    assert _queries(client, params) == few


# --- one session ------------------------------------------------------------------------


def test_a_session_is_404_outside_the_scope(world, login, both, supply):
    mine, theirs = both
    for user in (world.erqi_admin, supply.external_supervisor, world.trainer):
        assert login(user).get(url("session_detail", mine.pk)).status_code == 404
    assert login(world.social_worker).get(url("session_detail", theirs.pk)).status_code == 404
    assert login(world.outsider).get(url("session_detail", theirs.pk)).status_code == 200


def test_notes_are_for_the_supervisor_the_supervisees_and_the_using_agency(world, login, both):
    mine, theirs = both
    for user in (world.supervisor, world.social_worker, world.agency_admin):
        assert "督导笔记内容" in login(user).get(url("session_detail", mine.pk)).content.decode()
    for user in (world.district_admin, world.city_admin):
        assert "督导笔记内容" not in login(user).get(url("session_detail", mine.pk)).content.decode()
    assert "督导笔记内容" not in login(world.outsider).get(url("session_detail", theirs.pk)).content.decode()


def test_the_supervisee_confirms_and_rates_on_the_page_with_the_servers_time(world, login, internal_engagement):
    session = record(world, internal_engagement)
    client = login(world.social_worker)
    page = client.get(url("session_detail", session.pk)).content.decode()
    assert 'data-testid="confirm-form"' in page and 'data-testid="dispute-form"' in page
    before = timezone.now()
    response = client.post(
        url("session_confirm", session.pk), {"rating": "4", "comment": "受益匪浅", "confirmed_at": "2020-01-01 00:00"}
    )
    assert response.status_code == 302
    attendance = Attendance.objects.get(session=session)
    assert attendance.status == Attendance.Status.CONFIRMED and attendance.confirmed_at >= before
    assert Rating.objects.get().score == 4
    page = client.get(url("session_detail", session.pk)).content.decode()
    assert 'data-testid="confirm-form"' not in page and "受益匪浅" not in page


def test_no_page_shows_a_rating_by_person(world, login, internal_engagement):
    session = record(world, internal_engagement)
    services.confirm(actor=world.social_worker, session=session, rating=2, comment="独特的评语")
    for user in (world.supervisor, world.agency_admin, world.social_worker, world.district_admin):
        for page in (url("session_detail", session.pk), url("session_list"), url("month_list", internal_engagement.pk)):
            assert "独特的评语" not in login(user).get(page).content.decode()


def test_others_cannot_confirm(world, login, internal_engagement):
    session = record(world, internal_engagement)
    assert login(world.agency_admin).post(url("session_confirm", session.pk), {"rating": "5"}).status_code == 403
    assert login(world.erqi_admin).post(url("session_confirm", session.pk), {"rating": "5"}).status_code == 404
    assert not Rating.objects.exists()


def test_dispute_and_resolution_on_the_pages(world, login, internal_engagement):
    session = record(world, internal_engagement)
    login(world.social_worker).post(url("session_dispute", session.pk), {"reason": "未见面"})
    attendance = Attendance.objects.get(session=session)
    assert attendance.status == Attendance.Status.DISPUTED
    client = login(world.agency_admin)
    assert 'data-testid="resolve-form"' in client.get(url("session_detail", session.pk)).content.decode()
    form = {
        f"a{attendance.pk}-attendance": attendance.pk,
        f"a{attendance.pk}-upheld": "yes",
        f"a{attendance.pk}-resolution": "电话核实",
    }
    assert login(world.supervisor).post(url("session_resolve", session.pk), form).status_code == 403
    assert login(world.agency_admin).post(url("session_resolve", session.pk), form).status_code == 302
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.RESOLVED and attendance.resolution_upheld is True


# --- recording ---------------------------------------------------------------------------


def test_the_record_form_warns_about_case_records_and_lists_supervisees_with_types(world, login, internal_engagement):
    response = login(world.supervisor).get(url("session_new", internal_engagement.pk))
    page = response.content.decode()
    assert 'data-testid="notes-warning"' in page
    assert (
        world.social_worker_person.name in page
        and world.supervisor_person.name not in page.split("supervisee-choices")[1]
    )
    assert 'name="supervisees"' in page and f'name="type_{world.social_worker_person.pk}"' in page


def test_the_supervisor_records_on_the_page(world, login, internal_engagement):
    pid = world.social_worker_person.pk
    response = login(world.supervisor).post(
        url("session_new", internal_engagement.pk),
        {
            "date": "2026-03-10",
            "start_time": "09:00",
            "duration_minutes": "60",
            "form": "individual",
            "functions": ["教育"],
            "supervisees": [str(pid)],
            f"type_{pid}": "new",
            "topics": "沟通技巧",
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert Attendance.objects.get().supervisee_type == "new"


def test_the_record_form_shows_the_refusal(world, login, internal_engagement):
    pid = world.social_worker_person.pk
    response = login(world.supervisor).post(
        url("session_new", internal_engagement.pk),
        {
            "date": "2026-03-10",
            "start_time": "09:00",
            "duration_minutes": "5",
            "form": "group",
            "functions": ["教育"],
            "supervisees": [str(pid)],
            "topics": "x",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="error-duration_minutes"' in page and 'data-testid="error-supervisees"' in page
    assert not Session.objects.exists()


def test_the_record_form_is_for_the_engagements_supervisor(world, login, internal_engagement, supply):
    assert login(world.agency_admin).get(url("session_new", internal_engagement.pk)).status_code == 403
    assert login(world.social_worker).get(url("session_new", internal_engagement.pk)).status_code == 404
    assert login(supply.external_supervisor).get(url("session_new", internal_engagement.pk)).status_code == 404


# --- months ---------------------------------------------------------------------------------


def test_the_agency_signs_off_and_reopens_a_month_on_the_page(
    world, login, internal_engagement, django_capture_on_commit_callbacks
):
    session = record(world, internal_engagement)
    client = login(world.agency_admin)
    page = client.get(url("month_list", internal_engagement.pk)).content.decode()
    assert 'data-testid="month-2026-03"' in page
    client.post(url("month_list", internal_engagement.pk), {"month": "2026-03"})
    assert not MonthSignOff.objects.exists()
    services.confirm(actor=world.social_worker, session=session, rating=5)
    assert (
        login(world.supervisor).post(url("month_list", internal_engagement.pk), {"month": "2026-03"}).status_code == 403
    )
    client = login(world.agency_admin)
    client.post(url("month_list", internal_engagement.pk), {"month": "2026-03"})
    assert MonthSignOff.objects.get().status == MonthSignOff.Status.SIGNED
    page = client.get(url("month_list", internal_engagement.pk)).content.decode()
    assert 'data-testid="reopen-form"' in page
    # Without the reason or the confirmation step nothing happens.
    client.post(url("month_list", internal_engagement.pk), {"action": "reopen", "month": "2026-03", "confirmed": "on"})
    client.post(url("month_list", internal_engagement.pk), {"action": "reopen", "month": "2026-03", "reason": "补录"})
    assert MonthSignOff.objects.get().status == MonthSignOff.Status.SIGNED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("month_list", internal_engagement.pk),
            {"action": "reopen", "month": "2026-03", "reason": "补录", "confirmed": "on"},
        )
    assert MonthSignOff.objects.get().status == MonthSignOff.Status.REOPENED


def test_the_months_page_is_scoped(world, login, internal_engagement, supply):
    assert login(world.erqi_admin).get(url("month_list", internal_engagement.pk)).status_code == 404
    assert login(supply.external_supervisor).get(url("month_list", internal_engagement.pk)).status_code == 404
    assert login(world.supervisor).get(url("month_list", internal_engagement.pk)).status_code == 200
    assert login(world.district_admin).get(url("month_list", internal_engagement.pk)).status_code == 200


def test_a_signed_off_month_is_frozen_on_the_pages(world, login, internal_engagement, supply):
    colleague = user_with_role(Role.SOCIAL_WORKER, username="colleague", person=supply.colleagues[0])
    session = record(
        world, internal_engagement, form="group", supervisees=[world.social_worker_person, supply.colleagues[0]]
    )
    services.confirm(actor=world.social_worker, session=session, rating=4)
    attendance = services.dispute(actor=colleague, session=session, reason="未参加")
    services.resolve(actor=world.agency_admin, attendance=attendance, upheld=True, resolution="已核实")
    services.sign_off(actor=world.agency_admin, engagement=internal_engagement, month=dt.date(2026, 3, 1))
    pid = world.social_worker_person.pk
    response = login(world.supervisor).post(
        url("session_new", internal_engagement.pk),
        {
            "date": "2026-03-20",
            "start_time": "09:00",
            "duration_minutes": "60",
            "form": "individual",
            "functions": ["教育"],
            "supervisees": [str(pid)],
            "topics": "补录",
        },
    )
    assert response.status_code == 200 and "2026-03" in response.content.decode()
    assert Session.objects.count() == 1
    login(world.supervisor).post(url("session_delete", session.pk))
    assert Session.objects.filter(pk=session.pk).exists()


# --- menu and to-dos ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("supervisor", True),
        ("social_worker", True),
        ("agency_admin", True),
        ("district_admin", True),
        ("city_admin", True),
        ("hrss", True),
        ("trainer", False),
        ("finance", False),
    ],
)
def test_the_menu_line_follows_the_role(world, login, persona, sees):
    page = login(world.persona(persona)).get(reverse("accounts:home")).content.decode()
    assert (url("session_list") in page) is sees


def test_the_todos_count_what_each_role_must_do(world, internal_engagement, supply):
    from dudao.supervision.models import Session as S

    session = record(world, internal_engagement)
    old = record(world, internal_engagement, date=dt.date(2026, 2, 2))
    by_label = lambda user: {t.label: t for t in session_todos(user)}  # noqa: E731
    assert by_label(world.social_worker)[gettext("Supervision sessions to confirm and rate")].count == 2
    agency = by_label(world.agency_admin)
    assert agency[gettext("Supervision sessions awaiting confirmation")].count == 2
    flagged = agency[gettext("Supervision sessions unconfirmed too long")]
    assert flagged.count == 2 and flagged.tone == "danger"
    services.dispute(actor=world.social_worker, session=session, reason="未见面")
    services.confirm(actor=world.social_worker, session=old, rating=5)
    agency = by_label(world.agency_admin)
    assert agency[gettext("Disputed supervision sessions to resolve")].count == 1
    assert agency[gettext("Engagements with months to sign off")].count == 1
    assert by_label(world.supervisor)[gettext("Disputes over my supervision sessions")].count == 1
    assert all(isinstance(t, Todo) for t in session_todos(world.agency_admin))
    assert session_todos(world.trainer) == []
    assert S.objects.count() == 2


def test_the_supervisor_corrects_a_session_until_it_is_confirmed(world, login, internal_engagement):
    session = record(world, internal_engagement)
    pid = world.social_worker_person.pk
    client = login(world.supervisor)
    page = client.get(url("session_edit", session.pk)).content.decode()
    assert 'value="沟通技巧"' in page and 'data-testid="notes-warning"' in page
    form = {
        "date": "2026-03-10",
        "start_time": "10:00",
        "duration_minutes": "90",
        "form": "individual",
        "functions": ["教育", "支持"],
        "supervisees": [str(pid)],
        f"type_{pid}": "intern",
        "topics": "情绪支持",
    }
    assert login(world.agency_admin).post(url("session_edit", session.pk), form).status_code == 403
    assert login(world.erqi_admin).post(url("session_edit", session.pk), form).status_code == 404
    client = login(world.supervisor)  # one test client: each login replaces the last
    assert client.post(url("session_edit", session.pk), form).status_code == 302
    session.refresh_from_db()
    assert (session.topics, session.duration_minutes, session.functions) == ("情绪支持", 90, ["教育", "支持"])
    assert session.attendances.get().supervisee_type == "intern"
    services.confirm(actor=world.social_worker, session=session, rating=5)
    response = client.post(url("session_edit", session.pk), form | {"topics": "再改"})
    assert response.status_code == 200
    session.refresh_from_db()
    assert session.topics == "情绪支持"


def test_a_way_in_the_user_lacks_shows_nothing(world, login, internal_engagement):
    record(world, internal_engagement)
    assert shown(login(world.social_worker).get(url("session_list"), {"view": "agency"})) == set()
    assert shown(login(world.district_admin).get(url("session_list"), {"view": "supervisor"})) == set()


def test_the_list_leads_to_recording_and_to_the_months(world, login, internal_engagement):
    page = login(world.supervisor).get(url("session_list")).content.decode()
    assert url("session_new", internal_engagement.pk) in page
    page = login(world.agency_admin).get(url("session_list")).content.decode()
    assert url("month_list", internal_engagement.pk) in page
    page = login(world.agency_admin).get(url("session_list"), {"engagement": internal_engagement.pk}).content.decode()
    assert 'data-testid="months-link"' in page
    page = login(world.erqi_admin).get(url("session_list"), {"engagement": internal_engagement.pk}).content.decode()
    assert 'data-testid="months-link"' not in page and url("month_list", internal_engagement.pk) not in page


def test_an_id_beyond_the_database_range_is_not_found(world, login, api):
    huge = 10**30
    client = login(world.agency_admin)
    for path in (url("session_detail", huge), url("month_list", huge), url("session_new", huge)):
        assert client.get(path).status_code == 404
    assert api(world.agency_admin).get(f"/api/v1/supervision-sessions/{huge}/").status_code == 404
    response = api(world.agency_admin).post(
        f"/api/v1/engagements/{huge}/sign-off/", {"month": "2026-03"}, format="json"
    )
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["agency_admin", "supervisor", "social_worker"])
def test_a_far_page_costs_what_the_first_does(world, login, internal_engagement, persona):
    _grow(world, internal_engagement, 60, -30)
    client = login(world.persona(persona))
    client.get(url("session_list"))
    first = _queries(client, {})
    assert _queries(client, {"page": 3}) == first
    assert len(client.get(url("session_list"), {"page": 3}).context["object_list"]) == 10
