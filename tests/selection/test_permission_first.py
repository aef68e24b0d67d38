"""Every selection write endpoint checks the role before the payload: a
persona that may not write gets 403 whatever it sends, never a 400 that
describes the validation rules (issue 8, item 12)."""

import pytest

from .helpers import hire_many, nominate

INVALID = {"year": "soon", "title": ["x"], "round": "x", "person": "x", "decision": "maybe", "reason": ["x"]}


@pytest.fixture
def submitted(world, round_):
    return nominate(world, round_, hire_many(world.agency, 7)[0])


# Each endpoint: (persona that sees the record but may not act, method, url, body, format).
ENDPOINTS = {
    "open round": lambda r, n: ("hrss", "post", "/api/v1/rounds/", INVALID, "json"),
    "open round (district)": lambda r, n: ("district_admin", "post", "/api/v1/rounds/", INVALID, "json"),
    "close round": lambda r, n: ("district_admin", "post", f"/api/v1/rounds/{r.pk}/close/", INVALID, "json"),
    "create nomination": lambda r, n: ("hrss", "post", "/api/v1/nominations/", INVALID, "json"),
    "edit nomination": lambda r, n: ("district_admin", "patch", f"/api/v1/nominations/{n.pk}/", [1, 2], "json"),
    "edit nomination (number)": lambda r, n: ("hrss", "patch", f"/api/v1/nominations/{n.pk}/", 5, "json"),
    "submit nomination": lambda r, n: ("hrss", "post", f"/api/v1/nominations/{n.pk}/submit/", INVALID, "json"),
    "withdraw nomination": lambda r, n: (
        "district_admin",
        "post",
        f"/api/v1/nominations/{n.pk}/withdraw/",
        INVALID,
        "json",
    ),
    "review nomination": lambda r, n: ("hrss", "post", f"/api/v1/nominations/{n.pk}/review/", INVALID, "json"),
    "review nomination (agency)": lambda r, n: (
        "agency_admin",
        "post",
        f"/api/v1/nominations/{n.pk}/review/",
        INVALID,
        "json",
    ),
    "attach evidence": lambda r, n: (
        "district_admin",
        "post",
        f"/api/v1/nominations/{n.pk}/evidence/",
        {"description": "x"},
        "multipart",
    ),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_role_that_may_not_write_gets_403_for_an_invalid_body(world, api, round_, submitted, endpoint):
    persona, method, url, body, fmt = ENDPOINTS[endpoint](round_, submitted)
    response = getattr(api(world.persona(persona)), method)(url, body, format=fmt)
    assert response.status_code == 403, (endpoint, response.status_code, response.content[:300])


@pytest.mark.parametrize(
    ("persona", "view"),
    [("hrss", "nomination_review"), ("agency_admin", "nomination_review"), ("district_admin", "nomination_evidence")],
)
def test_the_pages_check_the_role_before_the_form(world, login, submitted, persona, view):
    from django.urls import reverse

    response = login(world.persona(persona)).post(reverse(f"selection:{view}", args=[submitted.pk]), {})
    assert response.status_code == 403
