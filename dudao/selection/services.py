"""The nomination workflow of policy 四(三): agencies nominate at 1 per N
certified social workers, the district then the city review; district-selected
supervisors, university teachers and high-level talent enter directly after the
city's review. Every transition locks the row it changes, is recorded with actor,
time and reason, and notifies the next party after commit."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.selectors import holders
from dudao.core import audit
from dudao.core.notifications import matter_of, notify, resolve_matter
from dudao.core.validators import POLICY_YEAR, clean_text, validate_date_ahead, validate_year
from dudao.directory.models import Jurisdiction, Organization, Person
from dudao.publicity import selectors as publicity_selectors
from dudao.publicity import services as publicity

from . import permissions
from .models import EDITABLE, FINAL, Evidence, Nomination, Round, Trainee, Transition
from .reminders import nominate_matter
from .selectors import PUBLICITY_KIND, checked_eligibility, publicity_record, quota_for

S = Nomination.Status
ALLOWED_EVIDENCE = {b"%PDF": "application/pdf", b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}


# --- rounds --------------------------------------------------------------------


def _require_city_admin(actor, jurisdiction: Jurisdiction):
    if not permissions.can_manage_rounds(actor, jurisdiction):
        raise PermissionDenied(_("Only the city civil affairs bureau manages nomination rounds."))


@transaction.atomic
def open_round(
    *,
    actor,
    jurisdiction: Jurisdiction,
    year: int,
    title: str,
    snapshot_date: dt.date,
    submission_deadline: dt.datetime,
    district_review_deadline: dt.datetime,
    city_review_deadline: dt.datetime,
) -> Round:
    _require_city_admin(actor, jurisdiction)
    validate_year(year)
    title = clean_text(title, field="title", max_length=128)
    earliest = dt.date(POLICY_YEAR, 1, 1)
    validate_date_ahead(snapshot_date, field="snapshot_date", earliest=earliest)
    for field, value in (
        ("submission_deadline", submission_deadline),
        ("district_review_deadline", district_review_deadline),
        ("city_review_deadline", city_review_deadline),
    ):
        validate_date_ahead(timezone.localdate(value), field=field, earliest=earliest)
    if not (submission_deadline <= district_review_deadline <= city_review_deadline):
        raise ValidationError(
            _("Deadlines must follow each other: submission, then district review, then city review.")
        )
    if snapshot_date > submission_deadline.date():
        raise ValidationError({"snapshot_date": _("The snapshot date must not be after the submission deadline.")})
    if Round.objects.filter(jurisdiction=jurisdiction, year=year).exists():
        raise ValidationError({"year": _("A round for %(year)s already exists.") % {"year": year}})
    round_ = Round.objects.create(
        jurisdiction=jurisdiction,
        year=year,
        title=title.strip(),
        snapshot_date=snapshot_date,
        submission_deadline=submission_deadline,
        district_review_deadline=district_review_deadline,
        city_review_deadline=city_review_deadline,
    )
    fields = (
        "year",
        "title",
        "snapshot_date",
        "submission_deadline",
        "district_review_deadline",
        "city_review_deadline",
    )
    audit.record(
        actor=actor,
        event="selection.round_opened",
        obj=round_,
        changes=audit.diff({}, audit.snapshot(round_, fields)),
    )
    # Only the agencies of this round's city are asked to nominate.
    notify(
        holders(permissions.NOMINATE_OWN_STAFF, within=jurisdiction),
        _("Nomination round opened: %(title)s") % {"title": round_.title},
        reverse("selection:round_detail", args=[round_.pk]),
    )
    return round_


@transaction.atomic
def close_round(*, actor, round_: Round, reason: str = "") -> Round:
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _require_city_admin(actor, round_.jurisdiction)
    reason = _reason(reason)
    if round_.closed_at:
        raise ValidationError(_("The round is already closed."))
    round_.closed_at = timezone.now()
    round_.save(update_fields=["closed_at", "updated_at"])
    audit.record(
        actor=actor,
        event="selection.round_closed",
        obj=round_,
        changes={"closed_at": [None, str(round_.closed_at)]},
        reason=reason,
    )
    # A closed round takes no more nominations or reviews: its to-dos are moot.
    pending = round_.nominations.filter(status__in=[S.DISTRICT_REVIEW, S.CITY_REVIEW, S.RETURNED])
    resolve_matter(*[matter_of(n, step) for n in pending for step in _STEPS], within=matter_of(round_))
    return round_


def _already_handled(nomination, last: Transition | None) -> ValidationError:
    return ValidationError(
        _("This nomination was already handled by %(actor)s at %(time)s; it is now %(status)s.")
        % {
            "actor": last.actor if last and last.actor else "?",
            "time": timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M") if last else "?",
            "status": nomination.get_status_display(),
        }
    )


def _owner_check(actor, nomination: Nomination):
    if not permissions.can_nominate(actor, nomination.organization, nomination.path, nomination.category):
        raise PermissionDenied(_("Only the nominating unit may change this nomination."))


def _transition(nomination, to_status, actor, reason=""):
    Transition.objects.create(
        nomination=nomination, from_status=nomination.status, to_status=to_status, actor=actor, reason=reason
    )
    before = nomination.status
    nomination.status = to_status
    audit.record(
        actor=actor,
        event="selection.nomination_status_changed",
        obj=nomination,
        changes={"status": [before, to_status]},
        reason=reason,
    )


def _link(nomination):
    return reverse("selection:nomination_detail", args=[nomination.pk])


# The to-dos a nomination gives: a review at a stage, or the unit's revision after a return.
_STEPS = (S.DISTRICT_REVIEW, S.CITY_REVIEW, S.RETURNED)


def _nominating_unit_users(nomination):
    users = holders(permissions.NOMINATE_OWN_STAFF, organization=nomination.organization)
    if nomination.created_by_id:
        users.append(nomination.created_by)
    return users


def _district_reviewers(nomination):
    return holders(permissions.REVIEW_DISTRICT, over=nomination.organization.jurisdiction)


def _city_reviewers(nomination):
    return holders(permissions.REVIEW_CITY, over=nomination.round.jurisdiction)


# --- nominations -----------------------------------------------------------------


@transaction.atomic
def create_nomination(
    *,
    actor,
    round_: Round,
    person: Person,
    organization: Organization,
    path: str = Nomination.Path.QUOTA,
    category: str = "",
    statement: str = "",
) -> Nomination:
    if not permissions.can_nominate(actor, organization, path, category):
        raise PermissionDenied(_("You may only nominate for a unit you manage."))
    statement = _statement(statement)
    if not round_.accepts_submissions:
        raise ValidationError(_("The round no longer accepts nominations."))
    if path == Nomination.Path.QUOTA and category:
        raise ValidationError({"category": _("Quota nominations have no direct-entry category.")})
    if path == Nomination.Path.DIRECT and category not in Nomination.Category.values:
        raise ValidationError({"category": _("Choose a direct-entry category.")})
    if not person.employments.filter(organization=organization, end_date=None).exists():
        raise ValidationError(
            {
                "person": _("%(name)s is not on the current staff of %(org)s.")
                % {"name": person.name, "org": organization.name}
            }
        )
    nomination = Nomination(
        round=round_,
        person=person,
        organization=organization,
        path=path,
        category=category,
        statement=statement,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:
        raise ValidationError(
            {"person": _("%(name)s already has a nomination in this round.") % {"name": person.name}}
        ) from None
    Transition.objects.create(nomination=nomination, from_status="", to_status=S.DRAFT, actor=actor)
    audit.record(
        actor=actor,
        event="selection.nomination_created",
        obj=nomination,
        changes={"status": [None, S.DRAFT], "path": [None, path]},
    )
    return nomination


def _statement(statement) -> str:
    return clean_text(statement, field="statement", multiline=True, max_length=2000)


def _reason(reason) -> str:
    return clean_text(reason, field="reason", multiline=True, max_length=1000)


def _locked(nomination) -> Nomination:
    # of=("self",): lock the nomination row only. Without it PostgreSQL locks every
    # joined row too (the round, the city, the unit, its type, the person), so
    # unrelated transitions queue behind each other and a review can deadlock
    # with a submission that already holds the unit's row.
    return (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("round__jurisdiction", "organization__jurisdiction", "organization__type", "person")
        .get(pk=nomination.pk)
    )


@transaction.atomic
def update_nomination(
    *, actor, nomination: Nomination, statement: str | None = None, category: str | None = None
) -> Nomination:
    nomination = _locked(nomination)
    _owner_check(actor, nomination)
    if nomination.status not in EDITABLE:
        raise ValidationError(_("Only a draft or a returned nomination can be edited."))
    changes = {}
    if statement is not None:
        statement = _statement(statement)
    if statement is not None and statement != nomination.statement:
        changes["statement"] = [nomination.statement, statement]
        nomination.statement = statement
    if category is not None and nomination.path == Nomination.Path.DIRECT and category != nomination.category:
        if category not in Nomination.Category.values:
            raise ValidationError({"category": _("Choose a direct-entry category.")})
        changes["category"] = [nomination.category, category]
        nomination.category = category
    nomination.save()
    if changes:
        audit.record(actor=actor, event="selection.nomination_updated", obj=nomination, changes=changes)
    return nomination


@transaction.atomic
def submit(*, actor, nomination: Nomination) -> Nomination:
    """Send a draft or returned nomination to review. For the quota path the
    unit's row is locked first, so concurrent submissions count the places one
    at a time and the quota holds."""
    if nomination.path == Nomination.Path.QUOTA:
        Organization.objects.select_for_update().get(pk=nomination.organization_id)
    nomination = _locked(nomination)
    _owner_check(actor, nomination)
    if nomination.status not in EDITABLE:
        raise ValidationError(
            _("This nomination is already %(status)s and cannot be submitted.")
            % {"status": nomination.get_status_display()}
        )
    round_ = nomination.round
    if not round_.accepts_submissions:
        raise ValidationError(_("The submission deadline of this round has passed."))
    results = checked_eligibility(
        round_,
        nomination.person,
        nomination.organization,
        nomination.path,
        nomination.category,
        nomination.evidence.count(),
    )
    failed = [r for r in results if not r.passed]
    if failed:
        raise ValidationError(
            _("%(name)s does not meet the rules: %(reasons)s")
            % {"name": nomination.person.name, "reasons": "；".join(f"{r.label}：{r.detail}" for r in failed)}
        )
    if nomination.path == Nomination.Path.QUOTA and nomination.status == S.DRAFT:
        quota = quota_for(round_, nomination.organization)
        if quota.used >= quota.quota:
            raise ValidationError(
                _(
                    "The quota is used up: %(org)s has %(certified)s certified social workers, so %(quota)s place(s) at 1:%(ratio)s, and %(used)s are taken."
                )
                % {
                    "org": nomination.organization.name,
                    "certified": quota.certified,
                    "quota": quota.quota,
                    "ratio": quota.ratio,
                    "used": quota.used,
                }
            )
    to_status = S.DISTRICT_REVIEW if nomination.path == Nomination.Path.QUOTA else S.CITY_REVIEW
    nomination.eligibility = [r.as_dict() for r in results]
    nomination.submitted_at = timezone.now()
    _transition(nomination, to_status, actor)
    nomination.save()
    resolve_matter(matter_of(nomination, S.RETURNED), nominate_matter(round_, nomination.organization))
    reviewers = _district_reviewers(nomination) if to_status == S.DISTRICT_REVIEW else _city_reviewers(nomination)
    notify(
        reviewers,
        _("Nomination to review: %(name)s (%(org)s)")
        % {"name": nomination.person.name, "org": nomination.organization.name},
        _link(nomination),
        matter=matter_of(nomination, to_status),
    )
    return nomination


@transaction.atomic
def withdraw(*, actor, nomination: Nomination, reason: str = "") -> Nomination:
    nomination = _locked(nomination)
    _owner_check(actor, nomination)
    reason = _reason(reason)
    if nomination.status in FINAL or nomination.status == S.PUBLICITY:
        raise ValidationError(_("A decided nomination cannot be withdrawn."))
    if nomination.round.is_closed:
        raise ValidationError(_("The round is closed."))
    _transition(nomination, S.WITHDRAWN, actor, reason)
    nomination.decided_at = timezone.now()
    nomination.save()
    resolve_matter(within=matter_of(nomination))
    return nomination


DECISIONS = ("approve", "return", "reject")


@transaction.atomic
def review(
    *, actor, nomination: Nomination, decision: str, reason: str = "", expected_status: str | None = None
) -> Nomination:
    """Approve, return for revision or reject at the stage the actor reviews.
    The row lock plus the status check make a second, simultaneous review fail
    with a message instead of overwriting the first."""
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Unknown decision.")})
    nomination = _locked(nomination)
    stage = permissions.reviewer_stage(actor, nomination)
    if stage is None:
        handled = permissions.handled_at_my_stage(actor, nomination)
        if handled is None:
            raise PermissionDenied(_("You do not review nominations at this stage."))
        raise _already_handled(nomination, handled)
    if expected_status and nomination.status != expected_status:
        raise _already_handled(nomination, nomination.transitions.select_related("actor").last())
    if nomination.round.is_closed:
        raise ValidationError(_("The round is closed."))
    reason = _reason(reason)
    if decision in ("return", "reject") and not reason:
        raise ValidationError({"reason": _("Give a reason when returning or rejecting.")})

    recipients = _nominating_unit_users(nomination)
    # Whoever of the stage's reviewers decided, the review is no one's to-do any more.
    resolve_matter(matter_of(nomination, stage))
    matter = ""
    if decision == "return":
        _transition(nomination, S.RETURNED, actor, reason)
        message = _("Nomination returned for revision: %(name)s") % {"name": nomination.person.name}
        matter = matter_of(nomination, S.RETURNED)
    elif decision == "reject":
        _transition(nomination, S.REJECTED, actor, reason)
        nomination.decided_at = timezone.now()
        message = _("Nomination rejected: %(name)s") % {"name": nomination.person.name}
    elif stage == S.DISTRICT_REVIEW:
        _transition(nomination, S.CITY_REVIEW, actor, reason)
        message = _("Nomination approved by the district, now with the city: %(name)s") % {
            "name": nomination.person.name
        }
        notify(
            _city_reviewers(nomination),
            _("Nomination to review: %(name)s (%(org)s)")
            % {"name": nomination.person.name, "org": nomination.organization.name},
            _link(nomination),
            matter=matter_of(nomination, S.CITY_REVIEW),
        )
    elif publicity_selectors.is_enabled(nomination.round.jurisdiction):
        # 公示: the nominee becomes a trainee only when the period ends with no upheld objection.
        _transition(nomination, S.PUBLICITY, actor, reason)
        item = publicity.publish(
            actor=actor,
            kind=PUBLICITY_KIND,
            jurisdiction=nomination.round.jurisdiction,
            source=f"round:{nomination.round_id}",
            title=_("Public notice of the trainees of %(round)s") % {"round": nomination.round.title},
            target_id=nomination.pk,
            record=publicity_record(nomination.pk),
            name=nomination.person.name,
            unit=nomination.organization.name,
            district=nomination.organization.jurisdiction.name,
            path=nomination.get_category_display() if nomination.category else nomination.get_path_display(),
        )
        message = _("%(name)s is approved and in public notice until %(end)s") % {
            "name": nomination.person.name,
            "end": item.notice.ends_on,
        }
    else:
        _approve(nomination, actor, reason)
        message = _("%(name)s is now a trainee of %(round)s") % {
            "name": nomination.person.name,
            "round": nomination.round,
        }
    nomination.save()
    notify(recipients, message, _link(nomination), matter=matter)
    return nomination


@dataclass(frozen=True)
class BatchOutcome:
    """One item of a batch approval: the nomination asked for (None when the
    actor cannot see it), and the error that stopped it, if any."""

    nomination_id: int
    nomination: Nomination | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@transaction.atomic
def approve_many(
    *, actor, nominations: list[tuple[Nomination | None, int, str | None]], reason: str = ""
) -> list[BatchOutcome]:
    """Approve several nominations at the stage the actor reviews, one by one
    through `review` (each locked, checked and audited on its own, in its own
    savepoint): one that fails is reported with its reason and leaves the
    others approved. Each item is (nomination or None if out of the actor's
    sight, its id, the status the actor saw)."""
    outcomes = []
    for nomination, pk, expected_status in nominations:
        if nomination is None:
            outcomes.append(BatchOutcome(pk, None, _("No such nomination in your scope.")))
            continue
        try:
            done = review(
                actor=actor, nomination=nomination, decision="approve", reason=reason, expected_status=expected_status
            )
            outcomes.append(BatchOutcome(pk, done))
        except (ValidationError, PermissionDenied) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            outcomes.append(BatchOutcome(pk, nomination, message))
    return outcomes


def _approve(nomination, actor, reason=""):
    _transition(nomination, S.APPROVED, actor, reason)
    nomination.decided_at = timezone.now()
    Trainee.objects.create(round=nomination.round, person=nomination.person, nomination=nomination)


# --- 公示 (dudao.publicity calls these with the item's row locked) -----------------


@transaction.atomic
def take_effect_after_publicity(*, actor, item) -> Nomination | None:
    """The period ended with no upheld objection: the nominee becomes a trainee."""
    nomination = _locked(Nomination(pk=item.target_id))
    if nomination.status != S.PUBLICITY:
        return None
    _approve(
        nomination,
        actor,
        _("Public notice %(start)s to %(end)s ended with no upheld objection.")
        % {"start": item.notice.starts_on, "end": item.notice.ends_on},
    )
    nomination.save()
    notify(
        _nominating_unit_users(nomination),
        _("%(name)s is now a trainee of %(round)s") % {"name": nomination.person.name, "round": nomination.round},
        _link(nomination),
    )
    return nomination


@transaction.atomic
def stop_after_publicity(*, actor, item, reason: str) -> Nomination | None:
    """An objection to the nominee was upheld: the nomination is rejected, saying why."""
    nomination = _locked(Nomination(pk=item.target_id))
    if nomination.status != S.PUBLICITY:
        return None
    _transition(nomination, S.REJECTED, actor, _("Objection upheld in public notice: %(reason)s") % {"reason": reason})
    nomination.decided_at = timezone.now()
    nomination.save()
    notify(
        _nominating_unit_users(nomination),
        _("Nomination stopped by an upheld objection: %(name)s") % {"name": nomination.person.name},
        _link(nomination),
    )
    return nomination


# --- evidence --------------------------------------------------------------------


def _sniff(upload) -> str | None:
    head = upload.read(8)
    upload.seek(0)
    for magic, content_type in ALLOWED_EVIDENCE.items():
        if head.startswith(magic):
            return content_type
    return None


@transaction.atomic
def add_evidence(*, actor, nomination: Nomination, upload, description: str = "") -> Evidence:
    nomination = _locked(nomination)
    _owner_check(actor, nomination)
    description = clean_text(description, field="description", max_length=200)
    # The name comes from the uploader's disk; it is shown and offered on download as it was.
    original_name = clean_text(upload.name, field="file", max_length=255)
    if nomination.status not in EDITABLE:
        raise ValidationError(_("Evidence can be added only while the nomination is a draft or returned."))
    if upload.size > settings.DUDAO_MAX_EVIDENCE_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1048576, 1), "limit": round(settings.DUDAO_MAX_EVIDENCE_BYTES / 1048576, 1)}
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    content_type = _sniff(upload)
    if content_type is None:
        # The bytes decide, not the name or the browser's claim: a renamed file is refused.
        raise ValidationError(_("Evidence must be a PDF, PNG or JPEG file."))
    evidence = Evidence(
        nomination=nomination,
        original_name=original_name,
        content_type=content_type,
        size=upload.size,
        description=description,
        uploaded_by=actor,
    )
    evidence.file.save(upload.name, upload, save=False)
    evidence.save()
    audit.record(
        actor=actor,
        event="selection.evidence_added",
        obj=nomination,
        changes={"evidence": [None, evidence.original_name]},
    )
    return evidence
