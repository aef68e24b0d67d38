"""May this user do this in the nomination workflow? The one place the
selection app answers it, from the Scope's capabilities and where they apply
(dudao/accounts/capabilities.py says which role carries which)."""

from dudao.core.scoping import scope_for

from .models import Nomination, Round, Transition

S = Nomination.Status

ROUNDS_MANAGE = "selection.rounds.manage"
REVIEW_DISTRICT = "selection.review.district"
REVIEW_CITY = "selection.review.city"
NOMINATE_OWN_STAFF = "selection.nominate.own_staff"
NOMINATE_DISTRICT_SELECTED = "selection.nominate.district_selected"


def can_manage_rounds(actor, jurisdiction=None) -> bool:
    """The city opens and closes rounds (of its own jurisdiction, when given)."""
    scope = scope_for(actor)
    if jurisdiction is None:
        return scope.can(ROUNDS_MANAGE)
    return scope.can_at(ROUNDS_MANAGE, jurisdiction.path)


def round_home_node(actor):
    """The jurisdiction a new round of this actor belongs to: their city."""
    return scope_for(actor).home_node(ROUNDS_MANAGE)


def can_nominate(actor, organization, path: str, category: str = "") -> bool:
    scope = scope_for(actor)
    if scope.can(NOMINATE_OWN_STAFF) and organization.pk in scope.managed_org_ids:
        return True
    # A district recommends the supervisors it selected itself (direct entry).
    return (
        path == Nomination.Path.DIRECT
        and category == Nomination.Category.DISTRICT_SELECTED
        and scope.can_at(NOMINATE_DISTRICT_SELECTED, organization.jurisdiction.path)
    )


def nominates_for(actor, organization) -> bool:
    """Whether the actor works the agency's nomination sheet (its administrator)."""
    scope = scope_for(actor)
    return scope.can(NOMINATE_OWN_STAFF) and organization.pk in scope.managed_org_ids


def can_nominate_anywhere(actor) -> bool:
    """Units recommend their own staff; districts the supervisors they selected."""
    scope = scope_for(actor)
    return (scope.can(NOMINATE_OWN_STAFF) and bool(scope.managed_org_ids)) or scope.can(NOMINATE_DISTRICT_SELECTED)


def nominating_org_ids(actor) -> frozenset:
    """The agencies whose own staff the actor nominates (their administrator)."""
    scope = scope_for(actor)
    return scope.managed_org_ids if scope.can(NOMINATE_OWN_STAFF) else frozenset()


def district_drafts_nodes(actor) -> tuple:
    """Where the actor works on direct-entry drafts like an agency would."""
    return scope_for(actor).nodes_for(NOMINATE_DISTRICT_SELECTED)


def _stages_of(actor, nomination: Nomination) -> list[str]:
    """The review stages of this nomination the actor has a say at."""
    scope = scope_for(actor)
    stages = []
    if nomination.path == Nomination.Path.QUOTA and scope.can_at(
        REVIEW_DISTRICT, nomination.organization.jurisdiction.path
    ):
        stages.append(S.DISTRICT_REVIEW)
    if scope.can_at(REVIEW_CITY, nomination.round.jurisdiction.path):
        stages.append(S.CITY_REVIEW)
    return stages


def reviewer_stage(actor, nomination: Nomination) -> str | None:
    """The review stage this actor may act at on this nomination now, if any."""
    scope = scope_for(actor)
    if nomination.status == S.DISTRICT_REVIEW and scope.can_at(
        REVIEW_DISTRICT, nomination.organization.jurisdiction.path
    ):
        return S.DISTRICT_REVIEW
    if nomination.status == S.CITY_REVIEW and scope.can_at(REVIEW_CITY, nomination.round.jurisdiction.path):
        return S.CITY_REVIEW
    return None


def handled_at_my_stage(actor, nomination: Nomination) -> Transition | None:
    """The latest decision taken at a stage this actor reviews, once the
    nomination has moved on from it: then someone else handled it, which is
    not the same as the actor having no say (a city admin while the district
    still reviews, a district admin on a direct entry)."""
    stages = _stages_of(actor, nomination)
    if not stages or nomination.status in stages:
        return None
    return nomination.transitions.filter(from_status__in=stages).select_related("actor").last()


def reviews(actor, nomination: Nomination) -> bool:
    """Whether the actor reviews this nomination at some stage: now, or at a
    stage it has already passed (then a decision is refused as already
    handled, not as forbidden)."""
    return reviewer_stage(actor, nomination) is not None or handled_at_my_stage(actor, nomination) is not None


def queue_stages(actor) -> list[str]:
    """The statuses on the actor's review queue; empty: the actor reviews nothing."""
    scope = scope_for(actor)
    stages = []
    if scope.can(REVIEW_DISTRICT):
        stages.append(S.DISTRICT_REVIEW)
    if scope.can(REVIEW_CITY):
        stages.append(S.CITY_REVIEW)
    return stages


def reads_round_lists(actor) -> bool:
    """The printed lists of a round (per district, for the city) are for the
    roles that read a jurisdiction, as its summaries are."""
    return reads_summaries(actor)


def reads_whole_round(actor, round_: Round) -> bool:
    """Whether the actor's summary of a round covers all of its districts."""
    scope = scope_for(actor)
    return scope.can_at(ROUNDS_MANAGE, round_.jurisdiction.path) or any(
        p == round_.jurisdiction.path for p in scope.read_paths
    )


def reads_summaries(actor) -> bool:
    """District summaries are for the roles that read a jurisdiction."""
    return bool(scope_for(actor).read_paths)
