"""Results (issue 11 item 5): the owner computes every evaluation of the cycle
from the parties' forms and the indicator points (the arithmetic is
evaluation/results.py), reviews them and publishes; publishing writes version 1
of each result, tells the supervisors, and sets off the consequences
(item 6): a 不合格 suspends the pool entry, consecutive grades of 基本合格 or
worse flag it.

The indicator points come from the cycle computation, stored in
Evaluation.breakdown["indicator_points"] = {name: points 0–100} with
["indicator_weights"] = {name: percent}."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core import audit
from dudao.core.notifications import notify
from dudao.core.validators import clean_text
from dudao.policy.selectors import resolve_many
from dudao.pools import services as pool_services
from dudao.pools.models import Entry, StatusChange

from .. import results as arithmetic
from .. import scoring_permissions as permissions
from ..models import Cycle, EntryFlag, Evaluation, Grade, Party, PartyForm, ResultVersion

POLICY_KEYS = [
    "evaluation.party_weights",
    "evaluation.party_share",
    "evaluation.band_excellent",
    "evaluation.band_pass",
    "evaluation.band_basic",
    "evaluation.missing_party_weight_shared",
    "evaluation.hours_cap",
    "evaluation.flag_consecutive",
    "supervision.min_service_hours_per_year",
    "supervision.min_practice_hours_per_year",
]
BASIC_OR_WORSE = (Grade.BASIC, Grade.FAIL)


def _policy(cycle: Cycle) -> dict:
    """The values in force for the cycle's owner at the end of its year."""
    resolved = resolve_many(POLICY_KEYS, cycle.owner, dt.date(cycle.year, 12, 31))
    return {key: value for key, (value, _version) in resolved.items()}


def _party_scores(forms) -> dict:
    """{party: its score or None}: a form's score is the mean of its three; the served agencies' are averaged."""
    by_party: dict = {}
    for form in forms:
        if form.submitted_at is None:
            continue
        by_party.setdefault(form.party, []).append(arithmetic.form_score(form.ethics, form.ability, form.performance))
    return {p: arithmetic.mean(by_party[p]) if by_party.get(p) else None for p in Party.values}


def _hours_short(evaluation: Evaluation, values: dict) -> list:
    short = []
    for indicator, key in (
        ("service_hours", "supervision.min_service_hours_per_year"),
        ("practice_hours", "supervision.min_practice_hours_per_year"),
    ):
        hours = evaluation.indicators.get(indicator)
        if hours is not None and Decimal(str(hours)) < Decimal(str(values[key])):
            short.append(indicator)
    return short


def _apply_result(evaluation: Evaluation, forms, values: dict) -> None:
    """Compute one evaluation into its fields (not saved)."""
    weights = values["evaluation.party_weights"]
    points = evaluation.breakdown.get("indicator_points") or {}
    indicator_weights = evaluation.breakdown.get("indicator_weights") or {}
    if not indicator_weights:
        raise ValidationError(_("The indicators of %(name)s are not computed yet.") % {"name": evaluation.person.name})
    result = arithmetic.compute(
        party_scores=_party_scores(forms),
        party_weights={p: weights.get(key, 0) for p, key in arithmetic.PARTY_WEIGHT_KEYS.items()},
        share_missing=bool(values["evaluation.missing_party_weight_shared"]),
        party_share=values["evaluation.party_share"],
        indicator_points=points,
        indicator_weights=indicator_weights,
        bands=arithmetic.Bands(
            excellent=int(values["evaluation.band_excellent"]),
            passing=int(values["evaluation.band_pass"]),
            basic=int(values["evaluation.band_basic"]),
        ),
        hours_short=_hours_short(evaluation, values),
        hours_cap=bool(values["evaluation.hours_cap"]),
    )
    # The cycle computation's keys stay; the result's arithmetic is replaced whole.
    kept = {k: v for k, v in evaluation.breakdown.items() if k != "result"}
    evaluation.breakdown = kept | {"result": result.breakdown}
    evaluation.party_part = result.party_part
    evaluation.indicator_part = result.indicator_part
    evaluation.score = result.score
    evaluation.grade = result.grade
    evaluation.hours_capped = result.hours_capped
    evaluation.parties_missing = result.missing


def _require_owner(actor, cycle):
    if not permissions.owns_cycle(actor, cycle):
        raise PermissionDenied(_("Only the authority that owns the cycle does this."))


def _require_review_open(cycle) -> None:
    """The review deadline is the owner's own: results are computed and
    published on or before it. After it both are refused until the owner moves
    the deadline with a reason (move_review_deadline), so a late result is
    never silent: the audit log says when and why it was allowed."""
    if timezone.localdate() > cycle.review_deadline:
        raise ValidationError(
            _(
                "The deadline for review was %(date)s; results are no longer computed or published. "
                "Move the review deadline, with a reason, to finish the review."
            )
            % {"date": cycle.review_deadline.isoformat()}
        )


@transaction.atomic
def move_review_deadline(*, actor, cycle: Cycle, review_deadline: dt.date, reason: str) -> Cycle:
    """The owner moves the cycle's review deadline (before publication), with a reason."""
    cycle = Cycle.objects.select_for_update(of=("self",)).select_related("owner").get(pk=cycle.pk)
    _require_owner(actor, cycle)
    if cycle.status == Cycle.Status.PUBLISHED:
        raise ValidationError(_("The results are published; the review deadline no longer applies."))
    if not isinstance(review_deadline, dt.date):
        raise ValidationError({"review_deadline": _("Give the new deadline as a date.")})
    if review_deadline < timezone.localdate():
        raise ValidationError({"review_deadline": _("The new review deadline cannot be in the past.")})
    if review_deadline < cycle.scoring_deadline:
        raise ValidationError({"review_deadline": _("The review deadline cannot come before the scoring deadline.")})
    if review_deadline == cycle.review_deadline:
        raise ValidationError({"review_deadline": _("That is the review deadline already.")})
    reason = clean_text(reason, field="reason", max_length=300)
    if not reason:
        raise ValidationError({"reason": _("Give a reason for moving the review deadline.")})
    before = cycle.review_deadline
    cycle.review_deadline = review_deadline
    cycle.save(update_fields=["review_deadline", "updated_at"])
    audit.record(
        actor=actor,
        event="evaluation.review_deadline_moved",
        obj=cycle,
        changes={"review_deadline": [str(before), str(review_deadline)]},
        reason=reason,
    )
    return cycle


@transaction.atomic
def compute(*, actor, cycle: Cycle) -> Cycle:
    """Compute every evaluation's score, grade and breakdown; the cycle goes to review.
    Running it again on the same data gives the same results."""
    cycle = Cycle.objects.select_for_update(of=("self",)).select_related("owner").get(pk=cycle.pk)
    _require_owner(actor, cycle)
    if cycle.status not in (Cycle.Status.SCORING, Cycle.Status.REVIEW):
        raise ValidationError(_("Results are computed while the parties score or the owner reviews."))
    _require_review_open(cycle)
    values = _policy(cycle)
    evaluations = list(
        Evaluation.objects.select_for_update(of=("self",))
        .filter(cycle=cycle)
        .exclude(status=Evaluation.Status.PUBLISHED)
        .select_related("person")
        .order_by("pk")
    )
    forms: dict = {}
    for form in PartyForm.objects.filter(evaluation__in=evaluations):
        forms.setdefault(form.evaluation_id, []).append(form)
    grades: dict = {}
    for evaluation in evaluations:
        _apply_result(evaluation, forms.get(evaluation.pk, []), values)
        evaluation.status = Evaluation.Status.COMPUTED
        grades[evaluation.grade] = grades.get(evaluation.grade, 0) + 1
    Evaluation.objects.bulk_update(
        evaluations,
        ["breakdown", "party_part", "indicator_part", "score", "grade", "hours_capped", "parties_missing", "status"],
        batch_size=500,
    )
    before = cycle.status
    cycle.status = Cycle.Status.REVIEW
    cycle.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        event="evaluation.results_computed",
        obj=cycle,
        changes={"status": [before, cycle.status], "evaluations": [None, len(evaluations)], "grades": [None, grades]},
    )
    return cycle


def _result_url(evaluation) -> str:
    return reverse("evaluation:result_detail", args=[evaluation.pk])


def _supervisor_users(person_ids):
    User = get_user_model()
    return list(User.objects.filter(person_id__in=list(person_ids), is_active=True).order_by("pk"))


def _publish_version(*, actor, evaluation: Evaluation, reason: str, now) -> ResultVersion:
    """Publish the evaluation's current result as its next version (the caller audits and locks)."""
    number = (evaluation.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ResultVersion.objects.create(
        evaluation=evaluation,
        number=number,
        score=evaluation.score,
        grade=evaluation.grade,
        breakdown=evaluation.breakdown,
        reason=reason,
        published_at=now,
        published_by=actor,
    )
    evaluation.status = Evaluation.Status.PUBLISHED
    evaluation.published_at = now
    evaluation.save(update_fields=["status", "published_at", "updated_at"])
    return version


def _reason(cycle) -> str:
    return _("Evaluation result of %(cycle)s") % {"cycle": cycle.title}


def _apply_consequences(*, actor, evaluation: Evaluation, previous_grade: str = "") -> None:
    """What a published grade sets off: a 不合格 suspends the pool entry (the cycle
    is the reason); grades of 基本合格 or worse in a row flag it. A grade changed
    on appeal undoes what the old grade set off and no longer holds."""
    cycle = evaluation.cycle
    entry = Entry.objects.select_related("jurisdiction", "organization").get(pk=evaluation.entry_id)
    reason = _reason(cycle)
    if evaluation.grade == Grade.FAIL and entry.effective_status == Entry.Status.ACTIVE:
        pool_services.change_status(actor=actor, entry=entry, to_status=Entry.Status.SUSPENDED, reason=reason)
    elif previous_grade == Grade.FAIL and evaluation.grade != Grade.FAIL and entry.status == Entry.Status.SUSPENDED:
        last = StatusChange.objects.filter(entry=entry).order_by("-at", "-pk").first()
        if last is not None and last.to_status == Entry.Status.SUSPENDED and last.reason == reason:
            pool_services.change_status(
                actor=actor,
                entry=entry,
                to_status=Entry.Status.ACTIVE,
                reason=_("The grade of %(cycle)s was changed on appeal.") % {"cycle": cycle.title},
            )
    needed = int(_policy(cycle)["evaluation.flag_consecutive"])
    # In a row: the grades of the `needed` years up to this cycle's, none missing
    # (a year without a published grade breaks the run).
    years = range(cycle.year - needed + 1, cycle.year + 1)
    by_year = dict(
        Evaluation.objects.filter(
            person_id=evaluation.person_id,
            cycle__level=cycle.level,
            status=Evaluation.Status.PUBLISHED,
            cycle__year__in=list(years),
        ).values_list("cycle__year", "grade")
    )
    flagged = all(by_year.get(year) in BASIC_OR_WORSE for year in years)
    flag = EntryFlag.objects.filter(entry=entry, cycle=cycle).first()
    if flagged and (flag is None or flag.cleared_at is not None):
        text = _("%(count)s grades of basic pass or worse in a row, the last in %(cycle)s.") % {
            "count": needed,
            "cycle": cycle.title,
        }
        if flag is None:
            flag = EntryFlag.objects.create(entry=entry, cycle=cycle, reason=text)
        else:
            flag.cleared_at = None
            flag.reason = text
            flag.save(update_fields=["cleared_at", "reason", "updated_at"])
        audit.record(actor=actor, event="evaluation.entry_flagged", obj=entry, changes={"flag": [None, text]})
        # The keeper reviews it where every review flag of the pool is shown and cleared.
        pool_services.flag_for_review(actor=actor, entry=entry, note=text)
    elif not flagged and flag is not None and flag.cleared_at is None:
        flag.cleared_at = timezone.now()
        flag.save(update_fields=["cleared_at", "updated_at"])
        changed = _("The grade of %(cycle)s was changed on appeal.") % {"cycle": cycle.title}
        audit.record(
            actor=actor,
            event="evaluation.entry_flagged",
            obj=entry,
            changes={"flag": [flag.reason, None]},
            reason=changed,
        )
        pool_services.withdraw_review_flag(actor=actor, entry=entry, note=flag.reason, reason=changed)


@transaction.atomic
def publish(*, actor, cycle: Cycle) -> Cycle:
    """The owner publishes the reviewed results: version 1 of each, the supervisors told, the consequences set off."""
    cycle = Cycle.objects.select_for_update(of=("self",)).select_related("owner").get(pk=cycle.pk)
    _require_owner(actor, cycle)
    if cycle.status != Cycle.Status.REVIEW:
        raise ValidationError(_("Compute the results and review them before publishing."))
    _require_review_open(cycle)
    evaluations = list(
        Evaluation.objects.select_for_update(of=("self",)).filter(cycle=cycle).select_related("cycle").order_by("pk")
    )
    if any(e.status != Evaluation.Status.COMPUTED or e.score is None for e in evaluations):
        raise ValidationError(_("Some results are not computed; compute the results again before publishing."))
    now = timezone.now()
    for evaluation in evaluations:
        _publish_version(actor=actor, evaluation=evaluation, reason="", now=now)
    for evaluation in evaluations:
        _apply_consequences(actor=actor, evaluation=evaluation)
    cycle.status = Cycle.Status.PUBLISHED
    cycle.published_at = now
    cycle.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(
        actor=actor,
        event="evaluation.results_published",
        obj=cycle,
        changes={"status": [Cycle.Status.REVIEW, cycle.status], "evaluations": [None, len(evaluations)]},
    )
    users = {u.person_id: u for u in _supervisor_users(e.person_id for e in evaluations)}
    for evaluation in evaluations:
        user = users.get(evaluation.person_id)
        if user is not None:
            notify(
                [user],
                _("Your result in %(cycle)s is published: %(grade)s.")
                % {"cycle": cycle.title, "grade": Grade(evaluation.grade).label},
                _result_url(evaluation),
            )
    return cycle
