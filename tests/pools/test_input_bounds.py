"""Pool endpoints answer malformed ids with a 400, never a server error
(issue 8, item 9)."""

import pytest

HUGE = 99999999999999999999999


@pytest.mark.parametrize("value", ["abc", "0.5", str(HUGE), "-3"])
def test_the_district_rules_check_refuses_a_malformed_person_id(world, api, value):
    response = api(world.district_admin).get("/api/v1/pool-district-admissions/check/", {"person": value})
    assert response.status_code == 400
    assert "person" in response.json()


def test_a_district_admission_with_an_id_beyond_64_bits_is_a_400(world, api):
    response = api(world.district_admin).post("/api/v1/pool-district-admissions/", {"person": HUGE}, format="json")
    assert response.status_code == 400
    assert "person" in response.json()


@pytest.mark.parametrize("field", ["organization", "person"])
def test_an_internal_designation_with_an_id_beyond_64_bits_is_a_400(world, api, field):
    body = {"organization": world.agency.pk, "person": world.social_worker_person.pk, field: HUGE}
    response = api(world.agency_admin).post("/api/v1/pool-internal-designations/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_the_admission_page_with_a_23_digit_person_is_not_a_server_error(world, login):
    from django.urls import reverse

    response = login(world.district_admin).post(reverse("pools:district_admit"), {"person": str(HUGE)})
    assert response.status_code == 404


def test_a_certificate_asked_for_as_pdf_that_does_not_exist_is_a_json_404(world, api):
    response = api(world.city_admin).get("/api/v1/pool-entries/987654/certificate/", {"format": "pdf"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
