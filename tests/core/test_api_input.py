"""Bad input never reaches the server as an error: a JSON body nested beyond
reason, ids beyond what the database holds, a body that is not an object, a
query parameter that is not a number (issue 8, item 9)."""

import json

import pytest
from django.urls import reverse

HUGE = 99999999999999999999999
NESTED = "[" * 50_000 + "]" * 50_000


def raw(client, method, url, body: str):
    return getattr(client, method)(url, body, content_type="application/json")


def test_a_deeply_nested_json_body_is_a_400_with_a_message(world, api):
    client = api(world.agency_admin)
    response = raw(client, "patch", f"/api/v1/people/{world.supervisor_person.pk}/", NESTED)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_json_nested_a_little_too_deep_is_refused_before_any_serializer_sees_it(world, api):
    client = api(world.agency_admin)
    deep = "x"
    for _ in range(40):
        deep = [deep]
    body = json.dumps({"name": "x", "service_domains": deep})
    response = raw(client, "patch", f"/api/v1/people/{world.supervisor_person.pk}/", body)
    assert response.status_code == 400


def test_invalid_unicode_in_a_json_body_is_a_400(world, api):
    client = api(world.agency_admin)
    response = raw(client, "patch", f"/api/v1/people/{world.supervisor_person.pk}/", '{"name": "\\ud800"}')
    assert response.status_code == 400


@pytest.mark.parametrize("body", ["[1, 2]", "7", '"text"', "null", "true"])
def test_a_json_body_that_is_not_an_object_is_a_400(world, api, body):
    for persona, method, url in [
        ("agency_admin", "patch", f"/api/v1/people/{world.supervisor_person.pk}/"),
        ("agency_admin", "post", "/api/v1/people/"),
        ("district_admin", "patch", f"/api/v1/organizations/{world.agency.pk}/"),
        ("district_admin", "post", "/api/v1/organizations/"),
    ]:
        response = raw(api(world.persona(persona)), method, url, body)
        assert response.status_code == 400, (method, url, body, response.content[:200])


def test_an_employer_id_beyond_64_bits_is_a_400(world, api):
    response = api(world.agency_admin).post(
        "/api/v1/people/",
        {"name": "张三", "id_number": "410105199001011234", "employer": HUGE, "start_date": "2020-01-01"},
        format="json",
    )
    assert response.status_code == 400


def test_the_person_form_with_a_service_domain_id_beyond_64_bits_is_a_form_error(world, login):
    response = login(world.agency_admin).post(
        reverse("directory:person_edit", args=[world.supervisor_person.pk]),
        {"name": "督导甲", "id_number": world.supervisor_person.id_number, "service_domains": [str(HUGE)]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["service_domains"]


@pytest.mark.parametrize("fmt", ["json", "multipart", "form"])
@pytest.mark.parametrize("field", ["jurisdiction", "type", "name"])
def test_a_nul_character_in_any_body_is_a_400_before_any_lookup(world, api, fmt, field):
    """PostgreSQL refuses NUL in every text, a lookup of a code included
    (a 500 from deep in the driver before this was checked)."""
    from urllib.parse import urlencode

    body = {"name": "新机构", "credit_code": "x", "type": "agency", "jurisdiction": world.jinshui.code}
    body[field] = "a\x00b"
    client = api(world.district_admin)
    if fmt == "form":
        response = client.post(
            "/api/v1/organizations/", urlencode(body), content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.post("/api/v1/organizations/", body, format=fmt)
    assert response.status_code == 400, response.content
    assert response.json()["detail"]


def test_a_nul_character_in_a_json_key_is_a_400(world, api):
    response = raw(api(world.district_admin), "patch", f"/api/v1/organizations/{world.agency.pk}/", '{"a\\u0000": 1}')
    assert response.status_code == 400
