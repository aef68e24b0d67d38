"""Reading supervision sessions, each reader through its own index range
(models.Session indexes): the supervisor by supervisor, a supervisee by their
attendances, the using agency by organisation, the supervisor's home agency
by home organisation (without notes), the authorities by jurisdiction chain.
A user with several ways in picks one (`view`) for a list, so no list is an
OR across the table; a single session is looked up through each in turn.

Ratings are read only as aggregates over a period, and only from a
policy-set count up (rating_summary): no reader learns who rated what."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dudao.core.scoping import nodes_q
from dudao.core.validators import MAX_ID
from dudao.directory.models import Jurisdiction, Person
from dudao.policy.selectors import value as policy_value

from .. import permissions
from ..models import Attendance, Engagement, MonthSignOff, Rating, Session


@dataclass(frozen=True)
class View:
    key: str
    label: str
    notes: bool  # whether this reader reads the sessions' notes


SUPERVISEE = View("supervisee", _("Sessions I attended"), True)
SUPERVISOR = View("supervisor", _("Sessions I gave"), True)
AGENCY = View("agency", _("Sessions at our agency"), True)
HOME = View("home", _("Our supervisors elsewhere"), False)
COVERAGE = View("coverage", _("Sessions in our jurisdiction"), False)


def views_for(user) -> list[View]:
    """The ways the user reads sessions, the most personal first."""
    found = []
    if permissions.supervisor_person_id(user):
        found.append(SUPERVISOR)
    if permissions.supervisee_person_id(user):
        found.append(SUPERVISEE)
    if permissions.managed_org_ids(user):
        found += [AGENCY, HOME]
    if permissions.coverage_nodes(user):
        found.append(COVERAGE)
    return found


def _base() -> QuerySet:
    return Session.objects.select_related("supervisor", "organization", "engagement")


def _in_view(user, view: View) -> QuerySet:
    if view is SUPERVISOR:
        return _base().filter(supervisor_id=permissions.supervisor_person_id(user))
    if view is SUPERVISEE:
        # Through the attendance index (person, date, id); one row per session since
        # a supervisee attends a session once.
        return _base().filter(attendances__person_id=permissions.supervisee_person_id(user))
    orgs = permissions.managed_org_ids(user)
    if view is AGENCY:
        return _base().filter(organization_id__in=orgs)
    if view is HOME:
        return _base().filter(home_organization_id__in=orgs).exclude(organization_id__in=orgs)
    q = nodes_q(permissions.coverage_nodes(user))
    return _base().filter(q) if q is not None else Session.objects.none()


def view_named(user, key: str | None) -> View | None:
    views = views_for(user)
    return next((v for v in views if v.key == key), views[0] if views else None)


def sessions_for(user, view: str | None = None) -> QuerySet:
    """The sessions the user reads through one of their ways in (the first by default)."""
    chosen = view_named(user, view)
    return _in_view(user, chosen) if chosen else Session.objects.none()


def _id(raw) -> int:
    """A record id from a URL or a form, or 404: beyond the database's range
    an id would fail in the query (a 500) rather than find nothing."""
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 1 <= pk <= MAX_ID:
        raise Http404
    return pk


@dataclass
class Visible:
    session: Session
    views: list  # the user's ways in to this session
    attended: bool
    notes: bool


def visible_session(user, pk) -> Visible:
    """One session with the ways the user reaches it, or 404 if none does."""
    pk = _id(pk)
    reached, session = [], None
    for view in views_for(user):
        found = _in_view(user, view).filter(pk=pk).first()
        if found is not None:
            session = session or found
            reached.append(view)
    if session is None:
        raise Http404
    attended = SUPERVISEE in reached
    return Visible(session, reached, attended, permissions.reads_notes(user, session, attended=attended))


def attendances_of(session) -> list[Attendance]:
    return list(session.attendances.select_related("person").order_by("person__name", "pk"))


def awaiting_confirmation_by(user) -> QuerySet:
    """Sessions the user attended and has not yet confirmed or disputed."""
    pid = permissions.supervisee_person_id(user)
    if pid is None:
        return Session.objects.none()
    return _base().filter(attendances__person_id=pid, attendances__status=Attendance.Status.PENDING)


def _flag_cut(organization_id) -> dt.date:
    jurisdiction = Jurisdiction.objects.filter(organizations__pk=organization_id).first()
    days = policy_value("supervision.unconfirmed_flag_days", jurisdiction) if jurisdiction else 14
    return timezone.localdate() - dt.timedelta(days=days)


def awaiting_confirmation_at(user) -> QuerySet:
    """The sessions of the user's agencies that still wait for a supervisee."""
    orgs = permissions.managed_org_ids(user)
    return _base().filter(organization_id__in=orgs, status=Session.Status.PENDING)


def unconfirmed_flagged(user) -> QuerySet:
    """The agency's sessions still unconfirmed longer than the policy allows."""
    orgs = sorted(permissions.managed_org_ids(user))
    if not orgs:
        return Session.objects.none()
    q = Q()
    for org in orgs:
        q |= Q(organization_id=org, date__lt=_flag_cut(org))
    return _base().filter(q, status=Session.Status.PENDING)


def disputes_for(user, view: str | None = None) -> QuerySet:
    """Disputed sessions: the agency's to resolve, the supervisor's own."""
    chosen = view_named(user, view)
    if chosen not in (AGENCY, SUPERVISOR):
        chosen = AGENCY if AGENCY in views_for(user) else SUPERVISOR if SUPERVISOR in views_for(user) else None
    if chosen is None:
        return Session.objects.none()
    return _in_view(user, chosen).filter(status=Session.Status.DISPUTED)


def engagement_for(user, pk) -> Engagement:
    """An engagement whose sessions the user reads, or 404."""
    try:
        engagement = Engagement.objects.select_related("supervisor", "organization__jurisdiction").get(pk=_id(pk))
    except Engagement.DoesNotExist:
        raise Http404 from None
    if (
        permissions.is_supervisor_of(user, engagement)
        or permissions.uses(user, engagement)
        or permissions.is_home_agency_of(user, engagement)
        or permissions.watches_row(user, engagement)
    ):
        return engagement
    raise Http404


def live_engagements_for(user, view: str | None) -> list[Engagement]:
    """The active engagements behind a list's shortcuts: the supervisor's, to
    record a session under; the agency's, to sign its months off."""
    if view == SUPERVISOR.key and (pid := permissions.supervisor_person_id(user)):
        live = Engagement.objects.filter(supervisor_id=pid)
    elif view == AGENCY.key and (orgs := permissions.managed_org_ids(user)):
        live = Engagement.objects.filter(organization_id__in=orgs)
    else:
        return []
    live = live.filter(status=Engagement.Status.ACTIVE).select_related("organization", "supervisor")
    return list(live.order_by("-starts_on", "-pk")[:50])


def covered_people(engagement) -> list[Person]:
    """Whom the engagement covers now: its list, or the using organisation's current staff."""
    if engagement.covers_all_staff:
        people = Person.objects.filter(employer_id=engagement.organization_id, employed=True)
    else:
        people = engagement.supervisees.all()
    return list(people.exclude(pk=engagement.supervisor_id).order_by("name", "pk"))


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def months_of(engagement) -> list[dict]:
    """Per month of the engagement up to this one, newest first: its sessions,
    how many are confirmed (or settled) and open, the hours, and the sign-off."""
    last = min(engagement.ended_on or engagement.ends_on, engagement.ends_on, timezone.localdate())
    months = _months_between(engagement.starts_on, last) if last >= engagement.starts_on else []
    rows = {
        r["month"]: r
        for r in Session.objects.filter(engagement_id=engagement.pk)
        .values("month")
        .annotate(
            sessions=Count("pk"),
            open=Count("pk", filter=Q(status__in=[Session.Status.PENDING, Session.Status.DISPUTED])),
            minutes=Sum("duration_minutes"),
        )
        .order_by()
    }
    signed = {s.month: s for s in MonthSignOff.objects.filter(engagement_id=engagement.pk)}
    result = []
    for month in sorted(set(months) | set(rows), reverse=True):
        row = rows.get(month, {})
        count, open_ = row.get("sessions", 0), row.get("open", 0)
        sign_off = signed.get(month)
        result.append(
            {
                "month": month,
                "sessions": count,
                "confirmed": count - open_,
                "open": open_,
                "hours": round((row.get("minutes") or 0) / 60, 2),
                "sign_off": sign_off,
                "signed": bool(sign_off and sign_off.status == MonthSignOff.Status.SIGNED),
                "ready": open_ == 0 and not (sign_off and sign_off.status == MonthSignOff.Status.SIGNED),
            }
        )
    return result


def months_to_sign_off(user) -> list[tuple[int, dt.date]]:
    """(engagement id, month) of the past months of the user's agencies' live
    engagements that have all their sessions settled and are not yet signed off."""
    orgs = permissions.managed_org_ids(user)
    if not orgs:
        return []
    this_month = timezone.localdate().replace(day=1)
    settled = (
        Session.objects.filter(organization_id__in=orgs, month__lt=this_month)
        .values("engagement_id", "month")
        .annotate(open=Count("pk", filter=Q(status__in=[Session.Status.PENDING, Session.Status.DISPUTED])))
        .filter(open=0)
        .order_by()
    )
    signed = set(
        MonthSignOff.objects.filter(
            engagement__organization_id__in=orgs, status=MonthSignOff.Status.SIGNED, month__lt=this_month
        ).values_list("engagement_id", "month")
    )
    return [(r["engagement_id"], r["month"]) for r in settled if (r["engagement_id"], r["month"]) not in signed]


def months_ready_to_sign_off(user) -> int:
    return len(months_to_sign_off(user))


def engagements_to_sign_off(user) -> QuerySet:
    """The engagements with at least one month ready to sign off."""
    return Engagement.objects.filter(pk__in={engagement_id for engagement_id, _month in months_to_sign_off(user)})


def engagements_to_record(user) -> QuerySet:
    """The supervisor's active engagements with no session recorded yet this month."""
    pid = permissions.supervisor_person_id(user)
    if pid is None:
        return Engagement.objects.none()
    today = timezone.localdate()
    recorded = Session.objects.filter(engagement_id=OuterRef("pk"), month=today.replace(day=1))
    return Engagement.objects.filter(
        supervisor_id=pid, status=Engagement.Status.ACTIVE, starts_on__lte=today, ends_on__gte=today
    ).exclude(Exists(recorded))


def _threshold(*, supervisor, organization) -> int:
    jurisdiction = None
    if organization is not None:
        jurisdiction = organization.jurisdiction
    elif supervisor is not None and supervisor.employer_id:
        jurisdiction = supervisor.employer.jurisdiction
    jurisdiction = jurisdiction or Jurisdiction.objects.order_by("depth", "pk").first()
    return policy_value("supervision.min_ratings_shown", jurisdiction)


def rating_summary(*, supervisor=None, organization=None, start: dt.date, end: dt.date) -> dict:
    """{count, counted, average, comments} of the ratings of the months from
    `start` to `end`, for a supervisor, an organisation or both.

    The threshold (supervision.min_ratings_shown) applies to each cell of one
    supervisor at one organisation in one month, not only to the total: a
    cell with fewer ratings is counted but left out of the average and the
    comments. Every answer is then a sum of whole cells of at least that many
    ratings, so two answers for overlapping periods or filters cannot be
    subtracted to isolate one supervisee's rating. With no such cell the
    average and the comments are None. Comments come in the order of their
    text, with nothing else (the order they were given in would point at who
    gave them)."""
    ratings = Rating.objects.filter(month__gte=start.replace(day=1), month__lte=end)
    if supervisor is not None:
        ratings = ratings.filter(supervisor_id=supervisor.pk)
    if organization is not None:
        ratings = ratings.filter(organization_id=organization.pk)
    if supervisor is None and organization is None:
        ratings = ratings.none()
    threshold = _threshold(supervisor=supervisor, organization=organization)
    cells = list(
        ratings.values("supervisor_id", "organization_id", "month")
        .annotate(n=Count("pk"), total=Sum("score"))
        .order_by()
    )
    count = sum(c["n"] for c in cells)
    shown = {(c["supervisor_id"], c["organization_id"], c["month"]): c for c in cells if c["n"] >= threshold}
    counted = sum(c["n"] for c in shown.values())
    if not shown:
        return {"count": count, "counted": 0, "average": None, "comments": None}
    comments = sorted(
        comment
        for sup, org, month, comment in ratings.exclude(comment="")
        .values_list("supervisor_id", "organization_id", "month", "comment")
        .order_by()
        if (sup, org, month) in shown
    )
    average = sum(c["total"] for c in shown.values()) / counted
    return {"count": count, "counted": counted, "average": round(float(average), 2), "comments": comments}
