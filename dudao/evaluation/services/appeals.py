"""Appeals (issue 11 item 5): the supervisor appeals a published result within
the cycle's appeal days; the owner decides with a reason. An upheld appeal may
correct party scores or indicator points; the result is then recomputed and
published as a new version (the old ones stay), and its consequences follow
the new grade."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.selectors import holders
from dudao.core import audit
from dudao.core.notifications import matter_of, notify, resolve_matter
from dudao.core.validators import clean_text

from .. import scoring_permissions as permissions
from ..models import Appeal, Evaluation, Grade, PartyForm
from ..selectors import scoring as selectors
from . import results
from .scoring import SCORE_FIELDS, _score


@transaction.atomic
def lodge(*, actor, evaluation: Evaluation, reason: str) -> Appeal:
    """The supervisor appeals their published result, with grounds."""
    evaluation = Evaluation.objects.select_for_update(of=("self",)).select_related("cycle__owner").get(pk=evaluation.pk)
    if not permissions.is_evaluated(actor, evaluation):
        raise PermissionDenied(_("Only the supervisor evaluated appeals the result."))
    if evaluation.status != Evaluation.Status.PUBLISHED:
        raise ValidationError(_("Only a published result can be appealed."))
    ends = selectors.appeal_ends_on(evaluation)
    if timezone.localdate() > ends:
        raise ValidationError(_("The time to appeal ended on %(date)s.") % {"date": ends.isoformat()})
    if evaluation.appeals.filter(status=Appeal.Status.LODGED).exists():
        raise ValidationError(_("An appeal of this result is already waiting for a decision."))
    reason = clean_text(reason, field="reason", multiline=True, max_length=2000)
    if not reason:
        raise ValidationError({"reason": _("Give the grounds of the appeal.")})
    appeal = Appeal.objects.create(evaluation=evaluation, reason=reason, lodged_by=actor)
    audit.record(actor=actor, event="evaluation.appeal_lodged", obj=appeal, changes={"status": [None, appeal.status]})
    cycle = evaluation.cycle
    notify(
        holders(permissions.owner_capability(cycle.level), over=cycle.owner),
        _("%(name)s appealed their result in %(cycle)s.") % {"name": evaluation.person.name, "cycle": cycle.title},
        reverse("evaluation:appeal_decide", args=[appeal.pk]),
        matter=matter_of(appeal, "decide"),
    )
    return appeal


def _apply_changes(evaluation: Evaluation, changes: dict) -> dict:
    """Correct forms ({"forms": {form id: {ethics, ability, performance}}}) and
    indicator points ({"indicator_points": {name: points}}); returns what changed."""
    done: dict = {}
    if not isinstance(changes, dict):
        raise ValidationError({"changes": _("Give the corrections as forms and indicator points.")})
    unknown = set(changes) - {"forms", "indicator_points"}
    if unknown:
        raise ValidationError({"changes": _("Only party scores and indicator points can be corrected.")})
    for form_id, scores in (changes.get("forms") or {}).items():
        form = PartyForm.objects.filter(evaluation=evaluation, pk=int(form_id)).first()
        if form is None:
            raise ValidationError({"changes": _("No such form in this evaluation.")})
        for name in SCORE_FIELDS:
            if name in (scores or {}):
                value = _score(scores[name], name)
                done[f"form {form.pk} {name}"] = [
                    None if getattr(form, name) is None else str(getattr(form, name)),
                    str(value),
                ]
                setattr(form, name, value)
        if form.submitted_at is None and all(getattr(form, n) is not None for n in SCORE_FIELDS):
            form.submitted_at = timezone.now()
        form.save()
    points = changes.get("indicator_points") or {}
    if points:
        known = evaluation.breakdown.get("indicator_weights") or {}
        current = dict(evaluation.breakdown.get("indicator_points") or {})
        for name, value in points.items():
            if name not in known:
                raise ValidationError({"changes": _("Not an indicator of this evaluation: %(name)s.") % {"name": name}})
            number = _score(value, "changes")
            done[f"indicator {name}"] = [current.get(name), str(number)]
            current[name] = str(number)
        evaluation.breakdown = {**evaluation.breakdown, "indicator_points": current}
    return done


@transaction.atomic
def decide(*, actor, appeal: Appeal, upheld: bool, decision: str, changes: dict | None = None) -> Appeal:
    """The owner upholds or rejects the appeal with a reason; an upheld appeal
    recomputes and republishes the result with the corrections given."""
    appeal = Appeal.objects.select_for_update(of=("self",)).get(pk=appeal.pk)
    evaluation = (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("cycle__owner", "person")
        .get(pk=appeal.evaluation_id)
    )
    cycle = evaluation.cycle
    if not permissions.owns_cycle(actor, cycle):
        raise PermissionDenied(_("Only the authority that owns the cycle decides appeals."))
    if appeal.status != Appeal.Status.LODGED:
        raise ValidationError(_("This appeal is already decided."))
    decision = clean_text(decision, field="decision", multiline=True, max_length=2000)
    if not decision:
        raise ValidationError({"decision": _("Give the reason for the decision.")})
    if changes and not upheld:
        raise ValidationError({"changes": _("Only an upheld appeal corrects the result.")})
    audit_changes = {"status": [appeal.status, Appeal.Status.UPHELD if upheld else Appeal.Status.REJECTED]}
    appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.REJECTED
    appeal.decision = decision
    appeal.decided_by = actor
    appeal.decided_at = timezone.now()
    appeal.save()
    resolve_matter(matter_of(appeal, "decide"))
    if upheld:
        before = {"score": str(evaluation.score), "grade": evaluation.grade}
        corrected = _apply_changes(evaluation, changes or {})
        values = results._policy(cycle)
        results._apply_result(evaluation, list(evaluation.forms.all()), values)
        evaluation.save()
        version = results._publish_version(
            actor=actor, evaluation=evaluation, reason=decision[:300], now=timezone.now()
        )
        results._apply_consequences(actor=actor, evaluation=evaluation, previous_grade=before["grade"])
        audit_changes |= corrected | {
            "score": [before["score"], str(evaluation.score)],
            "grade": [before["grade"], evaluation.grade],
            "version": [version.number - 1, version.number],
        }
    audit.record(actor=actor, event="evaluation.appeal_decided", obj=appeal, changes=audit_changes, reason=decision)
    users = results._supervisor_users([evaluation.person_id])
    notify(
        users,
        _("Your appeal in %(cycle)s was decided: %(status)s; result %(grade)s.")
        % {"cycle": cycle.title, "status": appeal.get_status_display(), "grade": Grade(evaluation.grade).label},
        results._result_url(evaluation),
    )
    return appeal
