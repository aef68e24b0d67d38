"""Engagements of supervisors and their agreements (policy 三(二), 一).

An agency uses its own supervisors first (an internal engagement, active at
once) and hires from the city or a district pool when short (an external
engagement: proposed by the agency, accepted or declined by the supervisor,
the supervisor's home agency told). The using organisation pays (谁使用、谁补贴).

Capacity (hours and supervisees a supervisor carries, policy data) is checked
with the supervisor's Person row locked, so two proposals made at the same
moment cannot both take the last place."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.selectors import holders
from dudao.core import audit
from dudao.core.notifications import matter_of, notify, resolve_matter
from dudao.core.validators import clean_text
from dudao.directory.cities import city_of
from dudao.directory.models import Organization, Person
from dudao.pools.models import Entry
from dudao.pools.selectors import is_available

from .. import matching, permissions, signals
from ..functions import functions_of
from ..models import Engagement, Session
from ..selectors.engagements import LIVE, capacity_of, kind_for

S = Engagement.Status
AGREEMENT_FIELDS = ("goals", "frequency", "functions", "confidentiality", "subsidy_basis")


# --- who is told ------------------------------------------------------------------------


def _users_of(person_id) -> list:
    return list(get_user_model().objects.filter(person_id=person_id, is_active=True))


def _admins_of(organization_id) -> list:
    if organization_id is None:
        return []
    return holders(permissions.MANAGE, organization=Organization(pk=organization_id))


def _link(engagement) -> str:
    return reverse("supervision:engagement_detail", args=[engagement.pk])


def _answer(engagement) -> str:
    """The supervisor's to-do of accepting or declining a proposal."""
    return matter_of(engagement, "answer")


def _agreement_due(engagement) -> str:
    """The supervisor's to-do of confirming the agreement as it reads."""
    return matter_of(engagement, "supervisor_agreement")


def _names(engagement) -> dict:
    return {"supervisor": engagement.supervisor.name, "org": engagement.organization.name}


# --- checks -------------------------------------------------------------------------------


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"hours_per_month": _("Give the hours per month as a number.")}) from None
    if not hours.is_finite() or hours <= 0 or hours >= 10000:
        raise ValidationError({"hours_per_month": _("Agreed hours per month must be more than 0.")})
    return hours


def _functions(functions, organization) -> list[str]:
    allowed = functions_of(organization)
    chosen = [str(f).strip() for f in (functions or ()) if str(f).strip()]
    unknown = [f for f in chosen if f not in allowed]
    if unknown:
        raise ValidationError(
            {
                "functions": _("%(functions)s is not a function of supervision; choose from %(allowed)s.")
                % {"functions": "、".join(unknown), "allowed": "、".join(allowed)}
            }
        )
    # The policy's order, each once.
    return [f for f in allowed if f in chosen]


def _agreement(*, organization, goals, frequency, functions, confidentiality, subsidy_basis) -> dict:
    return {
        "goals": clean_text(goals, field="goals", multiline=True, max_length=2000),
        "frequency": clean_text(frequency, field="frequency", max_length=200),
        "functions": _functions(functions, organization),
        "confidentiality": clean_text(confidentiality, field="confidentiality", multiline=True, max_length=2000),
        "subsidy_basis": clean_text(subsidy_basis, field="subsidy_basis", multiline=True, max_length=2000),
    }


def _term(entry: Entry, starts_on, ends_on) -> None:
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        raise ValidationError(_("Give the first and the last day of the engagement."))
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The engagement cannot end before it starts.")})
    if ends_on < timezone.localdate():
        raise ValidationError({"ends_on": _("The engagement would already be over: choose a later end.")})
    if ends_on > entry.expires_on:
        raise ValidationError(
            {
                "ends_on": _("The supervisor's pool term ends on %(date)s; the engagement cannot run beyond it.")
                % {"date": entry.expires_on.isoformat()}
            }
        )


def _supervisees(organization, supervisor: Person, supervisees, covers_all_staff: bool) -> list[Person]:
    if covers_all_staff:
        return []
    people = list(supervisees or ())
    if not people:
        raise ValidationError({"supervisees": _("Choose the supervisees, or cover all staff.")})
    ids = {p.pk for p in people}
    if supervisor.pk in ids:
        raise ValidationError({"supervisees": _("A supervisor cannot supervise themself.")})
    on_staff = set(
        Person.objects.filter(pk__in=ids, employer_id=organization.pk, employed=True).values_list("pk", flat=True)
    )
    strangers = [p.name for p in people if p.pk not in on_staff]
    if strangers:
        raise ValidationError(
            {
                "supervisees": _("%(names)s is not on the current staff of %(org)s.")
                % {"names": "、".join(strangers), "org": organization.name}
            }
        )
    return people


def _staff_count(organization, supervisor: Person) -> int:
    return Person.objects.filter(employer_id=organization.pk, employed=True).exclude(pk=supervisor.pk).count()


def _capacity(supervisor: Person, *, hours: Decimal, supervisee_count: int, exclude=None) -> None:
    """Refuses what would carry the supervisor beyond the policy's maximums.
    The caller holds the lock on the supervisor's Person row."""
    load = capacity_of(supervisor, exclude=exclude)
    if load.supervisees + supervisee_count > load.max_supervisees:
        raise ValidationError(
            _(
                "%(name)s already carries %(count)s supervisees; with %(more)s more the total would pass "
                "the most one supervisor carries (%(max)s)."
            )
            % {
                "name": supervisor.name,
                "count": load.supervisees,
                "more": supervisee_count,
                "max": load.max_supervisees,
            }
        )
    if load.hours + hours > load.max_hours:
        raise ValidationError(
            {
                "hours_per_month": _(
                    "%(name)s already has %(hours)s hours a month agreed; with %(more)s more the total would pass "
                    "the most agreed per month (%(max)s)."
                )
                % {"name": supervisor.name, "hours": load.hours, "more": hours, "max": load.max_hours}
            }
        )


def _check_manager(actor, organization) -> None:
    if not permissions.manages_organization(actor, organization.pk):
        raise PermissionDenied(_("Only the agency's administrator engages supervisors for it."))


def _open(
    *, actor, organization, entry, starts_on, ends_on, hours_per_month, supervisees, covers_all_staff, kind: str
) -> tuple:
    """The checks shared by both ways of engaging; returns the locked
    supervisor, the entry, the supervisees and the hours."""
    _check_manager(actor, organization)
    entry = Entry.objects.select_related("jurisdiction", "organization").filter(pk=entry.pk).first()
    if entry is None:
        raise ValidationError({"entry": _("There is no such pool entry.")})
    # The lock that serialises every engagement of this supervisor.
    supervisor = Person.objects.select_for_update().get(pk=entry.person_id)
    organization = Organization.objects.select_related("jurisdiction").get(pk=organization.pk)
    if not is_available(entry):
        raise ValidationError(
            {
                "entry": _("%(name)s's pool entry is %(status)s: only an available supervisor can be engaged.")
                % {"name": supervisor.name, "status": entry.get_effective_status_display()}
            }
        )
    found = kind_for(organization, entry)
    if found is None:
        if entry.level == Entry.Level.AGENCY:
            message = _("An internal supervisor of another agency serves only that agency.")
        elif city_of(organization) is None or city_of(organization) != city_of(entry.jurisdiction):
            message = _("%(org)s lies outside the city whose pool this is.") % {"org": organization.name}
        else:
            message = _("%(name)s cannot be engaged by %(org)s.") % {"name": supervisor.name, "org": organization.name}
        raise ValidationError({"entry": message})
    if found != kind:
        if kind == Engagement.Kind.EXTERNAL:
            message = _("%(name)s is on your own staff: engage them as an internal supervisor.")
        else:
            message = _("%(name)s is not on your own staff: propose an external engagement.")
        raise ValidationError({"entry": message % {"name": supervisor.name}})
    _term(entry, starts_on, ends_on)
    hours = _hours(hours_per_month)
    people = _supervisees(organization, supervisor, supervisees, covers_all_staff)
    if Engagement.objects.filter(
        supervisor=supervisor, organization=organization, status__in=LIVE, ends_on__gte=timezone.localdate()
    ).exists():
        raise ValidationError(
            _("%(name)s is already engaged by %(org)s, or a proposal is open.")
            % {"name": supervisor.name, "org": organization.name}
        )
    count = _staff_count(organization, supervisor) if covers_all_staff else len(people)
    _capacity(supervisor, hours=hours, supervisee_count=count)
    return supervisor, entry, organization, people, hours


def _create(
    *,
    actor,
    event,
    status,
    organization,
    entry,
    supervisor,
    people,
    hours,
    starts_on,
    ends_on,
    covers_all_staff,
    agreement,
    match_explanation,
    kind,
) -> Engagement:
    engagement = Engagement(
        supervisor=supervisor,
        entry=entry,
        organization=organization,
        home_organization_id=supervisor.employer_id if supervisor.employed else None,
        kind=kind,
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        hours_per_month=hours,
        covers_all_staff=bool(covers_all_staff),
        match_explanation=match_explanation or {},
        proposed_by=actor,
        **agreement,
    )
    if status == S.ACTIVE:
        engagement.decided_at = timezone.now()
    engagement.save()
    if people:
        engagement.supervisees.set(people)
    audit.record(
        actor=actor,
        event=event,
        obj=engagement,
        changes={
            "supervisor": [None, supervisor.name],
            "organization": [None, organization.name],
            "kind": [None, kind],
            "status": [None, status],
            "term": [None, f"{starts_on.isoformat()}—{ends_on.isoformat()}"],
            "hours_per_month": [None, str(hours)],
            "supervisees": [None, _("all staff") if covers_all_staff else "、".join(p.name for p in people)],
        },
    )
    signals.changed({organization.pk})
    return engagement


def _explain(organization, entry):
    """The ranking's explanation of this candidate, as the agency saw it."""
    return matching.explain(organization=organization, entry=entry) or {}


# --- the services -------------------------------------------------------------------------


@transaction.atomic
def engage_internal(
    *,
    actor,
    organization,
    entry,
    starts_on,
    ends_on,
    hours_per_month,
    supervisees=(),
    covers_all_staff=False,
    goals="",
    frequency="",
    functions=(),
    confidentiality="",
    subsidy_basis="",
    match_explanation=None,
) -> Engagement:
    """One of the agency's own supervisors: active at once; both sides still confirm the agreement."""
    _check_manager(actor, organization)
    agreement = _agreement(
        organization=organization,
        goals=goals,
        frequency=frequency,
        functions=functions,
        confidentiality=confidentiality,
        subsidy_basis=subsidy_basis,
    )
    supervisor, entry, organization, people, hours = _open(
        actor=actor,
        organization=organization,
        entry=entry,
        starts_on=starts_on,
        ends_on=ends_on,
        hours_per_month=hours_per_month,
        supervisees=supervisees,
        covers_all_staff=covers_all_staff,
        kind=Engagement.Kind.INTERNAL,
    )
    engagement = _create(
        actor=actor,
        event="supervision.engagement_created",
        status=S.ACTIVE,
        organization=organization,
        entry=entry,
        supervisor=supervisor,
        people=people,
        hours=hours,
        starts_on=starts_on,
        ends_on=ends_on,
        covers_all_staff=covers_all_staff,
        agreement=agreement,
        match_explanation=match_explanation,
        kind=Engagement.Kind.INTERNAL,
    )
    notify(
        _users_of(supervisor.pk),
        _("%(org)s engaged you as its internal supervisor; please confirm the supervision agreement.")
        % _names(engagement),
        _link(engagement),
        matter=_agreement_due(engagement),
    )
    return engagement


@transaction.atomic
def propose(
    *,
    actor,
    organization,
    entry,
    starts_on,
    ends_on,
    hours_per_month,
    supervisees=(),
    covers_all_staff=False,
    goals="",
    frequency="",
    functions=(),
    confidentiality="",
    subsidy_basis="",
    match_explanation=None,
) -> Engagement:
    """An agency proposes to engage a supervisor from the city or a district pool;
    the supervisor accepts or declines."""
    _check_manager(actor, organization)
    agreement = _agreement(
        organization=organization,
        goals=goals,
        frequency=frequency,
        functions=functions,
        confidentiality=confidentiality,
        subsidy_basis=subsidy_basis,
    )
    supervisor, entry, organization, people, hours = _open(
        actor=actor,
        organization=organization,
        entry=entry,
        starts_on=starts_on,
        ends_on=ends_on,
        hours_per_month=hours_per_month,
        supervisees=supervisees,
        covers_all_staff=covers_all_staff,
        kind=Engagement.Kind.EXTERNAL,
    )
    if match_explanation is None:
        match_explanation = _explain(organization, entry)
    engagement = _create(
        actor=actor,
        event="supervision.engagement_proposed",
        status=S.PROPOSED,
        organization=organization,
        entry=entry,
        supervisor=supervisor,
        people=people,
        hours=hours,
        starts_on=starts_on,
        ends_on=ends_on,
        covers_all_staff=covers_all_staff,
        agreement=agreement,
        match_explanation=match_explanation,
        kind=Engagement.Kind.EXTERNAL,
    )
    link = _link(engagement)
    notify(
        _users_of(supervisor.pk),
        _("%(org)s proposes to engage you as its supervisor; please accept or decline.") % _names(engagement),
        link,
        matter=_answer(engagement),
    )
    notify(
        _admins_of(engagement.home_organization_id),
        _("%(org)s proposes to engage %(supervisor)s, a supervisor of your agency.") % _names(engagement),
        link,
    )
    return engagement


def _locked(engagement) -> Engagement:
    return (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("supervisor", "organization", "entry")
        .get(pk=engagement.pk)
    )


def _status_change(*, actor, engagement, event, to_status, reason="", **fields) -> Engagement:
    before = engagement.status
    engagement.status = to_status
    for name, value in fields.items():
        setattr(engagement, name, value)
    engagement.save()
    changes = {"status": [before, to_status]}
    changes.update({name: [None, str(value)] for name, value in fields.items() if name in ("ended_on",)})
    audit.record(actor=actor, event=event, obj=engagement, changes=changes, reason=reason)
    signals.changed({engagement.organization_id})
    return engagement


@transaction.atomic
def withdraw(*, actor, engagement, reason="") -> Engagement:
    """The agency takes back a proposal the supervisor has not answered."""
    engagement = _locked(engagement)
    if not permissions.uses(actor, engagement):
        raise PermissionDenied(_("Only the agency that proposed the engagement withdraws it."))
    reason = clean_text(reason, field="reason", max_length=300)
    if engagement.status != S.PROPOSED:
        raise ValidationError(_("Only a proposal that is still open can be withdrawn."))
    engagement = _status_change(
        actor=actor,
        engagement=engagement,
        event="supervision.engagement_withdrawn",
        to_status=S.WITHDRAWN,
        reason=reason,
    )
    resolve_matter(within=matter_of(engagement))
    notify(
        _users_of(engagement.supervisor_id),
        _("%(org)s withdrew its proposal to engage you.") % _names(engagement),
        _link(engagement),
    )
    return engagement


@transaction.atomic
def accept(*, actor, engagement) -> Engagement:
    engagement = _locked(engagement)
    if not permissions.is_supervisor_of(actor, engagement):
        raise PermissionDenied(_("Only the supervisor proposed accepts or declines."))
    if engagement.status != S.PROPOSED:
        raise ValidationError(_("Only an open proposal can be accepted."))
    if not is_available(engagement.entry):
        raise ValidationError(
            _("Your pool entry is %(status)s: you cannot take up an engagement now.")
            % {"status": engagement.entry.get_effective_status_display()}
        )
    if engagement.ends_on < timezone.localdate():
        raise ValidationError(_("The proposed term is already over; the agency must propose again."))
    engagement = _status_change(
        actor=actor,
        engagement=engagement,
        event="supervision.engagement_accepted",
        to_status=S.ACTIVE,
        decided_at=timezone.now(),
    )
    resolve_matter(_answer(engagement))
    recipients = _admins_of(engagement.organization_id) + _admins_of(engagement.home_organization_id)
    notify(recipients, _("%(supervisor)s accepted the engagement by %(org)s.") % _names(engagement), _link(engagement))
    return engagement


@transaction.atomic
def decline(*, actor, engagement, reason) -> Engagement:
    engagement = _locked(engagement)
    if not permissions.is_supervisor_of(actor, engagement):
        raise PermissionDenied(_("Only the supervisor proposed accepts or declines."))
    reason = clean_text(reason, field="reason", max_length=300)
    if not reason:
        raise ValidationError({"reason": _("Give a reason for declining.")})
    if engagement.status != S.PROPOSED:
        raise ValidationError(_("Only an open proposal can be declined."))
    engagement = _status_change(
        actor=actor,
        engagement=engagement,
        event="supervision.engagement_declined",
        to_status=S.DECLINED,
        reason=reason,
        decided_at=timezone.now(),
        decline_reason=reason,
    )
    resolve_matter(within=matter_of(engagement))
    notify(
        _admins_of(engagement.organization_id),
        _("%(supervisor)s declined the engagement by %(org)s: %(reason)s") % {**_names(engagement), "reason": reason},
        _link(engagement),
    )
    return engagement


@transaction.atomic
def end(*, actor, engagement, ended_on, reason="") -> Engagement:
    """Either side ends an active engagement; before its agreed end only with a reason."""
    engagement = _locked(engagement)
    by_agency = permissions.uses(actor, engagement)
    if not (by_agency or permissions.is_supervisor_of(actor, engagement)):
        raise PermissionDenied(_("Only the using agency or the supervisor ends an engagement."))
    reason = clean_text(reason, field="reason", max_length=300)
    if engagement.status != S.ACTIVE:
        raise ValidationError(_("Only an active engagement can be ended."))
    if not isinstance(ended_on, dt.date):
        raise ValidationError({"ended_on": _("Give the last day of the engagement.")})
    if ended_on < engagement.starts_on:
        raise ValidationError({"ended_on": _("The engagement cannot end before it started.")})
    if ended_on > engagement.ends_on:
        raise ValidationError(
            {"ended_on": _("The engagement ends on %(date)s at the latest.") % {"date": engagement.ends_on}}
        )
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": _("End it today or on an earlier day, not in the future.")})
    if ended_on < engagement.ends_on and not reason:
        raise ValidationError({"reason": _("Ending an engagement before its agreed end needs a reason.")})
    later = Session.objects.filter(engagement=engagement, date__gt=ended_on).order_by("-date").first()
    if later is not None:
        raise ValidationError(
            {
                "ended_on": _("A session was recorded on %(date)s; the engagement cannot end before it.")
                % {"date": later.date.isoformat()}
            }
        )
    engagement = _status_change(
        actor=actor,
        engagement=engagement,
        event="supervision.engagement_ended",
        to_status=S.ENDED,
        reason=reason,
        ended_on=ended_on,
        end_reason=reason,
    )
    resolve_matter(within=matter_of(engagement))
    other = _users_of(engagement.supervisor_id) if by_agency else _admins_of(engagement.organization_id)
    notify(
        other + _admins_of(engagement.home_organization_id),
        _("The engagement of %(supervisor)s by %(org)s ended on %(date)s.")
        % {**_names(engagement), "date": ended_on.isoformat()},
        _link(engagement),
    )
    return engagement


@transaction.atomic
def confirm_agreement(*, actor, engagement) -> Engagement:
    """One side confirms the agreement: the using agency's administrator, or the
    supervisor. The time is the server's, never taken from input."""
    engagement = _locked(engagement)
    agency = permissions.uses(actor, engagement) and engagement.agency_confirmed_at is None
    supervisor = permissions.is_supervisor_of(actor, engagement) and engagement.supervisor_confirmed_at is None
    if not (permissions.uses(actor, engagement) or permissions.is_supervisor_of(actor, engagement)):
        raise PermissionDenied(_("Only the using agency and the supervisor confirm the agreement."))
    if engagement.status not in LIVE:
        raise ValidationError(_("The agreement of a closed engagement can no longer be confirmed."))
    if not (agency or supervisor):
        raise ValidationError(_("You have already confirmed this agreement."))
    now = timezone.now()
    if agency:
        engagement.agency_confirmed_at, engagement.agency_confirmed_by = now, actor
        side, field = "agency", "agency_confirmed_at"
    else:
        engagement.supervisor_confirmed_at = now
        side, field = "supervisor", "supervisor_confirmed_at"
    engagement.save(update_fields=[field, "agency_confirmed_by", "updated_at"])
    if side == "supervisor":
        resolve_matter(_agreement_due(engagement))
    audit.record(
        actor=actor,
        event="supervision.agreement_confirmed",
        obj=engagement,
        changes={field: [None, now.isoformat()], "side": [None, side]},
    )
    signals.changed({engagement.organization_id})
    return engagement


@transaction.atomic
def update_agreement(
    *, actor, engagement, goals=None, frequency=None, functions=None, confidentiality=None, subsidy_basis=None
) -> Engagement:
    """The using agency changes the agreement's text. Any change clears both
    confirmations: each side confirms the agreement as it now reads."""
    engagement = _locked(engagement)
    if not permissions.uses(actor, engagement):
        raise PermissionDenied(_("Only the using agency changes the supervision agreement."))
    if engagement.status not in LIVE:
        raise ValidationError(_("The agreement of a closed engagement can no longer change."))
    given = {
        "goals": goals,
        "frequency": frequency,
        "functions": functions,
        "confidentiality": confidentiality,
        "subsidy_basis": subsidy_basis,
    }
    current = {name: getattr(engagement, name) for name in AGREEMENT_FIELDS}
    merged = {name: current[name] if value is None else value for name, value in given.items()}
    cleaned = _agreement(organization=engagement.organization, **merged)
    changes = {name: [current[name], cleaned[name]] for name in AGREEMENT_FIELDS if cleaned[name] != current[name]}
    if not changes:
        return engagement
    for name, value in cleaned.items():
        setattr(engagement, name, value)
    for field in ("agency_confirmed_at", "supervisor_confirmed_at"):
        if getattr(engagement, field) is not None:
            changes[field] = [getattr(engagement, field).isoformat(), None]
            setattr(engagement, field, None)
    engagement.agency_confirmed_by = None
    engagement.save()
    audit.record(actor=actor, event="supervision.agreement_changed", obj=engagement, changes=changes)
    # The earlier request to confirm is overtaken by this one.
    resolve_matter(_agreement_due(engagement))
    notify(
        _users_of(engagement.supervisor_id),
        _("%(org)s changed the supervision agreement; please confirm it again.") % _names(engagement),
        _link(engagement),
        matter=_agreement_due(engagement),
    )
    signals.changed({engagement.organization_id})
    return engagement
