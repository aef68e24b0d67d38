"""May this user do this in training? The one place the training app answers
it, from the Scope's capabilities and where they apply
(dudao/accounts/capabilities.py says which role carries which)."""

from dudao.core.scoping import scope_for

PROGRAMMES_MANAGE = "training.programmes.manage"
PROGRAMMES_DELIVER = "training.programmes.deliver"
ACTIVITIES_ORGANISE = "training.activities.organise"


def may_create_programmes(user) -> bool:
    return scope_for(user).can(PROGRAMMES_MANAGE)


def programme_home_node(user):
    """The jurisdiction a programme this user commissions belongs to: their city."""
    return scope_for(user).home_node(PROGRAMMES_MANAGE)


def can_manage_programme(user, programme) -> bool:
    """The city bureau that commissioned the programme."""
    return scope_for(user).can_at(PROGRAMMES_MANAGE, programme.jurisdiction.path)


def can_commission_in(user, jurisdiction) -> bool:
    return scope_for(user).can_at(PROGRAMMES_MANAGE, jurisdiction.path)


def trainer_org_ids(user) -> frozenset:
    """The training organisations the user delivers programmes for."""
    scope = scope_for(user)
    return scope.org_ids if scope.can(PROGRAMMES_DELIVER) else frozenset()


def is_trainer_of(user, programme) -> bool:
    return programme.trainer_id in trainer_org_ids(user)


def can_run_programme(user, programme) -> bool:
    """Curriculum, cohorts, sessions and attendance: the city or its trainer."""
    return can_manage_programme(user, programme) or is_trainer_of(user, programme)


def can_see_results(user, programme) -> bool:
    """Everyone's hours and scores, and the survey answers: the city, its
    trainer and the city-level bureaus that read the programme; a trainee sees
    only their own (on their training page)."""
    return can_run_programme(user, programme) or scope_for(user).reads_path(programme.jurisdiction.path)


def organising_nodes(user) -> tuple:
    """The districts (or the city) a user records own training activities for."""
    return scope_for(user).nodes_for(ACTIVITIES_ORGANISE)


def may_organise_for(user, *, organization=None, jurisdiction=None) -> bool:
    """An agency records its own training; a district or the city theirs
    (policy 四(一), 四(二)); a district also for the agencies it manages."""
    scope = scope_for(user)
    if organization is not None:
        return organization.pk in scope.managed_org_ids or scope.manages_path(organization.jurisdiction.path)
    if jurisdiction is not None:
        return scope.can_at(ACTIVITIES_ORGANISE, jurisdiction.path)
    return False
