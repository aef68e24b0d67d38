"""The directory's pages, persona by persona.

Each page is checked for every persona: the roles that may use it get it (and
a successful POST really changes the record), a record outside the persona's
scope is a 404, and a record inside the scope that the persona may only read
is a 403. List pages are checked for filters, sorting, paging, the htmx
partial, the Excel export and a query count that does not grow with rows.
"""

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from dudao.core.excel import XLSX_TYPE
from dudao.core.models import AuditEntry
from dudao.directory import imports
from dudao.directory.models import (
    Certificate,
    CertificateLevel,
    Employment,
    Organization,
    Person,
    ServiceDomain,
)
from tests.conftest import ALL_PERSONAS
from tests.excel import roster_file
from tests.factories import credit_code, id_number, staff

from .pages import (
    NEW_CODE_REGION,
    NEW_ID_REGION,
    ORG_ARCHIVE,
    ORG_CREATE,
    ORG_DETAIL,
    ORG_EDIT,
    ORG_LIST,
    PERSON_CREATE,
    PERSON_DETAIL,
    PERSON_EDIT,
    PERSON_LIST,
    ROSTER,
    names,
    org_data,
    person_data,
    roster_row,
    zh,
)

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
        # The upload previews; the confirmation writes.
        assert response.status_code == 200
        assert not Person.objects.filter(name__startswith="导入").exists()
        plan = response.context["plan"]
        assert [r["name"] for r in plan.added] == ["导入1", "导入2"]
        response = login(world.persona(persona)).post(url, {"action": "confirm", "digest": plan.digest})
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
    url = reverse("directory:roster_import", args=[world.agency.pk])
    preview = client.post(url, {"file": upload})
    response = client.post(url, {"action": "confirm", "digest": preview.context["plan"].digest})
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
