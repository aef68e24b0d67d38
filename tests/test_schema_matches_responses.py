"""The OpenAPI document says what the responses are (issue 8, item 13):
nullable fields are nullable, actions that answer a plain list are not
declared as pages, and an organisation's staff_count is there after a change."""

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

PLAIN_LIST_ACTIONS = [
    "/api/v1/cohorts/{id}/results/",
    "/api/v1/rounds/{id}/quota/",
    "/api/v1/rounds/{id}/summary/",
    "/api/v1/rounds/{id}/eligibility/",
    "/api/v1/surveys/{id}/summary/",
]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def nullable(schema, component, field):
    node = schema["components"]["schemas"][component]["properties"][field]
    return node.get("nullable") is True or any(
        option.get("nullable") or option.get("type") == "null"
        for option in node.get("oneOf", []) + node.get("anyOf", [])
    )


@pytest.mark.parametrize("path", PLAIN_LIST_ACTIONS)
def test_actions_answering_a_plain_list_are_declared_as_one(schema, path):
    response = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert resolve(schema, response).get("type") == "array", response
    # Nor do they take the list's paging, filtering or ordering parameters.
    names = {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
    assert not names & {"page", "page_size", "ordering"}, names


@pytest.mark.parametrize(
    ("component", "field"),
    [("Person", "education"), ("Version", "created_by"), ("ParameterSchema", "source")],
)
def test_fields_that_may_be_null_are_declared_nullable(schema, component, field):
    assert nullable(schema, component, field)


def test_staff_count_is_in_the_answer_to_a_change(world, api):
    client = api(world.district_admin)
    response = client.patch(
        f"/api/v1/organizations/{world.agency.pk}/", {"address": "金水区花园路 2 号"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["staff_count"] == 2
    body = {
        "name": "新机构",
        "credit_code": __import__("tests.factories", fromlist=["credit_code"]).credit_code(950),
        "type": "agency",
        "jurisdiction": world.jinshui.code,
    }
    response = client.post("/api/v1/organizations/", body, format="json")
    assert response.status_code == 201
    assert response.json()["staff_count"] == 0


def test_a_person_without_education_and_a_default_version_match_the_document(world, api):
    from dudao.policy import services as policy_services

    policy_services.load_defaults()
    world.supervisor_person.education = None
    world.supervisor_person.save()
    client = api(world.city_admin)
    assert client.get(f"/api/v1/people/{world.supervisor_person.pk}/").json()["education"] is None
    row = client.get("/api/v1/policy/parameters/", {"on": timezone.localdate().isoformat()}).json()[0]
    assert row["source"]["created_by"] is None
