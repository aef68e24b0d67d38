"""The OpenAPI document, the Swagger UI served from local files, and a
property-based run of every GET operation with Schemathesis."""

import json
import re

import pytest
import schemathesis
import yaml
from django.conf import settings as settings_
from django.contrib.staticfiles import finders
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

SCHEMA_URL = "/api/schema/"


def test_schema_is_an_openapi_document(world, client):
    client.force_login(world.city_admin)
    response = client.get(SCHEMA_URL)
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Dudao API"
    paths = document["paths"]
    for path in [
        "/api/v1/auth/token/",
        "/api/v1/jurisdictions/",
        "/api/v1/jurisdictions/{id}/",
        "/api/v1/organizations/",
        "/api/v1/organizations/{id}/",
        "/api/v1/organizations/{id}/staff-import/",
        "/api/v1/people/",
        "/api/v1/people/{id}/",
    ]:
        assert path in paths, path
    assert "multipart/form-data" in paths["/api/v1/organizations/{id}/staff-import/"]["post"]["requestBody"]["content"]
    assert {"tokenAuth", "cookieAuth"} <= set(document["components"]["securitySchemes"])


def test_schema_as_json(world, client):
    response = client.get(SCHEMA_URL, {"format": "json"})
    assert response.status_code == 200
    assert json.loads(response.content)["openapi"].startswith("3.")


def test_swagger_ui_uses_only_local_files(world, client):
    client.force_login(world.city_admin)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html.lower()
    # Government intranets have no route to a CDN.
    assert not re.search(r"https?://", html), re.findall(r"https?://[^\s\"'<>]+", html)
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert any("swagger-ui" in a for a in assets)
    for asset in assets:
        assert asset.startswith(settings_.STATIC_URL if settings_.STATIC_URL.startswith("/") else "/static/"), asset
        # Shipped with the app: the static finders locate every file.
        relative = asset.split("?")[0].removeprefix("/static/")
        assert finders.find(relative), asset
    assert SCHEMA_URL in html


@pytest.fixture
def wsgi_app_in_test_transaction():
    """Django's WSGI handler, with the per-request connection clean-up off as
    the test client has it, so the app sees the test's uncommitted data."""
    from dudao.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_get_operation_survives_generated_input(world, wsgi_app_in_test_transaction):
    app = wsgi_app_in_test_transaction
    token = Token.objects.create(user=world.city_admin)
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, app, headers=headers)
    operations = [result.ok() for result in schema.include(method="GET").get_all_operations()]
    labels = {op.label for op in operations}
    assert {"GET /api/v1/organizations/", "GET /api/v1/people/{id}/"} <= labels

    real_ids = {
        "/api/v1/jurisdictions/{id}/": world.jinshui.pk,
        "/api/v1/organizations/{id}/": world.agency.pk,
        "/api/v1/people/{id}/": world.supervisor_person.pk,
    }
    # No 5xx, and a documented answer (200) matches its schema. Refusals (400,
    # 404) are not all documented by drf-spectacular, so status codes are not checked.
    checks = [not_a_server_error, response_schema_conformance]
    seen = {}

    for operation in operations:
        strategies = [operation.as_strategy()]
        if operation.path in real_ids:
            # Random ids are almost all 404s; also ask for a record that exists.
            strategies.append(operation.as_strategy(path_parameters={"id": real_ids[operation.path]}))
        for strategy in strategies:

            @settings(
                max_examples=15,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case):
                response = case.call(headers=headers)
                assert response.status_code < 500, (case.as_curl_command(), response.text[:500])
                case.validate_response(response, checks=checks, headers=headers)
                seen.setdefault(case.operation.label, set()).add(response.status_code)

            run()

    assert set(seen) == labels
    # The list endpoints answered with data, not only with refusals.
    for label in ("GET /api/v1/organizations/", "GET /api/v1/people/", "GET /api/v1/jurisdictions/"):
        assert 200 in seen[label], (label, seen[label])
    for label in ("GET /api/v1/organizations/{id}/", "GET /api/v1/people/{id}/"):
        assert 200 in seen[label], (label, seen[label])


def test_the_schema_generates_and_validates_without_a_warning(tmp_path):
    from django.core.management import call_command

    # --fail-on-warn: an enum name collision or an undocumented field is a failure, not noise.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").stat().st_size > 0
