"""Ability assessments (issue 10 item 6): the supervisor of an engagement scores
each supervisee on the competency items (policy data) at the start and at the
end of a year; the gain is the end average minus the start average.

An assessment is a record of a moment: a second one for the same phase is
refused, never silently replaced (the first may already have been read)."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core import audit
from dudao.directory.models import Person

from .. import permissions
from ..models import Assessment, Engagement
from ..selectors.practice import competencies, covers

SCORES = range(1, 6)
TWO_PLACES = Decimal("0.01")


def _average(scores: dict) -> Decimal:
    return (Decimal(sum(scores.values())) / len(scores)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _checked_scores(scores, items: list[str]) -> dict:
    if not isinstance(scores, dict):
        raise ValidationError({"scores": _("Give a score for each competency item.")})
    unknown = [str(k) for k in scores if k not in items]
    if unknown:
        raise ValidationError(
            {"scores": _("Not a competency item: %(items)s.") % {"items": "、".join(sorted(unknown))}}
        )
    missing = [item for item in items if item not in scores]
    if missing:
        raise ValidationError({"scores": _("Score every item; missing: %(items)s.") % {"items": "、".join(missing)}})
    wrong = [k for k, v in scores.items() if isinstance(v, bool) or not isinstance(v, int) or v not in SCORES]
    if wrong:
        raise ValidationError(
            {"scores": _("Each score is a whole number from 1 to 5: %(items)s.") % {"items": "、".join(wrong)}}
        )
    return {item: scores[item] for item in items}


@transaction.atomic
def assess(
    *,
    actor,
    engagement: Engagement,
    supervisee: Person,
    year: int,
    phase: str,
    scores: dict,
    assessed_on: dt.date,
) -> Assessment:
    """The engagement's supervisor records a start or end assessment of one supervisee."""
    if not permissions.is_supervisor_of(actor, engagement):
        raise PermissionDenied(_("Only the engagement's supervisor assesses its supervisees."))
    # The engagement's row serialises assessments under it: a second one for a phase waits and is refused.
    engagement = (
        Engagement.objects.select_for_update().select_related("organization__jurisdiction").get(pk=engagement.pk)
    )
    if engagement.status not in (Engagement.Status.ACTIVE, Engagement.Status.ENDED):
        raise ValidationError(_("Only the supervisees of an engagement in force are assessed."))
    if phase not in Assessment.Phase.values:
        raise ValidationError({"phase": _("Choose the start or the end of the period.")})
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("An assessment cannot be dated in the future.")})
    if assessed_on < engagement.starts_on:
        raise ValidationError({"assessed_on": _("The assessment is dated before the engagement began.")})
    # The end of a year may be assessed early in the next one; a start belongs to its own year.
    allowed_years = {assessed_on.year} if phase == Assessment.Phase.START else {assessed_on.year, assessed_on.year - 1}
    if year not in allowed_years:
        raise ValidationError({"year": _("The year does not match the date of the assessment.")})
    if not covers(engagement, supervisee):
        # Without the name: an id the supervisor may not see must not tell them who it is.
        raise ValidationError({"supervisee": _("This person is not covered by this engagement.")})
    scores = _checked_scores(scores, competencies(engagement, assessed_on))
    same = Assessment.objects.filter(engagement=engagement, supervisee=supervisee, year=year)
    if same.filter(phase=phase).exists():
        raise ValidationError(
            _("%(name)s already has an assessment for the %(phase)s of %(year)s; it cannot be replaced.")
            % {"name": supervisee.name, "phase": Assessment.Phase(phase).label, "year": year}
        )
    if phase == Assessment.Phase.END:
        start = same.filter(phase=Assessment.Phase.START).first()
        if start is None:
            raise ValidationError(
                _("Assess %(name)s at the start of %(year)s before the end.") % {"name": supervisee.name, "year": year}
            )
        if assessed_on < start.assessed_on:
            raise ValidationError({"assessed_on": _("The end assessment is dated before the start assessment.")})
    assessment = Assessment.objects.create(
        engagement=engagement,
        supervisor_id=engagement.supervisor_id,
        supervisee=supervisee,
        year=year,
        phase=phase,
        scores=scores,
        average=_average(scores),
        assessed_on=assessed_on,
    )
    audit.record(
        actor=actor,
        event="supervision.assessment_recorded",
        obj=assessment,
        changes={"phase": [None, phase], "year": [None, year], "average": [None, str(assessment.average)]},
    )
    return assessment
