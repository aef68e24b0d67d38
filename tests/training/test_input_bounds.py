"""Training endpoints and pages answer malformed ids with a 400 or a form
error, never a server error (issue 8, item 9)."""

import pytest
from django.urls import reverse

from dudao.training.models import Activity, Member

HUGE = 99999999999999999999999


def test_adding_a_member_with_an_id_beyond_64_bits_is_a_400(world, api, training):
    response = api(world.trainer).post(
        f"/api/v1/cohorts/{training.cohort.pk}/members/", {"trainees": [HUGE]}, format="json"
    )
    assert response.status_code == 400
    assert "trainees" in response.json()


def test_creating_a_cohort_with_an_id_beyond_64_bits_is_a_400(world, api, training):
    body = {"programme": training.programme.pk, "name": "第二期", "round": training.round.pk, "trainees": [HUGE]}
    response = api(world.trainer).post("/api/v1/cohorts/", body, format="json")
    assert response.status_code == 400
    assert "trainees" in response.json()


def test_attendance_with_an_id_beyond_64_bits_is_a_400(world, api, training):
    from .conftest import schedule

    session = schedule(world.trainer, training.cohort, training.theory, 4)
    response = api(world.trainer).post(f"/api/v1/sessions/{session.pk}/attendance/", {"present": [HUGE]}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("field", ["participants", "organization", "domain"])
def test_an_activity_with_an_id_beyond_64_bits_is_a_400(world, api, field):
    body = {
        "organization": world.agency.pk,
        "title": "伦理专题学习",
        "kind": "ethics",
        "held_on": "2026-05-10",
        "hours": "3.0",
        "participants": [world.supervisor_person.pk],
    }
    body[field] = [HUGE] if field == "participants" else HUGE
    response = api(world.agency_admin).post("/api/v1/activities/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Activity.objects.exists()


def test_the_activity_form_with_a_23_digit_participant_is_a_form_error(world, login):
    response = login(world.agency_admin).post(
        reverse("training:activity_create"),
        {
            "organiser": f"org:{world.agency.pk}",
            "title": "伦理专题学习",
            "kind": "ethics",
            "held_on": "2026-05-10",
            "hours": "3",
            "participants": [str(HUGE)],
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["participants"]
    assert not Activity.objects.exists()


def test_the_members_form_with_a_23_digit_trainee_is_a_form_error(world, login, training):
    before = Member.objects.count()
    response = login(world.trainer).post(
        reverse("training:members_add", args=[training.cohort.pk]), {"trainees": [str(HUGE)]}
    )
    assert response.status_code == 200
    assert Member.objects.count() == before


def test_the_cohort_form_with_a_23_digit_round_or_trainee_is_a_form_error(world, login, training):
    url = reverse("training:cohort_create", args=[training.programme.pk])
    client = login(world.trainer)
    assert client.post(url, {"name": "第二期", "round": str(HUGE), "trainees": [str(HUGE)]}).status_code == 200
    assert client.post(url, {"name": "第二期", "round": training.round.pk, "trainees": [str(HUGE)]}).status_code == 200
