"""Every write to the directory. Each function takes the acting user, checks
that the user may do it, runs in one transaction and leaves an audit entry."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dudao.core import audit
from dudao.core.validators import (
    birth_date_from_id,
    clean_text,
    mask_id_number,
    normalize_code,
    normalize_phone,
    validate_past_date,
)

from . import signals
from .models import Certificate, DisciplinaryRecord, Employment, Organization, Person
from .permissions import can_create_organizations, can_manage_organization, can_manage_person
from .scoping import organization_moved, refresh_person
from .selectors import employer_choices

ORGANIZATION_FIELDS = ("name", "credit_code", "type", "jurisdiction", "address", "contact_name", "contact_phone")
ORGANIZATION_FOREIGN_KEYS = ("type", "jurisdiction")
PERSON_FIELDS = ("name", "id_number", "education", "major", "phone", "frontline_since")


def _person_snapshot(person: Person) -> dict:
    """What the audit log keeps of a person: ID and phone numbers masked, so
    the log (which the city reads whole and exports) holds no number in clear.
    A change of number still shows, as a change of its masked form or of "***"."""
    values = audit.snapshot(person, PERSON_FIELDS)
    values["id_number"] = mask_id_number(values["id_number"]) if values["id_number"] else ""
    values["phone"] = f"***{values['phone'][-4:]}" if values["phone"] else ""
    return values


def _full_clean(instance, exclude=None):
    instance.full_clean(exclude=exclude)


def _save_new(instance, field: str, message: str) -> None:
    """Insert a row whose unique `field` was checked free a moment ago: an
    identical request that got there first is a refusal on that field, not a
    server error."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ValidationError({field: message}) from None


def _past(field: str, value: dt.date | None, id_number: str | None = None) -> None:
    """Records describe what has happened: not in the future, not before 1900,
    and not before the person's birth (read from the ID number)."""
    born = birth_date_from_id(normalize_code(id_number)) if id_number else None
    validate_past_date(value, field=field, born=born)


def _reason(reason: str) -> str:
    return clean_text(reason, field="reason", multiline=True, max_length=500)


@transaction.atomic
def create_organization(*, actor, reason: str = "", **fields) -> Organization:
    if not can_create_organizations(actor):
        raise PermissionDenied
    reason = _reason(reason)
    fields["credit_code"] = normalize_code(fields.get("credit_code", ""))
    fields["contact_phone"] = normalize_phone(fields.get("contact_phone", ""))
    # A missing foreign key must reach full_clean() as None (a "required"
    # ValidationError), not as "" (a ValueError from the descriptor).
    organization = Organization(
        **{k: fields.get(k, None if k in ORGANIZATION_FOREIGN_KEYS else "") for k in ORGANIZATION_FIELDS}
    )
    _full_clean(organization)
    if not can_manage_organization(actor, organization):
        raise PermissionDenied(_("You may only add organisations in your own jurisdiction."))
    _save_new(
        organization, "credit_code", _("An organisation with this credit code was registered at the same moment.")
    )
    audit.record(
        actor=actor,
        event="directory.organization_created",
        obj=organization,
        changes=audit.diff({}, audit.snapshot(organization, ORGANIZATION_FIELDS)),
        reason=reason,
    )
    return organization


@transaction.atomic
def update_organization(*, actor, organization: Organization, reason: str = "", **fields) -> Organization:
    organization = (
        Organization.objects.select_for_update(of=("self",)).select_related("jurisdiction").get(pk=organization.pk)
    )
    if not can_manage_organization(actor, organization):
        raise PermissionDenied
    reason = _reason(reason)
    before = audit.snapshot(organization, ORGANIZATION_FIELDS)
    jurisdiction_before = organization.jurisdiction_id
    if "credit_code" in fields:
        fields["credit_code"] = normalize_code(fields["credit_code"])
    if "contact_phone" in fields:
        fields["contact_phone"] = normalize_phone(fields["contact_phone"])
    for key, value in fields.items():
        if key not in ORGANIZATION_FIELDS:
            raise TypeError(key)
        setattr(organization, key, value)
    _full_clean(organization)
    if not can_manage_organization(actor, organization):
        raise PermissionDenied(_("You may not move an organisation out of your jurisdiction."))
    organization.save()
    if organization.jurisdiction_id != jurisdiction_before:
        organization_moved(organization)
    changes = audit.diff(before, audit.snapshot(organization, ORGANIZATION_FIELDS))
    if changes:
        audit.record(
            actor=actor, event="directory.organization_updated", obj=organization, changes=changes, reason=reason
        )
    return organization


@transaction.atomic
def archive_organization(*, actor, organization: Organization, reason: str) -> Organization:
    organization = (
        Organization.objects.select_for_update(of=("self",)).select_related("jurisdiction").get(pk=organization.pk)
    )
    if not can_manage_organization(actor, organization):
        raise PermissionDenied
    reason = _reason(reason)
    if not reason:
        raise ValidationError({"reason": _("Give a reason for archiving.")})
    if organization.employments.filter(end_date=None).exists():
        raise ValidationError(_("End the current employments of this organisation's staff before archiving it."))
    organization.is_active = False
    organization.save(update_fields=["is_active", "updated_at"])
    audit.record(
        actor=actor,
        event="directory.organization_archived",
        obj=organization,
        changes={"is_active": [True, False]},
        reason=reason,
    )
    return organization


def _check_employer(actor, organization: Organization):
    if not employer_choices(actor).filter(pk=organization.pk).exists():
        raise PermissionDenied(_("You may only add staff to organisations you manage."))


@transaction.atomic
def create_person(
    *,
    actor,
    name: str,
    id_number: str,
    employer: Organization,
    start_date: dt.date,
    position: str = "",
    education=None,
    major: str = "",
    phone: str = "",
    frontline_since: dt.date | None = None,
    service_domains=(),
    certificates=(),
    reason: str = "",
) -> Person:
    _check_employer(actor, employer)
    reason = _reason(reason)
    _past("start_date", start_date, id_number)
    _past("frontline_since", frontline_since, id_number)
    for cert in certificates:
        _past("certificate_date", cert.get("issued_on"), id_number)
    phone = normalize_phone(phone)
    existing = Person.objects.select_for_update().with_id_number(normalize_code(id_number)).first()
    if existing is not None:
        return _transfer(
            actor, existing, name.strip(), employer, start_date, position, service_domains, certificates, reason
        )
    person = Person(
        name=name.strip(),
        id_number=normalize_code(id_number),
        education=education,
        major=major,
        phone=phone,
        frontline_since=frontline_since,
    )
    _full_clean(person)
    _save_new(person, "id_number", _("A person with this ID number was registered at the same moment."))
    person.service_domains.set(service_domains)
    employment = Employment(person=person, organization=employer, start_date=start_date, position=position)
    _full_clean(employment)
    employment.save()
    refresh_person(person)
    for cert in certificates:
        certificate = Certificate(person=person, **cert)
        _full_clean(certificate)
        certificate.save()
    changes = audit.diff({}, _person_snapshot(person))
    changes["service_domains"] = [None, [str(d) for d in service_domains]]
    changes["employer"] = [None, str(employer)]
    if certificates:
        changes["certificates"] = [None, [f"{c['level']} {c['number']}" for c in certificates]]
    audit.record(actor=actor, event="directory.person_created", obj=person, changes=changes, reason=reason)
    return person


@transaction.atomic
def update_person(*, actor, person: Person, service_domains=None, reason: str = "", **fields) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not can_manage_person(actor, person):
        raise PermissionDenied
    reason = _reason(reason)
    before = _person_snapshot(person)
    before_domains = sorted(str(d) for d in person.service_domains.all())
    if "id_number" in fields:
        fields["id_number"] = normalize_code(fields["id_number"])
    if "phone" in fields:
        fields["phone"] = normalize_phone(fields["phone"])
    for key, value in fields.items():
        if key not in PERSON_FIELDS:
            raise TypeError(key)
        setattr(person, key, value)
    _full_clean(person)
    # After the ID number is known good: a new one moves the birth date the practice must follow.
    _past("frontline_since", person.frontline_since, person.id_number)
    person.save()
    changes = audit.diff(before, _person_snapshot(person))
    if "name" in changes:
        signals.person_renamed.send(sender=Person, person=person)
    if service_domains is not None:
        person.service_domains.set(service_domains)
        after_domains = sorted(str(d) for d in service_domains)
        if after_domains != before_domains:
            changes["service_domains"] = [before_domains, after_domains]
    if changes:
        audit.record(actor=actor, event="directory.person_updated", obj=person, changes=changes, reason=reason)
    return person


@transaction.atomic
def add_certificate(*, actor, person: Person, level, number: str, issued_on: dt.date, reason: str = "") -> Certificate:
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not can_manage_person(actor, person):
        raise PermissionDenied
    reason = _reason(reason)
    _past("issued_on", issued_on, person.id_number)
    certificate = Certificate(person=person, level=level, number=number.strip(), issued_on=issued_on)
    _full_clean(certificate)
    certificate.save()
    audit.record(
        actor=actor,
        event="directory.certificate_added",
        obj=person,
        changes={"certificates": [None, f"{level} {certificate.number} ({issued_on})"]},
        reason=reason,
    )
    return certificate


@transaction.atomic
def end_employment(*, actor, person: Person, end_date: dt.date, reason: str = "") -> Employment:
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not can_manage_person(actor, person):
        raise PermissionDenied
    reason = _reason(reason)
    employment = person.employments.filter(end_date=None).first()
    if employment is None:
        raise ValidationError(_("This person has no current employer."))
    _past("end_date", end_date, person.id_number)
    if end_date < employment.start_date:
        raise ValidationError({"end_date": _("The end date is before the start of the employment.")})
    employment.end_date = end_date
    employment.save(update_fields=["end_date", "updated_at"])
    refresh_person(person)
    audit.record(
        actor=actor,
        event="directory.employment_ended",
        obj=person,
        changes={
            "employment": [
                f"{employment.organization} {employment.start_date}–",
                f"{employment.organization} {employment.start_date}–{end_date}",
            ]
        },
        reason=reason,
    )
    return employment


def _transfer(actor, person, name, employer, start_date, position, service_domains, certificates, reason) -> Person:
    """An existing person between jobs joins `employer`: a new employment, plus
    any certificates and domains not yet on their record."""
    problem = transfer_problem(person, name, start_date)
    if problem:
        raise ValidationError({"id_number": f"{person.id_number}: {problem}"})
    employment = Employment(person=person, organization=employer, start_date=start_date, position=position)
    _full_clean(employment)
    employment.save()
    refresh_person(person)
    person.service_domains.add(*service_domains)
    held = set(person.certificates.values_list("level_id", "number"))
    for cert in certificates:
        if (cert["level"].pk, cert["number"]) in held:
            continue
        certificate = Certificate(person=person, **cert)
        _full_clean(certificate)
        certificate.save()
    audit.record(
        actor=actor,
        event="directory.employment_started",
        obj=person,
        changes={"employment": [None, f"{employer} {start_date}–"]},
        reason=reason,
    )
    return person


@transaction.atomic
def start_employment(
    *, actor, person: Person, organization: Organization, start_date: dt.date, position: str = "", reason: str = ""
) -> Employment:
    """A person between jobs joins a unit the actor manages."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_employer(actor, organization)
    reason = _reason(reason)
    _past("start_date", start_date, person.id_number)
    _transfer(actor, person, person.name, organization, start_date, position, (), (), reason)
    return person.employments.get(end_date=None)


def transfer_problem(person: Person, name: str, start_date: dt.date | None) -> str | None:
    """Why an existing person cannot join a new unit now, or None if they can.
    The other unit is not named: the importer may not see it."""
    if person.name != name:
        return _("this ID number is registered under a different name.")
    employments = list(person.employments.all())
    if any(e.end_date is None for e in employments):
        return _(
            "this person is registered as still employed by another unit; that unit must record the end of the employment first."
        )
    last_end = max((e.end_date for e in employments), default=None)
    if last_end and start_date and start_date <= last_end:
        return _("the new employment must start after the previous one ended (%(date)s).") % {"date": last_end}
    return None


@transaction.atomic
def add_disciplinary_record(
    *, actor, person: Person, decided_on: dt.date, description: str, authority: str = "", reason: str = ""
) -> DisciplinaryRecord:
    """Record a disciplinary action; the selection rules read it (policy parameter
    selection.no_disciplinary_record)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not can_manage_person(actor, person):
        raise PermissionDenied
    reason = _reason(reason)
    _past("decided_on", decided_on, person.id_number)
    if not description.strip():
        raise ValidationError({"description": _("Describe the disciplinary action.")})
    record = DisciplinaryRecord(
        person=person, decided_on=decided_on, description=description.strip(), authority=authority.strip()
    )
    _full_clean(record)
    record.save()
    audit.record(
        actor=actor,
        event="directory.disciplinary_record_added",
        obj=person,
        changes={"disciplinary_record": [None, f"{decided_on} {record.description}"]},
        reason=reason,
    )
    signals.disciplinary_record_added.send(sender=DisciplinaryRecord, actor=actor, record=record)
    return record
