"""What each party, owner and supervisor reads of scoring and results. Every
function takes the user and returns only what their scope allows."""

import datetime as dt

from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
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
    """The forms the user has written as a party (their own only). A form is
    written when its party first saves scores; what a party is still due to
    score is listed by to_score()."""
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


# --- what a party scores -------------------------------------------------------------------
#
# No blank form is written for a party: a pool's computation would write four
# per supervisor (200,000 for a large pool, more time than the computation
# itself). What a party is due to score is read from the evaluations: the home
# agency's are those of its staff, a served agency's those of the supervisors
# it engaged in the cycle's year, the association's and the owner's every
# evaluation of the cycles over which they act. The form is written when the
# party first saves its scores (services.scoring.submit).

OPEN_FOR_SCORING = (Cycle.Status.SCORING, Cycle.Status.REVIEW)


def parties_of(user) -> list[str]:
    """The parties the user scores as, in the parties' order."""
    parties = []
    if permissions.scoring_org_ids(user):
        parties += [Party.HOME_AGENCY, Party.SERVED_AGENCY]
    if permissions.association_nodes(user):
        parties.append(Party.ASSOCIATION)
    if any(permissions.owner_nodes(user).values()):
        parties.append(Party.AUTHORITY)
    return parties


def _served_by(orgs):
    """The engagements by one of `orgs` of the evaluated supervisor in the
    cycle's year, the home agency left out (it scores as the home agency)."""
    return Engagement.objects.filter(
        supervisor_id=OuterRef("person_id"),
        organization_id__in=orgs,
        status__in=[Engagement.Status.ACTIVE, Engagement.Status.ENDED],
        starts_on__year__lte=OuterRef("cycle__year"),
        ends_on__year__gte=OuterRef("cycle__year"),
    ).exclude(organization_id=Coalesce(OuterRef("home_organization_id"), Value(0)))


def party_evaluations(party: str, *, orgs=(), where: Q | None = None):
    """The evaluations `party` scores, annotated with the scoring agency
    (`scoring_org`, none for the association and the authority) and with that
    party's form if written (`form_id`, `scored_ethics`, `scored_ability`,
    `scored_performance`, `scored_at`): for the agency parties those of `orgs`,
    for the association and the authority those matching `where`."""
    if party == Party.HOME_AGENCY:
        queryset = Evaluation.objects.filter(home_organization_id__in=orgs).annotate(
            scoring_org=F("home_organization_id")
        )
    elif party == Party.SERVED_AGENCY:
        served = _served_by(orgs)
        # The agency's supervisors first (an uncorrelated IN, so that the plan starts
        # from its few engagements and looks their evaluations up by person rather
        # than testing every evaluation of a province), then the year's rule.
        engaged = Engagement.objects.filter(
            organization_id__in=orgs, status__in=[Engagement.Status.ACTIVE, Engagement.Status.ENDED]
        ).values("supervisor_id")
        queryset = (
            Evaluation.objects.filter(person_id__in=engaged)
            .filter(Exists(served))
            .annotate(scoring_org=Subquery(served.order_by("organization_id").values("organization_id")[:1]))
        )
    else:
        # None for nobody: still annotated, so that due() and the lists apply to it.
        queryset = Evaluation.objects.filter(where if where is not None else Q(pk__in=[])).annotate(
            scoring_org=Value(None, output_field=BigIntegerField())
        )
    form = PartyForm.objects.filter(evaluation_id=OuterRef("pk"), party=party)
    if party in (Party.HOME_AGENCY, Party.SERVED_AGENCY):
        form = form.filter(organization_id=OuterRef("scoring_org"))
    else:
        form = form.filter(organization__isnull=True)
    return queryset.annotate(
        form_id=Subquery(form.values("pk")[:1]),
        scored_ethics=Subquery(form.values("ethics")[:1]),
        scored_ability=Subquery(form.values("ability")[:1]),
        scored_performance=Subquery(form.values("performance")[:1]),
        scored_at=Subquery(form.values("submitted_at")[:1]),
    )


def to_score(user, party: str):
    """The evaluations the user scores as `party`, with their form if written
    (see party_evaluations); none for a party the user is not."""
    if party in (Party.HOME_AGENCY, Party.SERVED_AGENCY):
        orgs = permissions.scoring_org_ids(user)
        queryset = party_evaluations(party, orgs=orgs)
        if not orgs:
            queryset = queryset.none()
    elif party == Party.ASSOCIATION:
        queryset = party_evaluations(party, where=nodes_q(permissions.association_nodes(user)))
    else:
        # The authority; a party name that is none of the four reads as one the user is not.
        queryset = party_evaluations(Party.AUTHORITY, where=_owned_q(user) if party == Party.AUTHORITY else None)
    return queryset.select_related("cycle", "person", "home_organization")


def due(queryset):
    """Of to_score(): those not yet scored in cycles open for scoring before their deadline."""
    return queryset.filter(
        cycle__status__in=OPEN_FOR_SCORING,
        cycle__scoring_deadline__gte=timezone.localdate(),
        scored_at__isnull=True,
    )


def due_count(user) -> int:
    """How many scores the user still owes, over all the parties they are."""
    return sum(due(to_score(user, party)).count() for party in parties_of(user))


def first_deadline(user):
    """The soonest scoring deadline among what the user still owes, or None."""
    dates = [
        due(to_score(user, party))
        .order_by("cycle__scoring_deadline")
        .values_list("cycle__scoring_deadline", flat=True)
        .first()
        for party in parties_of(user)
    ]
    return min((d for d in dates if d), default=None)


def unscored(cycle, party: str, organization_id) -> int:
    """How many evaluations of `cycle` the party (with its agency) has still to score."""
    if party in (Party.HOME_AGENCY, Party.SERVED_AGENCY):
        queryset = party_evaluations(party, orgs=[organization_id])
    else:
        queryset = party_evaluations(party, where=Q(cycle=cycle))
    return queryset.filter(cycle=cycle, scored_at__isnull=True).count()


def unscored_by_party(cycle) -> dict:
    """{(party, agency id or None): evaluations of `cycle` still to score}, the
    parties with none left out: who the scoring deadline's reminder goes to."""
    evaluations = Evaluation.objects.filter(cycle=cycle).order_by()
    scored = {}
    for party, org in (
        PartyForm.objects.filter(evaluation__cycle=cycle, submitted_at__isnull=False)
        .order_by()
        .values_list("party", "organization_id")
    ):
        scored[(party, org)] = scored.get((party, org), 0) + 1
    total = evaluations.count()
    owed = {(Party.ASSOCIATION, None): total, (Party.AUTHORITY, None): total}
    for org, n in (
        evaluations.exclude(home_organization_id=None).values_list("home_organization_id").annotate(n=Count("pk"))
    ):
        owed[(Party.HOME_AGENCY, org)] = n
    pairs = list(evaluations.values_list("person_id", "home_organization_id"))
    served = served_organizations(pairs, cycle.year, supervisors=evaluations.values("person_id"))
    for orgs in served.values():
        for org in orgs:
            owed[(Party.SERVED_AGENCY, org)] = owed.get((Party.SERVED_AGENCY, org), 0) + 1
    left = {key: n - scored.get(key, 0) for key, n in owed.items()}
    return {key: n for key, n in left.items() if n > 0}


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
