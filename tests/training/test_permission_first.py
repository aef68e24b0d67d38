"""Every training write endpoint checks the role before the payload: a
persona that may not write gets 403 whatever it sends, never a 400 that
describes the validation rules (issue 8, item 12)."""

import pytest

INVALID = {"title": ["not", "a", "title"], "programme": "x", "hours": "many", "kind": 7}


# Each endpoint: the request (method, url, invalid body, format) on records the read-only personas can see.
ENDPOINTS = {
    "create programme": lambda t: ("post", "/api/v1/programmes/", INVALID, "json"),
    "create module": lambda t: ("post", "/api/v1/modules/", INVALID, "json"),
    "create cohort": lambda t: ("post", "/api/v1/cohorts/", INVALID, "json"),
    "add members": lambda t: ("post", f"/api/v1/cohorts/{t.cohort.pk}/members/", {"trainees": "x"}, "json"),
    "confirm results": lambda t: ("post", f"/api/v1/cohorts/{t.cohort.pk}/confirm/", INVALID, "json"),
    "import scores": lambda t: ("post", f"/api/v1/cohorts/{t.cohort.pk}/scores-import/", {"file": "x"}, "multipart"),
    "record scores": lambda t: ("patch", f"/api/v1/members/{t.supervisor_member.pk}/", {"theory_score": "x"}, "json"),
    "schedule session": lambda t: ("post", "/api/v1/sessions/", INVALID, "json"),
    "create survey": lambda t: ("post", "/api/v1/surveys/", INVALID, "json"),
    "record activity": lambda t: ("post", "/api/v1/activities/", INVALID, "json"),
}


@pytest.mark.parametrize("persona", ["hrss", "association", "finance"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_read_only_role_posting_an_invalid_body_gets_403(world, api, training, persona, endpoint):
    method, url, body, fmt = ENDPOINTS[endpoint](training)
    response = getattr(api(world.persona(persona)), method)(url, body, format=fmt)
    assert response.status_code == 403, (endpoint, response.status_code, response.content[:300])


def test_the_session_endpoints_check_the_role_first(world, api, training):
    from tests.training.conftest import schedule

    session = schedule(world.trainer, training.cohort, training.theory, 4)
    client = api(world.hrss)
    assert client.post(f"/api/v1/sessions/{session.pk}/attendance/", {"present": "x"}, format="json").status_code == 403


def test_the_survey_endpoints_check_the_role_first(world, api, training):
    from dudao.training import services

    survey = services.create_survey(
        actor=world.trainer,
        programme=training.programme,
        title="需求调查",
        questions=[{"text": "最需要的培训", "kind": "text"}],
    )
    client = api(world.hrss)
    assert client.post(f"/api/v1/surveys/{survey.pk}/send/", INVALID, format="json").status_code == 403
    assert client.post(f"/api/v1/surveys/{survey.pk}/respond/", {"answers": 5}, format="json").status_code == 403


def test_only_the_trainer_records_scores_even_with_an_invalid_body(world, api, training):
    url = f"/api/v1/members/{training.supervisor_member.pk}/"
    assert api(world.city_admin).patch(url, {"theory_score": "x"}, format="json").status_code == 403
    assert api(world.trainer).patch(url, {"theory_score": "x"}, format="json").status_code == 400
