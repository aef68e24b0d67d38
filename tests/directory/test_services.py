"""Every write to the directory goes through a service that checks permission,
validates, writes in one transaction and leaves an audit entry."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from dudao.core.models import AuditEntry
from dudao.directory import services
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

from ..factories import EmploymentFactory, credit_code, id_number

pytestmark = pytest.mark.django_db


def _entries_for(obj):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).order_by("id")


def _counts():
    return {
        model.__name__: model.objects.count() for model in (Organization, Person, Employment, Certificate, AuditEntry)
    }


def _org_fields(world, **overrides):
    fields = {
        "name": "金水新建社工中心",
        "credit_code": credit_code(900001),
        "type": OrganizationType.objects.get(code="agency"),
        "jurisdiction": world.jinshui,
        "address": "金水路1号",
        "contact_name": "王五",
        "contact_phone": "0371-60000000",
    }
    return fields | overrides


def _person_fields(world, **overrides):
    fields = {
        "name": "新社工",
        "id_number": id_number(777, birth=dt.date(1992, 3, 4)),
        "employer": world.agency,
        "start_date": dt.date(2023, 9, 1),
        "position": "一线社工",
        "education": EducationLevel.objects.get(code="master"),
        "major": "社会工作",
        "phone": "13900000000",
        "frontline_since": dt.date(2020, 7, 1),
    }
    return fields | overrides


# --- organisations -------------------------------------------------------------


def test_a_district_admin_creates_an_organisation_in_its_district_and_it_is_audited(world):
    org = services.create_organization(actor=world.district_admin, reason="新登记", **_org_fields(world))

    assert Organization.objects.get(pk=org.pk).jurisdiction == world.jinshui
    (entry,) = _entries_for(org)
    assert entry.actor == world.district_admin
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.reason == "新登记"
    assert entry.changes["name"] == [None, "金水新建社工中心"]
    assert entry.changes["credit_code"] == [None, credit_code(900001)]
    assert entry.changes["jurisdiction"] == [None, "金水区"]


def test_the_city_admin_may_create_an_organisation_in_any_district(world):
    org = services.create_organization(actor=world.city_admin, **_org_fields(world, jurisdiction=world.erqi))
    assert org.jurisdiction == world.erqi
    assert _entries_for(org).get().actor == world.city_admin


def test_a_lower_case_credit_code_is_stored_in_canonical_form(world):
    canonical = next(c for c in (credit_code(n) for n in range(900002, 900100)) if c[-1].isalpha())
    org = services.create_organization(
        actor=world.district_admin, **_org_fields(world, credit_code=f" {canonical.lower()} ")
    )
    assert org.credit_code == canonical


def test_a_district_admin_cannot_create_an_organisation_in_another_district(world):
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.create_organization(actor=world.district_admin, **_org_fields(world, jurisdiction=world.erqi))
    assert _counts() == before


@pytest.mark.parametrize(
    "persona", ["agency_admin", "supervisor", "social_worker", "trainer", "association", "hrss", "finance"]
)
def test_only_city_and_district_admins_may_create_organisations(world, persona):
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.create_organization(actor=world.persona(persona), **_org_fields(world))
    assert _counts() == before


def test_an_invalid_credit_code_raises_and_writes_nothing(world):
    bad = credit_code(900003)
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.create_organization(actor=world.district_admin, **_org_fields(world, credit_code=bad))
    assert "credit_code" in exc.value.message_dict
    assert _counts() == before


@pytest.mark.parametrize("missing", ["type", "jurisdiction", "name", "credit_code"])
def test_a_missing_required_field_is_a_validation_error_naming_the_field(world, missing):
    fields = _org_fields(world)
    del fields[missing]
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.create_organization(actor=world.city_admin, **fields)
    assert missing in exc.value.message_dict
    assert _counts() == before


def test_a_credit_code_already_registered_is_rejected(world):
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.create_organization(
            actor=world.district_admin, **_org_fields(world, credit_code=world.agency.credit_code)
        )
    assert "credit_code" in exc.value.message_dict
    assert _counts() == before


def test_updating_an_organisation_records_only_what_changed_and_why(world):
    old_name = world.agency.name
    services.update_organization(
        actor=world.district_admin, organization=world.agency, reason="更名", name="金水阳光社会工作服务中心"
    )

    world.agency.refresh_from_db()
    assert world.agency.name == "金水阳光社会工作服务中心"
    (entry,) = _entries_for(world.agency)
    assert entry.actor == world.district_admin
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.reason == "更名"
    assert entry.changes == {"name": [old_name, "金水阳光社会工作服务中心"]}


def test_an_update_that_changes_nothing_writes_no_audit_entry(world):
    services.update_organization(actor=world.district_admin, organization=world.agency, name=world.agency.name)
    assert not _entries_for(world.agency).exists()


def test_an_agency_admin_cannot_edit_its_own_organisation(world):
    with pytest.raises(PermissionDenied):
        services.update_organization(actor=world.agency_admin, organization=world.agency, name="改名")
    world.agency.refresh_from_db()
    assert world.agency.name == "金水阳光社工中心"
    assert not _entries_for(world.agency).exists()


def test_a_district_admin_cannot_edit_an_organisation_of_another_district(world):
    with pytest.raises(PermissionDenied):
        services.update_organization(actor=world.erqi_admin, organization=world.agency, name="改名")
    world.agency.refresh_from_db()
    assert world.agency.name == "金水阳光社工中心"


def test_a_district_admin_cannot_move_an_organisation_out_of_its_district(world):
    with pytest.raises(PermissionDenied):
        services.update_organization(actor=world.district_admin, organization=world.agency, jurisdiction=world.erqi)
    world.agency.refresh_from_db()
    assert world.agency.jurisdiction == world.jinshui
    assert not _entries_for(world.agency).exists()


def test_updating_an_organisation_with_an_invalid_credit_code_writes_nothing(world):
    with pytest.raises(ValidationError):
        services.update_organization(actor=world.city_admin, organization=world.agency, credit_code="123")
    world.agency.refresh_from_db()
    assert world.agency.credit_code != "123"
    assert not _entries_for(world.agency).exists()


def test_an_unknown_field_cannot_be_written_through_update(world):
    with pytest.raises(TypeError):
        services.update_organization(actor=world.city_admin, organization=world.agency, is_active=False)
    world.agency.refresh_from_db()
    assert world.agency.is_active


def test_archiving_an_organisation_needs_a_reason(world):
    with pytest.raises(ValidationError):
        services.archive_organization(
            actor=world.district_admin, organization=world.other_agency_same_district, reason="  "
        )
    world.other_agency_same_district.refresh_from_db()
    assert world.other_agency_same_district.is_active


def test_an_organisation_with_current_staff_cannot_be_archived(world):
    with pytest.raises(ValidationError):
        services.archive_organization(actor=world.district_admin, organization=world.agency, reason="注销")
    world.agency.refresh_from_db()
    assert world.agency.is_active
    assert not _entries_for(world.agency).exists()


def test_archiving_an_organisation_keeps_the_row_and_is_audited(world):
    org = world.other_agency_same_district
    services.archive_organization(actor=world.district_admin, organization=org, reason="机构注销")

    org.refresh_from_db()
    assert org.is_active is False
    (entry,) = _entries_for(org)
    assert entry.actor == world.district_admin
    assert entry.action == AuditEntry.Action.ARCHIVE
    assert entry.changes == {"is_active": [True, False]}
    assert entry.reason == "机构注销"


def test_an_agency_admin_cannot_archive_its_organisation(world):
    with pytest.raises(PermissionDenied):
        services.archive_organization(actor=world.agency_admin, organization=world.agency, reason="注销")


# --- people --------------------------------------------------------------------


def test_an_agency_admin_adds_a_staff_member_to_its_own_organisation_and_it_is_audited(world):
    domains = list(ServiceDomain.objects.filter(code__in=["elderly", "community"]))
    level = CertificateLevel.objects.get(code="assistant")
    person = services.create_person(
        actor=world.agency_admin,
        reason="新入职",
        service_domains=domains,
        certificates=[{"level": level, "number": "ZL2023001", "issued_on": dt.date(2023, 6, 1)}],
        **_person_fields(world),
    )

    person = Person.objects.get(pk=person.pk)
    assert person.name == "新社工"
    assert set(person.service_domains.all()) == set(domains)
    employment = person.employments.get()
    assert employment.organization == world.agency
    assert employment.end_date is None
    assert employment.position == "一线社工"
    assert person.certificates.get().number == "ZL2023001"

    (entry,) = _entries_for(person)
    assert entry.actor == world.agency_admin
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.reason == "新入职"
    assert entry.changes["name"] == [None, "新社工"]
    # The audit log keeps the number masked, never in clear.
    assert entry.changes["id_number"] == [None, person.masked_id_number]
    assert entry.changes["employer"] == [None, world.agency.name]
    assert entry.changes["certificates"] == [None, ["助理社会工作师 ZL2023001"]]
    assert sorted(entry.changes["service_domains"][1]) == sorted(d.name for d in domains)


def test_a_lower_case_x_in_a_new_id_number_is_stored_upper_case(world):
    for seq in range(1000):
        value = id_number(seq, birth=dt.date(1993, 1, 1))
        if value.endswith("X"):
            break
    person = services.create_person(actor=world.agency_admin, **_person_fields(world, id_number=value.lower()))
    assert person.id_number == value


def test_a_district_admin_may_add_staff_to_any_agency_of_its_district(world):
    person = services.create_person(
        actor=world.district_admin, **_person_fields(world, employer=world.other_agency_same_district)
    )
    assert person.employments.get().organization == world.other_agency_same_district


@pytest.mark.parametrize(
    ("persona", "employer"),
    [
        ("agency_admin", "other_agency_same_district"),
        ("agency_admin", "erqi_agency"),
        ("outsider", "agency"),
        ("district_admin", "erqi_agency"),
        ("supervisor", "agency"),
        ("social_worker", "agency"),
        ("trainer", "agency"),
        ("hrss", "agency"),
        ("finance", "agency"),
        ("association", "agency"),
    ],
)
def test_staff_can_only_be_added_to_an_organisation_the_actor_manages(world, persona, employer):
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.create_person(actor=world.persona(persona), **_person_fields(world, employer=getattr(world, employer)))
    assert _counts() == before


def test_an_invalid_id_number_raises_and_writes_nothing(world):
    good = id_number(778)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.create_person(actor=world.agency_admin, **_person_fields(world, id_number=bad))
    assert "id_number" in exc.value.message_dict
    assert _counts() == before
    assert not Person.objects.with_id_number(bad).exists()


def test_an_id_number_already_on_the_platform_is_rejected(world):
    before = _counts()
    with pytest.raises(ValidationError):
        services.create_person(
            actor=world.agency_admin, **_person_fields(world, id_number=world.supervisor_person.id_number)
        )
    assert _counts() == before


def test_a_bad_certificate_rolls_back_the_whole_new_person(world):
    taken = world.supervisor_person.certificates.get()
    before = _counts()
    with pytest.raises(ValidationError):
        services.create_person(
            actor=world.agency_admin,
            certificates=[{"level": taken.level, "number": taken.number, "issued_on": dt.date(2022, 1, 1)}],
            **_person_fields(world),
        )
    assert _counts() == before


def test_updating_a_person_records_the_changes_and_the_reason(world):
    person = world.social_worker_person
    old_phone = person.phone
    elderly = ServiceDomain.objects.get(code="elderly")
    services.update_person(
        actor=world.agency_admin, person=person, reason="更正", phone="13711112222", service_domains=[elderly]
    )

    person.refresh_from_db()
    assert person.phone == "13711112222"
    assert list(person.service_domains.all()) == [elderly]
    (entry,) = _entries_for(person)
    assert entry.actor == world.agency_admin
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.reason == "更正"
    assert entry.changes == {"phone": [old_phone, "***2222"], "service_domains": [[], ["养老"]]}


def test_updating_a_person_with_nothing_changed_writes_no_entry(world):
    services.update_person(actor=world.agency_admin, person=world.social_worker_person, name="社工乙")
    assert not _entries_for(world.social_worker_person).exists()


@pytest.mark.parametrize("persona", ["outsider", "erqi_admin", "trainer", "hrss", "social_worker"])
def test_a_person_can_only_be_updated_by_someone_who_manages_them(world, persona):
    with pytest.raises(PermissionDenied):
        services.update_person(actor=world.persona(persona), person=world.supervisor_person, phone="1")
    world.supervisor_person.refresh_from_db()
    assert world.supervisor_person.phone != "1"


def test_updating_a_person_with_an_invalid_id_number_writes_nothing(world):
    person = world.social_worker_person
    old = person.id_number
    with pytest.raises(ValidationError):
        services.update_person(actor=world.agency_admin, person=person, id_number=old[:-1] + "Y")
    person.refresh_from_db()
    assert person.id_number == old
    assert not _entries_for(person).exists()


def test_adding_a_certificate_is_audited(world):
    person = world.social_worker_person
    level = CertificateLevel.objects.get(code="assistant")
    certificate = services.add_certificate(
        actor=world.agency_admin,
        person=person,
        level=level,
        number=" ZL2024009 ",
        issued_on=dt.date(2024, 6, 1),
        reason="新取证",
    )

    assert certificate.number == "ZL2024009"
    assert list(person.certificates.all()) == [certificate]
    (entry,) = _entries_for(person)
    assert entry.actor == world.agency_admin
    assert entry.reason == "新取证"
    assert entry.changes == {"certificates": [None, "助理社会工作师 ZL2024009 (2024-06-01)"]}


def test_a_certificate_number_already_registered_at_that_level_is_rejected(world):
    taken = world.supervisor_person.certificates.get()
    with pytest.raises(ValidationError):
        services.add_certificate(
            actor=world.agency_admin,
            person=world.social_worker_person,
            level=taken.level,
            number=taken.number,
            issued_on=dt.date(2024, 1, 1),
        )
    assert not world.social_worker_person.certificates.exists()
    assert not _entries_for(world.social_worker_person).exists()


def test_an_outsider_cannot_add_a_certificate_to_someone_elses_staff(world):
    with pytest.raises(PermissionDenied):
        services.add_certificate(
            actor=world.outsider,
            person=world.social_worker_person,
            level=CertificateLevel.objects.get(code="assistant"),
            number="X1",
            issued_on=dt.date(2024, 1, 1),
        )
    assert not world.social_worker_person.certificates.exists()


def test_ending_an_employment_is_audited(world):
    person = world.social_worker_person
    employment = services.end_employment(
        actor=world.agency_admin, person=person, end_date=dt.date(2024, 12, 31), reason="离职"
    )

    assert Employment.objects.get(pk=employment.pk).end_date == dt.date(2024, 12, 31)
    assert not person.employments.filter(end_date=None).exists()
    (entry,) = _entries_for(person)
    assert entry.actor == world.agency_admin
    assert entry.reason == "离职"
    assert entry.changes == {
        "employment": [
            f"{world.agency.name} 2018-01-01–",
            f"{world.agency.name} 2018-01-01–2024-12-31",
        ]
    }


def test_an_employment_cannot_end_before_it_started(world):
    with pytest.raises(ValidationError):
        services.end_employment(
            actor=world.agency_admin, person=world.social_worker_person, end_date=dt.date(2017, 12, 31)
        )
    assert world.social_worker_person.employments.get().end_date is None


def test_ending_an_employment_of_someone_with_no_employer_is_an_error(world):
    services.end_employment(actor=world.district_admin, person=world.social_worker_person, end_date=dt.date(2024, 1, 1))
    with pytest.raises(ValidationError):
        services.end_employment(
            actor=world.district_admin, person=world.social_worker_person, end_date=dt.date(2024, 2, 1)
        )


def test_an_outsider_cannot_end_another_agencys_employment(world):
    with pytest.raises(PermissionDenied):
        services.end_employment(actor=world.outsider, person=world.social_worker_person, end_date=dt.date(2024, 1, 1))
    assert world.social_worker_person.employments.get().end_date is None


def test_starting_a_new_employment_after_the_old_one_ended_is_audited(world):
    person = world.social_worker_person
    services.end_employment(actor=world.district_admin, person=person, end_date=dt.date(2024, 6, 30))
    employment = services.start_employment(
        actor=world.district_admin,
        person=person,
        organization=world.other_agency_same_district,
        start_date=dt.date(2024, 7, 1),
        position="督导助理",
        reason="转入",
    )

    current = person.employments.get(end_date=None)
    assert current == employment
    assert current.organization == world.other_agency_same_district
    assert person.employments.count() == 2
    entry = _entries_for(person).last()
    assert entry.actor == world.district_admin
    assert entry.reason == "转入"
    assert entry.changes == {"employment": [None, f"{world.other_agency_same_district.name} 2024-07-01–"]}


def test_a_person_can_have_only_one_current_employer(world):
    person = world.social_worker_person
    with pytest.raises(ValidationError):
        services.start_employment(
            actor=world.district_admin,
            person=person,
            organization=world.other_agency_same_district,
            start_date=dt.date(2024, 7, 1),
        )
    assert person.employments.filter(end_date=None).count() == 1
    assert not _entries_for(person).exists()


def test_the_database_refuses_a_second_current_employment(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        EmploymentFactory(person=world.social_worker_person, organization=world.other_agency_same_district)
    assert world.social_worker_person.employments.filter(end_date=None).count() == 1


def test_a_new_employment_must_start_after_the_previous_one_ended(world):
    person = world.social_worker_person
    services.end_employment(actor=world.district_admin, person=person, end_date=dt.date(2024, 6, 30))
    with pytest.raises(ValidationError):
        services.start_employment(
            actor=world.district_admin,
            person=person,
            organization=world.other_agency_same_district,
            start_date=dt.date(2024, 6, 30),
        )
    assert not person.employments.filter(end_date=None).exists()


def test_an_agency_admin_can_only_start_employments_in_its_own_organisation(world):
    person = world.social_worker_person
    services.end_employment(actor=world.agency_admin, person=person, end_date=dt.date(2024, 6, 30))
    with pytest.raises(PermissionDenied):
        services.start_employment(
            actor=world.agency_admin,
            person=person,
            organization=world.other_agency_same_district,
            start_date=dt.date(2024, 7, 1),
        )
    assert not person.employments.filter(end_date=None).exists()
    # Its own organisation is fine.
    services.start_employment(
        actor=world.agency_admin, person=person, organization=world.agency, start_date=dt.date(2024, 7, 1)
    )
    assert person.employments.get(end_date=None).organization == world.agency


def test_staff_cannot_be_added_to_an_archived_organisation(world):
    org = world.other_agency_same_district
    services.archive_organization(actor=world.district_admin, organization=org, reason="注销")
    with pytest.raises(PermissionDenied):
        services.create_person(actor=world.district_admin, **_person_fields(world, employer=org))
