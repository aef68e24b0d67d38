"""What training accepts (issue 8, items 2 and 11): no control or invisible
characters in names, titles, locations, questions, choices or answers;
programme, session and activity dates within what can be true."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dudao.training import services
from dudao.training.models import Activity, Cohort, Module, Programme, Question, Session, Survey

from .conftest import trainer_org_of

BAD = "\x01"


def programme_body(world, **overrides):
    body = {
        "jurisdiction": world.city.code,
        "name": "2027年百名督导培养计划",
        "trainer": trainer_org_of(world.trainer).pk,
        "starts_on": "2027-03-01",
        "ends_on": "2027-12-31",
    }
    return body | overrides


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", f"计划{BAD}"),
        ("name", "计划\u202e"),
        ("starts_on", "0001-01-01"),
        ("ends_on", "9999-12-31"),
        ("starts_on", "2017-01-01"),
    ],
)
def test_an_absurd_programme_is_refused(world, api, field, value):
    response = api(world.city_admin).post("/api/v1/programmes/", programme_body(world, **{field: value}), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Programme.objects.exists()


def test_text_with_a_control_character_is_refused_everywhere_in_the_curriculum(world, api, training):
    client = api(world.trainer)
    module = {"programme": training.programme.pk, "title": f"伦理{BAD}", "kind": "theory", "hours": "2"}
    assert client.post("/api/v1/modules/", module, format="json").status_code == 400
    cohort = {"programme": training.programme.pk, "name": f"第二期{BAD}", "round": training.round.pk}
    assert client.post("/api/v1/cohorts/", cohort, format="json").status_code == 400
    session = {
        "cohort": training.cohort.pk,
        "module": training.theory.pk,
        "starts_at": "2026-05-01T09:00:00+08:00",
        "location": f"中心{BAD}",
    }
    assert client.post("/api/v1/sessions/", session, format="json").status_code == 400
    assert Module.objects.count() == 2 and Cohort.objects.count() == 1 and not Session.objects.exists()


@pytest.mark.parametrize(
    "starts_at", ["9999-12-31T09:00:00+08:00", "0001-01-02T09:00:00+08:00", "2017-05-01T09:00:00+08:00"]
)
def test_a_session_in_an_absurd_year_is_refused(world, api, training, starts_at):
    session = {"cohort": training.cohort.pk, "module": training.theory.pk, "starts_at": starts_at}
    response = api(world.trainer).post("/api/v1/sessions/", session, format="json")
    assert response.status_code == 400
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    "question",
    [
        {"text": f"需求{BAD}", "kind": "text"},
        {"text": "需求", "kind": "choice", "choices": ["甲", f"乙{BAD}"]},
        {"text": "需求", "kind": "choice", "choices": ["甲", "乙\n丙"]},
    ],
)
def test_a_survey_with_a_control_character_is_refused(world, api, training, question):
    body = {"programme": training.programme.pk, "title": "需求调查", "questions": [question]}
    assert api(world.trainer).post("/api/v1/surveys/", body, format="json").status_code == 400
    body = {
        "programme": training.programme.pk,
        "title": f"需求{BAD}调查",
        "questions": [{"text": "需求", "kind": "text"}],
    }
    assert api(world.trainer).post("/api/v1/surveys/", body, format="json").status_code == 400
    assert not Survey.objects.exists()


@pytest.mark.parametrize("answer", [f"多些{BAD}案例", "多些\x00案例", "长" * 2001])
def test_a_text_answer_with_a_control_character_or_too_long_is_refused(world, training, answer):
    from django.contrib.auth import get_user_model

    survey = services.create_survey(
        actor=world.trainer,
        programme=training.programme,
        title="需求调查",
        questions=[{"text": "建议", "kind": "text"}],
    )
    services.send_survey(actor=world.trainer, survey=survey)
    question = Question.objects.get(survey=survey)
    trainee = get_user_model().objects.get(pk=world.supervisor.pk)
    with pytest.raises(ValidationError):
        services.submit_response(actor=trainee, survey=survey, answers={str(question.pk): answer})
    services.submit_response(actor=trainee, survey=survey, answers={str(question.pk): "第一条\n第二条"})


def activity_body(world, **overrides):
    body = {
        "organization": world.agency.pk,
        "title": "伦理专题学习",
        "kind": "ethics",
        "held_on": "2026-05-10",
        "hours": "3.0",
    }
    return body | overrides


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", f"学习{BAD}"),
        ("held_on", "9999-12-31"),
        ("held_on", "0001-01-01"),
        ("held_on", (timezone.localdate() + dt.timedelta(days=3)).isoformat()),  # held, yet in the future
    ],
)
def test_an_absurd_activity_is_refused(world, api, field, value):
    response = api(world.agency_admin).post(
        "/api/v1/activities/", activity_body(world, **{field: value}), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Activity.objects.exists()


def test_a_planned_activity_may_lie_ahead_but_not_forever(world, api):
    client = api(world.agency_admin)
    ahead = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    assert (
        client.post("/api/v1/activities/", activity_body(world, held_on=ahead, is_plan=True), format="json").status_code
        == 201
    )
    response = client.post(
        "/api/v1/activities/", activity_body(world, held_on="9999-12-31", is_plan=True), format="json"
    )
    assert response.status_code == 400
