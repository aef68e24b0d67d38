"""Every pool write endpoint checks the role before the payload: a persona
that may not write gets 403 whatever it sends, never a 400 that describes the
validation rules (issue 8, item 12)."""

import pytest

INVALID = {"to_status": "gone", "person": "x", "organization": "x", "domains": 5, "reason": ["x"]}

# Each endpoint: (persona that sees the record but may not act, method, url).
ENDPOINTS = {
    "change status (bureau)": lambda p: ("hrss", f"/api/v1/pool-entries/{p.city.pk}/status/"),
    "change status (other pool's keeper)": lambda p: ("district_admin", f"/api/v1/pool-entries/{p.city.pk}/status/"),
    "district admission (bureau)": lambda p: ("hrss", "/api/v1/pool-district-admissions/"),
    "district admission (agency)": lambda p: ("agency_admin", "/api/v1/pool-district-admissions/"),
    "internal designation (bureau)": lambda p: ("hrss", "/api/v1/pool-internal-designations/"),
    "internal designation (district)": lambda p: ("district_admin", "/api/v1/pool-internal-designations/"),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("body", [INVALID, [1, 2], "text"], ids=["invalid object", "list", "string"])
def test_a_role_that_may_not_write_gets_403_for_an_invalid_body(world, api, pools, endpoint, body):
    persona, url = ENDPOINTS[endpoint](pools)
    response = api(world.persona(persona)).post(url, body, format="json")
    assert response.status_code == 403, (endpoint, response.status_code, response.content[:300])


def test_the_status_page_checks_the_keeper_before_the_form(world, login, pools):
    from django.urls import reverse

    response = login(world.hrss).post(reverse("pools:entry_status", args=[pools.city.pk]), {"to_status": "gone"})
    assert response.status_code == 403
