"""The staff roster import: an agency's whole roster file is checked row by row
and written in one transaction, or not at all. A file may be the agency's
roster again: its own current staff (matched by ID number) are updated, new
people are added, and a preview lists the adds, changes and unchanged rows
before anything is written (plan_roster, then import_roster with the plan's
digest)."""

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.core import audit, bulk
from dudao.core.excel import (
    CODE,
    ID_NUMBER,
    PHONE,
    Choice,
    ImportRejected,
    RowError,
    UploadError,
    cell_text,
    code_cell,
    date_cell,
    header_map,
    missing_columns_error,
    read_rows,
    template_bytes,
)
from dudao.core.validators import normalize_code, normalize_phone, validate_id_number

from .models import Certificate, CertificateLevel, EducationLevel, Employment, Organization, Person, ServiceDomain
from .scoping import refresh_people
from .selectors import employer_choices
from .services import add_certificate, transfer_problem, update_person

COLUMNS = [
    ("name", gettext_lazy("Name"), True),
    ("id_number", gettext_lazy("ID number"), True),
    ("education", gettext_lazy("Education"), False),
    ("major", gettext_lazy("Major"), False),
    ("phone", gettext_lazy("Phone"), False),
    ("start_date", gettext_lazy("Employed since"), True),
    ("position", gettext_lazy("Position"), False),
    ("frontline_since", gettext_lazy("Frontline practice since"), False),
    ("service_domains", gettext_lazy("Service domains"), False),
    ("certificate_level", gettext_lazy("Certificate level"), False),
    ("certificate_number", gettext_lazy("Certificate number"), False),
    ("certificate_date", gettext_lazy("Certificate issued on"), False),
]
DOMAIN_SEPARATORS = re.compile(r"[、,，;；/\s]+")


KEYS = [key for key, _label, _required in COLUMNS]
# Columns of digits kept as text: a spreadsheet must not turn them into numbers.
TEXT_COLUMNS = {"id_number": ID_NUMBER, "phone": PHONE, "certificate_number": CODE}
DATE_COLUMNS = ("start_date", "frontline_since", "certificate_date")


def template_file() -> bytes:
    headers = [str(label) + ("*" if required else "") for _key, label, required in COLUMNS]
    example = [
        "张三",
        "410105199001011233",
        "本科",
        "社会工作",
        "13800000000",
        dt.date(2020, 3, 1),
        "一线社工",
        dt.date(2015, 7, 1),
        "养老、社区",
        "社会工作师",
        "2019410100001",
        dt.date(2019, 6, 15),
    ]
    education = list(EducationLevel.objects.filter(is_active=True).values_list("name", flat=True))
    levels = list(CertificateLevel.objects.filter(is_active=True).values_list("name", flat=True))
    domains = list(ServiceDomain.objects.filter(is_active=True).values_list("name", flat=True))
    notes = [
        _("Fill one row per staff member, starting on row 2; delete the example row."),
        _("Columns marked * are required."),
        _("Dates are written as 2020-03-01, 2020/3/1, 2020.3.1 or 2020年3月1日, or entered as date cells."),
        _(
            "ID number, phone and certificate number are text columns: type them as they are. If you paste them "
            "from elsewhere, set the cells' format to Text (文本) first, or the spreadsheet turns an ID number into "
            "a number and loses its last digits."
        ),
        _("Education is one of: %(values)s.") % {"values": "、".join(education)},
        _("Certificate level is one of: %(values)s.") % {"values": "、".join(levels)},
        _(
            "Service domains: choose one from the list, or type several separated by 、 (for example 养老、社区): "
            "%(values)s."
        )
        % {"values": "、".join(domains)},
        _("If any row is wrong, nothing is imported and every wrong row is listed."),
    ]
    index = {key: i for i, key in enumerate(KEYS)}
    return template_bytes(
        _("Staff roster"),
        headers,
        example,
        notes,
        text_columns=[index[key] for key in TEXT_COLUMNS],
        date_columns=[index[key] for key in DATE_COLUMNS],
        choices={
            index["education"]: Choice(education),
            index["certificate_level"]: Choice(levels),
            index["service_domains"]: Choice(
                domains, strict=False, prompt=_("Choose one, or type several separated by 、")
            ),
        },
    )


def _header_map(headers: list[str]) -> tuple[dict[str, int], list[RowError]]:
    mapping, missing = header_map(headers, COLUMNS)
    return mapping, missing_columns_error(missing)


_text = cell_text


def _date(value, label, errors, required=False):
    date, problem = date_cell(value, label)
    if problem:
        errors.append(problem)
    elif date is None and required:
        errors.append(_("%(column)s is required.") % {"column": label})
    return date


def _code(cell, key, label, errors) -> str:
    text, problem = code_cell(cell.get(key), label[key], TEXT_COLUMNS[key])
    if problem:
        errors.append(problem)
    return text


def _checked(model, field_name: str, value: str, column: str, errors: list) -> str:
    """Hold a cell to the rules of the model field it fills (length and
    validators): the same rules the form and the API apply, never a silent cut."""
    if not value:
        return value
    field = model._meta.get_field(field_name)
    if field.max_length and len(value) > field.max_length:
        errors.append(_("%(column)s is longer than %(max)s characters.") % {"column": column, "max": field.max_length})
        return value
    try:
        field.run_validators(value)
    except ValidationError as exc:
        errors.append(f"{column}: {' '.join(exc.messages)}")
    return value


def _parse(number, values, mapping, refs, today, label):
    cell = {key: (values[i] if i < len(values) else None) for key, i in mapping.items()}
    errors: list[str] = []
    data = {"row": number}

    data["name"] = _text(cell.get("name"))
    if not data["name"]:
        errors.append(_("%(column)s is required.") % {"column": label["name"]})
    _checked(Person, "name", data["name"], label["name"], errors)

    id_text, id_problem = code_cell(cell.get("id_number"), label["id_number"], ID_NUMBER)
    data["id_number"] = normalize_code(id_text)
    if id_problem:
        errors.append(id_problem)  # stored as a number: the last digits are gone
    elif not data["id_number"]:
        errors.append(_("%(column)s is required.") % {"column": label["id_number"]})
    else:
        try:
            validate_id_number(data["id_number"], today=today)
        except ValidationError as exc:
            errors.append(f"{label['id_number']} {data['id_number']}: {' '.join(exc.messages)}")

    education = _text(cell.get("education"))
    data["education"] = refs["education"].get(education) if education else None
    if education and data["education"] is None:
        errors.append(_("Unknown education level: %(value)s") % {"value": education})

    data["major"] = _checked(Person, "major", _text(cell.get("major")), label["major"], errors)
    data["phone"] = _checked(Person, "phone", _code(cell, "phone", label, errors), label["phone"], errors)
    data["position"] = _checked(Employment, "position", _text(cell.get("position")), label["position"], errors)
    data["start_date"] = _date(cell.get("start_date"), label["start_date"], errors, required=True)
    data["frontline_since"] = _date(cell.get("frontline_since"), label["frontline_since"], errors)
    for key in ("start_date", "frontline_since"):
        if data[key] and data[key] > today:
            errors.append(_("%(column)s is in the future.") % {"column": label[key]})

    data["service_domains"] = []
    for name in DOMAIN_SEPARATORS.split(_text(cell.get("service_domains"))):
        if not name:
            continue
        if name in refs["domains"]:
            data["service_domains"].append(refs["domains"][name])
        else:
            errors.append(_("Unknown service domain: %(value)s") % {"value": name})

    level_name = _text(cell.get("certificate_level"))
    number_text = _code(cell, "certificate_number", label, errors)
    cert_date = _date(cell.get("certificate_date"), label["certificate_date"], errors)
    data["certificate"] = None
    if level_name or number_text or cert_date:
        level = refs["certificates"].get(level_name)
        if not level_name:
            errors.append(
                _("%(column)s is required when a certificate is given.") % {"column": label["certificate_level"]}
            )
        elif level is None:
            errors.append(_("Unknown certificate level: %(value)s") % {"value": level_name})
        if not number_text and not any(label["certificate_number"] in e for e in errors):
            errors.append(
                _("%(column)s is required when a certificate is given.") % {"column": label["certificate_number"]}
            )
        elif len(number_text) > 64:
            errors.append(
                _("%(column)s is longer than %(max)s characters.") % {"column": label["certificate_number"], "max": 64}
            )
        if cert_date is None and not any(label["certificate_date"] in e for e in errors):
            errors.append(
                _("%(column)s is required when a certificate is given.") % {"column": label["certificate_date"]}
            )
        elif cert_date and cert_date > today:
            errors.append(_("%(column)s is in the future.") % {"column": label["certificate_date"]})
        data["certificate"] = {"level": level, "number": number_text, "issued_on": cert_date}
    return data, errors


def _references():
    return {
        "education": {e.name: e for e in EducationLevel.objects.filter(is_active=True)},
        "domains": {d.name: d for d in ServiceDomain.objects.filter(is_active=True)},
        "certificates": {c.name: c for c in CertificateLevel.objects.filter(is_active=True)},
    }


def validate_roster(upload, *, today: dt.date | None = None, organization: Organization | None = None) -> list[dict]:
    """The rows of a valid file, or ImportRejected listing every wrong row.
    With `organization`, a row whose ID number is one of its current staff is
    that person's update (`own`, with its `changes`), not a duplicate."""
    today = today or timezone.localdate()
    try:
        headers, rows = read_rows(upload)
    except UploadError as exc:
        raise ImportRejected([RowError(0, str(exc))]) from exc
    mapping, header_errors = _header_map(headers)
    if header_errors:
        raise ImportRejected(header_errors)

    refs = _references()
    # The labels in the request's language, once: not once per row.
    label = {key: str(lbl) for key, lbl, _req in COLUMNS}
    parsed, errors = [], []
    for number, values in rows:
        data, row_errors = _parse(number, values, mapping, refs, today, label)
        parsed.append(data)
        errors.extend(RowError(number, message) for message in row_errors)

    # Duplicates inside the file, then against what the database already holds.
    seen_ids, seen_certs = {}, {}
    for data in parsed:
        if data["id_number"]:
            if data["id_number"] in seen_ids:
                errors.append(
                    RowError(
                        data["row"],
                        _("ID number %(id)s repeats row %(other)s.")
                        % {"id": data["id_number"], "other": seen_ids[data["id_number"]]},
                    )
                )
            else:
                seen_ids[data["id_number"]] = data["row"]
        cert = data["certificate"]
        if cert and cert["level"] and cert["number"]:
            key = (cert["level"].pk, cert["number"])
            if key in seen_certs:
                errors.append(
                    RowError(
                        data["row"],
                        _("Certificate number %(number)s repeats row %(other)s.")
                        % {"number": cert["number"], "other": seen_certs[key]},
                    )
                )
            else:
                seen_certs[key] = data["row"]
    # People already on the platform: someone between jobs joins this unit
    # (a transfer, the usual way social workers move); someone still employed
    # elsewhere, or registered under another name, is an error.
    # One query per lookup whatever the number of rows (at most
    # DUDAO_MAX_IMPORT_ROWS keys, well within what both databases take).
    existing = {
        person.id_number: person
        for person in Person.objects.with_id_numbers(list(seen_ids))
        .select_related("education")
        .prefetch_related("employments", "service_domains", "certificates__level")
    }
    by_row = {data["row"]: data for data in parsed}
    for id_number, person in existing.items():
        data = by_row[seen_ids[id_number]]
        current = _current_employment(person, organization)
        if current is not None:
            # The agency's own staff member: the row updates their record.
            data["existing"], data["own"], data["employment"] = person, True, current
            problem = _own_problem(person, current, data)
            if problem:
                errors.append(RowError(data["row"], f"{id_number}: {problem}"))
            continue
        problem = transfer_problem(person, data["name"], data["start_date"])
        if problem:
            errors.append(RowError(data["row"], f"{id_number}: {problem}"))
        else:
            data["existing"] = person
    existing_certs = {
        (level_id, number): person_id
        for level_id, number, person_id in Certificate.objects.filter(
            number__in=list({number for _level, number in seen_certs})
        ).values_list("level_id", "number", "person_id")
    }
    for key in set(existing_certs) & set(seen_certs):
        data = by_row[seen_certs[key]]
        if data.get("existing") is not None and data["existing"].pk == existing_certs[key]:
            data["certificate"] = None  # already on this person's record
            continue
        errors.append(
            RowError(seen_certs[key], _("Certificate number %(number)s is already registered.") % {"number": key[1]})
        )

    if errors:
        errors.sort(key=lambda e: e.row)
        raise ImportRejected(errors)
    for data in parsed:
        if data.get("own"):
            data["changes"] = _own_changes(data["existing"], data["employment"], data)
    return parsed


def _current_employment(person: Person, organization: Organization | None) -> Employment | None:
    if organization is None:
        return None
    return next(
        (e for e in person.employments.all() if e.organization_id == organization.pk and e.end_date is None), None
    )


def _own_problem(person: Person, current: Employment, data: dict) -> str | None:
    """Why a row cannot update this staff member's current employment: a
    start date on or before the end of an earlier employment."""
    earlier = [e.end_date for e in person.employments.all() if e.pk != current.pk and e.end_date]
    last_end = max(earlier, default=None)
    if last_end and data["start_date"] and data["start_date"] <= last_end:
        return _("the employment must start after the previous one ended (%(date)s).") % {"date": last_end}
    return None


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _own_changes(person: Person, employment: Employment, data: dict) -> list[dict]:
    """What the row changes on a staff member's record, field by field. An
    empty optional cell leaves the recorded value as it is; service domains
    and certificates are added to those recorded, never removed."""
    label = {key: str(lbl) for key, lbl, _req in COLUMNS}
    changes = []

    def change(key, field, old, new, column=None):
        changes.append({"key": key, "field": field, "label": column or label[key], "old": old, "new": new})

    if data["name"] != person.name:
        change("name", "name", person.name, data["name"])
    if data["education"] is not None and data["education"].pk != person.education_id:
        change("education", "education", person.education, data["education"])
    if data["major"] and data["major"] != person.major:
        change("major", "major", person.major, data["major"])
    if data["phone"] and normalize_phone(data["phone"]) != person.phone:
        change("phone", "phone", person.phone, normalize_phone(data["phone"]))
    if data["frontline_since"] and data["frontline_since"] != person.frontline_since:
        change("frontline_since", "frontline_since", person.frontline_since, data["frontline_since"])
    if data["position"] and data["position"] != employment.position:
        change("position", "position", employment.position, data["position"])
    if data["start_date"] and data["start_date"] != employment.start_date:
        change("start_date", "start_date", employment.start_date, data["start_date"])
    held = list(person.service_domains.all())
    gained = [d for d in data["service_domains"] if d.pk not in {h.pk for h in held}]
    if gained:
        change("service_domains", "service_domains", "、".join(map(str, held)), "、".join(map(str, held + gained)))
    cert = data["certificate"]
    if cert:
        change(
            "certificate_number",
            "certificate",
            None,
            f"{cert['level']} {cert['number']}（{cert['issued_on']:%Y-%m-%d}）",
            column=_("Certificate"),
        )
    for item in changes:
        item["old"], item["new"] = _shown(item["old"]), _shown(item["new"])
    return changes


@dataclass
class RosterPlan:
    """What a valid roster file would do to the organisation: every row is an
    add (a new person, or one joining between jobs), a change of one of its
    own staff, or unchanged."""

    rows: list[dict]

    @property
    def added(self) -> list[dict]:
        return [r for r in self.rows if not r.get("own")]

    @property
    def changed(self) -> list[dict]:
        return [r for r in self.rows if r.get("own") and r["changes"]]

    @property
    def unchanged(self) -> list[dict]:
        return [r for r in self.rows if r.get("own") and not r["changes"]]

    @property
    def digest(self) -> str:
        """A fingerprint of what would be written: the confirmation writes only
        if the file and the roster still give the same plan."""
        summary = [
            [
                r["row"],
                r["id_number"],
                "own" if r.get("own") else ("transfer" if r.get("existing") else "new"),
                [[c["key"], c["old"], c["new"]] for c in r.get("changes", [])],
            ]
            for r in self.rows
        ]
        return hashlib.sha256(json.dumps(summary, ensure_ascii=False).encode()).hexdigest()[:32]


def plan_roster(*, actor, organization: Organization, upload, today: dt.date | None = None) -> RosterPlan:
    """The preview of an import: validates the file against the organisation's
    roster and writes nothing."""
    if not employer_choices(actor).filter(pk=organization.pk).exists():
        raise PermissionDenied
    return RosterPlan(validate_roster(upload, today=today, organization=organization))


@transaction.atomic
def import_roster(
    *, actor, organization: Organization, upload, today: dt.date | None = None, digest: str | None = None
) -> int:
    """Write every row of a valid roster file: add the new people, update the
    organisation's own staff; raise ImportRejected and write nothing if any
    row is wrong. With `digest` (from the preview), refuse if the plan is no
    longer the one previewed. Returns the number of people added or changed."""
    if not employer_choices(actor).filter(pk=organization.pk).exists():
        raise PermissionDenied
    # Lock the organisation so two uploads of the same file cannot both pass
    # the duplicate check and then collide half-way through writing.
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    plan = RosterPlan(validate_roster(upload, today=today, organization=organization))
    if digest is not None and digest != plan.digest:
        raise ValidationError(
            _("The roster changed since the preview (someone edited it, or the file differs); check the new preview.")
        )
    changed = _update_own_staff(actor, organization, plan.changed)
    rows = plan.added

    new_rows = [r for r in rows if r.get("existing") is None]
    people = bulk.insert(
        [
            Person(
                name=r["name"],
                id_number=r["id_number"],
                education=r["education"],
                major=r["major"],
                phone=r["phone"],
                frontline_since=r["frontline_since"],
                # The stored scope (dudao.core.scoping), set here rather than
                # recomputed: every new person's only employer is this one.
                employer=organization,
                employed=True,
                **organization.chain(),
            )
            for r in new_rows
        ]
    )
    if not all(p.pk for p in people):
        # Backends that do not return keys from bulk inserts: fetch them.
        by_id = dict(
            Person.objects.filter(id_number_hash__in=[p.id_number_hash for p in people]).values_list(
                "id_number_hash", "pk"
            )
        )
        for person in people:
            person.pk = by_id[person.id_number_hash]
    pairs = list(zip(people, new_rows, strict=True)) + [
        (r["existing"], r) for r in rows if r.get("existing") is not None
    ]
    bulk.insert(
        [
            Employment(person=p, organization=organization, start_date=r["start_date"], position=r["position"])
            for p, r in pairs
        ]
    )
    bulk.insert([Certificate(person=p, **r["certificate"]) for p, r in pairs if r["certificate"]])
    through = Person.service_domains.through
    # A transferred person keeps the domains already recorded and gains the file's.
    held = set(
        through.objects.filter(person_id__in=[p.pk for p, _r in pairs]).values_list("person_id", "servicedomain_id")
    )
    bulk.insert(
        [
            through(person_id=p.pk, servicedomain_id=d.pk)
            for p, r in pairs
            for d in r["service_domains"]
            if (p.pk, d.pk) not in held
        ]
    )
    transferred = [p for p, r in pairs if r.get("existing") is not None]
    refresh_people([p.pk for p in transferred])
    changes = {
        "staff_imported": [None, len(pairs)],
        "transferred": [None, len(transferred)],
        "file": [None, getattr(upload, "name", "")],
    }
    if changed or plan.unchanged:
        changes["staff_updated"] = [None, changed]
        changes["staff_unchanged"] = [None, len(plan.unchanged)]
    audit.record(
        actor=actor,
        event="directory.staff_imported",
        obj=organization,
        changes=changes,
        reason=_("Staff roster import"),
    )
    if pairs:
        audit.record_many(
            actor=actor,
            event="directory.person_imported",
            objects=[p for p, _r in pairs],
            changes={"employer": [None, str(organization)]},
            reason=_("Staff roster import"),
        )
    return len(pairs) + changed


def _update_own_staff(actor, organization: Organization, rows: list[dict]) -> int:
    """Apply each own staff member's changes through the directory's services
    (the same checks and audit as the person form); the employment's position
    and start date on the row itself, audited with the person."""
    reason = _("Staff roster import")
    for r in rows:
        person, employment = r["existing"], r["employment"]
        keys = {c["field"] for c in r["changes"]}
        fields = {f: r[f] for f in ("name", "education", "major", "phone", "frontline_since") if f in keys}
        domains = None
        if "service_domains" in keys:
            domains = list(person.service_domains.all()) + [
                d for d in r["service_domains"] if d not in person.service_domains.all()
            ]
        if fields or domains is not None:
            update_person(actor=actor, person=person, service_domains=domains, reason=reason, **fields)
        if "certificate" in keys:
            cert = r["certificate"]
            add_certificate(
                actor=actor,
                person=person,
                level=cert["level"],
                number=cert["number"],
                issued_on=cert["issued_on"],
                reason=reason,
            )
        employment_changes = {}
        for field in ("position", "start_date"):
            if field in keys:
                employment_changes[field] = [_shown(getattr(employment, field)), _shown(r[field])]
                setattr(employment, field, r[field])
        if employment_changes:
            employment.save(update_fields=list(employment_changes))
            audit.record(
                actor=actor,
                event="directory.person_updated",
                obj=person,
                changes=employment_changes,
                reason=reason,
            )
    return len(rows)
