"""ID and phone numbers: encrypted at rest, never rebuilt from what a masked
view shows, never confirmed by a search, and shown in full by one rule on pages,
the API and exports alike (issue 8: items 1 and 17; sensitive data at rest)."""

import base64
import datetime as dt
import io

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from dudao.core import crypto
from dudao.directory import services
from dudao.directory.models import Person
from tests.excel import xlsx_rows

from ..conftest import ALL_PERSONAS
from ..factories import id_number, staff

pytestmark = pytest.mark.django_db

NEW_KEY = "k2:" + base64.b64encode(b"n" * 32).decode()


def every_stored_text():
    """Every cell of every table, as text: what a database dump would show."""
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                cells += [str(v) for v in row if v is not None]
    return "\n".join(cells)


def test_no_id_or_phone_number_is_stored_in_clear_anywhere(world):
    number = id_number(777, birth=dt.date(1986, 4, 5))
    person = services.create_person(
        actor=world.district_admin,
        name="加密甲",
        id_number=number,
        phone="13912345678",
        employer=world.agency,
        start_date=dt.date(2024, 1, 1),
    )
    services.update_person(actor=world.district_admin, person=person, phone="13987654321")
    dump = every_stored_text()
    for secret in (number, "13912345678", "13987654321", world.supervisor_person.id_number):
        assert secret not in dump
    # ...while the platform itself reads them back.
    person = Person.objects.get(pk=person.pk)
    assert person.id_number == number and person.phone == "13987654321"


def test_an_encrypted_number_cannot_be_looked_up_by_value_only_by_its_blind_index(world):
    with pytest.raises(FieldError):
        list(Person.objects.filter(id_number=world.supervisor_person.id_number))
    assert Person.objects.with_id_number(world.supervisor_person.id_number.lower()).get() == world.supervisor_person
    assert not Person.objects.with_id_number("").exists()


def test_the_same_number_encrypts_differently_each_time_and_only_for_its_column():
    one = crypto.encrypt("410105198604050012", purpose="person.id_number")
    two = crypto.encrypt("410105198604050012", purpose="person.id_number")
    assert one != two
    assert crypto.decrypt(one, purpose="person.id_number") == "410105198604050012"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(one, purpose="person.phone")


def test_rotating_the_key_re_encrypts_every_row_and_lookups_keep_working_throughout(world, settings):
    old = settings.DUDAO_DATA_KEYS
    settings.DUDAO_DATA_KEYS = f"{NEW_KEY},{old}"
    # Mid-rotation: rows under the old key are still found and read.
    assert Person.objects.with_id_number(world.social_worker_person.id_number).get() == world.social_worker_person
    call_command("rotate_data_key", batch=1, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM directory_person")
        assert {crypto.key_id(v) for (v,) in cursor.fetchall()} == {"k2"}
    settings.DUDAO_DATA_KEYS = NEW_KEY  # the old key is gone
    person = Person.objects.with_id_number(world.supervisor_person.id_number).get()
    assert person.id_number == world.supervisor_person.id_number


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_whoever_sees_the_number_masked_gets_the_birth_year_at_most(world, api, persona):
    user = world.persona(persona)
    response = api(user).get(f"/api/v1/people/{world.supervisor_person.pk}/")
    if response.status_code == 404:
        return
    body = response.json()
    full = body["id_number"] == world.supervisor_person.id_number
    assert body["birth_year"] == world.supervisor_person.birth_date.year
    if full:
        assert body["birth_date"] == world.supervisor_person.birth_date.isoformat()
    else:
        assert "*" in body["id_number"] and body["birth_date"] is None and body["phone"] == ""


def test_a_full_number_typed_into_search_finds_only_people_the_user_manages(world, login, api):
    number = world.supervisor_person.id_number
    services.update_person(actor=world.district_admin, person=world.supervisor_person, phone="13900001111")
    url = reverse("directory:person_list")
    for persona, finds in [("district_admin", True), ("agency_admin", True), ("hrss", False), ("finance", False)]:
        client = login(world.persona(persona))
        for text in (number, "13900001111"):
            names = [p.name for p in client.get(url, {"q": text}).context["object_list"]]
            assert (names == ["督导甲"]) is finds, (persona, text)
        body = api(world.persona(persona)).get("/api/v1/people/", {"q": number}).json()
        assert ([r["name"] for r in body["results"]] == ["督导甲"]) is finds, persona


def _export_ids(client):
    rows = xlsx_rows(client.get(reverse("directory:person_list"), {"export": "xlsx", "employment": "all"}))
    header = rows[0]
    return {row[header.index("姓名")]: row[header.index("身份证号")] for row in rows[1:]}


@pytest.mark.parametrize("persona", ["city_admin", "district_admin", "erqi_admin", "agency_admin", "hrss", "outsider"])
def test_the_page_the_api_and_the_export_agree_on_who_sees_a_full_id(world, login, api, persona):
    former = staff(world.agency, name="离职者")
    services.end_employment(actor=world.city_admin, person=former, end_date=dt.date(2025, 1, 1))
    moved = staff(world.erqi_agency, name="二七员工")
    user = world.persona(persona)
    client = login(user)
    exported = _export_ids(client)
    for person in Person.objects.filter(name__in=["督导甲", "离职者", "二七员工"]):
        page = client.get(reverse("directory:person_detail", args=[person.pk]))
        if page.status_code == 404:
            assert person.name not in exported
            continue
        shown = page.content.decode()
        on_page = person.id_number in shown
        via_api = api(user).get(f"/api/v1/people/{person.pk}/").json()["id_number"] == person.id_number
        in_export = exported.get(person.name) == person.id_number
        assert on_page == via_api == in_export, (persona, person.name, on_page, via_api, in_export)
    assert moved
