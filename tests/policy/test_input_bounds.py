"""Policy reads answer malformed query parameters without a server error
(issue 8, item 9)."""

import pytest


@pytest.mark.parametrize("code", ["\x00", "4101\x0000", "%", "410100'--"])
def test_a_malformed_jurisdiction_code_names_no_jurisdiction(world, api, code):
    client = api(world.city_admin)
    assert client.get("/api/v1/policy/parameters/", {"jurisdiction": code}).status_code == 404
    assert client.get("/api/v1/policy/parameters/pools.term_years/", {"jurisdiction": code}).status_code == 404


@pytest.mark.parametrize("on", ["soon", "2026-02-30", "\x00", "99999-01-01"])
def test_a_malformed_date_is_a_400(world, api, on):
    assert api(world.city_admin).get("/api/v1/policy/parameters/", {"on": on}).status_code == 400
