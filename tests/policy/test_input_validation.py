"""What policy accepts (issue 8, items 2 and 11): a new version takes effect
within a few years, and its reason holds no control characters."""

import datetime as dt

import pytest
from django.utils import timezone

from dudao.policy.models import ParameterVersion

URL = "/api/v1/policy/parameters/selection.nomination_ratio/"


def body(world, **overrides):
    return {
        "jurisdiction": world.city.code,
        "effective_from": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
        "value": 8,
        "reason": "调整比例",
    } | overrides


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("effective_from", "9999-12-31"),
        ("effective_from", "2040-01-01"),
        ("reason", "调\x01整"),
        ("reason", "\u202e调整"),
    ],
)
def test_an_absurd_version_is_refused(world, api, field, value):
    response = api(world.city_admin).put(URL, body(world, **{field: value}), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not ParameterVersion.objects.filter(key="selection.nomination_ratio", value=8).exists()


def test_a_version_a_year_ahead_is_accepted(world, api):
    ahead = (timezone.localdate() + dt.timedelta(days=365)).isoformat()
    assert api(world.city_admin).put(URL, body(world, effective_from=ahead), format="json").status_code == 201
