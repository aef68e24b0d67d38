"""May this user do this to a person or an organisation? The one place the
directory answers it, from the Scope (dudao.core.scoping): directory sits
below accounts, so it asks where the user manages, never which role they hold."""

from dudao.core.scoping import Scope, scope_for

from .models import Organization, Person


def can_manage_organization(user, organization: Organization) -> bool:
    return scope_for(user).manages_path(organization.jurisdiction.path)


def can_create_organizations(user) -> bool:
    return bool(scope_for(user).manage_nodes)


def manages_person(scope: Scope, *, person_id, employer_id, employed: bool, chain: dict) -> bool:
    """The one rule for who manages a person, on plain values so that pages,
    the API and exports of millions of rows all apply it without a query: the
    jurisdiction admins above the person's employer (for someone between jobs,
    their last employer; for someone never employed, any jurisdiction admin),
    and the administrators of their current employer."""
    if employer_id is None:
        return bool(scope.manage_nodes) and person_id is not None
    if any(chain.get(f"scope_j{n.depth}") == n.id for n in scope.manage_nodes):
        return True
    return employed and employer_id in scope.managed_org_ids


def _facts(person: Person) -> dict:
    """What the two rules below read of a person, as the exports read it from rows."""
    return {
        "person_id": person.pk,
        "employer_id": person.employer_id,
        "employed": person.employed,
        "chain": person.chain(),
    }


def can_manage_person(user, person: Person) -> bool:
    return manages_person(scope_for(user), **_facts(person))


def sees_full_id(scope: Scope, *, person_id, employer_id, employed: bool, chain: dict) -> bool:
    """Whether the ID and phone numbers show in full: to the person themself
    and to whoever manages them; everyone else sees them masked."""
    return scope.person_id == person_id or manages_person(
        scope, person_id=person_id, employer_id=employer_id, employed=employed, chain=chain
    )


def can_see_full_id(user, person: Person) -> bool:
    return sees_full_id(scope_for(user), **_facts(person))


def can_add_people(user) -> bool:
    scope = scope_for(user)
    return bool(scope.manage_paths or scope.managed_org_ids)
