"""Supervision records over the API: who sees which session (404 outside),
who may act (403), the confirmation time that cannot be sent, ratings only as
aggregates, a signed-off month frozen, and bad input answered 400."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dudao.accounts.models import Role
from dudao.supervision.models import Attendance, MonthSignOff, Rating, Session
from dudao.supervision.services import sessions as services
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

URL = "/api/v1/supervision-sessions/"


def record(world, engagement, actor=None, **changes):
    terms = {
        "date": dt.date(2026, 3, 10),
        "start_time": dt.time(9, 0),
        "duration_minutes": 60,
        "form": Session.Form.INDIVIDUAL,
        "functions": ["教育"],
        "supervisees": [world.social_worker_person],
        "topics": "沟通技巧",
        "notes": "只谈督导，不涉个案",
    } | changes
    return services.record(actor=actor or world.supervisor, engagement=engagement, **terms)


def body(world, engagement, changes=None, **more):
    return (
        {
            "engagement": engagement.pk,
            "date": "2026-03-10",
            "start_time": "09:00",
            "duration_minutes": 60,
            "form": "individual",
            "functions": ["教育", "支持"],
            "supervisees": [world.social_worker_person.pk],
            "topics": "沟通技巧",
            "notes": "督导记录",
        }
        | (changes or {})
        | more
    )


def test_the_supervisor_records_a_session_through_the_api(world, api, internal_engagement):
    response = api(world.supervisor).post(URL, body(world, internal_engagement), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "pending" and data["notes"] == "督导记录"
    assert data["attendances"][0]["person"] == world.social_worker_person.pk


def test_a_refused_record_is_a_400_with_the_reason(world, api, internal_engagement):
    response = api(world.supervisor).post(URL, body(world, internal_engagement, duration_minutes=5), format="json")
    assert response.status_code == 400 and "duration_minutes" in response.json()
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert (
        api(world.supervisor).post(URL, body(world, internal_engagement, date=future), format="json").status_code == 400
    )


@pytest.mark.parametrize(
    "change",
    [
        {"date": "yesterday"},
        {"start_time": "25:00"},
        {"start_time": "09:00:00Z"},
        {"start_time": "09:00+08:00"},
        {"start_time": "9am"},
        {"supervisees": ["x"]},
        {"supervisees": [10**20]},
        {"supervisees": [99999999]},
        {"supervisee_types": {"abc": "new"}},
        {"functions": "教育"},
        {"duration_minutes": 10**9},
        {"engagement": "1; drop"},
    ],
)
def test_bad_input_is_a_400_never_a_500(world, api, internal_engagement, change):
    response = api(world.supervisor).post(URL, body(world, internal_engagement, change), format="json")
    assert response.status_code == 400, response.content


def test_recording_is_for_the_engagements_supervisor(world, api, internal_engagement, supply):
    assert api(world.social_worker).post(URL, body(world, internal_engagement), format="json").status_code == 403
    assert api(world.agency_admin).post(URL, body(world, internal_engagement), format="json").status_code == 403
    # Another supervisor does not even see the engagement.
    assert api(supply.external_supervisor).post(URL, body(world, internal_engagement), format="json").status_code == 404


def test_a_client_sent_confirmation_time_is_ignored(world, api, internal_engagement):
    session = record(world, internal_engagement)
    before = timezone.now()
    response = api(world.social_worker).post(
        f"{URL}{session.pk}/confirm/",
        {"rating": 5, "comment": "收获很大", "confirmed_at": "2020-01-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    confirmed_at = Attendance.objects.get(session=session).confirmed_at
    assert confirmed_at >= before
    assert response.json()["status"] == "confirmed"


def test_confirming_is_for_a_supervisee_present(world, api, internal_engagement, supply):
    session = record(world, internal_engagement)
    assert api(world.supervisor).post(f"{URL}{session.pk}/confirm/", {"rating": 5}, format="json").status_code == 403
    assert api(world.agency_admin).post(f"{URL}{session.pk}/confirm/", {"rating": 5}, format="json").status_code == 403
    colleague = user_with_role(Role.SOCIAL_WORKER, username="colleague", person=supply.colleagues[0])
    assert api(colleague).post(f"{URL}{session.pk}/confirm/", {"rating": 5}, format="json").status_code == 404
    assert api(world.social_worker).post(f"{URL}{session.pk}/confirm/", {"rating": 9}, format="json").status_code == 400
    assert not Rating.objects.exists()


def test_a_dispute_is_resolved_by_the_using_agency(world, api, internal_engagement):
    session = record(world, internal_engagement)
    response = api(world.social_worker).post(f"{URL}{session.pk}/dispute/", {"reason": "当天未见面"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "disputed"
    attendance = Attendance.objects.get(session=session)
    payload = {"attendance": attendance.pk, "upheld": True, "resolution": "核实确有督导"}
    assert api(world.supervisor).post(f"{URL}{session.pk}/resolve/", payload, format="json").status_code == 403
    assert api(world.outsider).post(f"{URL}{session.pk}/resolve/", payload, format="json").status_code == 404
    response = api(world.agency_admin).post(f"{URL}{session.pk}/resolve/", payload, format="json")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_each_persona_sees_only_its_sessions(world, api, internal_engagement, external_engagement, supply):
    mine = record(world, internal_engagement)
    theirs = record(world, external_engagement, actor=supply.external_supervisor, supervisees=[supply.colleagues[0]])
    assert ids(api(world.supervisor).get(URL)) == {mine.pk}
    assert ids(api(world.social_worker).get(URL)) == {mine.pk}
    assert ids(api(supply.external_supervisor).get(URL)) == {theirs.pk}
    assert ids(api(world.agency_admin).get(URL)) == {mine.pk, theirs.pk}
    assert ids(api(world.district_admin).get(URL)) == {mine.pk, theirs.pk}
    assert ids(api(world.city_admin).get(URL)) == {mine.pk, theirs.pk}
    assert ids(api(world.erqi_admin).get(URL)) == set()
    # The outsider is the external supervisor's home agency: it sees that session, without notes.
    response = api(world.outsider).get(URL, {"view": "home"})
    assert ids(response) == {theirs.pk}
    assert response.json()["results"][0]["notes"] is None
    assert api(world.outsider).get(f"{URL}{mine.pk}/").status_code == 404
    assert api(world.outsider).get(f"{URL}{theirs.pk}/").json()["notes"] is None
    assert api(world.district_admin).get(f"{URL}{mine.pk}/").json()["notes"] is None
    assert api(world.agency_admin).get(f"{URL}{mine.pk}/").json()["notes"] == "只谈督导，不涉个案"
    assert api(world.erqi_admin).get(f"{URL}{mine.pk}/").status_code == 404
    assert api(supply.external_supervisor).get(f"{URL}{mine.pk}/").status_code == 404


def test_roles_without_supervision_read_nothing(world, api, internal_engagement):
    session = record(world, internal_engagement)
    for user in (world.trainer, world.finance, world.association):
        assert ids(api(user).get(URL)) == set()
        assert api(user).get(f"{URL}{session.pk}/").status_code == 404


def test_no_session_field_carries_a_rating(world, api, internal_engagement):
    session = record(world, internal_engagement)
    services.confirm(actor=world.social_worker, session=session, rating=2, comment="一般")
    for user in (world.supervisor, world.agency_admin, world.social_worker, world.city_admin):
        text = api(user).get(f"{URL}{session.pk}/").content.decode()
        assert "rating" not in text and "一般" not in text and '"score"' not in text


def test_the_list_filters_by_month_and_status_and_refuses_a_bad_month(world, api, internal_engagement):
    march = record(world, internal_engagement)
    april = record(world, internal_engagement, date=dt.date(2026, 4, 2))
    services.confirm(actor=world.social_worker, session=april, rating=4)
    assert ids(api(world.agency_admin).get(URL, {"month": "2026-03"})) == {march.pk}
    assert ids(api(world.agency_admin).get(URL, {"status": "confirmed"})) == {april.pk}
    assert ids(api(world.social_worker).get(URL, {"to_confirm": "true"})) == {march.pk}
    assert api(world.agency_admin).get(URL, {"month": "March"}).status_code == 400


def test_the_list_costs_the_same_whatever_the_rows(world, api, internal_engagement):
    client = api(world.agency_admin)

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    for n in range(2):
        record(world, internal_engagement, date=dt.date(2026, 3, 1 + n))
    cost()  # warm the caches a first request fills
    few = cost()
    for n in range(2, 12):
        record(world, internal_engagement, date=dt.date(2026, 3, 1 + n))
    assert cost() == few


# --- months ---------------------------------------------------------------------------


def test_sign_off_and_reopen_through_the_api(world, api, internal_engagement):
    session = record(world, internal_engagement)
    url = f"/api/v1/engagements/{internal_engagement.pk}/sign-off/"
    response = api(world.agency_admin).post(url, {"month": "2026-03"}, format="json")
    assert response.status_code == 400 and "1" in str(response.json())
    services.confirm(actor=world.social_worker, session=session, rating=4)
    assert api(world.supervisor).post(url, {"month": "2026-03"}, format="json").status_code == 403
    assert api(world.erqi_admin).post(url, {"month": "2026-03"}, format="json").status_code == 404
    response = api(world.agency_admin).post(url, {"month": "2026-03"}, format="json")
    assert response.status_code == 200 and response.json()["month"] == "2026-03"
    reopen = f"/api/v1/engagements/{internal_engagement.pk}/reopen/"
    assert api(world.agency_admin).post(reopen, {"month": "2026-03"}, format="json").status_code == 400
    response = api(world.agency_admin).post(reopen, {"month": "2026-03", "reason": "补录"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "reopened"


@pytest.mark.parametrize("month", ["2026-13", "2026-3-1", "march", "", "2026-03-01", None])
def test_a_bad_month_is_a_400_with_a_message(world, api, internal_engagement, month):
    url = f"/api/v1/engagements/{internal_engagement.pk}/sign-off/"
    response = api(world.agency_admin).post(url, {} if month is None else {"month": month}, format="json")
    assert response.status_code == 400 and response.json()["month"]


def test_a_signed_off_month_refuses_every_change_through_the_api(world, api, internal_engagement, supply):
    colleague = user_with_role(Role.SOCIAL_WORKER, username="colleague", person=supply.colleagues[0])
    session = record(
        world, internal_engagement, form="group", supervisees=[world.social_worker_person, supply.colleagues[0]]
    )
    services.confirm(actor=world.social_worker, session=session, rating=4)
    attendance = services.dispute(actor=colleague, session=session, reason="未参加")
    services.resolve(actor=world.agency_admin, attendance=attendance, upheld=True, resolution="已核实")
    services.sign_off(actor=world.agency_admin, engagement=internal_engagement, month=dt.date(2026, 3, 1))
    response = api(world.supervisor).post(URL, body(world, internal_engagement, start_time="15:00"), format="json")
    assert response.status_code == 400 and "2026-03" in str(response.json())
    assert Session.objects.count() == 1
    assert MonthSignOff.objects.get().status == MonthSignOff.Status.SIGNED


def test_there_is_no_django_admin_to_go_around_the_freeze(client, world):
    # The model-level guard (models.guard_month_open) is the last line; there is no admin site at all.
    client.force_login(world.city_admin)
    assert client.get("/admin/").status_code == 404


# --- ratings -----------------------------------------------------------------------------

SUMMARY = "/api/v1/supervision-ratings/summary/"


def rated(world, engagement, scores, supply):
    people = [world.social_worker_person, *supply.colleagues]
    users = [world.social_worker] + [
        user_with_role(Role.SOCIAL_WORKER, username=f"c{i}", person=p) for i, p in enumerate(supply.colleagues)
    ]
    session = record(world, engagement, form="group", supervisees=people[: len(scores)])
    for user, score in zip(users, scores, strict=False):
        services.confirm(actor=user, session=session, rating=score, comment=f"评语{score}")
    return session


def test_below_the_threshold_only_the_count_is_given(world, api, internal_engagement, supply):
    rated(world, internal_engagement, [5, 1], supply)
    data = api(world.supervisor).get(SUMMARY, {"supervisor": world.supervisor_person.pk, "start": "2026-01"}).json()
    assert data["count"] == 2 and data["average"] is None and data["comments"] is None


def test_from_the_threshold_the_average_and_the_comments_without_names(world, api, internal_engagement, supply):
    rated(world, internal_engagement, [5, 1, 3], supply)
    for user, params in (
        (world.supervisor, {"supervisor": world.supervisor_person.pk}),
        (world.agency_admin, {"organization": world.agency.pk}),
        (world.district_admin, {"organization": world.agency.pk}),
    ):
        response = api(user).get(SUMMARY, params | {"start": "2026-01", "end": "2026-12"})
        data = response.json()
        assert data["count"] == 3 and data["average"] == 3.0
        assert data["comments"] == ["评语1", "评语3", "评语5"]
        text = response.content.decode()
        assert "社工" not in text and "person" not in text


def test_the_rating_summary_is_scoped(world, api, internal_engagement, supply):
    rated(world, internal_engagement, [5, 4, 3], supply)
    assert api(world.outsider).get(SUMMARY, {"organization": world.agency.pk}).status_code == 404
    assert api(world.erqi_admin).get(SUMMARY, {"organization": world.agency.pk}).status_code == 404
    assert api(supply.external_supervisor).get(SUMMARY, {"supervisor": world.supervisor_person.pk}).status_code == 404
    assert api(world.supervisor).get(SUMMARY).status_code == 400
    assert api(world.supervisor).get(SUMMARY, {"supervisor": "x"}).status_code == 400
    assert (
        api(world.supervisor).get(SUMMARY, {"supervisor": world.supervisor_person.pk, "start": "soon"}).status_code
        == 400
    )


def test_a_way_in_the_caller_lacks_is_a_400(world, api, internal_engagement):
    from dudao.supervision.views.sessions import SessionFilter

    record(world, internal_engagement)
    # As the schema generator does: the class's filter builds its form field with every choice.
    assert SessionFilter.base_filters["view"].field
    assert api(world.social_worker).get(URL, {"view": "agency"}).status_code == 400
    assert ids(api(world.agency_admin).get(URL, {"view": "agency"}))


def test_two_periods_cannot_be_subtracted_to_reveal_one_rating(world, api, internal_engagement, supply):
    rated(world, internal_engagement, [5, 4, 3], supply)
    # One more rating in April: alone in its month, it must not move anything an answer shows.
    april = record(world, internal_engagement, date=dt.date(2026, 4, 2))
    services.confirm(actor=world.social_worker, session=april, rating=1, comment="四月的评语")
    client = api(world.supervisor)
    params = {"supervisor": world.supervisor_person.pk}
    march = client.get(SUMMARY, params | {"start": "2026-03", "end": "2026-03"}).json()
    both = client.get(SUMMARY, params | {"start": "2026-03", "end": "2026-04"}).json()
    assert (
        (march["average"], march["comments"])
        == (both["average"], both["comments"])
        == (4.0, ["评语3", "评语4", "评语5"])
    )
    assert both["count"] == 4 and both["counted"] == 3
    alone = client.get(SUMMARY, params | {"start": "2026-04", "end": "2026-04"}).json()
    assert alone["average"] is None and alone["comments"] is None


def test_the_supervisor_corrects_or_withdraws_an_unconfirmed_session_through_the_api(world, api, internal_engagement):
    session = record(world, internal_engagement)
    client = api(world.supervisor)
    assert api(world.agency_admin).patch(f"{URL}{session.pk}/", {"topics": "改"}, format="json").status_code == 403
    assert api(world.erqi_admin).patch(f"{URL}{session.pk}/", {"topics": "改"}, format="json").status_code == 404
    response = client.patch(f"{URL}{session.pk}/", {"topics": "情绪支持", "start_time": "10:30"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["topics"], response.json()["start_time"]) == ("情绪支持", "10:30")
    assert response.json()["notes"] == "只谈督导，不涉个案"
    assert client.patch(f"{URL}{session.pk}/", {"duration_minutes": 1}, format="json").status_code == 400
    assert (
        client.patch(f"{URL}{session.pk}/", {"supervisees": [world.supervisor_person.pk]}, format="json").status_code
        == 400
    )
    assert api(world.social_worker).delete(f"{URL}{session.pk}/").status_code == 403
    assert client.delete(f"{URL}{session.pk}/").status_code == 204
    assert not Session.objects.exists()


def test_a_confirmed_or_signed_off_session_cannot_be_changed_or_deleted_through_the_api(
    world, api, internal_engagement
):
    session = record(world, internal_engagement)
    services.confirm(actor=world.social_worker, session=session, rating=4)
    client = api(world.supervisor)
    assert client.patch(f"{URL}{session.pk}/", {"topics": "事后修改"}, format="json").status_code == 400
    assert client.delete(f"{URL}{session.pk}/").status_code == 400
    services.sign_off(actor=world.agency_admin, engagement=internal_engagement, month=dt.date(2026, 3, 1))
    response = client.patch(f"{URL}{session.pk}/", {"topics": "事后修改"}, format="json")
    assert response.status_code == 400
    assert client.delete(f"{URL}{session.pk}/").status_code == 400
    session.refresh_from_db()
    assert session.topics == "沟通技巧"
