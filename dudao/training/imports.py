"""The trainer's score sheet for a cohort: downloaded filled with the cohort's
members, uploaded back whole. Every row is checked first; if any is wrong,
nothing is written and every wrong row is named (like the roster import)."""

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

from . import notices, services
from .models import Cohort, Member
from .permissions import is_trainer_of

COLUMNS = [
    ("member", gettext_lazy("Member number"), True),
    ("name", gettext_lazy("Name"), True),
    ("theory", gettext_lazy("Theory score"), False),
    ("practice", gettext_lazy("Practice score"), False),
]

__all__ = ["COLUMNS", "ImportRejected", "RowError", "import_scores", "template_file"]


def _number(value):
    return "" if value is None else float(value)


def template_file(cohort: Cohort) -> bytes:
    """The score sheet with one row per member of the cohort, scores as recorded so far."""
    members = cohort.members.select_related("trainee__person")
    rows = [[m.pk, m.trainee.person.name, _number(m.theory_score), _number(m.practice_score)] for m in members]
    headers = [str(label) + ("*" if required else "") for _key, label, required in COLUMNS]
    notes = [
        _("One row per trainee of the cohort %(cohort)s; keep the member number and the name as they are.")
        % {"cohort": cohort.name},
        _("Scores are numbers from 0 to 100 with at most one decimal; leave a cell empty for no score yet."),
        _("If any row is wrong, nothing is imported and every wrong row is listed."),
        _("Confirmed results cannot change."),
    ]
    return template_bytes(_("Scores"), headers, [], notes, rows=rows)


def _header_map(headers: list[str]) -> tuple[dict[str, int], list[RowError]]:
    mapping, missing = header_map(headers, COLUMNS)
    # Either score column will do: a sheet may carry only the theory or only the practice scores.
    if "theory" not in mapping and "practice" not in mapping:
        missing += [str(COLUMNS[2][1]), str(COLUMNS[3][1])]
    return mapping, missing_columns_error(missing)


_text = cell_text


def validate_scores(cohort: Cohort, upload) -> list[dict]:
    """The rows that change a score, each {"row", "member", "theory", "practice"}."""
    try:
        headers, rows = read_rows(upload)
    except UploadError as exc:
        raise ImportRejected([RowError(0, str(exc))]) from exc
    mapping, errors = _header_map(headers)
    if errors:
        raise ImportRejected(errors)
    labels = {key: str(label) for key, label, _required in COLUMNS}
    members = {m.pk: m for m in cohort.members.select_related("trainee__person")}
    seen: dict[int, int] = {}
    changes = []
    for number, values in rows:
        cell = {key: (values[i] if i < len(values) else None) for key, i in mapping.items()}
        problems: list[str] = []
        member = None
        reference = _text(cell.get("member"))
        if not reference:
            problems.append(_("%(column)s is required.") % {"column": labels["member"]})
        else:
            try:
                member = members.get(int(reference))
            except ValueError:
                member = None
            if member is None:
                problems.append(_("Member number %(value)s is not in this cohort.") % {"value": reference})
        name = _text(cell.get("name"))
        if member is not None:
            if name != member.trainee.person.name:
                problems.append(
                    _("Member number %(number)s is %(name)s, not %(given)s.")
                    % {"number": member.pk, "name": member.trainee.person.name, "given": name or "—"}
                )
            if member.pk in seen:
                problems.append(
                    _("Member number %(number)s repeats row %(other)s.")
                    % {"number": member.pk, "other": seen[member.pk]}
                )
            else:
                seen[member.pk] = number
        scores = {}
        for key, label in (("theory", _("Theory score")), ("practice", _("Practice score"))):
            if key not in mapping:
                scores[key] = getattr(member, f"{key}_score", None)
                continue
            try:
                scores[key] = services._score(cell.get(key), label)
            except ValidationError as exc:
                problems.extend(exc.messages)
        if member is not None and not problems:
            if (scores["theory"], scores["practice"]) == (member.theory_score, member.practice_score):
                continue
            if member.confirmed_at:
                problems.append(
                    _("The results of %(name)s are confirmed and can no longer change.")
                    % {"name": member.trainee.person.name}
                )
        errors.extend(RowError(number, p) for p in problems)
        if not problems:
            changes.append({"row": number, "member": member, **scores})
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))
    return changes


@transaction.atomic
def import_scores(*, actor, cohort: Cohort, upload) -> int:
    """Write the score changes of a valid sheet; raise ImportRejected and write
    nothing if any row is wrong. Returns the number of trainees whose scores
    changed. The same queries for a sheet of 5 trainees or of 500: the rows
    are locked, written and audited in bulk."""
    if not is_trainer_of(actor, cohort.programme):
        raise PermissionDenied(_("Only the commissioned trainer records assessment scores."))
    # One upload at a time per cohort: the second waits and checks against the first's result.
    cohort = Cohort.objects.select_for_update(of=("self",)).select_related("programme").get(pk=cohort.pk)
    changes = validate_scores(cohort, upload)
    # Lock the members as record_scores does, each row as it stands now.
    locked = Member.objects.select_for_update(of=("self",)).in_bulk([c["member"].pk for c in changes])
    now = timezone.now()
    members, entries = [], []
    completed_some = False
    for change in changes:
        member = locked[change["member"].pk]
        if member.confirmed_at:
            raise ImportRejected(
                [
                    RowError(
                        change["row"],
                        _("The results of %(name)s are confirmed and can no longer change.")
                        % {"name": change["member"].trainee.person.name},
                    )
                ]
            )
        before = [str(member.theory_score), str(member.practice_score)]
        was_scored = None not in (member.theory_score, member.practice_score)
        member.theory_score, member.practice_score = change["theory"], change["practice"]
        completed_some |= not was_scored and None not in (member.theory_score, member.practice_score)
        member.scored_by, member.scored_at = actor, now
        members.append(member)
        # What record_scores writes for one member, here for all in one insert.
        entries.append(
            audit.entry(
                actor=actor,
                event="training.scores_recorded",
                obj=change["member"],
                changes={"scores": [before, [str(member.theory_score), str(member.practice_score)]]},
            )
        )
    Member.objects.bulk_update(members, ["theory_score", "practice_score", "scored_by", "scored_at"])
    AuditEntry.objects.bulk_create(entries)
    audit.record(
        actor=actor,
        event="training.scores_imported",
        obj=cohort,
        changes={"scores_imported": [None, len(changes)], "file": [None, getattr(upload, "name", "")]},
        reason=_("Score sheet import"),
    )
    notices.scores_entered(actor=actor, cohort=cohort, completed_some=completed_some)
    return len(changes)
