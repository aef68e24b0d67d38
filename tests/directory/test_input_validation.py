"""What the directory accepts (issue 8, items 2 and 11): no control or
invisible characters in any text, phones as Chinese numbers take, dates that
can be true. The same rules through the API, the pages and the services,
and nothing is written when one fails."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dudao.core.models import AuditEntry
from dudao.directory import services
from dudao.directory.models import Certificate, CertificateLevel, Organization, Person
from tests.factories import credit_code, id_number

from .test_api import person_payload

BAD_CHARACTERS = ["\u0001", "\x1b", "\u202e", "\u200b", "\n"]
BIRTH = dt.date(1990, 1, 1)  # of id_number(n) below n=1000, the factories' default


def org_payload(world, **overrides):
    body = {
        "name": "新机构",
        "credit_code": credit_code(901),
        "type": "agency",
        "jurisdiction": world.jinshui.code,
        "address": "金水区花园路 1 号",
        "contact_name": "王五",
        "contact_phone": "0371-61234567",
    }
    return body | overrides


# --- control characters ---------------------------------------------------------------------


@pytest.mark.parametrize("char", BAD_CHARACTERS)
@pytest.mark.parametrize("field", ["name", "major", "position"])
def test_a_person_with_a_control_character_is_refused_by_the_api(world, api, field, char):
    body = person_payload(world.agency, **{field: f"社{char}工"})
    response = api(world.agency_admin).post("/api/v1/people/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Person.objects.with_id_number(body["id_number"]).exists()


@pytest.mark.parametrize("field", ["number"])
def test_a_certificate_number_with_a_control_character_is_refused(world, api, field):
    body = person_payload(
        world.agency, certificates=[{"level": "assistant", "number": "A\x01B", "issued_on": "2022-06-01"}]
    )
    response = api(world.agency_admin).post("/api/v1/people/", body, format="json")
    assert response.status_code == 400
    assert not Person.objects.with_id_number(body["id_number"]).exists()


def test_the_u0001_name_of_the_issue_is_refused_with_a_chinese_message(world, api):
    body = person_payload(world.agency, name="张\u0001三")
    response = api(world.agency_admin).post("/api/v1/people/", body, format="json")
    assert response.status_code == 400
    assert "U+0001" in response.json()["name"][0] and "控制字符" in response.json()["name"][0]


@pytest.mark.parametrize("field", ["name", "major", "reason"])
def test_an_update_with_a_control_character_changes_nothing(world, api, field):
    person = world.supervisor_person
    response = api(world.agency_admin).patch(f"/api/v1/people/{person.pk}/", {field: "改\x07名"}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    person.refresh_from_db()
    assert person.name == "督导甲"
    assert not AuditEntry.objects.filter(object_id=str(person.pk)).exists()


@pytest.mark.parametrize("field", ["name", "address", "contact_name"])
def test_an_organisation_with_a_control_character_is_refused(world, api, field):
    response = api(world.district_admin).post(
        "/api/v1/organizations/", org_payload(world, **{field: "金\x01水"}), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Organization.objects.filter(credit_code=credit_code(901)).exists()


def test_the_person_form_shows_the_control_character_on_the_field(world, login):
    response = login(world.agency_admin).post(
        reverse("directory:person_edit", args=[world.supervisor_person.pk]),
        {"name": "督导\u0001甲", "id_number": world.supervisor_person.id_number},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"]


@pytest.mark.parametrize(
    ("view", "data"),
    [
        ("person_add_certificate", {"level": "", "number": "C\x01", "issued_on": "2022-01-01"}),
        ("person_add_disciplinary_record", {"decided_on": "2024-01-01", "description": "违\x01规", "authority": "局"}),
        (
            "person_add_disciplinary_record",
            {"decided_on": "2024-01-01", "description": "违规", "authority": "局\u202e"},
        ),
        ("person_end_employment", {"end_date": "2024-06-30", "reason": "离\x01职"}),
    ],
)
def test_the_small_person_forms_refuse_control_characters(world, login, view, data):
    if "level" in data:
        data["level"] = CertificateLevel.objects.get(code="senior").pk
    person = world.supervisor_person
    before = (
        person.certificates.count(),
        person.disciplinary_records.count(),
        person.employments.filter(end_date=None).count(),
    )
    login(world.agency_admin).post(reverse(f"directory:{view}", args=[person.pk]), data)
    after = (
        person.certificates.count(),
        person.disciplinary_records.count(),
        person.employments.filter(end_date=None).count(),
    )
    assert after == before


def test_the_organisation_archive_reason_refuses_control_characters(world):
    org = Organization.objects.create(
        name="空机构", credit_code=credit_code(902), type=world.agency.type, jurisdiction=world.jinshui
    )
    with pytest.raises(ValidationError) as exc:
        services.archive_organization(actor=world.district_admin, organization=org, reason="撤\x01销")
    assert "reason" in exc.value.message_dict


# --- phones --------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["call me", "请打办公室电话", "1381234567", "0371-0123456"])
def test_free_text_as_a_phone_is_refused(world, api, phone):
    response = api(world.agency_admin).post("/api/v1/people/", person_payload(world.agency, phone=phone), format="json")
    assert response.status_code == 400
    assert "phone" in response.json()
    response = api(world.district_admin).post(
        "/api/v1/organizations/", org_payload(world, contact_phone=phone), format="json"
    )
    assert response.status_code == 400
    assert "contact_phone" in response.json()


def test_a_phone_is_stored_in_one_form(world, api):
    response = api(world.agency_admin).post(
        "/api/v1/people/", person_payload(world.agency, phone="+86 138 1234 5678"), format="json"
    )
    assert response.status_code == 201, response.content
    assert Person.objects.get(pk=response.json()["id"]).phone == "13812345678"


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("frontline_since", "9999-12-31"),
        ("frontline_since", "1989-12-31"),  # before birth (the ID number says 1990-01-01 or later)
        ("frontline_since", "0001-01-01"),
        ("start_date", "0001-01-01"),
        ("start_date", "1989-06-01"),
        ("start_date", "9999-12-31"),
    ],
)
def test_absurd_person_dates_are_refused(world, api, field, value):
    body = person_payload(world.agency, **{field: value})
    response = api(world.agency_admin).post("/api/v1/people/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Person.objects.with_id_number(body["id_number"]).exists()


@pytest.mark.parametrize("issued_on", ["1989-12-31", "1899-01-01", "9999-12-31"])
def test_a_certificate_issued_before_birth_or_in_the_future_is_refused(world, api, issued_on):
    body = person_payload(
        world.agency, certificates=[{"level": "assistant", "number": "API-9", "issued_on": issued_on}]
    )
    response = api(world.agency_admin).post("/api/v1/people/", body, format="json")
    assert response.status_code == 400
    assert not Certificate.objects.filter(number="API-9").exists()


def test_adding_a_certificate_issued_before_birth_is_refused(world):
    level = CertificateLevel.objects.get(code="senior")
    with pytest.raises(ValidationError) as exc:
        services.add_certificate(
            actor=world.agency_admin,
            person=world.supervisor_person,
            level=level,
            number="S-1",
            issued_on=dt.date(1980, 1, 1),
        )
    assert "issued_on" in exc.value.message_dict


def test_frontline_practice_since_9999_is_refused_on_update(world, api):
    response = api(world.agency_admin).patch(
        f"/api/v1/people/{world.supervisor_person.pk}/", {"frontline_since": "9999-12-31"}, format="json"
    )
    assert response.status_code == 400
    assert "frontline_since" in response.json()


def test_a_new_id_number_that_puts_birth_after_the_practice_start_is_refused(world, api):
    # frontline since 2015-07-01 (the factory's); a birth in 2016 cannot be.
    later = id_number(5, birth=dt.date(2016, 1, 1))
    response = api(world.agency_admin).patch(
        f"/api/v1/people/{world.supervisor_person.pk}/", {"id_number": later}, format="json"
    )
    assert response.status_code == 400
    assert "frontline_since" in response.json()


@pytest.mark.parametrize("decided_on", [dt.date(1899, 1, 1), dt.date(1980, 1, 1)])
def test_a_disciplinary_decision_before_birth_is_refused(world, decided_on):
    with pytest.raises(ValidationError) as exc:
        services.add_disciplinary_record(
            actor=world.agency_admin, person=world.supervisor_person, decided_on=decided_on, description="违规"
        )
    assert "decided_on" in exc.value.message_dict


def test_an_employment_cannot_end_in_the_future(world):
    with pytest.raises(ValidationError) as exc:
        services.end_employment(
            actor=world.agency_admin, person=world.social_worker_person, end_date=dt.date(9999, 12, 31)
        )
    assert "end_date" in exc.value.message_dict


def test_starting_an_employment_in_year_1_is_refused(world):
    person = world.social_worker_person
    services.end_employment(actor=world.agency_admin, person=person, end_date=dt.date(2024, 6, 30))
    with pytest.raises(ValidationError) as exc:
        services.start_employment(
            actor=world.district_admin,
            person=person,
            organization=world.other_agency_same_district,
            start_date=dt.date(1, 1, 1),
        )
    assert "start_date" in exc.value.message_dict


@pytest.mark.parametrize(("typed", "stored"), [("+86 138 1234 5678", "13812345678"), ("call me", None)])
def test_the_person_page_takes_phones_as_the_api_does(world, login, typed, stored):
    person = world.supervisor_person
    response = login(world.agency_admin).post(
        reverse("directory:person_edit", args=[person.pk]),
        {"name": person.name, "id_number": person.id_number, "phone": typed},
    )
    person.refresh_from_db()
    if stored:
        assert response.status_code == 302
        assert person.phone == stored
    else:
        assert response.status_code == 200 and response.context["form"].errors["phone"]
        assert person.phone == ""
