"""What each party, owner and supervisor reads of scoring and results. Every
function takes the user and returns only what their scope allows."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from dudao.core.scoping import nodes_q
from dudao.policy.selectors import value as policy_value
from dudao.pools import permissions as pool_permissions
from dudao.pools.models import Entry
from dudao.supervision.models import Engagement

from .. import scoring_permissions as permissions
from ..models import Appeal, Cycle, Evaluation, Grade, Party, PartyForm, Renewal


def _any(terms) -> Q | None:
    terms = [t for t in terms if t is not None]
    if not terms:
        return None
    combined = terms[0]
    for term in terms[1:]:
        combined |= term
    return combined


def _owned_q(user, prefix: str = "") -> Q | None:
    """Rows (through `prefix`) of the cycles the user owns."""
    terms = []
    for level, nodes in permissions.owner_nodes(user).items():
        owned = nodes_q(nodes, prefix)
        if owned is not None:
            terms.append(Q(**{f"{prefix}cycle__level" if prefix else "cycle__level": level}) & owned)
    return _any(terms)


def forms_for(user):
    """The forms the user fills in as a party (their own only)."""
    terms = []
    orgs = permissions.scoring_org_ids(user)
    if orgs:
        terms.append(Q(party__in=[Party.HOME_AGENCY, Party.SERVED_AGENCY], organization_id__in=orgs))
    association = nodes_q(permissions.association_nodes(user), "evaluation__")
    if association is not None:
        terms.append(Q(party=Party.ASSOCIATION) & association)
    for level, nodes in permissions.owner_nodes(user).items():
        owned = nodes_q(nodes, "evaluation__")
        if owned is not None:
            terms.append(Q(party=Party.AUTHORITY, evaluation__cycle__level=level) & owned)
    combined = _any(terms)
    if combined is None:
        return PartyForm.objects.none()
    return PartyForm.objects.filter(combined).select_related(
        "evaluation__cycle", "evaluation__person", "evaluation__home_organization", "organization"
    )


def served_organizations(pairs, year: int, supervisors=None) -> dict:
    """{person id: ids of the agencies that engaged them in `year`}, the home agency left out
    (it scores as the home agency), in one query. `pairs` are (person id, home agency id)
    pairs; `supervisors` (a subquery of person ids) filters the engagements
    instead of a list of ids, which for a whole pool would be tens of thousands of parameters."""
    rows = (
        Engagement.objects.filter(
            supervisor_id__in=supervisors if supervisors is not None else {pid for pid, _home in pairs},
            status__in=[Engagement.Status.ACTIVE, Engagement.Status.ENDED],
            starts_on__lte=dt.date(year, 12, 31),
            ends_on__gte=dt.date(year, 1, 1),
        )
        .values_list("supervisor_id", "organization_id")
        .distinct()
        .order_by()
    )
    served: dict = {}
    for person_id, organization_id in rows:
        served.setdefault(person_id, set()).add(organization_id)
    home = dict(pairs)
    return {pid: sorted(orgs - {home.get(pid)}) for pid, orgs in served.items() if pid in home}


def scoring_slots(user, evaluation: Evaluation) -> list[tuple[str, int | None]]:
    """The (party, scoring agency) pairs the user scores `evaluation` as, in
    the parties' order: an agency's admin as its home or a served agency, the
    association over the cycle owner's jurisdiction, the owning authority.
    Empty for anyone else, who is then not shown the evaluation (404)."""
    cycle = evaluation.cycle
    slots: list[tuple[str, int | None]] = []
    orgs = permissions.scoring_org_ids(user)
    if orgs:
        if evaluation.home_organization_id in orgs:
            slots.append((Party.HOME_AGENCY, evaluation.home_organization_id))
        served = served_organizations([(evaluation.person_id, evaluation.home_organization_id)], cycle.year).get(
            evaluation.person_id, []
        )
        slots += [(Party.SERVED_AGENCY, org) for org in served if org in orgs]
    if cycle.in_chain(permissions.association_nodes(user)):
        slots.append((Party.ASSOCIATION, None))
    if permissions.owns_cycle(user, cycle):
        slots.append((Party.AUTHORITY, None))
    return slots


def slot_forms(evaluation: Evaluation, slots) -> dict:
    """{(party, agency id): the form written for that slot} of `evaluation`, in one query."""
    if not slots:
        return {}
    wanted = set(slots)
    forms = PartyForm.objects.filter(evaluation=evaluation, party__in={p for p, _org in slots}).select_related(
        "organization"
    )
    return {(f.party, f.organization_id): f for f in forms if (f.party, f.organization_id) in wanted}


def forms_due(user):
    """The user's forms still to fill in, in cycles open for scoring before their deadline."""
    return forms_for(user).filter(
        submitted_at__isnull=True,
        evaluation__cycle__status__in=[Cycle.Status.SCORING, Cycle.Status.REVIEW],
        evaluation__cycle__scoring_deadline__gte=timezone.localdate(),
    )


def results_open_to_appeal(user):
    """The supervisor's own published results whose appeal window is still open
    (the window is each cycle's appeal days after publication)."""
    today = timezone.localdate()
    recent = own_results(user).filter(published_at__isnull=False).order_by("-published_at")[:50]
    ids = [e.pk for e in recent if appeal_ends_on(e) >= today]
    return own_results(user).filter(pk__in=ids)


def owned_cycles(user):
    q = _any(nodes_q(nodes, "") & Q(level=level) for level, nodes in permissions.owner_nodes(user).items() if nodes)
    return Cycle.objects.filter(q) if q is not None else Cycle.objects.none()


def evaluations_for_owner(user):
    q = _owned_q(user)
    if q is None:
        return Evaluation.objects.none()
    return Evaluation.objects.filter(q).select_related("cycle", "person", "home_organization", "entry")


def own_results(user):
    """The supervisor's own published results."""
    person_id = permissions.scoring_person_id(user)
    if person_id is None:
        return Evaluation.objects.none()
    return Evaluation.objects.filter(person_id=person_id, status=Evaluation.Status.PUBLISHED).select_related(
        "cycle", "person", "home_organization"
    )


def results_for(user):
    """Owner: every evaluation of their cycles; supervisor: their own published ones."""
    q = _owned_q(user)
    person_id = permissions.scoring_person_id(user)
    own = Q(person_id=person_id, status=Evaluation.Status.PUBLISHED) if person_id is not None else None
    combined = _any([q, own])
    if combined is None:
        return Evaluation.objects.none()
    return Evaluation.objects.filter(combined).select_related("cycle", "person", "home_organization", "entry")


def appeals_for(user):
    """Owner: appeals in their cycles; supervisor: their own."""
    q = _owned_q(user, "evaluation__")
    person_id = permissions.scoring_person_id(user)
    own = Q(evaluation__person_id=person_id) if person_id is not None else None
    combined = _any([q, own])
    if combined is None:
        return Appeal.objects.none()
    return Appeal.objects.filter(combined).select_related("evaluation__cycle", "evaluation__person", "decided_by")


def appeals_to_decide(user):
    """Lodged appeals in the cycles the user owns."""
    q = _owned_q(user, "evaluation__")
    if q is None:
        return Appeal.objects.none()
    return Appeal.objects.filter(q, status=Appeal.Status.LODGED)


def renewals_for(user):
    """The renewals of the pools the user keeps (city and district pools)."""
    from dudao.core.scoping import scope_for

    scope = scope_for(user)
    terms = [
        nodes_q(scope.nodes_for(pool_permissions.KEEP_CITY), "entry__") & Q(entry__level=Entry.Level.CITY)
        if scope.nodes_for(pool_permissions.KEEP_CITY)
        else None,
        nodes_q(scope.nodes_for(pool_permissions.KEEP_DISTRICT), "entry__") & Q(entry__level=Entry.Level.DISTRICT)
        if scope.nodes_for(pool_permissions.KEEP_DISTRICT)
        else None,
    ]
    combined = _any(terms)
    if combined is None:
        return Renewal.objects.none()
    return Renewal.objects.filter(combined).select_related("entry__person", "entry__jurisdiction", "decided_by")


def appeal_ends_on(evaluation):
    """The last day to appeal: the cycle's appeal days after publication."""
    import datetime as dt

    if evaluation.published_at is None:
        return None
    return timezone.localtime(evaluation.published_at).date() + dt.timedelta(days=evaluation.cycle.appeal_days)


def shows_party_comments(evaluation) -> bool:
    return bool(policy_value("evaluation.show_party_comments", evaluation.cycle.owner, timezone.localdate()))


def party_averages(evaluation) -> dict:
    """{party: score} as the result's breakdown holds it."""
    parties = (evaluation.breakdown.get("result") or {}).get("parties") or {}
    return {p: (parties.get(p) or {}).get("score") for p in Party.values}


def grade_source(person_ids) -> dict:
    """{person id: latest published grade} in one query (registered with supervision matching)."""
    rows = (
        Evaluation.objects.filter(person_id__in=list(person_ids), status=Evaluation.Status.PUBLISHED)
        .order_by("person_id", "-cycle__year", "-published_at")
        .values_list("person_id", "grade")
    )
    grades: dict = {}
    for person_id, grade in rows:
        grades.setdefault(person_id, Grade(grade))
    return grades
