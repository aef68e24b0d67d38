"""Eight identical account creations at the same instant (issue 8, item 8):
one account, seven clear refusals, no server error. The accounts service is
not changed for this: the API's exception handler answers the unique
constraint that fires as a 409."""

import pytest

from dudao.accounts.models import User
from tests.threads import api_call, run_together, skip_unless_postgresql

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db):
    skip_unless_postgresql()


def test_eight_identical_account_creations_make_one_account(world):
    body = {
        "username": "concurrent_user",
        "display_name": "并发用户",
        "password": "Dudao-2026-safe",
        "role": "agency_admin",
        "organization": world.agency.pk,
    }
    outcomes = run_together([api_call(world.city_admin, "post", "/api/v1/users/", body, format="json")] * 8)
    errors = [o[1] for o in outcomes if o[0] == "error"]
    assert errors == [], errors
    codes = sorted(o[1].status_code for o in outcomes)
    assert codes.count(201) == 1, codes
    assert set(codes) <= {201, 400, 409}, codes
    assert User.objects.filter(username="concurrent_user").count() == 1
