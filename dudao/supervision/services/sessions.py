"""Supervision records (督导记录): recorded by the supervisor, confirmed and
rated (or disputed) by each supervisee present, disputes resolved by the using
agency, and each engagement's month signed off by that agency, which freezes
it (models.guard_month_open) until it is reopened with a reason."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.selectors import holders
from dudao.core import audit
from dudao.core.notifications import matter_of, notify, resolve_matter
from dudao.core.validators import clean_text
from dudao.directory.models import Person
from dudao.policy.selectors import value as policy_value

from .. import permissions, signals, types
from ..functions import functions_of
from ..models import Attendance, Engagement, MonthSignOff, Rating, Session, SuperviseeType, guard_month_open
from . import years

A = Attendance.Status
OPEN_STATUSES = (Session.Status.PENDING, Session.Status.DISPUTED)


def _users_of(person_ids):
    from dudao.accounts.models import User  # accounts sits above supervision; read only the link to the person

    return list(User.objects.filter(person_id__in=list(person_ids), is_active=True).order_by("pk"))


def _link(session) -> str:
    return reverse("supervision:session_detail", args=[session.pk])


def _month_link(engagement) -> str:
    return reverse("supervision:month_list", args=[engagement.pk])


def _policy(engagement, key, on=None):
    """A supervision parameter as it applies to the engagement's using organisation."""
    return policy_value(key, engagement.organization.jurisdiction, on)


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _covered(engagement, person_ids) -> set[int]:
    """Which of these people the engagement covers now: its list, or the using
    organisation's current staff when it covers all of them."""
    if engagement.covers_all_staff:
        found = Person.objects.filter(pk__in=person_ids, employer_id=engagement.organization_id, employed=True)
    else:
        found = engagement.supervisees.filter(pk__in=person_ids)
    return set(found.values_list("pk", flat=True))


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _overlapping(supervisor_id, date, start_time, duration, exclude=None):
    start = _minutes(start_time)
    end = start + duration
    others = Session.objects.filter(supervisor_id=supervisor_id, date=date).only("start_time", "duration_minutes")
    if exclude is not None:
        others = others.exclude(pk=exclude)
    for other in others:
        o_start = _minutes(other.start_time)
        if o_start < end and start < o_start + other.duration_minutes:
            return other
    return None


def _clean_terms(
    engagement, *, date, start_time, duration_minutes, form, functions, supervisees, topics, notes, exclude=None
) -> dict:
    """Every rule a record must meet, all reported at once, field by field."""
    errors: dict[str, list] = {}

    def refuse(field, message):
        errors.setdefault(field, []).append(message)

    today = timezone.localdate()
    if not isinstance(date, dt.date):
        refuse("date", _("Give the date of the session."))
    else:
        last_day = min(engagement.ended_on or engagement.ends_on, engagement.ends_on)
        if date > today:
            refuse("date", _("A session cannot be recorded for a date in the future."))
        if date < engagement.starts_on:
            refuse(
                "date",
                _("The engagement starts on %(day)s: a session cannot be recorded before it.")
                % {"day": engagement.starts_on.isoformat()},
            )
        elif date > last_day:
            refuse(
                "date",
                _("The engagement ended on %(day)s: a session cannot be recorded after it.")
                % {"day": last_day.isoformat()},
            )
    if not isinstance(start_time, dt.time):
        refuse("start_time", _("Give the time the session started."))
    shortest = _policy(engagement, "supervision.min_session_minutes")
    longest = _policy(engagement, "supervision.max_session_minutes")
    if not isinstance(duration_minutes, int) or isinstance(duration_minutes, bool):
        refuse("duration_minutes", _("Give the duration as a whole number of minutes."))
    elif not shortest <= duration_minutes <= longest:
        refuse(
            "duration_minutes",
            _("A session lasts from %(min)s to %(max)s minutes.") % {"min": shortest, "max": longest},
        )
    if form not in Session.Form.values:
        refuse("form", _("Choose the form of the session."))
    allowed = functions_of(engagement.organization)
    chosen = list(dict.fromkeys(functions or ()))
    if not chosen:
        refuse("functions", _("Choose at least one function of the supervision."))
    elif unknown := [f for f in chosen if f not in allowed]:
        refuse(
            "functions",
            _("Not a function of supervision: %(names)s. Choose from: %(allowed)s.")
            % {"names": "、".join(map(str, unknown)), "allowed": "、".join(allowed)},
        )
    people = list(dict.fromkeys(supervisees or ()))
    ids = [p.pk for p in people]
    if not people:
        refuse("supervisees", _("Choose the supervisees present."))
    if engagement.supervisor_id in ids:
        refuse("supervisees", _("The supervisor cannot be their own supervisee."))
    covered = _covered(engagement, ids)
    if outside := [p for p in people if p.pk not in covered and p.pk != engagement.supervisor_id]:
        refuse(
            "supervisees",
            _("Not covered by this engagement: %(names)s.") % {"names": "、".join(p.name for p in outside)},
        )
    if form == Session.Form.GROUP and len(people) < 2:
        refuse("supervisees", _("A group session needs at least two supervisees."))
    try:
        topics = clean_text(topics, field="topics", max_length=300)
        if not topics:
            refuse("topics", _("Give the topics of the session."))
    except ValidationError as exc:
        errors.setdefault("topics", []).extend(exc.message_dict["topics"])
    try:
        notes = clean_text(notes, field="notes", multiline=True, max_length=5000)
    except ValidationError as exc:
        errors.setdefault("notes", []).extend(exc.message_dict["notes"])
    if isinstance(date, dt.date):
        try:
            guard_month_open(engagement.pk, _first_of_month(date))
        except ValidationError as exc:
            refuse("date", exc.messages[0])
        if isinstance(start_time, dt.time) and "duration_minutes" not in errors:
            other = _overlapping(engagement.supervisor_id, date, start_time, duration_minutes, exclude)
            if other is not None:
                refuse(
                    "start_time",
                    _("The supervisor already has a session on %(day)s from %(start)s for %(minutes)s minutes.")
                    % {
                        "day": date.isoformat(),
                        "start": other.start_time.strftime("%H:%M"),
                        "minutes": other.duration_minutes,
                    },
                )
    if errors:
        raise ValidationError(errors)
    return {"functions": chosen, "supervisees": people, "topics": topics, "notes": notes}


def _types_for(people, on, chosen: dict | None) -> dict[int, str]:
    found = types.types_of([p.pk for p in people], on)
    for pk, kind in (chosen or {}).items():
        if int(pk) in found:
            if kind not in SuperviseeType.values:
                raise ValidationError({"supervisees": _("Not a supervisee type: %(type)s.") % {"type": kind}})
            found[int(pk)] = kind
    return found


def _lock_supervisor(engagement) -> Engagement:
    """Two records of one supervisor (or a record and a sign-off of the month)
    at the same moment would each see no overlap: take the supervisor's row
    and the engagement's row first, so the second waits and sees the first."""
    Person.objects.select_for_update().filter(pk=engagement.supervisor_id).first()
    return Engagement.objects.select_for_update().select_related("organization__jurisdiction").get(pk=engagement.pk)


def _require_supervisor(actor, engagement) -> None:
    if not permissions.is_supervisor_of(actor, engagement):
        raise PermissionDenied(_("Only the engagement's supervisor records its sessions."))


def _snapshot(session) -> dict:
    return {
        "date": session.date.isoformat(),
        "start_time": session.start_time.strftime("%H:%M"),
        "duration_minutes": session.duration_minutes,
        "form": session.form,
        "functions": session.functions,
        "topics": session.topics,
    }


@transaction.atomic
def record(
    *,
    actor,
    engagement: Engagement,
    date: dt.date,
    start_time: dt.time,
    duration_minutes: int,
    form: str,
    functions,
    supervisees,
    topics: str,
    notes: str = "",
    supervisee_types: dict | None = None,
) -> Session:
    """The supervisor of an active engagement records a session; each
    supervisee present is told to confirm it. `supervisee_types` corrects the
    type read from the data for this session ({person id: type})."""
    _require_supervisor(actor, engagement)
    engagement = _lock_supervisor(engagement)
    if engagement.status != Engagement.Status.ACTIVE:
        raise ValidationError(_("Sessions are recorded only under an active engagement."))
    clean = _clean_terms(
        engagement,
        date=date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        form=form,
        functions=functions,
        supervisees=supervisees,
        topics=topics,
        notes=notes,
    )
    session = Session.objects.create(
        engagement=engagement,
        supervisor_id=engagement.supervisor_id,
        organization=engagement.organization,
        home_organization_id=engagement.home_organization_id,
        date=date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        month=_first_of_month(date),
        form=form,
        functions=clean["functions"],
        topics=clean["topics"],
        notes=clean["notes"],
        recorded_by=actor,
    )
    kinds = _types_for(clean["supervisees"], date, supervisee_types)
    Attendance.objects.bulk_create(
        [Attendance(session=session, person=p, supervisee_type=kinds[p.pk], date=date) for p in clean["supervisees"]]
    )
    audit.record(
        actor=actor,
        event="supervision.session_recorded",
        obj=session,
        changes={k: [None, v] for k, v in _snapshot(session).items()} | {"supervisees": [None, len(kinds)]},
    )
    notify(
        _users_of(kinds),
        _("%(supervisor)s recorded a supervision session on %(day)s: please confirm and rate it.")
        % {"supervisor": engagement.supervisor.name, "day": date.isoformat()},
        _link(session),
        matter=matter_of(session, "confirm"),
    )
    return session


def _editable(actor, session) -> Session:
    session = Session.objects.select_related("engagement__organization__jurisdiction").get(pk=session.pk)
    _require_supervisor(actor, session.engagement)
    if session.attendances.exclude(status=A.PENDING).exists():
        raise ValidationError(
            _("A supervisee has already confirmed or disputed this session: it can no longer change.")
        )
    guard_month_open(session.engagement_id, session.month)
    return session


@transaction.atomic
def update(*, actor, session: Session, reason: str = "", supervisee_types: dict | None = None, **fields) -> Session:
    """The supervisor corrects a session nobody has confirmed yet, in an open month."""
    allowed = {"date", "start_time", "duration_minutes", "form", "functions", "supervisees", "topics", "notes"}
    if unknown := set(fields) - allowed:
        raise ValidationError(_("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    session = _editable(actor, session)
    engagement = _lock_supervisor(session.engagement)
    session = Session.objects.select_for_update().get(pk=session.pk)
    present = list(Person.objects.filter(pk__in=session.attendances.values("person_id")).order_by("pk"))
    terms = {
        "date": session.date,
        "start_time": session.start_time,
        "duration_minutes": session.duration_minutes,
        "form": session.form,
        "functions": session.functions,
        "supervisees": present,
        "topics": session.topics,
        "notes": session.notes,
    } | fields
    clean = _clean_terms(engagement, **terms, exclude=session.pk)
    before = _snapshot(session)
    for name in ("date", "start_time", "duration_minutes", "form"):
        setattr(session, name, terms[name])
    session.functions, session.topics, session.notes = clean["functions"], clean["topics"], clean["notes"]
    session.save()
    people = clean["supervisees"]
    kinds = _types_for(people, session.date, supervisee_types)
    kept = {a.person_id: a for a in session.attendances.all()}
    removed = [pid for pid in kept if pid not in kinds]
    Attendance.objects.filter(session=session).exclude(person_id__in=kinds).delete()
    if removed:
        # Those taken off the session have nothing left to confirm.
        resolve_matter(matter_of(session, "confirm"), recipients=_users_of(removed))
    added = [p for p in people if p.pk not in kept]
    for a in kept.values():
        if a.person_id in kinds:
            a.supervisee_type, a.date = kinds[a.person_id], session.date
            a.session = session
            a.save(update_fields=["supervisee_type", "date"])
    Attendance.objects.bulk_create(
        [Attendance(session=session, person=p, supervisee_type=kinds[p.pk], date=session.date) for p in added]
    )
    after = _snapshot(session)
    audit.record(
        actor=actor,
        event="supervision.session_changed",
        obj=session,
        changes=audit.diff(before, after) | ({"notes": ["…", "…"]} if "notes" in fields else {}),
        reason=clean_text(reason, field="reason", max_length=300),
    )
    if added:
        notify(
            _users_of(p.pk for p in added),
            _("%(supervisor)s recorded a supervision session on %(day)s: please confirm and rate it.")
            % {"supervisor": engagement.supervisor.name, "day": session.date.isoformat()},
            _link(session),
            matter=matter_of(session, "confirm"),
        )
    return session


@transaction.atomic
def delete(*, actor, session: Session, reason: str = "") -> None:
    """The supervisor withdraws a session nobody has confirmed yet, in an open month."""
    session = _editable(actor, session)
    _lock_supervisor(session.engagement)
    audit.record(
        actor=actor,
        event="supervision.session_deleted",
        obj=session,
        changes={k: [v, None] for k, v in _snapshot(session).items()},
        reason=clean_text(reason, field="reason", max_length=300),
    )
    resolve_matter(within=matter_of(session))
    session.delete()


def _attendance_of(actor, session) -> Attendance:
    person_id = permissions.supervisee_person_id(actor)
    attendance = (
        Attendance.objects.select_for_update()
        .filter(session_id=session.pk, person_id=person_id)
        .select_related("session__engagement", "session__supervisor")
        .first()
        if person_id
        else None
    )
    if attendance is None:
        raise PermissionDenied(_("Only a supervisee present at the session confirms or disputes it."))
    return attendance


def _settle(session: Session) -> Session:
    """The session's status from its attendances. A dispute resolved against the
    record voids the session for everyone at it: the agency found that it did
    not take place as recorded, so it counts for no hours and no subsidy."""
    rows = set(Attendance.objects.filter(session_id=session.pk).values_list("status", "resolution_upheld"))
    statuses = {status for status, _upheld in rows}
    if A.DISPUTED in statuses:
        status = Session.Status.DISPUTED
    elif (A.RESOLVED, False) in rows:
        status = Session.Status.VOID
    elif A.PENDING in statuses:
        status = Session.Status.PENDING
    else:
        status = Session.Status.CONFIRMED
    if status != session.status:
        was_confirmed = session.status == Session.Status.CONFIRMED
        Session.objects.filter(pk=session.pk).update(status=status, updated_at=timezone.now())
        session.status = status
        if was_confirmed or status == Session.Status.CONFIRMED:
            # An update() skips save(): the supervisor's year is refreshed here.
            years.refresh(session.supervisor_id, session.date.year)
    return session


def _score(rating) -> int:
    try:
        score = int(rating)
    except (TypeError, ValueError):
        score = 0
    if isinstance(rating, bool) or str(score) != str(rating).strip() or not 1 <= score <= 5:
        raise ValidationError({"rating": _("Rate the session with a whole number from 1 to 5.")})
    return score


@transaction.atomic
def confirm(*, actor, session: Session, rating, comment: str = "") -> Attendance:
    """A supervisee present confirms the session took place and rates it.
    The time is the server's; the rating is kept apart, with nothing that leads
    back to the supervisee (models.Rating)."""
    attendance = _attendance_of(actor, session)
    if attendance.status != A.PENDING:
        raise ValidationError(_("You have already confirmed or disputed this session."))
    score = _score(rating)
    comment = clean_text(comment, field="comment", max_length=300)
    session = attendance.session
    guard_month_open(session.engagement_id, session.month)
    attendance.status = A.CONFIRMED
    attendance.confirmed_at = timezone.now()
    attendance.rated = True
    attendance.save(update_fields=["status", "confirmed_at", "rated"])
    resolve_matter(matter_of(session, "confirm"), recipients=[actor])
    Rating.objects.create(
        supervisor_id=session.supervisor_id,
        engagement_id=session.engagement_id,
        organization_id=session.organization_id,
        month=session.month,
        score=score,
        comment=comment,
    )
    # The audit says that this supervisee confirmed, never what they rated.
    audit.record(
        actor=actor, event="supervision.session_confirmed", obj=session, changes={"status": ["pending", A.CONFIRMED]}
    )
    _settle(session)
    # Coverage counts each supervisee's confirmed hours (supervision.need).
    signals.changed({session.organization_id})
    return attendance


@transaction.atomic
def dispute(*, actor, session: Session, reason: str) -> Attendance:
    """A supervisee present says the session did not take place as recorded;
    the using agency is told and resolves it."""
    attendance = _attendance_of(actor, session)
    if attendance.status != A.PENDING:
        raise ValidationError(_("You have already confirmed or disputed this session."))
    reason = clean_text(reason, field="reason", max_length=300)
    if not reason:
        raise ValidationError({"reason": _("Say why you dispute this session.")})
    session = attendance.session
    guard_month_open(session.engagement_id, session.month)
    attendance.status = A.DISPUTED
    attendance.dispute_reason = reason
    attendance.disputed_at = timezone.now()
    attendance.save(update_fields=["status", "dispute_reason", "disputed_at"])
    resolve_matter(matter_of(session, "confirm"), recipients=[actor])
    audit.record(
        actor=actor,
        event="supervision.session_disputed",
        obj=session,
        changes={"status": ["pending", A.DISPUTED]},
        reason=reason,
    )
    _settle(session)
    notify(
        holders(permissions.MANAGE, organization=session.organization),
        _("A supervisee disputes the supervision session of %(day)s by %(supervisor)s: please resolve it.")
        % {"day": session.date.isoformat(), "supervisor": session.supervisor.name},
        _link(session),
        matter=matter_of(attendance, "resolve"),
    )
    return attendance


@transaction.atomic
def resolve(*, actor, attendance: Attendance, upheld: bool, resolution: str) -> Attendance:
    """The using agency settles a dispute: the session stands (upheld) or not,
    with the reason; either way the attendance no longer holds the month open."""
    attendance = Attendance.objects.select_for_update().select_related("session__engagement").get(pk=attendance.pk)
    session = attendance.session
    if not permissions.uses(actor, session.engagement):
        raise PermissionDenied(_("Only the agency using the supervisor resolves disputes over its sessions."))
    if attendance.status != A.DISPUTED:
        raise ValidationError(_("This supervisee has not disputed the session."))
    if not isinstance(upheld, bool):
        raise ValidationError({"upheld": _("Say whether the session stands.")})
    resolution = clean_text(resolution, field="resolution", max_length=300)
    if not resolution:
        raise ValidationError({"resolution": _("Give the resolution.")})
    guard_month_open(session.engagement_id, session.month)
    attendance.status = A.RESOLVED
    attendance.resolution = resolution
    attendance.resolution_upheld = upheld
    attendance.resolved_by = actor
    attendance.resolved_at = timezone.now()
    attendance.save(update_fields=["status", "resolution", "resolution_upheld", "resolved_by", "resolved_at"])
    resolve_matter(matter_of(attendance, "resolve"))
    if upheld:
        signals.changed({session.organization_id})
    audit.record(
        actor=actor,
        event="supervision.dispute_resolved",
        obj=session,
        changes={"status": [A.DISPUTED, A.RESOLVED], "upheld": [None, upheld]},
        reason=resolution,
    )
    _settle(session)
    notify(
        _users_of([attendance.person_id, session.supervisor_id]),
        _("The dispute over the supervision session of %(day)s was resolved: %(resolution)s")
        % {"day": session.date.isoformat(), "resolution": resolution},
        _link(session),
    )
    return attendance


def _month(month) -> dt.date:
    if isinstance(month, dt.datetime):
        month = month.date()
    if not isinstance(month, dt.date):
        raise ValidationError({"month": _("Give the month as YYYY-MM.")})
    return _first_of_month(month)


def _require_user(actor, engagement) -> Engagement:
    if not permissions.uses(actor, engagement):
        raise PermissionDenied(_("Only the agency using the supervisor signs off its months."))
    return Engagement.objects.select_for_update().select_related("supervisor").get(pk=engagement.pk)


def _open_sessions(engagement, month) -> int:
    """How many of the month's sessions still wait for a confirmation or a resolution."""
    return Session.objects.filter(engagement_id=engagement.pk, month=month, status__in=OPEN_STATUSES).count()


@transaction.atomic
def sign_off(*, actor, engagement: Engagement, month) -> MonthSignOff:
    """The using agency signs off an engagement's month once every session in
    it is confirmed or resolved; the month is then frozen."""
    month = _month(month)
    engagement = _require_user(actor, engagement)
    if month > _first_of_month(timezone.localdate()):
        raise ValidationError({"month": _("A month can be signed off only once it has begun.")})
    if not _first_of_month(engagement.starts_on) <= month <= _first_of_month(engagement.ends_on):
        raise ValidationError({"month": _("The engagement does not run in %(month)s.") % {"month": f"{month:%Y-%m}"}})
    waiting = _open_sessions(engagement, month)
    if waiting:
        raise ValidationError(
            _("%(count)s session(s) of %(month)s still await confirmation or the resolution of a dispute.")
            % {"count": waiting, "month": f"{month:%Y-%m}"}
        )
    existing = MonthSignOff.objects.select_for_update().filter(engagement=engagement, month=month).first()
    if existing is not None and existing.status == MonthSignOff.Status.SIGNED:
        raise ValidationError(_("%(month)s is already signed off.") % {"month": f"{month:%Y-%m}"})
    now = timezone.now()
    if existing is None:
        existing = MonthSignOff.objects.create(engagement=engagement, month=month, signed_by=actor, signed_at=now)
        before = None
    else:
        before = existing.status
        existing.status, existing.signed_by, existing.signed_at = MonthSignOff.Status.SIGNED, actor, now
        existing.save(update_fields=["status", "signed_by", "signed_at"])
    audit.record(
        actor=actor,
        event="supervision.month_signed_off",
        obj=engagement,
        changes={"month": [None, f"{month:%Y-%m}"], "status": [before, MonthSignOff.Status.SIGNED]},
    )
    return existing


@transaction.atomic
def reopen(*, actor, engagement: Engagement, month, reason: str) -> MonthSignOff:
    """The using agency reopens a signed-off month, with a reason; the supervisor is told."""
    month = _month(month)
    engagement = _require_user(actor, engagement)
    reason = clean_text(reason, field="reason", max_length=300)
    if not reason:
        raise ValidationError({"reason": _("Say why the month is reopened.")})
    signed = (
        MonthSignOff.objects.select_for_update()
        .filter(engagement=engagement, month=month, status=MonthSignOff.Status.SIGNED)
        .first()
    )
    if signed is None:
        raise ValidationError({"month": _("%(month)s is not signed off.") % {"month": f"{month:%Y-%m}"}})
    signed.status = MonthSignOff.Status.REOPENED
    signed.reopened_by, signed.reopened_at, signed.reopen_reason = actor, timezone.now(), reason
    signed.save(update_fields=["status", "reopened_by", "reopened_at", "reopen_reason"])
    audit.record(
        actor=actor,
        event="supervision.month_reopened",
        obj=engagement,
        changes={
            "month": [None, f"{month:%Y-%m}"],
            "status": [MonthSignOff.Status.SIGNED, MonthSignOff.Status.REOPENED],
        },
        reason=reason,
    )
    notify(
        _users_of([engagement.supervisor_id]),
        _("%(organization)s reopened %(month)s of your supervision there: %(reason)s")
        % {"organization": engagement.organization.name, "month": f"{month:%Y-%m}", "reason": reason},
        _month_link(engagement),
    )
    return signed
