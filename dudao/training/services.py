"""Writes for the 百名督导 programme: curriculum, cohorts, sessions, attendance,
surveys, the trainer's scores and the city's confirmation that admits the
passing trainees to the city pool."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core import audit
from dudao.core.notifications import matter_of, notify, resolve_matter
from dudao.core.validators import POLICY_YEAR, clean_text, validate_date_ahead, validate_past_date
from dudao.directory.models import Jurisdiction, Organization
from dudao.policy.selectors import value as policy_value
from dudao.publicity import selectors as publicity_selectors
from dudao.publicity import services as publicity

from . import notices, signals
from .models import Activity, Attendance, Cohort, Member, Module, Programme, Question, Response, Session, Survey
from .permissions import can_commission_in, can_manage_programme, can_run_programme, is_trainer_of, may_organise_for
from .selectors import result_parameters, results

# The programme began with the policy of 2018; nothing of it is older.
EARLIEST = dt.date(POLICY_YEAR, 1, 1)


def _require(condition: bool, message: str = ""):
    if not condition:
        raise PermissionDenied(message or _("You may not do this."))


def _lock_cohort(cohort_id) -> Cohort:
    """Every write that a confirmation of results depends on (scores,
    attendance, members) takes the cohort's row first, as confirm_results
    does: so a change either lands before the confirmation reads it, or waits
    and meets the confirmed result. One order for everyone, no deadlock."""
    return (
        Cohort.objects.select_for_update(of=("self",))
        .select_related("programme__jurisdiction", "programme__trainer", "round")
        .get(pk=cohort_id)
    )


def _clean_save(instance):
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def create_programme(
    *, actor, jurisdiction: Jurisdiction, name: str, trainer: Organization, starts_on: dt.date, ends_on: dt.date
) -> Programme:
    _require(can_commission_in(actor, jurisdiction), _("Only the city commissions the programme."))
    if trainer.type.code != "trainer":
        raise ValidationError({"trainer": _("Choose a third-party training organisation.")})
    validate_date_ahead(starts_on, field="starts_on", earliest=EARLIEST)
    validate_date_ahead(ends_on, field="ends_on", years=10, earliest=EARLIEST)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The programme cannot end before it starts.")})
    programme = _clean_save(
        Programme(
            jurisdiction=jurisdiction,
            name=name.strip(),
            trainer=trainer,
            starts_on=starts_on,
            ends_on=ends_on,
            target_size=policy_value("training.programme_target", jurisdiction, starts_on),
        )
    )
    audit.record(
        actor=actor,
        event="training.programme_created",
        obj=programme,
        changes={"trainer": [None, str(trainer)], "target_size": [None, programme.target_size]},
    )
    return programme


@transaction.atomic
def add_module(
    *, actor, programme: Programme, title: str, kind: str, hours, domain=None, is_ethics: bool = False
) -> Module:
    _require(can_run_programme(actor, programme))
    module = _clean_save(
        Module(programme=programme, title=title.strip(), kind=kind, hours=hours, domain=domain, is_ethics=is_ethics)
    )
    audit.record(
        actor=actor,
        event="training.module_added",
        obj=module,
        changes={"hours": [None, str(hours)], "kind": [None, kind]},
    )
    return module


@transaction.atomic
def create_cohort(*, actor, programme: Programme, name: str, round_, trainees=()) -> Cohort:
    _require(can_run_programme(actor, programme))
    if not round_.jurisdiction.path.startswith(programme.jurisdiction.path):
        raise ValidationError({"round": _("The round belongs to another city.")})
    cohort = _clean_save(Cohort(programme=programme, name=name.strip(), round=round_))
    audit.record(actor=actor, event="training.cohort_created", obj=cohort, changes={"round": [None, str(round_)]})
    if trainees:
        add_members(actor=actor, cohort=cohort, trainees=trainees)
    return cohort


@transaction.atomic
def add_members(*, actor, cohort: Cohort, trainees) -> list[Member]:
    _require(can_run_programme(actor, cohort.programme))
    # The programme's row, then the cohort's: two cohorts of one programme
    # adding the same trainee at once check one after the other.
    Programme.objects.select_for_update().get(pk=cohort.programme_id)
    cohort = _lock_cohort(cohort.pk)
    trainees = list(trainees)
    wrong_round = [t for t in trainees if t.round_id != cohort.round_id]
    if wrong_round:
        raise ValidationError(
            _("%(names)s are not trainees of %(round)s.")
            % {"names": "、".join(t.person.name for t in wrong_round), "round": cohort.round}
        )
    taken = set(
        Member.objects.filter(cohort__programme=cohort.programme, trainee__in=trainees).values_list(
            "trainee__person__name", flat=True
        )
    )
    if taken:
        raise ValidationError(
            _("Already in a cohort of this programme: %(names)s.") % {"names": "、".join(sorted(taken))}
        )
    try:
        with transaction.atomic():
            members = [
                Member.objects.create(cohort=cohort, programme_id=cohort.programme_id, trainee=t) for t in trainees
            ]
    except IntegrityError:
        # The database's own rule (one cohort per programme), should a write bypass the lock.
        raise ValidationError(_("Some of these trainees are already in a cohort of this programme.")) from None
    audit.record(
        actor=actor,
        event="training.members_added",
        obj=cohort,
        changes={"members": [None, [t.person.name for t in trainees]]},
    )
    return members


@transaction.atomic
def schedule_session(
    *, actor, cohort: Cohort, module: Module, starts_at: dt.datetime, hours=None, location: str = ""
) -> Session:
    _require(can_run_programme(actor, cohort.programme))
    if module.programme_id != cohort.programme_id:
        raise ValidationError({"module": _("The module belongs to another programme.")})
    validate_date_ahead(timezone.localdate(starts_at), field="starts_at", earliest=EARLIEST)
    session = _clean_save(
        Session(
            cohort=cohort,
            module=module,
            starts_at=starts_at,
            hours=hours if hours is not None else module.hours,
            location=location,
        )
    )
    audit.record(
        actor=actor, event="training.session_scheduled", obj=session, changes={"hours": [None, str(session.hours)]}
    )
    return session


PRESENT, EXCUSED, ABSENT = "present", "excused", "absent"


def _member_ids(values) -> set[int]:
    try:
        return {int(pk) for pk in values}
    except (TypeError, ValueError):
        raise ValidationError(_("Some trainees are not in this cohort.")) from None


@transaction.atomic
def record_attendance(*, actor, session: Session, present_member_ids, excused_member_ids=()) -> int:
    """Set who was present at a session and who was excused (请假); everyone
    else in the cohort is absent. Only a session held today or earlier."""
    _lock_cohort(session.cohort_id)
    session = Session.objects.select_for_update(of=("self",)).select_related("cohort__programme").get(pk=session.pk)
    _require(can_run_programme(actor, session.cohort.programme))
    held_on = timezone.localdate(session.starts_at)
    if held_on > timezone.localdate():
        raise ValidationError(
            _("This session takes place on %(date)s: attendance is recorded from the day it is held.")
            % {"date": held_on.isoformat()}
        )
    present = _member_ids(present_member_ids)
    excused = _member_ids(excused_member_ids)
    members = list(session.cohort.members.select_related("trainee__person"))
    if (present | excused) - {m.pk for m in members}:
        raise ValidationError(_("Some trainees are not in this cohort."))
    if both := [m.trainee.person.name for m in members if m.pk in present and m.pk in excused]:
        raise ValidationError(_("%(names)s cannot be both present and excused.") % {"names": "、".join(both)})

    def state_of(pk) -> str:
        return PRESENT if pk in present else EXCUSED if pk in excused else ABSENT

    before = {
        pk: (PRESENT if was_present else EXCUSED if was_excused else ABSENT)
        for pk, was_present, was_excused in session.attendance.values_list("member_id", "present", "excused")
    }
    # Confirmed results rest on the attendance they were confirmed with.
    locked = [m.trainee.person.name for m in members if m.confirmed_at and before.get(m.pk, ABSENT) != state_of(m.pk)]
    if locked:
        raise ValidationError(
            _("The results of %(names)s are confirmed; their attendance can no longer change.")
            % {"names": "、".join(locked)}
        )
    changed = {}
    for member in members:
        state = state_of(member.pk)
        if before.get(member.pk) == state:
            continue
        Attendance.objects.update_or_create(
            session=session,
            member=member,
            defaults={"present": state == PRESENT, "excused": state == EXCUSED, "recorded_by": actor},
        )
        changed[str(member.pk)] = [before.get(member.pk), state]
    if changed:
        audit.record(
            actor=actor, event="training.attendance_recorded", obj=session, changes={"attendance": [None, changed]}
        )
    return len(present)


def _score(value, label):
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip()).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(label)s must be a number from 0 to 100.") % {"label": label}) from None
    # NaN survives quantize and cannot be compared; it is no score either.
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        raise ValidationError(_("%(label)s must be a number from 0 to 100.") % {"label": label})
    return number


@transaction.atomic
def record_scores(*, actor, member: Member, theory_score, practice_score) -> Member:
    """The third-party trainer's assessment (policy 四(三): 委托第三方……考核)."""
    _lock_cohort(member.cohort_id)
    member = Member.objects.select_for_update(of=("self",)).select_related("cohort__programme").get(pk=member.pk)
    _require(
        is_trainer_of(actor, member.cohort.programme), _("Only the commissioned trainer records assessment scores.")
    )
    if member.confirmed_at:
        raise ValidationError(
            _("The results of %(name)s are confirmed and can no longer change.") % {"name": member.trainee.person.name}
        )
    before = [str(member.theory_score), str(member.practice_score)]
    was_scored = None not in (member.theory_score, member.practice_score)
    member.theory_score = _score(theory_score, _("Theory score"))
    member.practice_score = _score(practice_score, _("Practice score"))
    member.scored_by, member.scored_at = actor, timezone.now()
    member.save()
    audit.record(
        actor=actor,
        event="training.scores_recorded",
        obj=member,
        changes={"scores": [before, [str(member.theory_score), str(member.practice_score)]]},
    )
    notices.scores_entered(
        actor=actor,
        cohort=member.cohort,
        completed_some=not was_scored and None not in (member.theory_score, member.practice_score),
    )
    return member


@transaction.atomic
def record_cohort_scores(*, actor, cohort: Cohort, scores: dict) -> int:
    """The trainer's score sheet for a cohort, {member id: (theory, practice)}:
    every changed row is written, or none is. Returns how many changed."""
    _require(is_trainer_of(actor, cohort.programme), _("Only the commissioned trainer records assessment scores."))
    cohort = _lock_cohort(cohort.pk)
    members = {m.pk: m for m in cohort.members.select_related("trainee__person")}
    errors, changed = [], []
    for pk, (theory, practice) in scores.items():
        member = members.get(int(pk))
        if member is None:
            errors.append(_("Some trainees are not in this cohort."))
            continue
        try:
            values = (_score(theory, _("Theory score")), _score(practice, _("Practice score")))
        except ValidationError as exc:
            errors.append(f"{member.trainee.person.name}：{' '.join(exc.messages)}")
            continue
        if values == (member.theory_score, member.practice_score):
            continue
        if member.confirmed_at:
            errors.append(
                _("The results of %(name)s are confirmed and can no longer change.")
                % {"name": member.trainee.person.name}
            )
            continue
        changed.append((member, values))
    if errors:
        raise ValidationError(errors)
    for member, (theory, practice) in changed:
        record_scores(actor=actor, member=member, theory_score=theory, practice_score=practice)
    return len(changed)


@transaction.atomic
def confirm_results(*, actor, cohort: Cohort) -> dict:
    """The city confirms the trainer's results: passing trainees enter the city
    pool with a certificate; the others are recorded as not passed."""
    cohort = _lock_cohort(cohort.pk)
    _require(can_manage_programme(actor, cohort.programme), _("Only the city confirms assessment results."))
    outcome = results(cohort, result_parameters(cohort.programme))
    if not outcome:
        raise ValidationError(_("The cohort has no trainees yet."))
    pending = [r for r in outcome if not r.member.confirmed_at]
    unscored = [r.member.trainee.person.name for r in pending if not r.scored]
    if unscored:
        raise ValidationError(_("Scores are missing for: %(names)s.") % {"names": "、".join(unscored)})
    if not pending:
        raise ValidationError(_("All results of this cohort are already confirmed."))
    now = timezone.now()
    admitted = published = 0
    # 公示: with the city's policy on, the passing trainees are published and
    # enter the pool only when the period ends with no upheld objection.
    publish = publicity_selectors.is_enabled(cohort.programme.jurisdiction)
    for r in pending:
        member = r.member
        member.passed = r.passes
        member.confirmed_by, member.confirmed_at = actor, now
        member.save(update_fields=["passed", "confirmed_by", "confirmed_at"])
        if r.passes and publish:
            _publish(actor, cohort, member)
            published += 1
        elif r.passes:
            signals.member_passed.send(sender=Member, actor=actor, member=member)
            admitted += 1
    resolve_matter(within=matter_of(cohort))
    audit.record(
        actor=actor,
        event="training.results_confirmed",
        obj=cohort,
        changes={"confirmed": [None, len(pending)], "admitted": [None, admitted], "published": [None, published]},
    )
    return {
        "confirmed": len(pending),
        "admitted": admitted,
        "published": published,
        "failed": len(pending) - admitted - published,
    }


PUBLICITY_KIND = "training.results"


def _publish(actor, cohort, member):
    nomination = member.trainee.nomination
    publicity.publish(
        actor=actor,
        kind=PUBLICITY_KIND,
        jurisdiction=cohort.programme.jurisdiction,
        source=f"cohort:{cohort.pk}",
        title=_("Public notice of the passing trainees of %(programme)s %(cohort)s")
        % {"programme": cohort.programme.name, "cohort": cohort.name},
        target_id=member.pk,
        record=publicity_selectors.record_key("selection.nomination", nomination.pk),
        name=member.trainee.person.name,
        unit=nomination.organization.name,
        district=nomination.organization.jurisdiction.name,
        path=nomination.get_category_display() if nomination.category else nomination.get_path_display(),
    )


@transaction.atomic
def take_effect_after_publicity(*, actor, item) -> Member | None:
    """The period ended with no upheld objection: the trainee enters the city pool (through pools)."""
    member = Member.objects.select_for_update(of=("self",)).select_related("trainee__person").get(pk=item.target_id)
    if not member.passed:
        return None
    # At night nobody acts: the entry is made in the name of whoever confirmed the result.
    signals.member_passed.send(sender=Member, actor=actor or member.confirmed_by, member=member)
    return member


@transaction.atomic
def stop_after_publicity(*, actor, item, reason: str) -> Member | None:
    """An objection was upheld: the result stands as not passed, saying why; no pool entry is made."""
    member = Member.objects.select_for_update(of=("self",)).select_related("trainee__person").get(pk=item.target_id)
    if not member.passed:
        return None
    member.passed = False
    member.save(update_fields=["passed"])
    audit.record(
        actor=actor, event="training.result_stopped", obj=member, changes={"passed": [True, False]}, reason=reason
    )
    return member


# --- surveys ----------------------------------------------------------------------


@transaction.atomic
def create_survey(*, actor, programme: Programme, title: str, questions: list[dict]) -> Survey:
    _require(can_run_programme(actor, programme))
    if not questions:
        raise ValidationError(_("A survey needs at least one question."))
    survey = _clean_save(Survey(programme=programme, title=title.strip()))
    for i, q in enumerate(questions):
        kind = q.get("kind")
        choices = [clean_text(c, field="questions", max_length=200) for c in q.get("choices", []) if c and c.strip()]
        if kind in (Question.Kind.CHOICE, Question.Kind.MULTIPLE) and len(choices) < 2:
            raise ValidationError(_("Question %(n)s needs at least two choices.") % {"n": i + 1})
        _clean_save(Question(survey=survey, order=i, text=(q.get("text") or "").strip(), kind=kind, choices=choices))
    audit.record(
        actor=actor, event="training.survey_created", obj=survey, changes={"questions": [None, len(questions)]}
    )
    return survey


@transaction.atomic
def send_survey(*, actor, survey: Survey) -> int:
    given = survey
    survey = Survey.objects.select_for_update(of=("self",)).select_related("programme").get(pk=survey.pk)
    _require(can_run_programme(actor, survey.programme))
    if survey.sent_at:
        raise ValidationError(_("The survey was already sent."))
    survey.sent_at = given.sent_at = timezone.now()
    survey.save(update_fields=["sent_at", "updated_at"])
    from dudao.accounts.models import User

    users = list(
        User.objects.filter(
            person__traineeships__memberships__cohort__programme=survey.programme, is_active=True
        ).distinct()
    )
    notify(
        users,
        _("Training-needs survey: %(title)s") % {"title": survey.title},
        reverse("training:survey_answer", args=[survey.pk]),
        matter=matter_of(survey, "answer"),
    )
    audit.record(
        actor=actor, event="training.survey_sent", obj=survey, changes={"sent_at": [None, str(survey.sent_at)]}
    )
    return len(users)


def _clean_answers(survey: Survey, answers: dict) -> dict:
    cleaned = {}
    for q in survey.questions.all():
        raw = answers.get(str(q.pk))
        if raw in (None, "", []):
            raise ValidationError(_("Answer every question: “%(q)s” is missing.") % {"q": q.text})
        if q.kind == Question.Kind.CHOICE:
            if raw not in q.choices:
                raise ValidationError(_("Choose one of the offered answers for “%(q)s”.") % {"q": q.text})
            cleaned[str(q.pk)] = raw
        elif q.kind == Question.Kind.MULTIPLE:
            values = raw if isinstance(raw, list) else [raw]
            if any(v not in q.choices for v in values):
                raise ValidationError(_("Choose among the offered answers for “%(q)s”.") % {"q": q.text})
            cleaned[str(q.pk)] = values
        elif q.kind == Question.Kind.SCALE:
            try:
                number = int(raw)
            except (TypeError, ValueError):
                number = 0
            if not 1 <= number <= 5:
                raise ValidationError(_("Give a value from 1 to 5 for “%(q)s”.") % {"q": q.text})
            cleaned[str(q.pk)] = number
        else:
            cleaned[str(q.pk)] = clean_text(raw, field="answers", multiline=True, max_length=2000)
    return cleaned


@transaction.atomic
def submit_response(*, actor, survey: Survey, answers: dict) -> Response:
    # Sent and closing as the database has it, not as a caller's copy remembers.
    survey = Survey.objects.select_related("programme").get(pk=survey.pk)
    if not survey.sent_at:
        raise ValidationError(_("The survey has not been sent."))
    if survey.closes_at and survey.closes_at < timezone.now():
        raise ValidationError(_("The survey is closed."))
    member = (
        Member.objects.filter(cohort__programme=survey.programme, trainee__person_id=actor.person_id).first()
        if actor.person_id
        else None
    )
    _require(member is not None, _("Only trainees of the programme answer its survey."))
    cleaned = _clean_answers(survey, answers)
    response, created = Response.objects.update_or_create(survey=survey, member=member, defaults={"answers": cleaned})
    resolve_matter(matter_of(survey, "answer"), recipients=[actor])
    # The answers stay out of the log: who answered, not what.
    audit.record(
        actor=actor,
        event="training.survey_answered" if created else "training.survey_answer_changed",
        obj=response,
        changes={"answered": [None, len(cleaned)]},
    )
    return response


def survey_summary(survey: Survey) -> list[dict]:
    """Per question: counts per choice, the mean of a scale, or the texts."""
    responses = list(survey.responses.values_list("answers", flat=True))
    summary = []
    for q in survey.questions.all():
        values = [r.get(str(q.pk)) for r in responses if str(q.pk) in r]
        row = {"question": q, "answered": len(values)}
        if q.kind in (Question.Kind.CHOICE, Question.Kind.MULTIPLE):
            flat = [v for value in values for v in (value if isinstance(value, list) else [value])]
            row["counts"] = [(c, flat.count(c)) for c in q.choices]
        elif q.kind == Question.Kind.SCALE:
            row["mean"] = round(sum(values) / len(values), 2) if values else None
            row["counts"] = [(str(n), values.count(n)) for n in range(1, 6)]
        else:
            row["texts"] = values
        summary.append(row)
    return summary


# --- own training records ------------------------------------------------------------


@transaction.atomic
def record_activity(
    *,
    actor,
    title: str,
    kind: str,
    held_on: dt.date,
    hours,
    organization: Organization | None = None,
    jurisdiction: Jurisdiction | None = None,
    domain=None,
    participants=(),
    is_plan: bool = False,
) -> Activity:
    """An agency's or a district's own training (policy 四(一), 四(二))."""
    from dudao.directory.permissions import can_manage_person

    if organization is not None or jurisdiction is not None:
        _require(may_organise_for(actor, organization=organization, jurisdiction=jurisdiction))
    else:
        raise ValidationError(_("Say which unit or district organised the training."))
    if is_plan:
        validate_date_ahead(held_on, field="held_on")
    else:
        validate_past_date(held_on, field="held_on")
    participants = list(participants)
    outsiders = [p.name for p in participants if not can_manage_person(actor, p)]
    if outsiders:
        raise ValidationError(
            {"participants": _("Not on a roster you manage: %(names)s.") % {"names": "、".join(outsiders)}}
        )
    activity = _clean_save(
        Activity(
            organization=organization,
            jurisdiction=jurisdiction,
            title=title.strip(),
            kind=kind,
            domain=domain,
            held_on=held_on,
            hours=hours,
            is_plan=is_plan,
        )
    )
    activity.participants.set(participants)
    audit.record(
        actor=actor,
        event="training.activity_recorded",
        obj=activity,
        changes={"participants": [None, len(participants)], "hours": [None, str(hours)]},
    )
    return activity
