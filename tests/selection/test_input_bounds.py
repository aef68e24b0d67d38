"""Selection endpoints answer malformed ids and bodies with a 400 and a
message, never a server error (issue 8, item 9)."""

import pytest

from .helpers import hire_many, nominate

HUGE = "99999999999999999999999"


@pytest.fixture
def draft(world, round_):
    return nominate(world, round_, hire_many(world.agency, 7)[0], submit=False)


@pytest.mark.parametrize("value", ["abc", "null", "0.5", HUGE, "-1", "0", "1e3", "１"])
def test_the_quota_of_a_malformed_organisation_id_is_a_400(world, api, round_, value):
    response = api(world.agency_admin).get(f"/api/v1/rounds/{round_.pk}/quota/", {"organization": value})
    assert response.status_code == 400
    assert "organization" in response.json()


def test_the_quota_of_a_well_formed_id_still_answers(world, api, round_):
    response = api(world.agency_admin).get(f"/api/v1/rounds/{round_.pk}/quota/", {"organization": world.agency.pk})
    assert response.status_code == 200
    assert response.json()[0]["organization"] == world.agency.pk


@pytest.mark.parametrize("param", ["person", "organization"])
@pytest.mark.parametrize("value", ["abc", "0.5", HUGE])
def test_the_eligibility_check_refuses_malformed_ids(world, api, round_, param, value):
    params = {"person": world.supervisor_person.pk, param: value}
    response = api(world.agency_admin).get(f"/api/v1/rounds/{round_.pk}/eligibility/", params)
    assert response.status_code == 400
    assert param in response.json()


@pytest.mark.parametrize("body", ["[1, 2]", "7", '"x"', "null"])
def test_editing_a_nomination_with_a_body_that_is_not_an_object_is_a_400(world, api, draft, body):
    response = api(world.agency_admin).patch(f"/api/v1/nominations/{draft.pk}/", body, content_type="application/json")
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_editing_a_nomination_with_a_statement_that_is_not_text_is_a_400(world, api, draft):
    response = api(world.agency_admin).patch(f"/api/v1/nominations/{draft.pk}/", {"statement": {"a": 1}}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("field", ["round", "person"])
def test_nominating_with_an_id_beyond_64_bits_is_a_400(world, api, round_, field):
    body = {"round": round_.pk, "person": world.supervisor_person.pk, field: int(HUGE)}
    response = api(world.agency_admin).post("/api/v1/nominations/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
