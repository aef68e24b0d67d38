"""Setting a policy parameter checks the role before the payload (issue 8,
item 12): a role that may not set it gets 403 whatever it sends."""

import pytest

INVALID = {"jurisdiction": "nowhere", "effective_from": "soon", "reason": ["x"]}


@pytest.mark.parametrize("persona", ["hrss", "association", "finance", "agency_admin", "supervisor", "trainer"])
@pytest.mark.parametrize("body", [INVALID, {}, [1], 7], ids=["invalid object", "empty", "list", "number"])
def test_a_read_only_role_gets_403_for_an_invalid_body(world, api, persona, body):
    response = api(world.persona(persona)).put(
        "/api/v1/policy/parameters/selection.nomination_ratio/", body, format="json"
    )
    assert response.status_code == 403, response.content[:300]


def test_a_district_gets_403_for_a_parameter_only_the_city_sets(world, api):
    response = api(world.district_admin).put("/api/v1/policy/parameters/training.pass_mark/", INVALID, format="json")
    assert response.status_code == 403


def test_the_city_gets_400_for_the_same_invalid_body(world, api):
    response = api(world.city_admin).put(
        "/api/v1/policy/parameters/selection.nomination_ratio/", INVALID, format="json"
    )
    assert response.status_code == 400
