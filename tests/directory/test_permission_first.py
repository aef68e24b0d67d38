"""Every directory write endpoint checks the role before the payload (issue
8, item 12): a persona that may not write gets 403 whatever it sends."""

import pytest

INVALID = {"name": ["x"], "credit_code": 5, "id_number": {}, "employer": "x", "start_date": "soon"}

ENDPOINTS = {
    "create organisation": lambda w: ("post", "/api/v1/organizations/", "json"),
    "update organisation": lambda w: ("patch", f"/api/v1/organizations/{w.agency.pk}/", "json"),
    "replace organisation": lambda w: ("put", f"/api/v1/organizations/{w.agency.pk}/", "json"),
    "staff import": lambda w: ("post", f"/api/v1/organizations/{w.agency.pk}/staff-import/", "multipart"),
    "create person": lambda w: ("post", "/api/v1/people/", "json"),
    "update person": lambda w: ("patch", f"/api/v1/people/{w.supervisor_person.pk}/", "json"),
    "replace person": lambda w: ("put", f"/api/v1/people/{w.supervisor_person.pk}/", "json"),
}


@pytest.mark.parametrize("persona", ["hrss", "association", "finance"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_read_only_role_gets_403_for_an_invalid_body(world, api, persona, endpoint):
    method, url, fmt = ENDPOINTS[endpoint](world)
    body = {"file": "not a file"} if fmt == "multipart" else INVALID
    response = getattr(api(world.persona(persona)), method)(url, body, format=fmt)
    assert response.status_code == 403, (endpoint, response.status_code, response.content[:300])
