"""The REST API: token login, the directory endpoints, their scopes (the same as
the pages'), writes with their validation, and the roster import."""

import datetime as dt
from io import BytesIO

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dudao.core.models import AuditEntry
from dudao.directory import imports
from dudao.directory.models import Certificate, Jurisdiction, Organization, Person
from tests.conftest import ALL_PERSONAS
from tests.directory.pages import count_queries, grow_directory
from tests.excel import roster_file
from tests.factories import OrganizationFactory, credit_code, id_number, staff

NEW_CODE_REGION = "410199"
NEW_ID_REGION = "410102"


def every(value, **overrides):
    return {name: overrides.get(name, value) for name in ALL_PERSONAS}


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def flip_last(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def org_url(pk=None):
    return "/api/v1/organizations/" + (f"{pk}/" if pk else "")


def person_url(pk=None):
    return "/api/v1/people/" + (f"{pk}/" if pk else "")


def roster_row(n, **overrides):
    row = {
        "name": f"导入{n}",
        "id_number": id_number(200 + n, NEW_ID_REGION),
        "education": "硕士",
        "start_date": "2021-03-01",
        "service_domains": "禁毒",
    }
    row.update(overrides)
    return row


# Same answers as the pages (see test_pages.py), for world.agency / world.social_worker_person.
ORG_DETAIL = every(200, erqi_admin=404, outsider=404, trainer=404)
ORG_UPDATE = every(403, city_admin=200, district_admin=200, erqi_admin=404, outsider=404, trainer=404)
ORG_CREATE = every(403, city_admin=201, district_admin=201, erqi_admin=201)
PERSON_DETAIL = every(200, erqi_admin=404, supervisor=404, outsider=404, trainer=404)
PERSON_UPDATE = every(
    403, city_admin=200, district_admin=200, agency_admin=200, erqi_admin=404, supervisor=404, outsider=404, trainer=404
)
PERSON_CREATE = every(403, city_admin=201, district_admin=201, erqi_admin=201, agency_admin=201, outsider=201)
STAFF_IMPORT = every(
    403, city_admin=201, district_admin=201, agency_admin=201, erqi_admin=404, outsider=404, trainer=404
)

ALL_ORGS = {"金水阳光社工中心", "金水馨和社工中心", "二七同心社工中心", "启明培训"}
ORG_LIST = {
    **every(ALL_ORGS),
    "district_admin": {"金水阳光社工中心", "金水馨和社工中心"},
    "erqi_admin": {"二七同心社工中心"},
    "agency_admin": {"金水阳光社工中心"},
    "supervisor": {"金水阳光社工中心"},
    "social_worker": {"金水阳光社工中心"},
    "outsider": {"二七同心社工中心"},
    "trainer": {"启明培训"},
}
PERSON_LIST = {
    **every({"督导甲", "社工乙"}),
    "erqi_admin": set(),
    "outsider": set(),
    "trainer": set(),
    "supervisor": {"督导甲"},
    "social_worker": {"社工乙"},
}


# --- authentication -----------------------------------------------------------------


def test_token_login_and_use(world):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "city_admin", "password": "Dudao@2026"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=world.city_admin).key
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get(org_url())
    assert response.status_code == 200
    assert response.json()["count"] == 4
    # The same token again on a second login.
    again = APIClient().post("/api/v1/auth/token/", {"username": "city_admin", "password": "Dudao@2026"})
    assert again.json()["token"] == token


def test_token_is_scoped_like_the_user(world):
    token = APIClient().post("/api/v1/auth/token/", {"username": "outsider", "password": "Dudao@2026"}).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert [o["name"] for o in client.get(org_url()).json()["results"]] == ["二七同心社工中心"]
    assert client.get(org_url(world.agency.pk)).status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "city_admin", "password": "wrong"},
        {"username": "nobody", "password": "Dudao@2026"},
        {"username": "city_admin"},
        {},
    ],
)
def test_token_login_refuses_bad_credentials(world, payload):
    response = APIClient().post("/api/v1/auth/token/", payload, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()
    assert not Token.objects.exists()


def test_inactive_user_gets_no_token(world):
    world.finance.is_active = False
    world.finance.save()
    response = APIClient().post("/api/v1/auth/token/", {"username": "finance", "password": "Dudao@2026"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "method,url",
    [
        ("get", "/api/v1/jurisdictions/"),
        ("get", "/api/v1/organizations/"),
        ("get", "/api/v1/people/"),
        ("post", "/api/v1/organizations/"),
        ("post", "/api/v1/people/"),
    ],
)
def test_unauthenticated_requests_are_refused(world, method, url):
    response = getattr(APIClient(), method)(url, {}, format="json")
    assert response.status_code in (401, 403)
    assert response.status_code == 401  # token auth announces itself with WWW-Authenticate
    assert "Token" in response["WWW-Authenticate"]


def test_a_bad_token_is_refused(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(org_url()).status_code == 401


def test_unauthenticated_detail_and_import_are_refused(world):
    client = APIClient()
    assert client.get(org_url(world.agency.pk)).status_code == 401
    assert client.get(person_url(world.supervisor_person.pk)).status_code == 401
    response = client.post(f"{org_url(world.agency.pk)}staff-import/", {"file": roster_file([roster_row(1)])})
    assert response.status_code == 401
    assert not Person.objects.filter(name="导入1").exists()


# --- reads ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_jurisdictions_are_reference_data_for_everyone(world, api, persona):
    response = api(world.persona(persona)).get("/api/v1/jurisdictions/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Jurisdiction.objects.filter(is_active=True).count()
    assert {"count", "next", "previous", "results"} <= set(body)
    codes = {j["code"] for j in body["results"]}
    assert {"410100", "410105", "410103"} <= codes
    jinshui = api(world.persona(persona)).get(f"/api/v1/jurisdictions/{world.jinshui.pk}/").json()
    assert jinshui == {
        "id": world.jinshui.pk,
        "code": "410105",
        "name": "金水区",
        "kind": "district",
        "parent": "410100",
    }


def test_jurisdictions_filter_and_order(world, api):
    client = api(world.city_admin)
    body = client.get("/api/v1/jurisdictions/", {"kind": "county"}).json()
    assert [j["name"] for j in body["results"]] == ["中牟县"]
    codes = [j["code"] for j in client.get("/api/v1/jurisdictions/", {"ordering": "-code"}).json()["results"]]
    assert codes == sorted(codes, reverse=True)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_organization_list_is_scoped(world, api, persona):
    response = api(world.persona(persona)).get(org_url())
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(ORG_LIST[persona])
    assert {o["name"] for o in body["results"]} == ORG_LIST[persona]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_organization_detail_is_scoped(world, api, persona):
    response = api(world.persona(persona)).get(org_url(world.agency.pk))
    assert response.status_code == ORG_DETAIL[persona]
    if response.status_code == 200:
        body = response.json()
        assert body["name"] == "金水阳光社工中心"
        assert body["credit_code"] == world.agency.credit_code
        assert (body["type"], body["jurisdiction"], body["jurisdiction_name"]) == ("agency", "410105", "金水区")
        assert body["staff_count"] == 2
        assert body["is_active"] is True


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_person_list_is_scoped(world, api, persona):
    response = api(world.persona(persona)).get(person_url())
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(PERSON_LIST[persona])
    assert {p["name"] for p in body["results"]} == PERSON_LIST[persona]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_person_detail_is_scoped_and_masks_id_numbers(world, api, persona):
    person = world.social_worker_person
    response = api(world.persona(persona)).get(person_url(person.pk))
    assert response.status_code == PERSON_DETAIL[persona]
    if response.status_code == 200:
        body = response.json()
        full = PERSON_UPDATE[persona] == 200 or persona == "social_worker"
        assert body["id_number"] == (person.id_number if full else person.masked_id_number)
        assert body["current_employer"]["id"] == world.agency.pk
        assert body["current_employer"]["name"] == "金水阳光社工中心"


def test_hrss_sees_masked_id_numbers_and_no_phone_in_the_list(world, api):
    Person.objects.update(phone="13700000000")
    results = api(world.hrss).get(person_url()).json()["results"]
    by_name = {p.name: p for p in Person.objects.all()}
    for row in results:
        person = by_name[row["name"]]
        assert row["id_number"] == person.masked_id_number != person.id_number
        assert row["phone"] == ""
    results = api(world.city_admin).get(person_url()).json()["results"]
    for row in results:
        assert row["id_number"] == by_name[row["name"]].id_number
        assert row["phone"] == "13700000000"


def test_jinshui_admin_gets_404_for_erqi_records(world, api):
    erqi_person = staff(world.erqi_agency, name="二七员工")
    client = api(world.district_admin)
    assert client.get(org_url(world.erqi_agency.pk)).status_code == 404
    assert client.get(person_url(erqi_person.pk)).status_code == 404
    assert client.patch(org_url(world.erqi_agency.pk), {"address": "x"}, format="json").status_code == 404
    assert client.patch(person_url(erqi_person.pk), {"major": "x"}, format="json").status_code == 404
    world.erqi_agency.refresh_from_db()
    erqi_person.refresh_from_db()
    assert (world.erqi_agency.address, erqi_person.major) == ("", "")


def test_organization_filters_and_ordering(world, api):
    client = api(world.city_admin)
    names = lambda params: [o["name"] for o in client.get(org_url(), params).json()["results"]]  # noqa: E731
    assert set(names({"jurisdiction": world.jinshui.pk})) == {"金水阳光社工中心", "金水馨和社工中心"}
    assert names({"q": "二七"}) == ["二七同心社工中心"]
    ascending = names({"ordering": "name"})
    assert ascending == sorted(ascending)
    assert names({"ordering": "-name"}) == list(reversed(ascending))


def test_person_filters(world, api):
    staff(world.erqi_agency, certified=True, name="二七督导")
    client = api(world.city_admin)
    names = lambda params: {p["name"] for p in client.get(person_url(), params).json()["results"]}  # noqa: E731
    assert names({"jurisdiction": world.erqi.pk}) == {"二七督导"}
    assert names({"organization": world.agency.pk}) == {"督导甲", "社工乙"}
    from dudao.directory.models import CertificateLevel

    assert names({"certificate_level": CertificateLevel.objects.get(code="intermediate").pk}) == {"督导甲", "二七督导"}
    assert names({"q": "社工"}) == {"社工乙"}


def test_list_paging(world, api):
    for i in range(30):
        OrganizationFactory(name=f"机构{i:02d}", jurisdiction=world.jinshui)
    client = api(world.city_admin)
    first = client.get(org_url()).json()
    assert first["count"] == 34
    assert len(first["results"]) == 25
    assert first["next"] and first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 9
    assert {o["id"] for o in first["results"]}.isdisjoint({o["id"] for o in second["results"]})
    assert len(client.get(org_url(), {"page_size": 5}).json()["results"]) == 5
    assert client.get(org_url(), {"page": 99}).status_code == 404


# --- organisation writes ---------------------------------------------------------------


def org_payload(**overrides):
    payload = {
        "name": "接口新建机构",
        "credit_code": credit_code(11, NEW_CODE_REGION),
        "type": "agency",
        "jurisdiction": "410105",
        "address": "文化路2号",
        "contact_name": "赵六",
        "contact_phone": "0371-66666666",
    }
    payload.update(overrides)
    return payload


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_create_organization(world, api, persona):
    jurisdiction = "410103" if persona == "erqi_admin" else "410105"
    response = api(world.persona(persona)).post(org_url(), org_payload(jurisdiction=jurisdiction), format="json")
    assert response.status_code == ORG_CREATE[persona], response.content
    created = Organization.objects.filter(name="接口新建机构").first()
    if response.status_code == 201:
        body = response.json()
        assert body["id"] == created.pk
        assert body["jurisdiction"] == jurisdiction
        assert body["is_active"] is True
        assert created.contact_name == "赵六"
        entry = AuditEntry.objects.get(object_id=str(created.pk))
        assert (entry.action, entry.actor) == (AuditEntry.Action.CREATE, world.persona(persona))
    else:
        assert created is None


def test_district_admin_cannot_create_in_another_district(world, api):
    response = api(world.district_admin).post(org_url(), org_payload(jurisdiction="410103"), format="json")
    assert response.status_code == 403
    assert not Organization.objects.filter(name="接口新建机构").exists()


def test_create_organization_with_bad_credit_code(world, api):
    bad = flip_last(credit_code(12, NEW_CODE_REGION))
    response = api(world.city_admin).post(org_url(), org_payload(credit_code=bad), format="json")
    assert response.status_code == 400
    assert response.json()["credit_code"] == [zh("The check character of the unified social credit code is wrong.")]
    assert not Organization.objects.filter(name="接口新建机构").exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"credit_code": "short"}, "credit_code"),
        ({"type": "no-such-type"}, "type"),
        ({"jurisdiction": "999999"}, "jurisdiction"),
        ({"name": ""}, "name"),
    ],
)
def test_create_organization_validation(world, api, overrides, field):
    response = api(world.city_admin).post(org_url(), org_payload(**overrides), format="json")
    assert response.status_code == 400
    assert response.json()[field]
    assert Organization.objects.count() == 4


def test_create_organization_with_a_taken_credit_code(world, api):
    response = api(world.city_admin).post(
        org_url(), org_payload(credit_code=world.erqi_agency.credit_code), format="json"
    )
    assert response.status_code == 400
    assert response.json()["credit_code"]
    assert Organization.objects.count() == 4


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_update_organization(world, api, persona):
    org = world.agency
    response = api(world.persona(persona)).patch(org_url(org.pk), {"contact_name": "钱七"}, format="json")
    assert response.status_code == ORG_UPDATE[persona]
    org.refresh_from_db()
    if response.status_code == 200:
        assert response.json()["contact_name"] == "钱七"
        assert org.contact_name == "钱七"
        assert AuditEntry.objects.get(object_id=str(org.pk)).changes == {"contact_name": ["", "钱七"]}
    else:
        assert org.contact_name == ""


def test_full_update_of_an_organization(world, api):
    org = world.agency
    payload = org_payload(name="金水阳光（新）", credit_code=org.credit_code)
    response = api(world.district_admin).put(org_url(org.pk), payload, format="json")
    assert response.status_code == 200
    org.refresh_from_db()
    assert (org.name, org.address) == ("金水阳光（新）", "文化路2号")


def test_update_organization_with_bad_credit_code_writes_nothing(world, api):
    org = world.agency
    old = org.credit_code
    response = api(world.city_admin).patch(
        org_url(org.pk), {"credit_code": flip_last(old), "name": "改名"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["credit_code"] == [zh("The check character of the unified social credit code is wrong.")]
    org.refresh_from_db()
    assert (org.credit_code, org.name) == (old, "金水阳光社工中心")


def test_district_admin_cannot_move_an_organization_away(world, api):
    response = api(world.district_admin).patch(org_url(world.agency.pk), {"jurisdiction": "410103"}, format="json")
    assert response.status_code == 403
    world.agency.refresh_from_db()
    assert world.agency.jurisdiction == world.jinshui


def test_organizations_cannot_be_deleted_through_the_api(world, api):
    response = api(world.city_admin).delete(org_url(world.agency.pk))
    assert response.status_code == 405
    assert Organization.objects.filter(pk=world.agency.pk).exists()


def test_is_active_is_read_only(world, api):
    response = api(world.city_admin).patch(org_url(world.agency.pk), {"is_active": False}, format="json")
    assert response.status_code == 200
    world.agency.refresh_from_db()
    assert world.agency.is_active


# --- people writes -----------------------------------------------------------------------


def person_payload(employer_org, **overrides):
    payload = {
        "name": "接口新人",
        "id_number": id_number(21, NEW_ID_REGION),
        "education": "bachelor",
        "major": "社会学",
        "phone": "13600000000",
        "frontline_since": "2017-09-01",
        "service_domains": ["elderly", "community"],
        "employer": employer_org.pk,
        "start_date": "2023-01-01",
        "position": "社工",
        "certificates": [{"level": "assistant", "number": "API-1", "issued_on": "2022-06-01"}],
        "reason": "接口录入",
    }
    payload.update(overrides)
    return payload


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_create_person(world, api, persona):
    employer = world.erqi_agency if persona in {"erqi_admin", "outsider"} else world.agency
    response = api(world.persona(persona)).post(person_url(), person_payload(employer), format="json")
    assert response.status_code == PERSON_CREATE[persona], response.content
    created = Person.objects.filter(name="接口新人").first()
    if response.status_code == 201:
        body = response.json()
        assert body["id"] == created.pk
        assert body["id_number"] == created.id_number  # the creator manages the record
        assert body["current_employer"]["id"] == employer.pk
        assert sorted(body["service_domains"]) == ["community", "elderly"]
        assert body["certificates"] == [{"level": "assistant", "number": "API-1", "issued_on": "2022-06-01"}]
        assert (body["gender"], body["birth_date"]) == (created.gender, str(created.birth_date))
        assert AuditEntry.objects.get(object_id=str(created.pk)).reason == "接口录入"
    else:
        assert created is None


def test_create_person_for_an_employer_outside_the_scope(world, api):
    response = api(world.agency_admin).post(person_url(), person_payload(world.erqi_agency), format="json")
    assert response.status_code in (400, 403)
    assert not Person.objects.filter(name="接口新人").exists()


def test_create_person_with_bad_id_number_writes_nothing(world, api):
    bad = flip_last(id_number(22, NEW_ID_REGION))
    response = api(world.agency_admin).post(person_url(), person_payload(world.agency, id_number=bad), format="json")
    assert response.status_code == 400
    assert response.json()["id_number"] == [zh("The check digit of the ID number is wrong.")]
    assert not Person.objects.filter(name="接口新人").exists()
    assert Certificate.objects.count() == 1
    assert not AuditEntry.objects.exists()


def test_create_person_with_taken_certificate_number_writes_nothing(world, api):
    taken = world.supervisor_person.certificates.get()
    payload = person_payload(
        world.agency,
        certificates=[{"level": taken.level.code, "number": taken.number, "issued_on": "2020-01-01"}],
    )
    response = api(world.agency_admin).post(person_url(), payload, format="json")
    assert response.status_code == 400
    assert not Person.objects.filter(name="接口新人").exists()


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"id_number": "123"}, "id_number"),
        ({"education": "kindergarten"}, "education"),
        ({"service_domains": ["astrology"]}, "service_domains"),
        ({"start_date": "not a date"}, "start_date"),
        ({"employer": 999999}, "employer"),
    ],
)
def test_create_person_validation(world, api, overrides, field):
    response = api(world.city_admin).post(person_url(), person_payload(world.agency, **overrides), format="json")
    assert response.status_code == 400
    assert response.json()[field]
    assert Person.objects.count() == 2


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_update_person(world, api, persona):
    person = world.social_worker_person
    response = api(world.persona(persona)).patch(
        person_url(person.pk), {"major": "心理学", "service_domains": ["school"]}, format="json"
    )
    assert response.status_code == PERSON_UPDATE[persona]
    person.refresh_from_db()
    if response.status_code == 200:
        body = response.json()
        assert (body["major"], body["service_domains"]) == ("心理学", ["school"])
        assert person.major == "心理学"
        # A partial update leaves the other fields alone.
        assert person.name == "社工乙"
        assert person.frontline_since == dt.date(2015, 7, 1)
    else:
        assert person.major == ""
        assert not person.service_domains.exists()


def test_supervisor_cannot_update_own_record(world, api):
    person = world.supervisor_person
    assert api(world.supervisor).get(person_url(person.pk)).status_code == 200
    response = api(world.supervisor).patch(person_url(person.pk), {"name": "改名"}, format="json")
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.name == "督导甲"


def test_update_person_with_bad_id_number_writes_nothing(world, api):
    person = world.social_worker_person
    old = person.id_number
    response = api(world.agency_admin).patch(
        person_url(person.pk), {"id_number": flip_last(old), "major": "改"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["id_number"] == [zh("The check digit of the ID number is wrong.")]
    person.refresh_from_db()
    assert (person.id_number, person.major) == (old, "")


def test_full_update_of_a_person(world, api):
    person = world.social_worker_person
    payload = {"name": "社工乙", "id_number": person.id_number.lower(), "education": "master", "service_domains": []}
    response = api(world.agency_admin).put(person_url(person.pk), payload, format="json")
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.education.code == "master"


# --- roster import -------------------------------------------------------------------------


def import_url(org):
    return f"{org_url(org.pk)}staff-import/"


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_staff_import(world, api, persona):
    rows = [
        roster_row(1),
        roster_row(2),
        roster_row(3, certificate_level="助理社会工作师", certificate_number="I-3", certificate_date="2022-01-01"),
    ]
    response = api(world.persona(persona)).post(
        import_url(world.agency), {"file": roster_file(rows)}, format="multipart"
    )
    assert response.status_code == STAFF_IMPORT[persona]
    imported = Person.objects.filter(name__startswith="导入")
    if response.status_code == 201:
        assert response.json() == {"imported": 3}
        assert imported.count() == 3
        assert {p.employments.get().organization for p in imported} == {world.agency}
        assert {d.code for p in imported for d in p.service_domains.all()} == {"drug"}
        assert Certificate.objects.filter(number="I-3").exists()
    else:
        assert not imported.exists()


def test_staff_import_with_a_bad_row_writes_nothing(world, api):
    rows = [
        roster_row(1),
        roster_row(2, id_number=flip_last(id_number(202, NEW_ID_REGION))),
        roster_row(3, start_date="明天"),
        # Employed by another unit (the agency's own staff would be updated instead).
        roster_row(4, id_number=staff(world.erqi_agency).id_number),
    ]
    response = api(world.agency_admin).post(import_url(world.agency), {"file": roster_file(rows)}, format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {e["row"] for e in errors} == {3, 4, 5}
    assert all(isinstance(e["message"], str) and e["message"] for e in errors)
    row3 = [e["message"] for e in errors if e["row"] == 3]
    assert any(zh("The check digit of the ID number is wrong.") in m for m in row3)
    assert not Person.objects.filter(name__startswith="导入").exists()
    assert not AuditEntry.objects.exists()


def test_staff_import_needs_a_file(world, api):
    response = api(world.agency_admin).post(import_url(world.agency), {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 0


def test_staff_import_refuses_a_non_excel_file(world, api):
    upload = BytesIO(b"not excel")
    upload.name = "roster.xlsx"
    response = api(world.agency_admin).post(import_url(world.agency), {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 0, "message": zh("The file could not be read as an Excel workbook.")}]


def test_staff_import_with_a_missing_column(world, api):
    wb = Workbook()
    wb.active.append(["姓名"])
    wb.active.append(["张三"])
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "roster.xlsx"
    response = api(world.agency_admin).post(import_url(world.agency), {"file": buffer}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 1


def test_staff_import_out_of_scope_is_404_and_read_only_is_403(world, api):
    response = api(world.district_admin).post(
        import_url(world.erqi_agency), {"file": roster_file([roster_row(1)])}, format="multipart"
    )
    assert response.status_code == 404
    response = api(world.hrss).post(
        import_url(world.agency), {"file": roster_file([roster_row(1)])}, format="multipart"
    )
    assert response.status_code == 403
    assert not Person.objects.filter(name__startswith="导入").exists()


def test_staff_import_headers_in_english_also_work(world, api):
    with translation.override("en"):
        headers = [str(label) for _key, label, _required in imports.COLUMNS]
    keys = [key for key, _label, _required in imports.COLUMNS]
    wb = Workbook()
    wb.active.append(headers)
    wb.active.append([roster_row(1).get(k, "") for k in keys])
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "roster.xlsx"
    response = api(world.agency_admin).post(import_url(world.agency), {"file": buffer}, format="multipart")
    assert response.status_code == 201
    assert response.json() == {"imported": 1}


# --- query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["city_admin", "hrss"])
@pytest.mark.parametrize(
    "url,params",
    [
        ("/api/v1/organizations/", {}),
        ("/api/v1/organizations/", {"page_size": 200}),
        ("/api/v1/people/", {}),
        ("/api/v1/people/", {"page_size": 200, "ordering": "-name"}),
        ("/api/v1/jurisdictions/", {}),
    ],
)
def test_list_endpoint_queries_do_not_grow_with_rows(world, api, persona, url, params):
    client = api(world.persona(persona))
    grow_directory(world, 3, domains=("elderly", "drug"))
    client.get(url, params)
    few = count_queries(client, url, params)
    grow_directory(world, 35, domains=("elderly", "drug"))
    assert count_queries(client, url, params) == few


@pytest.mark.parametrize("persona", ["hrss", "supervisor", "agency_admin", "finance"])
def test_read_only_roles_get_403_whatever_they_send(world, api, persona):
    """Permission is decided before the payload is looked at: a read-only role
    learns nothing about validation from its refusals."""
    client = api(world.persona(persona))
    bad_code = flip_last(credit_code(13, NEW_CODE_REGION))
    if persona != "agency_admin":
        assert client.post(org_url(), org_payload(credit_code=bad_code), format="json").status_code == 403
        assert client.post(org_url(), {}, format="json").status_code == 403
        bad_id = flip_last(id_number(23, NEW_ID_REGION))
        assert (
            client.post(person_url(), person_payload(world.agency, id_number=bad_id), format="json").status_code == 403
        )
    # world.agency is in every one of these personas' scope, and none may edit it.
    response = client.patch(org_url(world.agency.pk), {"credit_code": bad_code}, format="json")
    assert response.status_code == 403
    response = client.put(org_url(world.agency.pk), {}, format="json")
    assert response.status_code == 403
    if persona != "agency_admin":
        assert client.post(import_url(world.agency), {}, format="multipart").status_code == 403
    assert Organization.objects.count() == 4
