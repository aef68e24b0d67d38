"""Renewal at the end of a pool term (issue 11 item 6): entries whose term ends
soon and whose published grades in the term meet the policy rule (default: no
不合格, at least one 合格 or better) are proposed; the pool's keeper approves
(the term is extended and the certificate shows it) or refuses with a reason."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.selectors import holders
from dudao.core import audit
from dudao.core.notifications import notify
from dudao.core.validators import clean_text
from dudao.directory.models import Jurisdiction
from dudao.policy.selectors import resolve_many
from dudao.pools import permissions as pool_permissions
from dudao.pools import services as pool_services
from dudao.pools.models import Entry

from ..models import GRADE_ORDER, Evaluation, Grade, Renewal
from . import results

KEYS = ["evaluation.renewal_no_fail", "evaluation.renewal_min_passes", "evaluation.renewal_notice_days"]


def _rule(jurisdiction, on):
    values = {k: v for k, (v, _version) in resolve_many(KEYS, jurisdiction, on).items()}
    return bool(values[KEYS[0]]), int(values[KEYS[1]]), int(values[KEYS[2]])


def _meets(grades: list, no_fail: bool, min_passes: int) -> bool:
    if no_fail and Grade.FAIL in grades:
        return False
    passes = sum(1 for g in grades if GRADE_ORDER.index(g) <= GRADE_ORDER.index(Grade.PASS))
    return passes >= min_passes


def _propose(*, actor, level: str, jurisdiction, on: dt.date, reason: str = "") -> list[Renewal]:
    """Propose renewal for the pool's active entries whose term ends within the
    notice days and whose grades in the term meet the rule. Each entry is
    proposed once per term: an entry with a renewal for its present term
    (proposed, approved or refused) or one still waiting is left alone, so
    running it again, by hand or on schedule, proposes nothing twice."""
    no_fail, min_passes, notice = _rule(jurisdiction, on)
    already = Renewal.objects.filter(entry=OuterRef("pk")).filter(
        Q(status=Renewal.Status.PROPOSED) | Q(term_ends_on=OuterRef("expires_on"))
    )
    entries = list(
        Entry.objects.select_for_update(of=("self",))
        .filter(level=level, jurisdiction=jurisdiction, status=Entry.Status.ACTIVE)
        .filter(expires_on__gte=on, expires_on__lte=on + dt.timedelta(days=notice))
        .filter(~Exists(already))
        .order_by("expires_on", "pk")
    )
    grades: dict = {}
    rows = (
        # By person first: an entry's evaluations are its person's, and evaluations have no
        # index on the entry (evaluation.models says why).
        Evaluation.objects.filter(
            person_id__in={e.person_id for e in entries}, entry__in=entries, status=Evaluation.Status.PUBLISHED
        )
        .order_by("cycle__year")
        .values_list("entry_id", "cycle__year", "grade")
    )
    terms = {e.pk: (e.admitted_on.year, e.expires_on.year) for e in entries}
    for entry_id, year, grade in rows:
        first, last = terms[entry_id]
        if first <= year <= last:
            grades.setdefault(entry_id, []).append({"year": year, "grade": grade})
    made = []
    for entry in entries:
        held = grades.get(entry.pk, [])
        if not _meets([g["grade"] for g in held], no_fail, min_passes):
            continue
        renewal = Renewal.objects.create(entry=entry, grades=held, term_ends_on=entry.expires_on)
        audit.record(
            actor=actor,
            event="evaluation.renewal_proposed",
            obj=renewal,
            changes={
                "entry": [None, entry.entry_number],
                "term_ends_on": [None, str(entry.expires_on)],
                "grades": [None, [g["grade"] for g in held]],
            },
            reason=reason,
        )
        made.append(renewal)
    return made


@transaction.atomic
def propose_due(*, actor, level: str, jurisdiction, on: dt.date | None = None) -> list[Renewal]:
    """The keeper asks for the renewals due in its pool now (idempotent)."""
    on = on or timezone.localdate()
    probe = Entry(level=level, jurisdiction=jurisdiction)
    if level == Entry.Level.AGENCY or not pool_permissions.can_keep(actor, probe):
        raise PermissionDenied(_("Only the keeper of this pool proposes renewals."))
    return _propose(actor=actor, level=level, jurisdiction=jurisdiction, on=on)


KEEPING = {Entry.Level.CITY: pool_permissions.KEEP_CITY, Entry.Level.DISTRICT: pool_permissions.KEEP_DISTRICT}


def propose_all_due(on: dt.date | None = None) -> dict:
    """The scheduled run (manage.py propose_renewals, nightly on Celery beat):
    for every city and district pool, propose the renewals due under that
    pool's own notice days and rule, and tell its keepers how many wait for
    their decision. Each pool is its own transaction; the proposals are
    audited with no actor, the run named as the reason. Idempotent.
    Returns {(level, jurisdiction name): renewals proposed} for the pools with any."""
    on = on or timezone.localdate()
    pools = (
        Entry.objects.filter(level__in=list(KEEPING), status=Entry.Status.ACTIVE, expires_on__gte=on)
        .values_list("level", "jurisdiction_id")
        .distinct()
        .order_by("level", "jurisdiction_id")
    )
    places = Jurisdiction.objects.in_bulk({j for _level, j in pools})
    done = {}
    for level, jurisdiction_id in pools:
        jurisdiction = places[jurisdiction_id]
        with transaction.atomic():
            made = _propose(
                actor=None,
                level=level,
                jurisdiction=jurisdiction,
                on=on,
                reason=_("Proposed by the scheduled run at the end of the term."),
            )
            if made:
                notify(
                    holders(KEEPING[level], over=jurisdiction),
                    _("%(count)s pool entries of %(pool)s are proposed for renewal; decide each.")
                    % {"count": len(made), "pool": jurisdiction.name},
                    reverse("evaluation:renewal_list") + "?status=proposed",
                )
        if made:
            done[(level, jurisdiction.name)] = len(made)
    return done


@transaction.atomic
def decide(*, actor, renewal: Renewal, approve: bool, reason: str) -> Renewal:
    """The pool's keeper approves (the term is extended) or refuses, with a reason."""
    renewal = Renewal.objects.select_for_update(of=("self",)).select_related("entry__jurisdiction").get(pk=renewal.pk)
    entry = renewal.entry
    if not pool_permissions.can_keep(actor, entry):
        raise PermissionDenied(_("Only the keeper of this pool decides renewals."))
    if renewal.status != Renewal.Status.PROPOSED:
        raise ValidationError(_("This renewal is already decided."))
    reason = clean_text(reason, field="reason", max_length=300)
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the decision.")})
    before = renewal.status
    if approve:
        expires_on = pool_services.renewed_term_end(entry)
        pool_services.renew(actor=actor, entry=entry, expires_on=expires_on, reason=reason)
        renewal.status = Renewal.Status.APPROVED
        renewal.new_expires_on = expires_on
    else:
        renewal.status = Renewal.Status.REFUSED
    renewal.decided_by = actor
    renewal.decided_at = timezone.now()
    renewal.reason = reason
    renewal.save()
    audit.record(
        actor=actor,
        event="evaluation.renewal_decided",
        obj=renewal,
        changes={"status": [before, renewal.status]},
        reason=reason,
    )
    notify(
        results._supervisor_users([entry.person_id]),
        _("The renewal of your pool entry %(number)s was %(status)s.")
        % {"number": entry.entry_number, "status": renewal.get_status_display()},
        "",
    )
    return renewal
