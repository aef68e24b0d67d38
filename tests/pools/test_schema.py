"""The pools' part of the OpenAPI document: generated without warnings or
errors, the public verification documented without authentication, and every
GET operation of the app surviving generated input (Schemathesis)."""

import pytest
import schemathesis
import yaml
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

OURS = ("/api/v1/pool-", "/api/v1/verify/")
# Words that appear in the warnings drf-spectacular would give about this app.
OUR_WORDS = (
    "dudao/pools",
    "PoolEntry",
    "Verification",
    "DistrictAdmission",
    "InternalDesignation",
    '"status"',
    '"level"',
    '"to_status"',
)


def test_schema_has_no_warnings_about_the_pools(world):
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    GENERATOR_STATS.reset()
    ours = [m for m in messages if any(w in m for w in OUR_WORDS)]
    assert ours == []
    paths = schema["paths"]
    for path in [
        "/api/v1/pool-entries/",
        "/api/v1/pool-entries/{id}/",
        "/api/v1/pool-entries/{id}/status/",
        "/api/v1/pool-entries/{id}/certificate/",
        "/api/v1/pool-district-admissions/",
        "/api/v1/pool-district-admissions/check/",
        "/api/v1/pool-internal-designations/",
        "/api/v1/verify/{code}/",
    ]:
        assert path in paths, path
    verify = paths["/api/v1/verify/{code}/"]["get"]
    assert not verify.get("security")  # no authentication
    public = schema["components"]["schemas"]["PublicVerification"]
    assert set(public["properties"]) == {"name", "entry_number", "level", "status", "term_start", "term_end"}
    assert "application/pdf" in paths["/api/v1/pool-entries/{id}/certificate/"]["get"]["responses"]["200"]["content"]
    list_params = {p["name"] for p in paths["/api/v1/pool-entries/"]["get"]["parameters"]}
    assert {"q", "level", "domain", "home_district", "status", "available", "ordering", "page"} <= list_params
    yaml.safe_dump(schema)


@pytest.fixture
def wsgi_app():
    from dudao.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_pools_get_operation_survives_generated_input(world, pools, wsgi_app):
    token = Token.objects.create(user=world.city_admin)
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app, headers=headers)
    operations = [r.ok() for r in schema.include(method="GET").get_all_operations() if r.ok().path.startswith(OURS)]
    assert {op.label for op in operations} >= {"GET /api/v1/pool-entries/", "GET /api/v1/verify/{code}/"}
    real = {
        "/api/v1/pool-entries/{id}/": {"id": pools.district.pk},
        "/api/v1/pool-entries/{id}/certificate/": {"id": pools.city.pk},
        "/api/v1/verify/{code}/": {"code": pools.erqi.verification_code},
    }
    seen = {}
    for operation in operations:
        strategies = [operation.as_strategy()]
        if operation.path in real:
            strategies.append(operation.as_strategy(path_parameters=real[operation.path]))
        for strategy in strategies:

            @settings(
                max_examples=15, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
            )
            @given(case=strategy)
            def run(case):
                response = case.call(headers=headers)
                assert response.status_code < 500, (case.as_curl_command(), response.text[:500])
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance], headers=headers
                )
                seen.setdefault(case.operation.label, set()).add(response.status_code)

            run()
    for label in (
        "GET /api/v1/pool-entries/",
        "GET /api/v1/pool-entries/{id}/",
        "GET /api/v1/pool-entries/{id}/certificate/",
        "GET /api/v1/verify/{code}/",
    ):
        assert 200 in seen[label], (label, seen[label])
