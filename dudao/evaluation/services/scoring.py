"""The four parties' forms (issue 11 item 4): each party scores ethics, ability
and performance (0–100, two places) on its own form before the cycle's scoring
deadline. The served agencies each have a form; their scores are averaged into
one party score when the result is computed. A form is written when its party
first saves scores; what each party is due to score is read from the
evaluations and the year's engagements (selectors.scoring.to_score)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core import audit
from dudao.core.notifications import resolve_matter
from dudao.core.validators import clean_text

from .. import scoring_permissions as permissions
from ..models import Cycle, Evaluation, Party, PartyForm
from ..reminders import forms_matter
from ..selectors import scoring as selectors

SCORE_FIELDS = ("ethics", "ability", "performance")
SCORING = (Cycle.Status.SCORING, Cycle.Status.REVIEW)


def _pair(evaluation: Evaluation) -> list[tuple[int, int | None]]:
    return [(evaluation.person_id, evaluation.home_organization_id)]


def _score(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Give a score from 0 to 100.")}) from None
    if not number.is_finite() or number < 0 or number > 100:
        raise ValidationError({field: _("Give a score from 0 to 100.")})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({field: _("A score has at most two decimal places.")})
    return number.quantize(Decimal("0.01"))


def _own_form(actor, evaluation: Evaluation, party: str, organization) -> PartyForm:
    """The actor's form for this party, written on first use if the cycle opened none."""
    if party not in Party.values:
        raise ValidationError({"party": _("Not a party of the evaluation.")})
    org_id = getattr(organization, "pk", organization)
    if party == Party.HOME_AGENCY:
        org_id = evaluation.home_organization_id
    elif party == Party.SERVED_AGENCY and org_id is None:
        # An agency admin of one agency need not say which.
        mine = permissions.scoring_org_ids(actor)
        candidates = selectors.served_organizations(_pair(evaluation), evaluation.cycle.year).get(
            evaluation.person_id, []
        )
        ours = [o for o in candidates if o in mine]
        org_id = ours[0] if len(ours) == 1 else None
    elif party in (Party.ASSOCIATION, Party.AUTHORITY):
        org_id = None
    form = PartyForm.objects.filter(evaluation=evaluation, party=party, organization_id=org_id).first()
    if form is None:
        if party == Party.SERVED_AGENCY:
            served = selectors.served_organizations(_pair(evaluation), evaluation.cycle.year).get(
                evaluation.person_id, []
            )
            if org_id not in served:
                raise PermissionDenied(_("Only an agency the supervisor served this year scores as a served agency."))
        if party == Party.HOME_AGENCY and org_id is None:
            raise PermissionDenied(_("This supervisor has no home agency to score them."))
        form = PartyForm(evaluation=evaluation, party=party, organization_id=org_id)
    if not permissions.fills_form(actor, form, evaluation.cycle):
        raise PermissionDenied(_("You score only as your own party."))
    return form


@transaction.atomic
def submit(
    *, actor, evaluation: Evaluation, party: str, ethics, ability, performance, comment: str = "", organization=None
) -> PartyForm:
    """A party records (or, until the deadline, changes) its scores of a supervisor."""
    evaluation = Evaluation.objects.select_for_update(of=("self",)).select_related("cycle__owner").get(pk=evaluation.pk)
    cycle = evaluation.cycle
    form = _own_form(actor, evaluation, party, organization)
    if cycle.status not in SCORING or evaluation.status == Evaluation.Status.PUBLISHED:
        raise ValidationError(_("The cycle is not open for scoring."))
    today = timezone.localdate()
    if today > cycle.scoring_deadline:
        raise ValidationError(
            _("The deadline for scores was %(date)s; a late score is refused.")
            % {"date": cycle.scoring_deadline.isoformat()}
        )
    values = {
        name: _score(value, name) for name, value in zip(SCORE_FIELDS, (ethics, ability, performance), strict=True)
    }
    comment = clean_text(comment, field="comment", multiline=True, max_length=2000)
    before = {name: None if getattr(form, name) is None else str(getattr(form, name)) for name in SCORE_FIELDS}
    for name, value in values.items():
        setattr(form, name, value)
    form.comment = comment
    form.submitted_at = timezone.now()
    form.submitted_by = actor
    form.save()
    audit.record(
        actor=actor,
        event="evaluation.party_scored",
        obj=form,
        changes={name: [before[name], str(values[name])] for name in SCORE_FIELDS},
    )
    if not selectors.unscored(cycle, form.party, form.organization_id):
        resolve_matter(forms_matter(cycle, form.party, form.organization_id))
    return form
