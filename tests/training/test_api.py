"""The training API under /api/v1/: the pages' scopes (out of scope: 404, in
scope but not allowed: 403), the services' rules as 400s, the score import
all-or-nothing, surveys and own training records."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import translation
from openpyxl import Workbook

from dudao.pools.models import Entry
from dudao.training import imports, services
from dudao.training.models import Activity, Attendance, Cohort, Member, Module, Programme, Survey
from tests.factories import staff

from .conftest import PERSONAS, READERS, RESULT_READERS, RUNNERS, attend, make_trainee, schedule, trainer_org_of


def persona(world, other_trainer, name):
    return other_trainer if name == "other_trainer" else world.persona(name)


def expected(name, *, allowed, readers=READERS, ok=200):
    if name in allowed:
        return ok
    return 403 if name in readers else 404


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def score_file(rows):
    wb = Workbook()
    ws = wb.active
    with translation.override("zh-hans"):
        ws.append([str(label) for _k, label, _r in imports.COLUMNS])
    for row in rows:
        ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "scores.xlsx"
    return buffer


# --- programmes and modules ---------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_programmes_list_and_retrieve(world, training, other_trainer, api, name):
    client = api(persona(world, other_trainer, name))
    assert ids(client.get("/api/v1/programmes/")) == ([training.programme.pk] if name in READERS else [])
    response = client.get(f"/api/v1/programmes/{training.programme.pk}/")
    assert response.status_code == (200 if name in READERS else 404)
    if response.status_code == 200:
        assert response.json()["target_size"] == 100
        assert response.json()["trainer_name"] == "启明培训"


@pytest.mark.parametrize("name", PERSONAS)
def test_programme_create(world, other_trainer, api, name):
    data = {
        "jurisdiction": world.city.code,
        "name": "2027年百名督导培养计划",
        "trainer": trainer_org_of(world.trainer).pk,
        "starts_on": "2027-03-01",
        "ends_on": "2027-12-31",
        "target_size": 5,
    }
    response = api(persona(world, other_trainer, name)).post("/api/v1/programmes/", data, format="json")
    assert response.status_code == (201 if name == "city_admin" else 403)
    if name == "city_admin":
        assert response.json()["target_size"] == 100  # from the policy data, not the request
        assert Programme.objects.get().name == "2027年百名督导培养计划"


def test_programme_create_refuses_an_agency_as_trainer(world, api):
    data = {
        "jurisdiction": world.city.code,
        "name": "x",
        "trainer": world.agency.pk,
        "starts_on": "2027-03-01",
        "ends_on": "2027-12-31",
    }
    response = api(world.city_admin).post("/api/v1/programmes/", data, format="json")
    assert response.status_code == 400 and "trainer" in response.json()


@pytest.mark.parametrize("name", PERSONAS)
def test_module_create(world, training, other_trainer, api, name):
    data = {
        "programme": training.programme.pk,
        "title": "伦理与法规",
        "kind": "theory",
        "hours": "6.0",
        "is_ethics": True,
    }
    response = api(persona(world, other_trainer, name)).post("/api/v1/modules/", data, format="json")
    # The role comes first: whoever runs no programme at all gets 403, whatever it sends.
    assert response.status_code == (201 if name in RUNNERS else 403)
    assert Module.objects.filter(title="伦理与法规").exists() is (name in RUNNERS)


def test_a_trainer_naming_a_programme_it_cannot_see_gets_400(world, training, other_programme, other_trainer, api):
    data = {"programme": training.programme.pk, "title": "伦理与法规", "kind": "theory", "hours": "6.0"}
    response = api(other_trainer).post("/api/v1/modules/", data, format="json")
    # It runs a programme, so it may create modules; this programme does not exist for it.
    assert response.status_code == 400 and "programme" in response.json()


def test_modules_list_filters_by_programme(world, training, other_programme, api):
    other, _cohort = other_programme
    client = api(world.city_admin)
    assert len(ids(client.get("/api/v1/modules/"))) == 2
    assert ids(client.get("/api/v1/modules/", {"programme": other.pk})) == []
    assert client.get("/api/v1/modules/", {"programme": "9.2e18"}).status_code == 400


# --- cohorts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_cohorts_list_and_retrieve(world, training, other_trainer, other_programme, api, name):
    _other, other_cohort = other_programme
    client = api(persona(world, other_trainer, name))
    listed = set(ids(client.get("/api/v1/cohorts/")))
    assert (training.cohort.pk in listed) is (name in READERS)
    response = client.get(f"/api/v1/cohorts/{training.cohort.pk}/")
    assert response.status_code == (200 if name in READERS else 404)
    if response.status_code == 200:
        assert response.json()["member_count"] == 2
    # The trainees of the first cohort are not in the other programme's cohort.
    assert (other_cohort.pk in listed) is (name in {"city_admin", "association", "hrss", "finance", "other_trainer"})


def test_a_trainer_gets_404_for_a_cohort_of_another_programme(world, training, other_programme, api):
    _other, other_cohort = other_programme
    client = api(world.trainer)
    base = f"/api/v1/cohorts/{other_cohort.pk}/"
    assert client.get(base).status_code == 404
    assert client.get(base + "results/").status_code == 404
    assert client.post(base + "members/", {"trainees": [training.spare.pk]}, format="json").status_code == 404
    assert client.post(base + "confirm/").status_code == 404
    assert client.post(base + "scores-import/", {"file": score_file([])}, format="multipart").status_code == 404


def test_cohort_create_with_trainees(world, training, api):
    data = {
        "programme": training.programme.pk,
        "name": "第二期",
        "round": training.round.pk,
        "trainees": [training.spare.pk],
    }
    response = api(world.trainer).post("/api/v1/cohorts/", data, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["member_count"] == 1
    cohort = Cohort.objects.get(name="第二期")
    assert [m.trainee for m in cohort.members.all()] == [training.spare]
    # Already in a cohort of the programme: refused, naming the person.
    data = {
        "programme": training.programme.pk,
        "name": "第三期",
        "round": training.round.pk,
        "trainees": [training.spare.pk],
    }
    response = api(world.trainer).post("/api/v1/cohorts/", data, format="json")
    assert response.status_code == 400 and "备选丙" in str(response.json())
    assert not Cohort.objects.filter(name="第三期").exists()


@pytest.mark.parametrize("name", PERSONAS)
def test_cohort_members_action(world, training, other_trainer, api, name):
    response = api(persona(world, other_trainer, name)).post(
        f"/api/v1/cohorts/{training.cohort.pk}/members/", {"trainees": [training.spare.pk]}, format="json"
    )
    assert response.status_code == expected(name, allowed=RUNNERS, ok=201)
    assert training.cohort.members.count() == (3 if name in RUNNERS else 2)


def test_members_action_refuses_trainees_of_another_round_without_naming_them(world, training, api):
    from tests.selection.helpers import make_round

    stranger = make_trainee(
        make_round(world.city_admin, world.city, year=2027), staff(world.erqi_agency, name="外人"), world.erqi_agency
    )
    response = api(world.trainer).post(
        f"/api/v1/cohorts/{training.cohort.pk}/members/", {"trainees": [stranger.pk]}, format="json"
    )
    assert response.status_code == 400 and "外人" not in str(response.json())


@pytest.fixture
def scheduled(world, training):
    """Sessions of 79, 1 and 20 hours: the supervisor attends 80 %, the social worker 79 %."""
    t = training
    a = schedule(world.trainer, t.cohort, t.theory, 79, day=1)
    b = schedule(world.trainer, t.cohort, t.theory, 1, day=2)
    schedule(world.trainer, t.cohort, t.practice, 20, day=3)
    attend(world.trainer, a, t.supervisor_member, t.worker_member)
    attend(world.trainer, b, t.supervisor_member)
    return a


@pytest.mark.parametrize("name", PERSONAS)
def test_cohort_results(world, training, other_trainer, scheduled, api, name):
    services.record_scores(actor=world.trainer, member=training.supervisor_member, theory_score=60, practice_score=60)
    services.record_scores(actor=world.trainer, member=training.worker_member, theory_score=95, practice_score=95)
    response = api(persona(world, other_trainer, name)).get(f"/api/v1/cohorts/{training.cohort.pk}/results/")
    assert response.status_code == expected(name, allowed=RESULT_READERS)
    if response.status_code == 200:
        rows = {r["person_name"]: r for r in response.json()}
        assert (rows["督导甲"]["share"], rows["督导甲"]["overall"], rows["督导甲"]["passes"]) == ("80.0", "60.0", True)
        assert (rows["社工乙"]["share"], rows["社工乙"]["overall"], rows["社工乙"]["passes"]) == ("79.0", "95.0", False)
        assert rows["督导甲"]["total_hours"] == "100.0" and rows["督导甲"]["confirmed"] is False


@pytest.mark.parametrize("name", PERSONAS)
def test_cohort_confirm(world, training, other_trainer, scheduled, api, name):
    services.record_scores(actor=world.trainer, member=training.supervisor_member, theory_score=60, practice_score=60)
    services.record_scores(actor=world.trainer, member=training.worker_member, theory_score=95, practice_score=95)
    response = api(persona(world, other_trainer, name)).post(f"/api/v1/cohorts/{training.cohort.pk}/confirm/")
    assert response.status_code == expected(name, allowed={"city_admin"})
    if name == "city_admin":
        assert response.json() == {"confirmed": 2, "admitted": 1, "published": 0, "failed": 1}
        assert Entry.objects.get().person == world.supervisor_person
        assert api(world.city_admin).post(f"/api/v1/cohorts/{training.cohort.pk}/confirm/").status_code == 400
    else:
        assert not Entry.objects.exists()


def test_confirm_without_scores_is_a_400(world, training, api):
    response = api(world.city_admin).post(f"/api/v1/cohorts/{training.cohort.pk}/confirm/")
    assert response.status_code == 400 and "督导甲" in str(response.json())


def test_scores_import_all_or_nothing(world, training, api):
    s, w = training.supervisor_member, training.worker_member
    url = f"/api/v1/cohorts/{training.cohort.pk}/scores-import/"
    assert (
        api(world.city_admin)
        .post(url, {"file": score_file([[s.pk, "督导甲", 80, 80]])}, format="multipart")
        .status_code
        == 403
    )
    client = api(world.trainer)
    response = client.post(
        url,
        {"file": score_file([[s.pk, "督导甲", 80, 80], [w.pk, "社工乙", 80, -5], [w.pk, "社工乙", 1, 1]])},
        format="multipart",
    )
    assert response.status_code == 400
    assert [e["row"] for e in response.json()["errors"]] == [3, 4]
    assert not Member.objects.filter(theory_score__isnull=False).exists()
    response = client.post(url, {}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["row"] == 0
    response = client.post(
        url, {"file": score_file([[s.pk, "督导甲", 80, 80], [w.pk, "社工乙", 70.5, 60]])}, format="multipart"
    )
    assert response.status_code == 201 and response.json() == {"imported": 2}
    assert Member.objects.get(pk=w.pk).theory_score == Decimal("70.5")


# --- sessions and attendance ---------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_session_create(world, training, other_trainer, api, name):
    data = {
        "cohort": training.cohort.pk,
        "module": training.practice.pk,
        "starts_at": "2026-04-02T09:00:00+08:00",
        "location": "线上",
    }
    response = api(persona(world, other_trainer, name)).post("/api/v1/sessions/", data, format="json")
    # The role comes first: whoever runs no programme at all gets 403, whatever it sends.
    assert response.status_code == (201 if name in RUNNERS else 403)
    if name in RUNNERS:
        assert response.json()["hours"] == "8.0"


@pytest.mark.parametrize("name", PERSONAS)
def test_session_attendance(world, training, other_trainer, api, name):
    session = schedule(world.trainer, training.cohort, training.theory, 4)
    client = api(persona(world, other_trainer, name))
    assert (session.pk in ids(client.get("/api/v1/sessions/"))) is (name in READERS)
    response = client.post(
        f"/api/v1/sessions/{session.pk}/attendance/", {"present": [training.worker_member.pk]}, format="json"
    )
    assert response.status_code == expected(name, allowed=RUNNERS)
    if name in RUNNERS:
        assert response.json() == {"present": 1}
        assert dict(Attendance.objects.values_list("member_id", "present")) == {
            training.supervisor_member.pk: False,
            training.worker_member.pk: True,
        }


def test_attendance_rejects_strangers_and_junk(world, training, other_programme, api):
    session = schedule(world.trainer, training.cohort, training.theory, 4)
    client = api(world.trainer)
    assert (
        client.post(f"/api/v1/sessions/{session.pk}/attendance/", {"present": [99999]}, format="json").status_code
        == 400
    )
    assert (
        client.post(f"/api/v1/sessions/{session.pk}/attendance/", {"present": ["x"]}, format="json").status_code == 400
    )
    assert client.post(f"/api/v1/sessions/{session.pk}/attendance/", {}, format="json").status_code == 400


# --- members and scores ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_members_list_shows_a_trainee_only_their_own(world, training, other_trainer, api, name):
    listed = set(ids(api(persona(world, other_trainer, name)).get("/api/v1/members/")))
    mine = {"supervisor": {training.supervisor_member.pk}, "social_worker": {training.worker_member.pk}}
    if name in RESULT_READERS:
        assert listed == {training.supervisor_member.pk, training.worker_member.pk}
    else:
        assert listed == mine.get(name, set())


@pytest.mark.parametrize("name", PERSONAS)
def test_member_scores_patch(world, training, other_trainer, api, name):
    member = training.supervisor_member
    response = api(persona(world, other_trainer, name)).patch(
        f"/api/v1/members/{member.pk}/", {"theory_score": "85.5", "practice_score": "90"}, format="json"
    )
    readers = RESULT_READERS | {"supervisor"}  # the supervisor reads their own membership
    assert response.status_code == expected(name, allowed={"trainer"}, readers=readers)
    if name == "trainer":
        assert (response.json()["theory_score"], response.json()["practice_score"]) == ("85.5", "90.0")


def test_member_scores_are_validated_partial_and_locked_after_confirmation(world, training, scheduled, api):
    client = api(world.trainer)
    s, w = training.supervisor_member, training.worker_member
    assert client.patch(f"/api/v1/members/{s.pk}/", {"theory_score": "101"}, format="json").status_code == 400
    assert client.patch(f"/api/v1/members/{s.pk}/", {"theory_score": "70"}, format="json").status_code == 200
    response = client.patch(f"/api/v1/members/{s.pk}/", {"practice_score": "75"}, format="json")
    assert (response.json()["theory_score"], response.json()["practice_score"]) == ("70.0", "75.0")
    client.patch(f"/api/v1/members/{w.pk}/", {"theory_score": "70", "practice_score": "70"}, format="json")
    services.confirm_results(actor=world.city_admin, cohort=training.cohort)
    response = client.patch(f"/api/v1/members/{s.pk}/", {"theory_score": "90"}, format="json")
    assert response.status_code == 400
    assert Member.objects.get(pk=s.pk).theory_score == Decimal("70.0")
    assert client.put(f"/api/v1/members/{s.pk}/", {}, format="json").status_code == 405


# --- surveys -------------------------------------------------------------------------------------------

QUESTIONS = [
    {"text": "最需要的培训领域", "kind": "choice", "choices": ["儿童", "养老"]},
    {"text": "希望的形式", "kind": "multiple", "choices": ["讲授", "案例研讨", "参访"]},
    {"text": "对督导理论的掌握", "kind": "scale"},
    {"text": "其他建议", "kind": "text"},
]


@pytest.mark.parametrize("name", PERSONAS)
def test_survey_create(world, training, other_trainer, api, name):
    data = {"programme": training.programme.pk, "title": "培训需求调查", "questions": QUESTIONS}
    response = api(persona(world, other_trainer, name)).post("/api/v1/surveys/", data, format="json")
    # The role comes first: whoever runs no programme at all gets 403, whatever it sends.
    assert response.status_code == (201 if name in RUNNERS else 403)
    if name in RUNNERS:
        body = response.json()
        assert [q["kind"] for q in body["questions"]] == ["choice", "multiple", "scale", "text"]
        assert body["sent_at"] is None


def test_survey_create_refuses_a_choice_question_without_choices(world, training, api):
    data = {
        "programme": training.programme.pk,
        "title": "x",
        "questions": [{"text": "领域", "kind": "choice", "choices": ["只有一个"]}],
    }
    assert api(world.city_admin).post("/api/v1/surveys/", data, format="json").status_code == 400
    assert (
        api(world.city_admin)
        .post("/api/v1/surveys/", {"programme": training.programme.pk, "title": "x", "questions": []}, format="json")
        .status_code
        == 400
    )
    assert not Survey.objects.exists()


@pytest.fixture
def survey(world, training):
    return services.create_survey(
        actor=world.trainer, programme=training.programme, title="培训需求调查", questions=QUESTIONS
    )


def test_survey_send_respond_and_summary(world, training, survey, api):
    # A draft is the runners' and readers' only.
    assert ids(api(world.supervisor).get("/api/v1/surveys/")) == []
    assert api(world.supervisor).get(f"/api/v1/surveys/{survey.pk}/").status_code == 404
    assert api(world.hrss).post(f"/api/v1/surveys/{survey.pk}/send/").status_code == 403
    response = api(world.trainer).post(f"/api/v1/surveys/{survey.pk}/send/")
    assert response.status_code == 200 and response.json() == {"sent_to": 2}
    assert api(world.trainer).post(f"/api/v1/surveys/{survey.pk}/send/").status_code == 400
    assert ids(api(world.supervisor).get("/api/v1/surveys/")) == [survey.pk]

    q1, q2, q3, q4 = survey.questions.all()
    url = f"/api/v1/surveys/{survey.pk}/respond/"
    bad = {str(q1.pk): "火星", str(q2.pk): ["讲授"], str(q3.pk): 3, str(q4.pk): "无"}
    assert api(world.supervisor).post(url, {"answers": bad}, format="json").status_code == 400
    good = {str(q1.pk): "儿童", str(q2.pk): ["讲授", "参访"], str(q3.pk): 5, str(q4.pk): "多些案例"}
    assert api(world.supervisor).post(url, {"answers": good}, format="json").status_code == 201
    good = {str(q1.pk): "养老", str(q2.pk): ["参访"], str(q3.pk): "2", str(q4.pk): "周末上课"}
    assert api(world.social_worker).post(url, {"answers": good}, format="json").status_code == 201
    assert api(world.city_admin).post(url, {"answers": good}, format="json").status_code == 403

    assert api(world.supervisor).get(f"/api/v1/surveys/{survey.pk}/summary/").status_code == 403
    assert api(world.district_admin).get(f"/api/v1/surveys/{survey.pk}/summary/").status_code == 404
    response = api(world.hrss).get(f"/api/v1/surveys/{survey.pk}/summary/")
    assert response.status_code == 200
    choice, multiple, scale, text = response.json()
    assert choice["counts"] == [{"label": "儿童", "count": 1}, {"label": "养老", "count": 1}]
    assert multiple["counts"][2] == {"label": "参访", "count": 2}
    assert scale["mean"] == 3.5 and scale["answered"] == 2
    assert sorted(text["texts"]) == ["周末上课", "多些案例"]


# --- activities ------------------------------------------------------------------------------------------

ORGANISERS = {"city_admin", "district_admin", "erqi_admin", "agency_admin", "outsider"}


@pytest.mark.parametrize("name", PERSONAS)
def test_activity_create(world, other_trainer, api, name):
    data = {
        "organization": world.agency.pk,
        "title": "伦理专题学习",
        "kind": "ethics",
        "held_on": "2026-05-10",
        "hours": "3.0",
        "participants": [world.supervisor_person.pk],
    }
    response = api(persona(world, other_trainer, name)).post("/api/v1/activities/", data, format="json")
    may = {"city_admin", "district_admin", "agency_admin"}
    # Who organises no training at all gets 403 whatever it sends; an organiser naming an agency or a
    # person outside its scope gets 400 (they do not exist for it).
    assert response.status_code == (201 if name in may else 400 if name in {"erqi_admin", "outsider"} else 403)
    assert Activity.objects.exists() is (name in may)


def test_a_district_records_its_own_training(world, api):
    data = {
        "jurisdiction": world.jinshui.code,
        "title": "区级参访",
        "kind": "study_visit",
        "held_on": "2026-06-01",
        "hours": "6.5",
        "participants": [world.supervisor_person.pk, world.social_worker_person.pk],
    }
    assert api(world.agency_admin).post("/api/v1/activities/", data, format="json").status_code == 403
    assert (
        api(world.erqi_admin).post("/api/v1/activities/", data, format="json").status_code == 400
    )  # 金水 people not visible
    response = api(world.district_admin).post("/api/v1/activities/", data, format="json")
    assert response.status_code == 201, response.content
    assert ids(api(world.social_worker).get("/api/v1/activities/")) == [response.json()["id"]]
    assert ids(api(world.erqi_admin).get("/api/v1/activities/")) == []
    assert ids(api(world.social_worker).get("/api/v1/activities/", {"kind": "course"})) == []
    assert ids(api(world.social_worker).get("/api/v1/activities/", {"since": "2026-06-01", "until": "2026-06-01"})) == [
        response.json()["id"]
    ]


def test_an_activity_needs_an_organiser(world, api):
    data = {"title": "x", "kind": "course", "held_on": "2026-06-01", "hours": "2"}
    response = api(world.city_admin).post("/api/v1/activities/", data, format="json")
    assert response.status_code == 400


def test_training_endpoints_need_authentication(world, training, api):
    for url in ("/api/v1/programmes/", "/api/v1/cohorts/", "/api/v1/members/", "/api/v1/activities/"):
        assert api().get(url).status_code in (401, 403)


def test_dates_are_iso(world, training, api):
    body = api(world.city_admin).get(f"/api/v1/programmes/{training.programme.pk}/").json()
    assert body["starts_on"] == dt.date(2026, 3, 1).isoformat()
