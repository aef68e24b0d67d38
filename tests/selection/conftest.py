"""Selection fixtures: a city round whose submissions are still open, run with
and without the policy defaults stored."""

import pytest

from dudao.policy import services as policy_services
from tests.factories import publicity_off

from .helpers import make_round


@pytest.fixture(params=["registry defaults", "stored defaults"])
def defaults(request, reference):
    """Run a test once with nothing stored (the code falls back to the registry)
    and once with the defaults loaded as the city's first versions."""
    if request.param == "stored defaults":
        policy_services.load_defaults()
    return request.param


@pytest.fixture
def round_(world):
    return make_round(world.city_admin, world.city)


@pytest.fixture(autouse=True)
def _without_publicity(request):
    """These tests are of the workflow itself: the city's approval and its
    confirmation take effect at once. 公示 in between is tests/publicity's."""
    if "world" in request.fixturenames:
        publicity_off(request.getfixturevalue("world").city)
