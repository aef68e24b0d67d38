"""What the pools accept (issue 8, item 2): reasons and bases without control
or invisible characters, through the API and the services."""

import pytest
from django.core.exceptions import ValidationError

from dudao.pools import services
from dudao.pools.models import Entry, StatusChange


@pytest.mark.parametrize("reason", ["暂\x01停", "暂停\u202e", "\x00"])
def test_a_status_change_reason_with_a_control_character_is_refused(world, api, pools, reason):
    response = api(world.district_admin).post(
        f"/api/v1/pool-entries/{pools.district.pk}/status/", {"to_status": "suspended", "reason": reason}, format="json"
    )
    assert response.status_code == 400
    pools.district.refresh_from_db()
    assert pools.district.status == Entry.Status.ACTIVE
    assert StatusChange.objects.filter(entry=pools.district).count() == 1


def test_a_status_change_reason_keeps_its_line_breaks(world, pools):
    entry = services.change_status(
        actor=world.district_admin, entry=pools.district, to_status="suspended", reason="一\n二"
    )
    assert entry.history.last().reason == "一\n二"


def test_an_admission_basis_with_a_control_character_is_refused(world, api):
    from tests.factories import staff

    person = staff(world.agency, certified=True, name="候选丁")
    response = api(world.district_admin).post(
        "/api/v1/pool-district-admissions/", {"person": person.pk, "reason": "选\x01拔"}, format="json"
    )
    assert response.status_code == 400
    assert not Entry.objects.filter(person=person).exists()


def test_a_designation_basis_with_a_control_character_is_refused(world):
    with pytest.raises(ValidationError):
        services.designate_internal(
            actor=world.agency_admin, organization=world.agency, person=world.supervisor_person, reason="内\u200b部"
        )
    assert not Entry.objects.filter(person=world.supervisor_person, level=Entry.Level.AGENCY).exists()
