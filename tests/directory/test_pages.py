"""The directory's pages, persona by persona.

Each page is checked for every persona: the roles that may use it get it (and
a successful POST really changes the record), a record outside the persona's
scope is a 404, and a record inside the scope that the persona may only read
is a 403. List pages are checked for filters, sorting, paging, the htmx
partial, the Excel export and a query count that does not grow with rows.
"""

import datetime as dt
import html
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from dudao.core.excel import XLSX_TYPE
from dudao.core.models import AuditEntry
from dudao.directory import imports
from dudao.directory.models import (
    Certificate,
    CertificateLevel,
    EducationLevel,
    Employment,
    Organization,
    OrganizationType,
    Person,
    ServiceDomain,
)
from tests.conftest import ALL_PERSONAS
from tests.excel import roster_file, xlsx_rows
from tests.factories import CertificateFactory, OrganizationFactory, credit_code, id_number, rescope, staff

# Codes made up in these tests use regions the factories never use, so they
# cannot collide with factory-generated ones whatever the sequence counters say.
NEW_CODE_REGION = "410199"
NEW_ID_REGION = "410102"


def zh(message: str) -> str:
    """A message as the default (zh-Hans) page shows it, HTML-escaped. Works
    whether or not the catalogue is compiled yet."""
    with translation.override("zh-hans"):
        return html.escape(gettext(message))


def every(value, **overrides):
    return {name: overrides.get(name, value) for name in ALL_PERSONAS}


def names(response) -> list[str]:
    return [obj.name for obj in response.context["object_list"]]


def org_data(org=None, **overrides):
    data = {
        "name": org.name if org else "新建社工服务中心",
        "credit_code": org.credit_code if org else credit_code(1, NEW_CODE_REGION),
        "type": (org.type if org else OrganizationType.objects.get(code="agency")).pk,
        "jurisdiction": org.jurisdiction.pk if org else None,
        "address": "",
        "contact_name": "",
        "contact_phone": "",
        "reason": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def person_data(person=None, **overrides):
    data = {
        "name": person.name if person else "新员工",
        "id_number": person.id_number if person else id_number(1, NEW_ID_REGION),
        "education": EducationLevel.objects.get(code="bachelor").pk,
        "major": "社会工作",
        "phone": "13800000000",
        "frontline_since": "2016-07-01",
        "service_domains": [ServiceDomain.objects.get(code="elderly").pk],
        "reason": "",
    }
    data.update(overrides)
    return data


def roster_row(n, **overrides):
    row = {
        "name": f"导入{n}",
        "id_number": id_number(100 + n, NEW_ID_REGION),
        "education": "本科",
        "major": "社会工作",
        "phone": "13900000000",
        "start_date": "2021-03-01",
        "position": "一线社工",
        "frontline_since": "2018-07-01",
        "service_domains": "养老、社区",
    }
    row.update(overrides)
    return row


# --- expected answers, per persona, for a record in 金水区 ----------------------

ORG_DETAIL = every(200, erqi_admin=404, outsider=404, trainer=404)
# Only the jurisdiction administrators edit organisations; agency admins read their own.
ORG_EDIT = every(403, city_admin=200, district_admin=200, erqi_admin=404, outsider=404, trainer=404)
ORG_CREATE = every(403, city_admin=200, district_admin=200, erqi_admin=200)
# Archiving world.other_agency_same_district: agency-scoped personas cannot even see it.
ORG_ARCHIVE = every(404, city_admin=200, district_admin=200, association=403, hrss=403, finance=403)
# world.social_worker_person: the supervisor only sees themself.
PERSON_DETAIL = every(200, erqi_admin=404, supervisor=404, outsider=404, trainer=404)
PERSON_EDIT = every(
    403,
    city_admin=200,
    district_admin=200,
    agency_admin=200,
    erqi_admin=404,
    supervisor=404,
    outsider=404,
    trainer=404,
)
PERSON_CREATE = every(403, city_admin=200, district_admin=200, erqi_admin=200, agency_admin=200, outsider=200)
ROSTER = every(403, city_admin=200, district_admin=200, agency_admin=200, erqi_admin=404, outsider=404, trainer=404)

ORG_LIST = {
    "city_admin": {"金水阳光社工中心", "金水馨和社工中心", "二七同心社工中心", "启明培训"},
    "district_admin": {"金水阳光社工中心", "金水馨和社工中心"},
    "erqi_admin": {"二七同心社工中心"},
    "agency_admin": {"金水阳光社工中心"},
    "supervisor": {"金水阳光社工中心"},
    "social_worker": {"金水阳光社工中心"},
    "outsider": {"二七同心社工中心"},
    "trainer": {"启明培训"},
    "association": {"金水阳光社工中心", "金水馨和社工中心", "二七同心社工中心", "启明培训"},
    "hrss": {"金水阳光社工中心", "金水馨和社工中心", "二七同心社工中心", "启明培训"},
    "finance": {"金水阳光社工中心", "金水馨和社工中心", "二七同心社工中心", "启明培训"},
}
PERSON_LIST = {
    **every({"督导甲", "社工乙"}),
    "erqi_admin": set(),
    "outsider": set(),
    "trainer": set(),
    "supervisor": {"督导甲"},
    "social_worker": {"社工乙"},
}


# --- organisations ----------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_organization_list_shows_only_the_personas_scope(world, login, persona):
    response = login(world.persona(persona)).get(reverse("directory:organization_list"))
    assert response.status_code == 200
    assert set(names(response)) == ORG_LIST[persona]
    for name in ORG_LIST["city_admin"] - ORG_LIST[persona]:
        assert name not in response.content.decode()


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_organization_detail(world, login, persona):
    response = login(world.persona(persona)).get(reverse("directory:organization_detail", args=[world.agency.pk]))
    assert response.status_code == ORG_DETAIL[persona]
    if response.status_code == 200:
        assert response.context["organization"] == world.agency
        assert response.context["can_edit"] == (ORG_EDIT[persona] == 200)
        assert response.context["can_import"] == (ROSTER[persona] == 200)
        # The staff table lists only the people the persona may see.
        staff_names = {p.name for p in response.context["staff"]}
        assert staff_names == PERSON_LIST[persona]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_organization_edit_page(world, login, persona):
    response = login(world.persona(persona)).get(reverse("directory:organization_edit", args=[world.agency.pk]))
    assert response.status_code == ORG_EDIT[persona]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_organization_edit_post(world, login, persona):
    org = world.agency
    url = reverse("directory:organization_edit", args=[org.pk])
    response = login(world.persona(persona)).post(url, org_data(org, contact_name="王五", reason="换联系人"))
    org.refresh_from_db()
    if ORG_EDIT[persona] == 200:
        assert response.status_code == 302
        assert response.url == reverse("directory:organization_detail", args=[org.pk])
        assert org.contact_name == "王五"
        entry = AuditEntry.objects.get(object_id=str(org.pk), action=AuditEntry.Action.UPDATE)
        assert entry.actor == world.persona(persona)
        assert entry.changes == {"contact_name": ["", "王五"]}
        assert entry.reason == "换联系人"
    else:
        assert response.status_code == ORG_EDIT[persona]
        assert org.contact_name == ""
        assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_organization_create(world, login, persona):
    client = login(world.persona(persona))
    url = reverse("directory:organization_create")
    assert client.get(url).status_code == ORG_CREATE[persona]
    jurisdiction = world.erqi if persona == "erqi_admin" else world.jinshui
    response = client.post(url, org_data(jurisdiction=jurisdiction.pk, address="花园路1号"))
    created = Organization.objects.filter(name="新建社工服务中心").first()
    if ORG_CREATE[persona] == 200:
        assert response.status_code == 302
        assert created is not None
        assert response.url == reverse("directory:organization_detail", args=[created.pk])
        assert created.jurisdiction == jurisdiction
        assert created.address == "花园路1号"
        assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, object_id=str(created.pk)).exists()
    else:
        assert response.status_code == 403
        assert created is None


def test_district_admin_cannot_create_an_organization_in_another_district(world, login):
    client = login(world.district_admin)
    response = client.post(reverse("directory:organization_create"), org_data(jurisdiction=world.erqi.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["jurisdiction"]
    assert not Organization.objects.filter(name="新建社工服务中心").exists()


def test_city_admin_may_create_an_organization_at_city_level(world, login):
    response = login(world.city_admin).post(
        reverse("directory:organization_create"), org_data(jurisdiction=world.city.pk)
    )
    assert response.status_code == 302
    assert Organization.objects.get(name="新建社工服务中心").jurisdiction == world.city


def test_wrong_credit_code_check_character_is_explained_and_nothing_is_written(world, login):
    good = credit_code(7, NEW_CODE_REGION)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    client = login(world.city_admin)
    response = client.post(
        reverse("directory:organization_create"), org_data(credit_code=bad, jurisdiction=world.jinshui.pk)
    )
    assert response.status_code == 200
    assert 'data-testid="error-credit_code"' in response.content.decode()
    assert zh("The check character of the unified social credit code is wrong.") in response.content.decode()
    assert not Organization.objects.filter(credit_code=bad).exists()
    assert not AuditEntry.objects.exists()


def test_credit_code_is_normalised_and_a_duplicate_is_refused(world, login):
    client = login(world.city_admin)
    good = credit_code(8, NEW_CODE_REGION)
    response = client.post(
        reverse("directory:organization_create"),
        org_data(credit_code=" " + good.lower() + " ", jurisdiction=world.jinshui.pk),
    )
    assert response.status_code == 302
    assert Organization.objects.filter(credit_code=good).count() == 1
    response = client.post(
        reverse("directory:organization_create"),
        org_data(name="重复机构", credit_code=world.agency.credit_code, jurisdiction=world.jinshui.pk),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["credit_code"]
    assert not Organization.objects.filter(name="重复机构").exists()


def test_missing_required_organization_fields_write_nothing(world, login):
    response = login(world.city_admin).post(reverse("directory:organization_create"), {"name": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert {"name", "credit_code", "type", "jurisdiction"} <= set(form.errors)
    assert Organization.objects.count() == 4


def test_edit_with_bad_credit_code_keeps_the_old_one(world, login):
    org = world.agency
    old = org.credit_code
    bad = old[:-1] + ("0" if old[-1] != "0" else "1")
    response = login(world.district_admin).post(
        reverse("directory:organization_edit", args=[org.pk]), org_data(org, credit_code=bad, name="改名")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["credit_code"]
    org.refresh_from_db()
    assert (org.credit_code, org.name) == (old, "金水阳光社工中心")


def test_district_admin_cannot_move_an_organization_out_of_the_district(world, login):
    org = world.agency
    response = login(world.district_admin).post(
        reverse("directory:organization_edit", args=[org.pk]), org_data(org, jurisdiction=world.erqi.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["jurisdiction"]
    org.refresh_from_db()
    assert org.jurisdiction == world.jinshui


def test_jinshui_admin_gets_404_for_erqi_records(world, login):
    erqi_person = staff(world.erqi_agency, name="二七员工")
    client = login(world.district_admin)
    pk = world.erqi_agency.pk
    for url in [
        reverse("directory:organization_detail", args=[pk]),
        reverse("directory:organization_edit", args=[pk]),
        reverse("directory:roster_import", args=[pk]),
        reverse("directory:roster_template", args=[pk]),
        reverse("directory:person_detail", args=[erqi_person.pk]),
        reverse("directory:person_edit", args=[erqi_person.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("directory:organization_archive", args=[pk]),
        reverse("directory:person_add_certificate", args=[erqi_person.pk]),
        reverse("directory:person_end_employment", args=[erqi_person.pk]),
    ]:
        assert client.post(url, {"reason": "x", "end_date": "2024-01-01"}).status_code == 404, url
    world.erqi_agency.refresh_from_db()
    assert world.erqi_agency.is_active
    assert Employment.objects.get(person=erqi_person).end_date is None


def test_a_missing_record_is_404_too(world, login):
    client = login(world.city_admin)
    assert client.get(reverse("directory:organization_detail", args=[999999])).status_code == 404
    assert client.get(reverse("directory:person_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_organization_archive(world, login, persona):
    org = world.other_agency_same_district
    url = reverse("directory:organization_archive", args=[org.pk])
    response = login(world.persona(persona)).post(url, {"reason": "停止运营"})
    org.refresh_from_db()
    if ORG_ARCHIVE[persona] == 200:
        assert response.status_code == 302
        assert response.url == reverse("directory:organization_detail", args=[org.pk])
        assert not org.is_active
        entry = AuditEntry.objects.get(action=AuditEntry.Action.ARCHIVE)
        assert (entry.actor, entry.reason) == (world.persona(persona), "停止运营")
    else:
        assert response.status_code == ORG_ARCHIVE[persona]
        assert org.is_active


def test_agency_admin_cannot_archive_or_edit_its_own_organization(world, login):
    client = login(world.agency_admin)
    org = world.agency
    assert client.post(reverse("directory:organization_archive", args=[org.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("directory:organization_edit", args=[org.pk]), org_data(org)).status_code == 403
    org.refresh_from_db()
    assert org.is_active


def test_archive_needs_a_reason_and_no_current_staff(world, login):
    client = login(world.city_admin)
    empty = world.other_agency_same_district
    response = client.post(reverse("directory:organization_archive", args=[empty.pk]), {"reason": ""}, follow=True)
    assert zh("Give a reason for archiving.") in response.content.decode()
    empty.refresh_from_db()
    assert empty.is_active

    busy = world.agency
    response = client.post(reverse("directory:organization_archive", args=[busy.pk]), {"reason": "x"}, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages
    busy.refresh_from_db()
    assert busy.is_active
    assert not AuditEntry.objects.exists()


def test_archive_is_post_only(world, login):
    response = login(world.city_admin).get(
        reverse("directory:organization_archive", args=[world.other_agency_same_district.pk])
    )
    assert response.status_code == 405


# --- people -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_person_list_shows_only_the_personas_scope(world, login, persona):
    response = login(world.persona(persona)).get(reverse("directory:person_list"))
    assert response.status_code == 200
    assert set(names(response)) == PERSON_LIST[persona]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_person_detail(world, login, persona):
    person = world.social_worker_person
    response = login(world.persona(persona)).get(reverse("directory:person_detail", args=[person.pk]))
    assert response.status_code == PERSON_DETAIL[persona]
    if response.status_code == 200:
        content = response.content.decode()
        may_edit = PERSON_EDIT[persona] == 200
        assert response.context["can_edit"] == may_edit
        # Full ID for those who manage the record and for the person themself.
        full = may_edit or persona == "social_worker"
        assert (person.id_number in content) == full
        assert (person.masked_id_number in content) == (not full)


def test_supervisor_sees_their_own_record_but_may_not_edit_it(world, login):
    person = world.supervisor_person
    client = login(world.supervisor)
    response = client.get(reverse("directory:person_detail", args=[person.pk]))
    assert response.status_code == 200
    assert person.id_number in response.content.decode()
    assert client.get(reverse("directory:person_edit", args=[person.pk])).status_code == 403
    response = client.post(reverse("directory:person_edit", args=[person.pk]), person_data(person, name="改名"))
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.name == "督导甲"


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_person_edit_page(world, login, persona):
    person = world.social_worker_person
    response = login(world.persona(persona)).get(reverse("directory:person_edit", args=[person.pk]))
    assert response.status_code == PERSON_EDIT[persona]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_person_edit_post(world, login, persona):
    person = world.social_worker_person
    url = reverse("directory:person_edit", args=[person.pk])
    domains = [ServiceDomain.objects.get(code="school").pk, ServiceDomain.objects.get(code="children").pk]
    response = login(world.persona(persona)).post(
        url, person_data(person, major="心理学", service_domains=domains, reason="核对")
    )
    person.refresh_from_db()
    if PERSON_EDIT[persona] == 200:
        assert response.status_code == 302
        assert response.url == reverse("directory:person_detail", args=[person.pk])
        assert person.major == "心理学"
        assert sorted(d.code for d in person.service_domains.all()) == ["children", "school"]
        entry = AuditEntry.objects.get(object_id=str(person.pk), action=AuditEntry.Action.UPDATE)
        assert entry.actor == world.persona(persona)
        assert entry.changes["major"][1] == "心理学"
    else:
        assert response.status_code == PERSON_EDIT[persona]
        assert person.major != "心理学"
        assert not person.service_domains.exists()


def test_person_edit_with_wrong_id_check_digit(world, login):
    person = world.social_worker_person
    old = person.id_number
    bad = old[:-1] + ("0" if old[-1] != "0" else "1")
    response = login(world.agency_admin).post(
        reverse("directory:person_edit", args=[person.pk]), person_data(person, id_number=bad, major="改")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="error-id_number"' in content
    assert zh("The check digit of the ID number is wrong.") in content
    person.refresh_from_db()
    assert (person.id_number, person.major) == (old, "")


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_person_create(world, login, persona):
    client = login(world.persona(persona))
    url = reverse("directory:person_create")
    assert client.get(url).status_code == PERSON_CREATE[persona]
    employer = world.erqi_agency if persona in {"erqi_admin", "outsider"} else world.agency
    data = person_data(
        employer=employer.pk,
        start_date="2022-02-01",
        position="督导",
        certificate_level=CertificateLevel.objects.get(code="senior").pk,
        certificate_number="S-0001",
        certificate_date="2021-12-01",
        reason="新入职",
    )
    response = client.post(url, data)
    created = Person.objects.with_id_number(data["id_number"]).first()
    if PERSON_CREATE[persona] == 200:
        assert response.status_code == 302
        assert created is not None
        assert response.url == reverse("directory:person_detail", args=[created.pk])
        employment = created.employments.get()
        assert (employment.organization, employment.end_date) == (employer, None)
        assert created.certificates.get().number == "S-0001"
        assert [d.code for d in created.service_domains.all()] == ["elderly"]
        entry = AuditEntry.objects.get(object_id=str(created.pk))
        assert (entry.action, entry.actor) == (AuditEntry.Action.CREATE, world.persona(persona))
    else:
        assert response.status_code == 403
        assert created is None


def test_person_create_prefills_the_employer_from_the_query(world, login):
    response = login(world.agency_admin).get(reverse("directory:person_create") + f"?organization={world.agency.pk}")
    assert response.status_code == 200
    assert str(response.context["form"].initial["employer"]) == str(world.agency.pk)


def test_person_create_with_wrong_id_check_digit_writes_nothing(world, login):
    good = id_number(5, NEW_ID_REGION)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = login(world.agency_admin).post(
        reverse("directory:person_create"),
        person_data(id_number=bad, employer=world.agency.pk, start_date="2022-01-01"),
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="error-id_number"' in content
    assert zh("The check digit of the ID number is wrong.") in content
    assert not Person.objects.filter(name="新员工").exists()
    assert Employment.objects.count() == 2
    assert not AuditEntry.objects.exists()


def test_person_create_refuses_an_employer_outside_the_scope(world, login):
    response = login(world.agency_admin).post(
        reverse("directory:person_create"),
        person_data(employer=world.other_agency_same_district.pk, start_date="2022-01-01"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["employer"]
    assert not Person.objects.filter(name="新员工").exists()


def test_person_create_with_half_a_certificate_is_refused(world, login):
    response = login(world.agency_admin).post(
        reverse("directory:person_create"),
        person_data(employer=world.agency.pk, start_date="2022-01-01", certificate_number="C-1"),
    )
    assert response.status_code == 200
    assert zh("A certificate needs its level, number and date.") in response.content.decode()
    assert not Person.objects.filter(name="新员工").exists()


def test_person_create_with_an_id_already_registered_is_refused(world, login):
    response = login(world.agency_admin).post(
        reverse("directory:person_create"),
        person_data(id_number=world.supervisor_person.id_number, employer=world.agency.pk, start_date="2022-01-01"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"]
    assert Person.objects.count() == 2


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_person_add_certificate(world, login, persona):
    person = world.social_worker_person
    url = reverse("directory:person_add_certificate", args=[person.pk])
    data = {"level": CertificateLevel.objects.get(code="assistant").pk, "number": "A-777", "issued_on": "2020-05-01"}
    response = login(world.persona(persona)).post(url, data)
    if PERSON_EDIT[persona] == 200:
        assert response.status_code == 302
        assert response.url == reverse("directory:person_detail", args=[person.pk])
        assert person.certificates.get().number == "A-777"
        assert AuditEntry.objects.get(object_id=str(person.pk)).actor == world.persona(persona)
    else:
        assert response.status_code == PERSON_EDIT[persona]
        assert not person.certificates.exists()


def test_add_certificate_with_bad_input_writes_nothing(world, login):
    person = world.social_worker_person
    client = login(world.agency_admin)
    url = reverse("directory:person_add_certificate", args=[person.pk])
    response = client.post(url, {"level": "", "number": "", "issued_on": "not a date"}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]]
    # A certificate number already held at that level.
    taken = world.supervisor_person.certificates.get()
    response = client.post(
        url, {"level": taken.level.pk, "number": taken.number, "issued_on": "2020-01-01"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]]
    assert not person.certificates.exists()
    assert Certificate.objects.count() == 1


def test_add_certificate_is_post_only(world, login):
    url = reverse("directory:person_add_certificate", args=[world.social_worker_person.pk])
    assert login(world.city_admin).get(url).status_code == 405


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_person_end_employment(world, login, persona):
    person = world.social_worker_person
    url = reverse("directory:person_end_employment", args=[person.pk])
    response = login(world.persona(persona)).post(url, {"end_date": "2024-06-30", "reason": "离职"})
    employment = person.employments.get()
    if PERSON_EDIT[persona] == 200:
        assert response.status_code == 302
        assert employment.end_date == dt.date(2024, 6, 30)
        # Back to the record while the persona still sees it, else to the list.
        from dudao.directory.selectors import people_for

        still_visible = people_for(world.persona(persona)).filter(pk=person.pk).exists()
        expected = (
            reverse("directory:person_detail", args=[person.pk]) if still_visible else reverse("directory:person_list")
        )
        assert response.url == expected
        assert AuditEntry.objects.get(object_id=str(person.pk)).reason == "离职"
    else:
        assert response.status_code == PERSON_EDIT[persona]
        assert employment.end_date is None


def test_district_admin_still_sees_a_person_between_jobs(world, login):
    person = world.social_worker_person
    client = login(world.district_admin)
    client.post(reverse("directory:person_end_employment", args=[person.pk]), {"end_date": "2024-06-30"})
    assert person.employments.get().end_date == dt.date(2024, 6, 30)
    assert client.get(reverse("directory:person_detail", args=[person.pk])).status_code == 200
    listing = client.get(reverse("directory:person_list"))
    assert person not in listing.context["object_list"], "the roster lists current staff by default"
    former = client.get(reverse("directory:person_list"), {"employment": "former"})
    assert list(former.context["object_list"]) == [person]
    # The agency the person left no longer sees them.
    assert login(world.agency_admin).get(reverse("directory:person_detail", args=[person.pk])).status_code == 404


def test_end_employment_before_it_started_is_refused(world, login):
    person = world.social_worker_person
    response = login(world.agency_admin).post(
        reverse("directory:person_end_employment", args=[person.pk]), {"end_date": "2000-01-01"}, follow=True
    )
    assert response.status_code == 200
    assert zh("The end date is before the start of the employment.") in response.content.decode()
    assert person.employments.get().end_date is None


# --- roster import --------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_roster_import_page_and_template(world, login, persona):
    client = login(world.persona(persona))
    pk = world.agency.pk
    response = client.get(reverse("directory:roster_import", args=[pk]))
    assert response.status_code == ROSTER[persona]
    response = client.get(reverse("directory:roster_template", args=[pk]))
    assert response.status_code == ROSTER[persona]
    if response.status_code == 200:
        assert response["Content-Type"] == XLSX_TYPE
        assert "attachment" in response["Content-Disposition"]
        wb = load_workbook(BytesIO(response.content))
        headers = [c.value for c in wb.worksheets[0][1]]
        with translation.override("zh-hans"):
            expected = [str(label) + ("*" if req else "") for _k, label, req in imports.COLUMNS]
        assert headers == expected


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_roster_import_post(world, login, persona):
    url = reverse("directory:roster_import", args=[world.agency.pk])
    upload = roster_file(
        [
            roster_row(1),
            roster_row(2, certificate_level="社会工作师", certificate_number="R-1", certificate_date="2020-01-01"),
        ]
    )
    response = login(world.persona(persona)).post(url, {"file": upload})
    if ROSTER[persona] == 200:
        assert response.status_code == 302
        assert response.url == url
        imported = Person.objects.filter(name__startswith="导入")
        assert imported.count() == 2
        assert all(p.employments.get().organization == world.agency for p in imported)
        assert Certificate.objects.filter(number="R-1").exists()
        assert AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT).count() == 3
        client = login(world.persona(persona))
        done = client.get(response.url)
        assert 'data-testid="import-done"' in done.content.decode()
        # The confirmation is shown once; a reload or a crafted URL does not repeat it.
        assert 'data-testid="import-done"' not in client.get(f"{url}?done=999").content.decode()
    else:
        assert response.status_code == ROSTER[persona]
        assert not Person.objects.filter(name__startswith="导入").exists()


def test_roster_import_file_which_template_came_from_imports_back(world, login):
    client = login(world.agency_admin)
    template = client.get(reverse("directory:roster_template", args=[world.agency.pk]))
    upload = BytesIO(template.content)
    upload.name = "template.xlsx"
    response = client.post(reverse("directory:roster_import", args=[world.agency.pk]), {"file": upload})
    assert response.status_code == 302
    assert Person.objects.filter(name="张三").exists()


def test_roster_import_with_a_bad_row_lists_it_and_writes_nothing(world, login):
    good = roster_row(1)
    bad_id = id_number(102, NEW_ID_REGION)
    bad = roster_row(2, id_number=bad_id[:-1] + ("0" if bad_id[-1] != "0" else "1"))
    upload = roster_file([good, bad, roster_row(3, education="小学")])
    response = login(world.agency_admin).post(
        reverse("directory:roster_import", args=[world.agency.pk]), {"file": upload}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="import-errors"' in content
    rows = sorted({e.row for e in response.context["errors"]})
    assert rows == [3, 4]
    assert zh("The check digit of the ID number is wrong.") in content
    assert not Person.objects.filter(name__startswith="导入").exists()
    assert not AuditEntry.objects.exists()


def test_roster_import_refuses_a_file_that_is_not_xlsx(world, login):
    upload = BytesIO(b"name,id\n")
    upload.name = "roster.csv"
    response = login(world.agency_admin).post(
        reverse("directory:roster_import", args=[world.agency.pk]), {"file": upload}
    )
    assert response.status_code == 200
    assert (
        zh("Upload an Excel workbook (.xlsx or .xls), for example one made from the template.")
        in response.content.decode()
    )
    assert Person.objects.count() == 2


def test_roster_import_without_a_file_shows_the_form_error(world, login):
    response = login(world.agency_admin).post(reverse("directory:roster_import", args=[world.agency.pk]), {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_roster_import_is_refused_for_an_archived_organization(world, login):
    org = world.other_agency_same_district
    Organization.objects.filter(pk=org.pk).update(is_active=False)
    assert login(world.city_admin).get(reverse("directory:roster_import", args=[org.pk])).status_code == 403


# --- list pages: filters, sorting, paging, htmx, export ----------------------------


def test_organization_list_filters(world, login):
    client = login(world.city_admin)
    url = reverse("directory:organization_list")
    assert set(names(client.get(url, {"jurisdiction": world.jinshui.pk}))) == {"金水阳光社工中心", "金水馨和社工中心"}
    assert set(names(client.get(url, {"jurisdiction": world.erqi.pk}))) == {"二七同心社工中心"}
    # The city contains every district.
    assert len(names(client.get(url, {"jurisdiction": world.city.pk}))) == 4
    trainer = OrganizationType.objects.get(code="trainer")
    assert names(client.get(url, {"type": trainer.pk})) == ["启明培训"]
    assert names(client.get(url, {"q": "阳光"})) == ["金水阳光社工中心"]
    assert names(client.get(url, {"q": world.erqi_agency.credit_code})) == ["二七同心社工中心"]
    assert names(client.get(url, {"q": "不存在"})) == []
    Organization.objects.filter(pk=world.other_agency_same_district.pk).update(is_active=False)
    assert names(client.get(url, {"is_active": "false"})) == ["金水馨和社工中心"]
    assert set(names(client.get(url, {"jurisdiction": world.jinshui.pk, "is_active": "true"}))) == {"金水阳光社工中心"}


def test_filters_do_not_widen_the_scope(world, login):
    client = login(world.district_admin)
    response = client.get(reverse("directory:organization_list"), {"jurisdiction": world.erqi.pk})
    assert response.status_code == 200
    assert names(response) == []
    staff(world.erqi_agency, name="二七员工")
    # The city is above the district admin's scope, so it is not offered; asking
    # for it anyway shows nobody rather than the whole city.
    response = client.get(reverse("directory:person_list"), {"jurisdiction": world.city.pk})
    assert response.status_code == 200
    assert names(response) == []
    assert world.city not in response.context["filter"].form.fields["jurisdiction"].queryset
    response = client.get(reverse("directory:person_list"), {"jurisdiction": world.jinshui.pk})
    assert set(names(response)) == {"督导甲", "社工乙"}


def test_an_invalid_filter_value_does_not_break_the_page(world, login):
    client = login(world.city_admin)
    for url in (reverse("directory:organization_list"), reverse("directory:person_list")):
        response = client.get(url, {"sort": "nonsense", "page": "x"})
        assert response.status_code == 200
        assert names(response)
        # A filter that cannot be applied shows no rows and says why; it never
        # falls back to the unfiltered list.
        response = client.get(url, {"jurisdiction": "abc", "q": "阳光"})
        assert response.status_code == 200
        assert names(response) == []
        assert 'data-testid="filter-error-jurisdiction"' in response.content.decode()
        assert xlsx_rows(client.get(url, {"jurisdiction": "abc", "export": "xlsx"}))[1:] == []


def test_person_list_filters(world, login):
    erqi_person = staff(world.erqi_agency, certified=True, name="二七督导")
    senior = CertificateLevel.objects.get(code="senior")
    CertificateFactory(person=world.social_worker_person, level=senior)
    world.social_worker_person.service_domains.set([ServiceDomain.objects.get(code="drug")])
    master = EducationLevel.objects.get(code="master")
    Person.objects.filter(pk=erqi_person.pk).update(education=master)
    left = staff(world.agency, name="已离职")
    Employment.objects.filter(person=left).update(end_date=dt.date(2023, 1, 1))
    rescope(left)

    client = login(world.city_admin)
    url = reverse("directory:person_list")
    everyone = set(names(client.get(url)))
    assert {"督导甲", "社工乙", "二七督导"} <= everyone
    # Whether a person between jobs stays listed is the selectors' call; the
    # filters below are about current employers and always leave them out.
    assert everyone <= {"督导甲", "社工乙", "二七督导", "已离职"}
    assert names(client.get(url, {"jurisdiction": world.erqi.pk})) == ["二七督导"]
    assert set(names(client.get(url, {"jurisdiction": world.jinshui.pk}))) == {"督导甲", "社工乙"}
    assert set(names(client.get(url, {"organization": world.agency.pk}))) == {"督导甲", "社工乙"}
    intermediate = CertificateLevel.objects.get(code="intermediate")
    assert set(names(client.get(url, {"certificate_level": intermediate.pk}))) == {"督导甲", "二七督导"}
    assert names(client.get(url, {"certificate_level": senior.pk})) == ["社工乙"]
    assert names(client.get(url, {"domain": ServiceDomain.objects.get(code="drug").pk})) == ["社工乙"]
    assert names(client.get(url, {"education": master.pk})) == ["二七督导"]
    assert set(names(client.get(url, {"q": "督导"}))) == {"二七督导", "督导甲"}
    assert names(client.get(url, {"q": world.supervisor_person.id_number.lower()})) == ["督导甲"]
    agency_type = OrganizationType.objects.get(code="agency")
    assert len(names(client.get(url, {"organization_type": agency_type.pk}))) == 3
    # Combined filters narrow each other.
    assert names(client.get(url, {"jurisdiction": world.jinshui.pk, "certificate_level": senior.pk})) == ["社工乙"]


def test_person_list_organization_filter_only_offers_organizations_in_scope(world, login):
    client = login(world.district_admin)
    url = reverse("directory:person_list")
    response = client.get(url, {"organization": world.erqi_agency.pk})
    assert response.status_code == 200
    choices = {o.pk for o in response.context["filter"].form.fields["organization"].queryset}
    assert world.erqi_agency.pk not in choices
    assert world.agency.pk in choices
    # Asking for an organisation outside the scope is an invalid filter: no
    # rows (not the whole unfiltered list), and the export is empty too.
    assert names(response) == []
    assert 'data-testid="filter-error-organization"' in response.content.decode()
    rows = xlsx_rows(client.get(url, {"organization": world.erqi_agency.pk, "export": "xlsx"}))
    assert rows[1:] == []


def _extra_orgs(world, count):
    return [
        OrganizationFactory(name=f"机构{i:02d}", jurisdiction=world.jinshui if i % 2 else world.erqi)
        for i in range(count)
    ]


def test_organization_list_sorting(world, login):
    _extra_orgs(world, 6)
    client = login(world.city_admin)
    url = reverse("directory:organization_list")
    ascending = names(client.get(url, {"sort": "name"}))
    descending = names(client.get(url, {"sort": "-name"}))
    assert ascending == list(Organization.objects.order_by("name", "pk").values_list("name", flat=True))
    assert descending == list(reversed(ascending))
    response = client.get(url, {"sort": "-name"})
    assert response.context["sort"] == "-name"
    # An unknown key falls back to the default, never to an arbitrary ORM lookup.
    response = client.get(url, {"sort": "credit_code"})
    assert response.status_code == 200
    assert response.context["sort"] == "name"
    # Grouped by district in the reference data's order (districts are loaded in that order).
    by_district = [o.jurisdiction.order for o in client.get(url, {"sort": "jurisdiction"}).context["object_list"]]
    assert by_district == sorted(by_district)


def test_person_list_sorting(world, login):
    for i in range(5):
        staff(world.agency, name=f"员工{i}", frontline_since=dt.date(2010 + i, 1, 1))
    client = login(world.city_admin)
    url = reverse("directory:person_list")
    ascending = names(client.get(url, {"sort": "name"}))
    assert ascending == list(Person.objects.order_by("name", "pk").values_list("name", flat=True))
    assert names(client.get(url, {"sort": "-name"})) == list(reversed(ascending))
    since = [p.frontline_since for p in client.get(url, {"sort": "-frontline"}).context["object_list"]]
    assert since == sorted(since, reverse=True)


def test_organization_list_paging(world, login):
    _extra_orgs(world, 30)  # 34 in all: 25 + 9
    client = login(world.city_admin)
    url = reverse("directory:organization_list")
    first = client.get(url, {"sort": "name"})
    second = client.get(url, {"sort": "name", "page": 2})
    assert len(first.context["object_list"]) == 25
    assert len(second.context["object_list"]) == 9
    assert first.context["page_obj"].total.value == 34
    assert not set(names(first)) & set(names(second))
    assert sorted(names(first) + names(second)) == sorted(Organization.objects.values_list("name", flat=True))
    # Paging keeps the filter and the sort in its links.
    assert "sort=name" in first.context["querystring"]
    assert "page=2" in first.content.decode()
    # Out-of-range and junk page numbers land on a real page.
    assert client.get(url, {"page": 99}).context["page_obj"].number == 2
    assert client.get(url, {"page": "x"}).context["page_obj"].number == 1


def test_person_list_paging_keeps_filters(world, login):
    for i in range(30):
        staff(world.agency, name=f"员工{i:02d}")
    client = login(world.city_admin)
    url = reverse("directory:person_list")
    response = client.get(url, {"organization": world.agency.pk, "page": 2})
    assert response.context["page_obj"].total.value == 32
    assert len(response.context["object_list"]) == 7
    assert f"organization={world.agency.pk}" in response.context["querystring"]


@pytest.mark.parametrize(
    "url_name,testid",
    [("directory:organization_list", "organization-table"), ("directory:person_list", "person-table")],
)
def test_htmx_request_gets_only_the_table(world, login, url_name, testid):
    client = login(world.city_admin)
    url = reverse(url_name)
    full = client.get(url)
    assert "<html" in full.content.decode()
    partial = client.get(url, {"q": "阳光"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    content = partial.content.decode()
    assert "<html" not in content
    assert f'data-testid="{testid}"' in content
    assert 'id="filter-form"' not in content
    # A boosted navigation is a full page.
    boosted = client.get(url, headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.content.decode()


def test_organization_export_has_the_filtered_rows(world, login):
    _extra_orgs(world, 30)
    client = login(world.city_admin)
    url = reverse("directory:organization_list")
    response = client.get(url, {"jurisdiction": world.jinshui.pk, "sort": "name", "export": "xlsx"})
    assert "attachment" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    expected = list(
        Organization.objects.filter(jurisdiction=world.jinshui)
        .order_by("name", "pk")
        .values_list("name", "credit_code")
    )
    # Every matching row, not only the first page.
    assert len(expected) > 10
    assert [(r[0], r[1]) for r in rows[1:]] == expected
    with translation.override("zh-hans"):
        assert rows[0][0] == gettext("Name")


def test_person_export_masks_id_numbers_for_hrss(world, login):
    url = reverse("directory:person_list")
    people = {p.name: p for p in Person.objects.all()}
    hrss_rows = xlsx_rows(login(world.hrss).get(url, {"export": "xlsx"}))[1:]
    assert {r[0] for r in hrss_rows} == {"督导甲", "社工乙"}
    for row in hrss_rows:
        assert row[1] == people[row[0]].masked_id_number
        assert row[1] != people[row[0]].id_number
        assert "*" in row[1]
    page = login(world.hrss).get(url).content.decode()
    for person in people.values():
        assert person.id_number not in page
        assert person.masked_id_number in page

    city_rows = xlsx_rows(login(world.city_admin).get(url, {"export": "xlsx"}))[1:]
    for row in city_rows:
        assert row[1] == people[row[0]].id_number


def test_person_export_follows_the_filter(world, login):
    staff(world.erqi_agency, certified=True, name="二七督导")
    intermediate = CertificateLevel.objects.get(code="intermediate")
    rows = xlsx_rows(
        login(world.city_admin).get(
            reverse("directory:person_list"), {"certificate_level": intermediate.pk, "export": "xlsx"}
        )
    )[1:]
    assert sorted(r[0] for r in rows) == sorted(["督导甲", "二七督导"])
    by_name = {r[0]: r for r in rows}
    assert by_name["二七督导"][5] == "二七同心社工中心"
    assert "社会工作师" in by_name["督导甲"][6]


def test_export_respects_the_scope(world, login):
    rows = xlsx_rows(login(world.outsider).get(reverse("directory:organization_list"), {"export": "xlsx"}))[1:]
    assert [r[0] for r in rows] == ["二七同心社工中心"]
    rows = xlsx_rows(login(world.outsider).get(reverse("directory:person_list"), {"export": "xlsx"}))[1:]
    assert rows == []


# --- query counts ---------------------------------------------------------------


def _grow_directory(world, count):
    """`count` more organisations in 金水区, each with a certified staff member
    who has two service domains."""
    domains = list(ServiceDomain.objects.filter(code__in=["elderly", "community"]))
    for _i in range(count):
        org = OrganizationFactory(jurisdiction=world.jinshui)
        person = staff(org, certified=True)
        person.service_domains.set(domains)


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["city_admin", "hrss"])
@pytest.mark.parametrize(
    "url_name,params",
    [
        ("directory:organization_list", {}),
        ("directory:organization_list", {"export": "xlsx"}),
        ("directory:organization_list", {"jurisdiction": "JINSHUI", "sort": "-name"}),
        ("directory:person_list", {}),
        ("directory:person_list", {"export": "xlsx"}),
        ("directory:person_list", {"domain": "ELDERLY", "sort": "-name"}),
    ],
)
def test_list_page_queries_do_not_grow_with_rows(world, login, persona, url_name, params):
    params = dict(params)
    if params.get("jurisdiction") == "JINSHUI":
        params["jurisdiction"] = world.jinshui.pk
    if params.get("domain") == "ELDERLY":
        params["domain"] = ServiceDomain.objects.get(code="elderly").pk
    client = login(world.persona(persona))
    url = reverse(url_name)
    _grow_directory(world, 3)  # 5 agencies in 金水区, 5 people there
    client.get(url, params)  # warm caches (content types, sessions)
    few = _queries(client, url, params)
    _grow_directory(world, 35)  # 40 of each: more than a page
    many = _queries(client, url, params)
    assert few == many


def test_detail_page_queries_do_not_grow_with_staff(world, login):
    client = login(world.city_admin)
    url = reverse("directory:organization_detail", args=[world.agency.pk])
    client.get(url)
    few = _queries(client, url)
    for _i in range(20):
        staff(world.agency, certified=True)
    assert _queries(client, url) == few


def test_list_page_stays_under_a_fixed_query_budget(world, login, django_assert_max_num_queries):
    _grow_directory(world, 40)
    client = login(world.city_admin)
    with django_assert_max_num_queries(20):
        client.get(reverse("directory:person_list"))
    with django_assert_max_num_queries(20):
        client.get(reverse("directory:organization_list"))


# --- anonymous ------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(world, client):
    org, person = world.agency.pk, world.social_worker_person.pk
    urls = [
        reverse("directory:organization_list"),
        reverse("directory:organization_create"),
        reverse("directory:organization_detail", args=[org]),
        reverse("directory:organization_edit", args=[org]),
        reverse("directory:roster_import", args=[org]),
        reverse("directory:roster_template", args=[org]),
        reverse("directory:person_list"),
        reverse("directory:person_create"),
        reverse("directory:person_detail", args=[person]),
        reverse("directory:person_edit", args=[person]),
    ]
    login_url = reverse("accounts:login")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(login_url + "?next="), url
    for url in [
        reverse("directory:organization_archive", args=[org]),
        reverse("directory:person_add_certificate", args=[person]),
        reverse("directory:person_end_employment", args=[person]),
    ]:
        response = client.post(url, {"reason": "x"})
        assert response.status_code == 302, url
        assert response.url.startswith(login_url)
    assert Organization.objects.filter(is_active=True).count() == 4
