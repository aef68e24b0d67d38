"""A social worker who left one unit joins another: the platform keeps one
record per person, so the new unit attaches the existing record rather than
creating a second one (by the roster import or the add-a-person form)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from dudao.directory import services
from dudao.directory.imports import ImportRejected, import_roster
from dudao.directory.models import CertificateLevel, Person, ServiceDomain

from .test_imports import TODAY, _row, _xlsx


def _left(world, person, on=dt.date(2024, 12, 31)):
    services.end_employment(actor=world.district_admin, person=person, end_date=on)
    person.refresh_from_db()
    return person


def test_a_person_who_left_one_agency_is_imported_by_another_onto_the_same_record(world):
    person = _left(world, world.social_worker_person)
    before = Person.objects.count()
    row = _row(1, name=person.name, id_number=person.id_number, start_date="2025-03-01", certificate_number="T1")
    count = import_roster(actor=world.outsider, organization=world.erqi_agency, upload=_xlsx([row]), today=TODAY)
    assert count == 1
    assert Person.objects.count() == before
    current = person.employments.get(end_date=None)
    assert current.organization == world.erqi_agency and current.start_date == dt.date(2025, 3, 1)
    assert person.certificates.filter(number="T1").exists()
    assert set(person.service_domains.values_list("name", flat=True)) >= {"养老", "社区"}


def test_importing_someone_still_employed_elsewhere_is_refused_without_naming_the_other_unit(world):
    person = world.social_worker_person
    row = _row(1, name=person.name, id_number=person.id_number)
    with pytest.raises(ImportRejected) as exc, translation.override("en"):
        import_roster(actor=world.outsider, organization=world.erqi_agency, upload=_xlsx([row]), today=TODAY)
    message = exc.value.errors[0].message
    assert exc.value.errors[0].row == 2
    assert "still employed by another unit" in message
    assert world.agency.name not in message
    assert person.employments.filter(end_date=None).get().organization == world.agency


def test_an_existing_id_number_under_another_name_is_refused(world):
    person = _left(world, world.social_worker_person)
    row = _row(1, name="冒名者", id_number=person.id_number, start_date="2025-03-01")
    with pytest.raises(ImportRejected) as exc, translation.override("en"):
        import_roster(actor=world.outsider, organization=world.erqi_agency, upload=_xlsx([row]), today=TODAY)
    assert "different name" in exc.value.errors[0].message
    assert not person.employments.filter(end_date=None).exists()


def test_a_transfer_must_start_after_the_previous_employment_ended(world):
    person = _left(world, world.social_worker_person, on=dt.date(2025, 5, 1))
    row = _row(1, name=person.name, id_number=person.id_number, start_date="2025-04-01")
    with pytest.raises(ImportRejected) as exc, translation.override("en"):
        import_roster(actor=world.outsider, organization=world.erqi_agency, upload=_xlsx([row]), today=TODAY)
    assert "after the previous one ended" in exc.value.errors[0].message


def test_the_add_a_person_service_attaches_an_existing_person_between_jobs(world):
    person = _left(world, world.social_worker_person)
    level = CertificateLevel.objects.get(code="assistant")
    result = services.create_person(
        actor=world.outsider,
        name=person.name,
        id_number=person.id_number.lower(),
        employer=world.erqi_agency,
        start_date=dt.date(2025, 2, 1),
        service_domains=[ServiceDomain.objects.get(code="school")],
        certificates=[{"level": level, "number": "NEW-1", "issued_on": dt.date(2024, 1, 1)}],
    )
    assert result.pk == person.pk
    assert person.employments.get(end_date=None).organization == world.erqi_agency
    assert person.certificates.filter(number="NEW-1").exists()


def test_the_add_a_person_service_refuses_someone_still_employed_elsewhere(world):
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        services.create_person(
            actor=world.outsider,
            name=world.social_worker_person.name,
            id_number=world.social_worker_person.id_number,
            employer=world.erqi_agency,
            start_date=dt.date(2025, 2, 1),
        )
    assert "still employed" in str(exc.value)


def test_services_refuse_future_dates_like_the_import_does(world):
    with pytest.raises(ValidationError) as exc:
        services.add_certificate(
            actor=world.agency_admin,
            person=world.social_worker_person,
            level=CertificateLevel.objects.get(code="assistant"),
            number="FUT-1",
            issued_on=timezone.localdate() + dt.timedelta(days=3),
        )
    assert "issued_on" in exc.value.message_dict
    assert not world.social_worker_person.certificates.filter(number="FUT-1").exists()


def test_a_district_admin_records_a_disciplinary_action_that_the_agency_cannot_hide(world, login):
    from dudao.directory.models import DisciplinaryRecord

    person = world.social_worker_person
    url = f"/directory/people/{person.pk}/discipline/"
    response = login(world.district_admin).post(
        url, {"decided_on": "2025-01-10", "description": "通报批评", "authority": "金水区民政局"}
    )
    assert response.status_code == 302
    assert DisciplinaryRecord.objects.get(person=person).description == "通报批评"
    assert login(world.hrss).post(url, {"decided_on": "2025-01-10", "description": "x"}).status_code == 403
    assert login(world.outsider).post(url, {"decided_on": "2025-01-10", "description": "x"}).status_code == 404
    assert DisciplinaryRecord.objects.filter(person=person).count() == 1
    page = login(world.district_admin).get(f"/directory/people/{person.pk}/")
    assert "通报批评" in page.content.decode()
