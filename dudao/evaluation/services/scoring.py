"""The four parties' forms (issue 11 item 4): each party scores ethics, ability
and performance (0–100, two places) on its own form before the cycle's scoring
deadline. The served agencies each have a form; their scores are averaged into
one party score when the result is computed."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core import audit
from dudao.core.notifications import resolve_matter
from dudao.core.validators import clean_text
from dudao.supervision.models import Engagement

from .. import scoring_permissions as permissions
from ..models import Cycle, Evaluation, Party, PartyForm
from ..reminders import forms_matter
from ..selectors import scoring as selectors

SCORE_FIELDS = ("ethics", "ability", "performance")
SCORING = (Cycle.Status.SCORING, Cycle.Status.REVIEW)


def _pair(evaluation: Evaluation) -> list[tuple[int, int | None]]:
    return [(evaluation.person_id, evaluation.home_organization_id)]


def open_forms(*, cycle: Cycle) -> int:
    """Write the empty form of every party due to score each evaluation of the
    cycle (idempotent; derived from the evaluations and the year's engagements,
    so not audited). The cycle computation calls it when scoring opens."""
    if connection.vendor == "postgresql":
        return _open_forms_postgresql(cycle)
    return _open_forms_portable(cycle)


def _open_forms_portable(cycle: Cycle) -> int:
    of_cycle = Evaluation.objects.filter(cycle=cycle).order_by()
    evaluations = list(of_cycle.values_list("id", "person_id", "home_organization_id"))
    served = selectors.served_organizations(
        [(pid, home) for _pk, pid, home in evaluations], cycle.year, supervisors=of_cycle.values("person_id")
    )
    existing = set(
        PartyForm.objects.filter(evaluation__cycle=cycle)
        .order_by()
        .values_list("evaluation_id", "party", "organization_id")
    )
    new = []
    for pk, person_id, home in evaluations:
        due = [(Party.ASSOCIATION, None), (Party.AUTHORITY, None)]
        if home:
            due.append((Party.HOME_AGENCY, home))
        due += [(Party.SERVED_AGENCY, org) for org in served.get(person_id, [])]
        new += [(pk, party, org) for party, org in due if (pk, party, org) not in existing]
    PartyForm.objects.bulk_create(
        [PartyForm(evaluation_id=pk, party=party, organization_id=org) for pk, party, org in new], batch_size=1000
    )
    return len(new)


def _open_forms_postgresql(cycle: Cycle) -> int:
    """The same forms in one INSERT … SELECT inside PostgreSQL: a pool's first
    computation opens four forms per supervisor, 200,000 for a large pool, and
    carrying them through Python cost more than the computation itself. The
    served agencies are those of the year's engagements, the home agency left out
    (as selectors.served_organizations). Forms already there are left out by an
    anti-join against the cycle's forms read once before the insert (a
    MATERIALIZED CTE): an anti-join against the table being written, planned
    from statistics taken before the first computation, rescanned the growing
    table for every row (minutes for a pool). The table is analysed after a
    bulk insert so that the next computation plans from its real size;
    ON CONFLICT covers a form another request wrote meanwhile."""
    forms = PartyForm._meta.db_table
    evaluations = Evaluation._meta.db_table
    engagements = Engagement._meta.db_table
    adapt = connection.ops.adapt_datefield_value
    now = timezone.now()
    sql = f"""
        WITH existing AS MATERIALIZED (
            SELECT f.evaluation_id, f.party, coalesce(f.organization_id, 0) AS organization_id
            FROM {forms} f JOIN {evaluations} ev ON ev.id = f.evaluation_id
            WHERE ev.cycle_id = %(cycle)s
        )
        INSERT INTO {forms} (created_at, updated_at, evaluation_id, party, organization_id, comment)
        SELECT %(now)s, %(now)s, due.evaluation_id, due.party, due.organization_id, ''
        FROM (
            SELECT ev.id AS evaluation_id, unnamed.party, NULL::bigint AS organization_id
            FROM {evaluations} ev CROSS JOIN (VALUES (%(association)s), (%(authority)s)) unnamed (party)
            WHERE ev.cycle_id = %(cycle)s
            UNION ALL
            SELECT ev.id, %(home)s, ev.home_organization_id
            FROM {evaluations} ev
            WHERE ev.cycle_id = %(cycle)s AND ev.home_organization_id IS NOT NULL
            UNION ALL
            SELECT DISTINCT ev.id, %(served)s, en.organization_id
            FROM {evaluations} ev JOIN {engagements} en ON en.supervisor_id = ev.person_id
            WHERE ev.cycle_id = %(cycle)s AND en.status IN (%(active)s, %(ended)s)
                AND en.starts_on <= %(end)s AND en.ends_on >= %(start)s
                AND en.organization_id IS DISTINCT FROM ev.home_organization_id
        ) due
        WHERE NOT EXISTS (
            SELECT 1 FROM existing
            WHERE existing.evaluation_id = due.evaluation_id AND existing.party = due.party
                AND existing.organization_id = coalesce(due.organization_id, 0)
        )
        ON CONFLICT DO NOTHING
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "now": now,
                "cycle": cycle.pk,
                "association": Party.ASSOCIATION,
                "authority": Party.AUTHORITY,
                "home": Party.HOME_AGENCY,
                "served": Party.SERVED_AGENCY,
                "active": Engagement.Status.ACTIVE,
                "ended": Engagement.Status.ENDED,
                "start": adapt(dt.date(cycle.year, 1, 1)),
                "end": adapt(dt.date(cycle.year, 12, 31)),
            },
        )
        opened = cursor.rowcount
        if opened > 1000:
            cursor.execute(f"ANALYZE {forms}")
        return opened


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
    mine = PartyForm.objects.filter(evaluation__cycle=cycle, party=form.party, organization_id=form.organization_id)
    if not mine.filter(submitted_at=None).exists():
        resolve_matter(forms_matter(cycle, form.party, form.organization_id))
    return form
