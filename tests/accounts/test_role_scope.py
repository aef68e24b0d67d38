"""Each role is held at one kind of place (issue 8, items 6 and 16): city roles
at the city, district roles at a district, organisation roles at an
organisation, the self-service roles at the person. The service says so with a
message and the database refuses it even when the service is bypassed; one
grant of a role at a place is one row, on SQLite and PostgreSQL alike."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dudao.accounts import services
from dudao.accounts.models import Role, RoleAssignment, ScopeLevel
from dudao.core.models import AuditEntry


def _grant(world, role, **place):
    return services.grant_role(actor=world.city_admin, user=world.agency_admin, role=role, **place)


def test_the_city_admin_role_cannot_be_granted_for_a_district_through_the_api(world, api):
    before = RoleAssignment.objects.count()
    response = api(world.city_admin).post(
        f"/api/v1/users/{world.agency_admin.pk}/roles/",
        {"role": "city_admin", "jurisdiction": "410105"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "jurisdiction" in response.json()
    assert RoleAssignment.objects.count() == before
    assert not AuditEntry.objects.filter(object_id=str(world.agency_admin.pk)).exists()


@pytest.mark.parametrize("role", [Role.CITY_ADMIN, Role.ASSOCIATION])
def test_city_roles_are_refused_at_a_district_with_a_message(world, role):
    with pytest.raises(ValidationError) as refused:
        _grant(world, role, jurisdiction=world.jinshui)
    assert "jurisdiction" in refused.value.message_dict
    assert not RoleAssignment.objects.filter(user=world.agency_admin, role=role).exists()


def test_a_district_admin_role_is_refused_at_the_city(world):
    with pytest.raises(ValidationError) as refused:
        _grant(world, Role.DISTRICT_ADMIN, jurisdiction=world.city)
    assert "jurisdiction" in refused.value.message_dict


@pytest.mark.parametrize("role", [Role.HRSS, Role.FINANCE])
def test_hrss_and_finance_read_the_city_or_one_district(world, role):
    at_district = _grant(world, role, jurisdiction=world.jinshui)
    at_city = _grant(world, role, jurisdiction=world.city)
    assert (at_district.scope_level, at_city.scope_level) == (ScopeLevel.DISTRICT, ScopeLevel.CITY)


@pytest.mark.parametrize(
    "role,place,field",
    [
        (Role.AGENCY_ADMIN, "jurisdiction", "jurisdiction"),
        (Role.HRSS, "organization", "organization"),
    ],
)
def test_a_place_of_the_wrong_kind_is_refused(world, role, place, field):
    places = {"jurisdiction": world.jinshui, "organization": world.agency}
    extra = {"organization": world.agency} if role == Role.AGENCY_ADMIN else {"jurisdiction": world.city}
    with pytest.raises(ValidationError) as refused:
        _grant(world, role, **(extra | {place: places[place]}))
    assert field in refused.value.message_dict


def test_the_database_refuses_a_city_role_at_a_district_when_the_service_is_bypassed(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=world.agency_admin, role=Role.CITY_ADMIN, jurisdiction=world.jinshui)


def test_the_database_refuses_a_mislabelled_scope_level(world):
    # bulk_create skips save(), so the level is whatever the caller wrote.
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(
                    user=world.agency_admin,
                    role=Role.CITY_ADMIN,
                    jurisdiction=world.jinshui,
                    scope_level=ScopeLevel.DISTRICT,
                )
            ]
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=world.agency_admin, role=Role.AGENCY_ADMIN, scope_level=ScopeLevel.ORGANIZATION)]
        )


@pytest.mark.parametrize(
    "role,place",
    [
        (Role.HRSS, "city"),
        (Role.TRAINER, "agency"),
        (Role.SOCIAL_WORKER, None),
    ],
)
def test_a_duplicate_grant_is_refused_by_the_database(world, role, place):
    """role_assignment_unique used to include a column that is NULL in every
    row, so it never fired."""
    user = world.supervisor
    fields = {"city": {"jurisdiction": world.city}, "agency": {"organization": world.agency}, None: {}}[place]
    RoleAssignment.objects.filter(user=user).delete()
    RoleAssignment.objects.create(user=user, role=role, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=role, **fields)
    assert RoleAssignment.objects.filter(user=user, role=role).count() == 1
