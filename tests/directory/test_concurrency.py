"""Identical writes at the same instant (issue 8, item 8): one succeeds, the
others get a clear 400/409, nothing is written twice, and no request ends in
a server error. Proved on PostgreSQL, where the requests really overlap."""

import pytest

from dudao.directory.models import Employment, Person
from tests.factories import id_number
from tests.threads import api_call, run_together, skip_unless_postgresql

from .test_api import roster_file, roster_row

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db):
    skip_unless_postgresql()


def statuses(outcomes):
    errors = [o[1] for o in outcomes if o[0] == "error"]
    assert errors == [], errors
    return sorted(o[1].status_code for o in outcomes)


def test_eight_identical_person_creations_make_one_person_and_seven_clear_refusals(world):
    body = {
        "name": "并发甲",
        "id_number": id_number(777, "410102"),
        "employer": world.agency.pk,
        "start_date": "2021-03-01",
    }
    outcomes = run_together([api_call(world.agency_admin, "post", "/api/v1/people/", body, format="json")] * 8)
    codes = statuses(outcomes)
    assert codes == [201] + [400] * 7, codes
    for _kind, response in outcomes:
        if response.status_code != 201:
            # Refused on the field, with the service's message: the person exists (or just came to be).
            assert response.json()["id_number"], response.content
    assert Person.objects.with_id_number(body["id_number"]).count() == 1
    assert Employment.objects.filter(person__in=Person.objects.with_id_number(body["id_number"])).count() == 1


def test_six_identical_staff_imports_write_the_roster_once(world):
    rows = [roster_row(n) for n in range(1, 6)]
    content = roster_file(rows).getvalue()

    def upload():
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile("roster.xlsx", content)

    url = f"/api/v1/organizations/{world.agency.pk}/staff-import/"

    def call():
        return api_call(world.agency_admin, "post", url, {"file": upload()}, format="multipart")()

    outcomes = run_together([call] * 6)
    codes = statuses(outcomes)
    assert set(codes) <= {201, 400, 409}, codes
    # The imports queue on the agency's row: the first adds the five; a later
    # one finds them on the agency's own roster, unchanged, and writes nothing.
    imported = sorted(r.json()["imported"] for _kind, r in outcomes if r.status_code == 201)
    assert imported[-1] == 5 and sum(imported) == 5, imported
    assert Person.objects.with_id_numbers([r["id_number"] for r in rows]).count() == 5
    assert (
        Employment.objects.filter(person__in=Person.objects.with_id_numbers([r["id_number"] for r in rows])).count()
        == 5
    )
