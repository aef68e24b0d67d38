"""Supervisees' service evaluation results (issue 11 item 3): one score (0–100)
per person per year, entered by the person's agency or by an authority over
its jurisdiction, one at a time or from an Excel sheet. A sheet is checked
whole first; if any row is wrong nothing is written and every wrong row is named."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.core import audit
from dudao.core.excel import (
    ImportRejected,
    RowError,
    UploadError,
    cell_text,
    header_map,
    missing_columns_error,
    read_rows,
    template_bytes,
)
from dudao.core.models import AuditEntry
from dudao.directory.models import Organization, Person

from .. import permissions
from ..models import ServiceResult

TWO = Decimal("0.01")

COLUMNS = [
    ("id_number", gettext_lazy("ID number"), True),
    ("name", gettext_lazy("Name"), True),
    ("score", gettext_lazy("Service evaluation result"), True),
]

__all__ = ["COLUMNS", "ImportRejected", "RowError", "import_sheet", "record", "template_file"]


def _score(value) -> Decimal:
    text = cell_text(value)
    try:
        score = Decimal(text)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"score": _("Give the result as a number from 0 to 100.")}) from None
    if not score.is_finite() or score < 0 or score > 100:
        raise ValidationError({"score": _("The result must be from 0 to 100.")})
    if score != score.quantize(TWO, rounding=ROUND_HALF_UP):
        raise ValidationError({"score": _("Give the result with at most two decimals.")})
    return score.quantize(TWO)


def _year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Give the year as a number.")}) from None
    if not (2000 <= year <= timezone.localdate().year):
        raise ValidationError({"year": _("The year must have begun and not be before 2000.")})
    return year


@transaction.atomic
def record(*, actor, person: Person, year: int, score) -> ServiceResult:
    """Enter or change one person's result for a year."""
    if not permissions.enters_result_for(actor, person):
        raise PermissionDenied(_("Only the person's agency or an authority over it enters their service results."))
    year, score = _year(year), _score(score)
    existing = ServiceResult.objects.select_for_update().filter(person=person, year=year).first()
    before = str(existing.score) if existing else None
    if existing is None:
        result = ServiceResult.objects.create(
            person=person, year=year, score=score, organization_id=person.employer_id, entered_by=actor
        )
    else:
        result = existing
        result.score, result.organization_id, result.entered_by = score, person.employer_id, actor
        result.save(update_fields=["score", "organization", "entered_by", "updated_at"])
    audit.record(
        actor=actor,
        event="evaluation.service_result_recorded",
        obj=result,
        changes={"person": [None, person.pk], "year": [None, year], "score": [before, str(score)]},
    )
    return result


def template_file(organization: Organization) -> bytes:
    headers = [str(label) + ("*" if required else "") for _key, label, required in COLUMNS]
    notes = [
        _("One row per member of staff of %(organization)s; identify each by ID number and name.")
        % {"organization": organization.name},
        _("The result is a number from 0 to 100 with at most two decimals."),
        _("If any row is wrong, nothing is imported and every wrong row is listed."),
    ]
    return template_bytes(_("Service evaluation results"), headers, ["410105199001011234", "张三", 86.5], notes)


def _validate_sheet(*, organization: Organization, upload) -> list[dict]:
    """The rows of a valid sheet, each {"row", "person", "score"}; ImportRejected otherwise."""
    try:
        headers, rows = read_rows(upload)
    except UploadError as exc:
        raise ImportRejected([RowError(0, str(exc))]) from exc
    mapping, missing = header_map(headers, COLUMNS)
    errors = missing_columns_error(missing)
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([RowError(0, _("The sheet has no rows to import."))])
    labels = {key: str(label) for key, label, _required in COLUMNS}
    cells = [(n, {k: (v[i] if i < len(v) else None) for k, i in mapping.items()}) for n, v in rows]
    numbers = [cell_text(c.get("id_number")).upper() for _n, c in cells]
    # The agency's staff, found by their ID numbers in one query (a blind index, not a scan).
    staff = {
        p.id_number.upper(): p
        for p in Person.objects.with_id_numbers([n for n in numbers if n]).filter(employer=organization)
    }
    seen: dict[str, int] = {}
    out = []
    for (number, cell), id_number in zip(cells, numbers, strict=True):
        problems = []
        person = None
        if not id_number:
            problems.append(_("%(column)s is required.") % {"column": labels["id_number"]})
        else:
            person = staff.get(id_number)
            if person is None:
                problems.append(
                    _("No member of staff of %(organization)s has this ID number.")
                    % {"organization": organization.name}
                )
            elif id_number in seen:
                problems.append(_("This person repeats row %(other)s.") % {"other": seen[id_number]})
            else:
                seen[id_number] = number
        name = cell_text(cell.get("name"))
        if person is not None and name != person.name:
            problems.append(
                _("The ID number belongs to %(name)s, not %(given)s.") % {"name": person.name, "given": name or "—"}
            )
        score = None
        try:
            score = _score(cell.get("score"))
        except ValidationError as exc:
            problems.extend(exc.messages)
        errors.extend(RowError(number, p) for p in problems)
        if not problems:
            out.append({"row": number, "person": person, "score": score})
    if errors:
        raise ImportRejected(errors)
    return out


@transaction.atomic
def import_sheet(*, actor, organization: Organization, year: int, file) -> int:
    """Write a valid sheet's results for `organization`'s staff in `year`;
    nothing if any row is wrong. Returns the number of results written."""
    if not permissions.enters_results_of(actor, organization):
        raise PermissionDenied(_("Only the agency or an authority over it imports its staff's service results."))
    try:
        year = _year(year)
    except ValidationError as exc:
        raise ImportRejected([RowError(0, m) for m in exc.messages]) from None
    rows = _validate_sheet(organization=organization, upload=file)
    people = [r["person"].pk for r in rows]
    existing = {
        r.person_id: r for r in ServiceResult.objects.select_for_update().filter(year=year, person_id__in=people)
    }
    new, changed, entries = [], [], []
    for row in rows:
        person, score = row["person"], row["score"]
        result = existing.get(person.pk)
        before = str(result.score) if result else None
        if result is None:
            result = ServiceResult(person=person, year=year, score=score, organization=organization, entered_by=actor)
            new.append(result)
        else:
            result.score, result.organization, result.entered_by = score, organization, actor
            result.updated_at = timezone.now()
            changed.append(result)
        entries.append((result, {"person": [None, person.pk], "year": [None, year], "score": [before, str(score)]}))
    ServiceResult.objects.bulk_create(new)
    ServiceResult.objects.bulk_update(changed, ["score", "organization", "entered_by", "updated_at"])
    AuditEntry.objects.bulk_create(
        [audit.entry(actor=actor, event="evaluation.service_result_recorded", obj=r, changes=c) for r, c in entries]
    )
    audit.record(
        actor=actor,
        event="evaluation.service_results_imported",
        obj=organization,
        changes={"year": [None, year], "results": [None, len(rows)], "file": [None, getattr(file, "name", "")]},
        reason=_("Service results sheet import"),
    )
    return len(rows)
