"""Admission to the three talent pools and every change of an entry's status.
Each pool belongs to whoever keeps it: the city its pool, a district its own,
an agency its internal supervisors (policy 三(二), 四(一)(二)(三))."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core import audit
from dudao.core.validators import clean_text
from dudao.directory.cities import city_of
from dudao.directory.models import Jurisdiction, Organization, Person
from dudao.policy.selectors import value as policy_value
from dudao.selection import eligibility

from . import permissions
from .models import Entry, StatusChange, new_verification_code

S = Entry.Status
# Which status may follow which; expired and retired entries are closed (a new term is a new entry).
NEXT = {
    S.ACTIVE: {S.SUSPENDED, S.RETIRED},
    S.SUSPENDED: {S.ACTIVE, S.RETIRED},
    S.RETIRED: set(),
    S.EXPIRED: set(),
}


def _basis(reason: str) -> str:
    """The basis of an admission, stored as the entry's source."""
    return clean_text(reason, field="reason", max_length=200)


def _term_end(admitted: dt.date, years: int) -> dt.date:
    try:
        end = admitted.replace(year=admitted.year + years)
    except ValueError:  # 29 February: the anniversary falls on 1 March, so the term ends on 28 February
        end = admitted.replace(year=admitted.year + years, month=3, day=1)
    return end - dt.timedelta(days=1)


def _next_number(prefix: str) -> str:
    """Sequential per prefix; callers hold a lock on the pool's owner row."""
    # Longest first: past 9999 the numbers grow a digit and no longer sort as text.
    last = (
        Entry.objects.filter(entry_number__startswith=prefix)
        .order_by(Length("entry_number").desc(), "-entry_number")
        .values_list("entry_number", flat=True)
        .first()
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _number_prefix(*, level, jurisdiction, organization, year: int) -> str:
    """Entry numbers open with the prefix of the keeper's city (ZZ, LY), then
    the pool: SJ for the city's, the district's code, JG and the agency's id."""
    city = city_of(organization if level == Entry.Level.AGENCY else jurisdiction)
    if city is None:
        raise ValidationError(_("The pool's keeper lies in no city, so its entries cannot be numbered."))
    if level == Entry.Level.CITY:
        return f"{city.entry_prefix}-SJ-{year}-"
    if level == Entry.Level.DISTRICT:
        return f"{city.entry_prefix}-{jurisdiction.code}-{year}-"
    return f"{city.entry_prefix}-JG{organization.pk}-{year}-"


def _home_district(person: Person, fallback: Jurisdiction) -> Jurisdiction:
    current = person.employments.filter(end_date=None).select_related("organization__jurisdiction").first()
    return current.organization.jurisdiction if current else fallback


def _create(
    *, actor, event, person, level, jurisdiction=None, organization=None, home_district, term_owner, domains, source
) -> Entry:
    today = timezone.localdate()
    if Entry.objects.filter(
        person=person,
        level=level,
        jurisdiction=jurisdiction,
        organization=organization,
        status__in=[S.ACTIVE, S.SUSPENDED],
    ).exists():
        raise ValidationError(_("%(name)s already has a live entry in this pool.") % {"name": person.name})
    prefix = _number_prefix(level=level, jurisdiction=jurisdiction, organization=organization, year=today.year)
    years = int(policy_value("pools.term_years", term_owner, today))
    entry = Entry(
        person=person,
        level=level,
        jurisdiction=jurisdiction,
        organization=organization,
        home_district=home_district,
        entry_number=_next_number(prefix),
        admitted_on=today,
        expires_on=_term_end(today, years),
        source=source,
        created_by=actor,
    )
    entry.full_clean(exclude=["verification_code"])
    entry.save()
    entry.domains.set(domains)
    StatusChange.objects.create(entry=entry, from_status="", to_status=S.ACTIVE, reason=source, actor=actor)
    audit.record(
        actor=actor,
        event=event,
        obj=entry,
        changes={
            "level": [None, level],
            "entry_number": [None, entry.entry_number],
            "expires_on": [None, str(entry.expires_on)],
        },
        reason=source,
    )
    record = person.disciplinary_records.order_by("-decided_on", "-id").first()
    if record is not None:
        _flag(actor=actor, entry=entry, note=discipline_note(record))
    return entry


# --- review flags -------------------------------------------------------------------


def discipline_note(record) -> str:
    return (_("Disciplinary record of %(date)s: %(text)s") % {"date": record.decided_on, "text": record.description})[
        :400
    ]


def _flag(*, actor, entry: Entry, note: str) -> bool:
    """Raise the entry's review flag (the caller holds the entry); False when it was up already."""
    if entry.flagged_for_review:
        return False
    entry.flagged_for_review, entry.review_note, entry.flagged_at = True, note, timezone.now()
    entry.save(update_fields=["flagged_for_review", "review_note", "flagged_at", "updated_at"])
    audit.record(
        actor=actor,
        event="pools.entry_flagged",
        obj=entry,
        changes={"flagged_for_review": [False, True]},
        reason=note,
    )
    return True


def _lower_flag(*, actor, entry: Entry, reason: str) -> None:
    """Lower the entry's review flag (the caller holds the entry and has checked it is up)."""
    entry.flagged_for_review = False
    entry.save(update_fields=["flagged_for_review", "updated_at"])
    audit.record(
        actor=actor,
        event="pools.entry_flag_cleared",
        obj=entry,
        changes={"flagged_for_review": [True, False]},
        reason=reason,
    )


@transaction.atomic
def flag_for_review(*, actor, entry: Entry, note: str) -> bool:
    """Raise the entry's review flag with a note the keeper reads (the
    evaluation flags an entry for its grades this way); False when it was up already."""
    entry = Entry.objects.select_for_update(of=("self",)).get(pk=entry.pk)
    return _flag(actor=actor, entry=entry, note=clean_text(note, field="note", max_length=400))


@transaction.atomic
def withdraw_review_flag(*, actor, entry: Entry, note: str, reason: str) -> bool:
    """Lower the flag raised with `note`, its ground gone (a grade changed on
    appeal); a flag raised since for another reason stays up. False when nothing was lowered."""
    entry = Entry.objects.select_for_update(of=("self",)).get(pk=entry.pk)
    if not entry.flagged_for_review or entry.review_note != note[:400]:
        return False
    _lower_flag(actor=actor, entry=entry, reason=reason)
    return True


@transaction.atomic
def flag_person_entries(*, actor, record) -> int:
    """A disciplinary record was added: every live entry of the person is
    flagged for its keeper's review (the directory's signal calls this)."""
    entries = Entry.objects.select_for_update().filter(
        person_id=record.person_id, status__in=[S.ACTIVE, S.SUSPENDED], flagged_for_review=False
    )
    note = discipline_note(record)
    return sum(_flag(actor=actor, entry=entry, note=note) for entry in entries)


@transaction.atomic
def clear_review_flag(*, actor, entry: Entry, reason: str) -> Entry:
    """The keeper has reviewed the entry (kept, suspended or retired it) and lowers the flag."""
    entry = (
        Entry.objects.select_for_update(of=("self",)).select_related("jurisdiction", "organization").get(pk=entry.pk)
    )
    if not permissions.can_keep(actor, entry):
        raise PermissionDenied(_("Only the keeper of this pool reviews its entries."))
    reason = clean_text(reason, field="reason", multiline=True, max_length=1000)
    if not reason:
        raise ValidationError({"reason": _("Say what the review found.")})
    if not entry.flagged_for_review:
        raise ValidationError(_("This entry is not flagged for review."))
    _lower_flag(actor=actor, entry=entry, reason=reason)
    return entry


@transaction.atomic
def admit_to_city_pool(*, actor, member) -> Entry:
    """Called by the city's confirmation of a passing assessment."""
    programme = member.cohort.programme
    city = Jurisdiction.objects.select_for_update().get(pk=programme.jurisdiction_id)
    person = member.trainee.person
    home = member.trainee.nomination.organization.jurisdiction
    return _create(
        actor=actor,
        event="pools.admitted_to_city_pool",
        person=person,
        level=Entry.Level.CITY,
        jurisdiction=city,
        home_district=home,
        term_owner=city,
        domains=person.service_domains.all(),
        source=_("Passed the assessment of %(programme)s") % {"programme": programme.name},
    )


def district_rules_check(person: Person, district: Jurisdiction) -> list[eligibility.RuleResult]:
    """The selection rules as the district has them (its own values where it set
    them, the city's otherwise), checked today at the person's current unit,
    after the rule that the unit is in the district."""
    employer = (
        person.employments.filter(end_date=None)
        .select_related("organization__type", "organization__jurisdiction")
        .first()
    )
    in_district = employer is not None and employer.organization.jurisdiction.path.startswith(district.path)
    if employer is None:
        detail = _("Not on the staff of any unit.")
    elif in_district:
        detail = _("On the staff of %(org)s.") % {"org": employer.organization.name}
    else:
        detail = _("On the staff of %(org)s, which is not in %(district)s.") % {
            "org": employer.organization.name,
            "district": district.name,
        }
    results = [eligibility.RuleResult("district", _("On the staff of a unit in the district"), in_district, detail)]
    if employer is None:
        return results
    person = (
        Person.objects.prefetch_related("certificates__level", "employments", "disciplinary_records")
        .select_related("education")
        .get(pk=person.pk)
    )
    # The district's values (not those of wherever the unit sits inside it), today.
    context = eligibility.EvaluationContext(
        jurisdiction=district, date=timezone.localdate(), organization=employer.organization
    )
    checked = eligibility.check(person, context=context, path="quota")
    # "Employed by the nominating unit" is true by construction here.
    return results + [r for r in checked if r.code != "employer"]


@transaction.atomic
def admit_to_district_pool(*, actor, person: Person, district: Jurisdiction, domains=(), reason: str = "") -> Entry:
    if not permissions.can_admit_to(actor, district):
        raise PermissionDenied(_("A district admits supervisors to its own pool."))
    reason = _basis(reason)
    district = Jurisdiction.objects.select_for_update().get(pk=district.pk)
    employer = person.employments.filter(end_date=None).select_related("organization__jurisdiction").first()
    if employer is None or not employer.organization.jurisdiction.path.startswith(district.path):
        raise ValidationError(
            _("%(name)s is not on the staff of a unit in %(district)s.")
            % {"name": person.name, "district": district.name}
        )
    failed = [r for r in district_rules_check(person, district) if not r.passed]
    if failed:
        raise ValidationError(
            _("%(name)s does not meet the district's rules: %(reasons)s")
            % {"name": person.name, "reasons": "；".join(f"{r.label}：{r.detail}" for r in failed)}
        )
    return _create(
        actor=actor,
        event="pools.admitted_to_district_pool",
        person=person,
        level=Entry.Level.DISTRICT,
        jurisdiction=district,
        home_district=district,
        term_owner=district,
        domains=domains or person.service_domains.all(),
        source=reason or _("Selected by %(district)s") % {"district": district.name},
    )


@transaction.atomic
def designate_internal(*, actor, organization: Organization, person: Person, domains=(), reason: str = "") -> Entry:
    """An agency names one of its own staff an internal supervisor (policy 四(一))."""
    if not permissions.can_designate_for(actor, organization):
        raise PermissionDenied(_("An agency designates its own internal supervisors."))
    reason = _basis(reason)
    organization = (
        Organization.objects.select_for_update(of=("self",)).select_related("jurisdiction").get(pk=organization.pk)
    )
    if not person.employments.filter(organization=organization, end_date=None).exists():
        raise ValidationError(
            _("%(name)s is not on the current staff of %(org)s.") % {"name": person.name, "org": organization.name}
        )
    return _create(
        actor=actor,
        event="pools.internal_designated",
        person=person,
        level=Entry.Level.AGENCY,
        organization=organization,
        home_district=organization.jurisdiction,
        term_owner=organization.jurisdiction,
        domains=domains or person.service_domains.all(),
        source=reason or _("Internal supervisor of %(org)s") % {"org": organization.name},
    )


def next_statuses(entry: Entry) -> list[str]:
    """The statuses the entry may move to now, in the order of Entry.Status."""
    allowed = NEXT.get(entry.effective_status, set())
    return [s for s in S.values if s in allowed]


@transaction.atomic
def change_status(*, actor, entry: Entry, to_status: str, reason: str) -> Entry:
    entry = (
        Entry.objects.select_for_update(of=("self",)).select_related("jurisdiction", "organization").get(pk=entry.pk)
    )
    if not permissions.can_keep(actor, entry):
        raise PermissionDenied(_("Only the keeper of this pool changes its entries."))
    reason = clean_text(reason, field="reason", multiline=True, max_length=1000)
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the change.")})
    current = entry.effective_status
    if to_status not in NEXT.get(current, set()):
        raise ValidationError(
            _("An entry that is %(from)s cannot become %(to)s.")
            % {"from": S(current).label, "to": S(to_status).label if to_status in S.values else to_status}
        )
    StatusChange.objects.create(entry=entry, from_status=current, to_status=to_status, reason=reason, actor=actor)
    entry.status = to_status
    entry.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        event="pools.entry_status_changed",
        obj=entry,
        changes={"status": [current, to_status]},
        reason=reason,
    )
    return entry


@transaction.atomic
def renew(*, actor, entry: Entry, expires_on: dt.date, reason: str) -> Entry:
    """Extend a live entry's term (renewal at the end of a term, decided by the
    pool's keeper on the evaluation grades): the same entry and number, a later
    end, and a new certificate — issued today, with a new verification code, so
    that the old certificate, which shows the old term, no longer verifies."""
    entry = (
        Entry.objects.select_for_update(of=("self",)).select_related("jurisdiction", "organization").get(pk=entry.pk)
    )
    if not permissions.can_keep(actor, entry):
        raise PermissionDenied(_("Only the keeper of this pool renews its entries."))
    reason = clean_text(reason, field="reason", multiline=True, max_length=1000)
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the renewal.")})
    if entry.effective_status != S.ACTIVE:
        raise ValidationError(
            _("Only an active entry is renewed; this one is %(status)s.")
            % {"status": entry.get_effective_status_display()}
        )
    if expires_on <= entry.expires_on:
        raise ValidationError({"expires_on": _("A renewed term must end after the current one.")})
    old, old_issue = entry.expires_on, entry.certificate_issued_on or entry.admitted_on
    StatusChange.objects.create(entry=entry, from_status=S.ACTIVE, to_status=S.ACTIVE, reason=reason, actor=actor)
    entry.expires_on = expires_on
    entry.certificate_issued_on = timezone.localdate()
    entry.verification_code = new_verification_code()
    entry.save(update_fields=["expires_on", "certificate_issued_on", "verification_code", "updated_at"])
    audit.record(
        actor=actor,
        event="pools.entry_renewed",
        obj=entry,
        # The code itself stays out of the log: it is what a certificate proves itself with.
        changes={
            "expires_on": [str(old), str(expires_on)],
            "certificate_issued_on": [str(old_issue), str(entry.certificate_issued_on)],
        },
        reason=reason,
    )
    return entry


def renewed_term_end(entry: Entry) -> dt.date:
    """The end of the next term: the pool's term length from the day after the current end."""
    owner = entry.jurisdiction or entry.organization.jurisdiction
    years = int(policy_value("pools.term_years", owner, entry.expires_on))
    return _term_end(entry.expires_on + dt.timedelta(days=1), years)


@transaction.atomic
def expire_entries(today: dt.date | None = None) -> int:
    """Record the expiry of every active entry past its term (run daily)."""
    today = today or timezone.localdate()
    count = 0
    for entry in Entry.objects.select_for_update().filter(status=S.ACTIVE, expires_on__lt=today):
        StatusChange.objects.create(
            entry=entry, from_status=S.ACTIVE, to_status=S.EXPIRED, reason=_("The term ended."), actor=None
        )
        entry.status = S.EXPIRED
        entry.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=None,
            event="pools.entry_expired",
            obj=entry,
            changes={"status": [S.ACTIVE, S.EXPIRED], "expires_on": [None, str(entry.expires_on)]},
            reason=_("The term ended."),
        )
        count += 1
    return count
