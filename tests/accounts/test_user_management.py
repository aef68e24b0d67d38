import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dudao.accounts import services
from dudao.accounts.models import Role, RoleAssignment, User
from dudao.accounts.selectors import users_for
from dudao.core.models import AuditEntry


def _create(world, actor, **kwargs):
    defaults = {"username": "new_user", "password": "a-long-passphrase-1", "display_name": "新用户"}
    return services.create_user(actor=actor, **(defaults | kwargs))


def test_the_city_admin_creates_a_district_admin_and_the_creation_is_audited(world):
    user = _create(world, world.city_admin, role=Role.DISTRICT_ADMIN, jurisdiction=world.erqi, reason="新任")
    assert user.check_password("a-long-passphrase-1")
    assert list(user.role_assignments.values_list("role", "jurisdiction")) == [(Role.DISTRICT_ADMIN, world.erqi.pk)]
    entry = AuditEntry.objects.get(object_id=str(user.pk), content_type__model="user")
    assert entry.actor == world.city_admin and entry.reason == "新任"
    assert "password" not in entry.changes


def test_a_district_admin_cannot_mint_another_district_admin(world):
    with pytest.raises(PermissionDenied):
        _create(world, world.district_admin, role=Role.DISTRICT_ADMIN, jurisdiction=world.jinshui)
    assert not User.objects.filter(username="new_user").exists()


def test_a_district_admin_onboards_an_agency_admin_only_in_its_own_district(world):
    user = _create(world, world.district_admin, role=Role.AGENCY_ADMIN, organization=world.agency)
    assert user.role_assignments.get().organization == world.agency
    with pytest.raises(PermissionDenied):
        _create(world, world.district_admin, username="x2", role=Role.AGENCY_ADMIN, organization=world.erqi_agency)


def test_an_agency_admin_gives_its_own_staff_a_supervisor_account_but_not_another_agencys(world):
    from tests.factories import staff

    mine = staff(world.agency, certified=True)
    theirs = staff(world.erqi_agency, certified=True)
    user = _create(world, world.agency_admin, role=Role.SUPERVISOR, person=mine)
    assert user.person == mine
    with pytest.raises(PermissionDenied):
        _create(world, world.agency_admin, username="x3", role=Role.SUPERVISOR, person=theirs)
    with pytest.raises(PermissionDenied):
        _create(world, world.agency_admin, username="x4", role=Role.AGENCY_ADMIN, organization=world.agency)


def test_a_weak_password_or_taken_username_is_refused_with_a_message_and_nothing_is_written(world):
    before = User.objects.count()
    with pytest.raises(ValidationError) as weak:
        _create(world, world.city_admin, password="123", role=Role.HRSS, jurisdiction=world.city)
    assert "password" in weak.value.message_dict
    with pytest.raises(ValidationError) as taken:
        _create(world, world.city_admin, username="CITY_ADMIN", role=Role.HRSS, jurisdiction=world.city)
    assert "username" in taken.value.message_dict
    assert User.objects.count() == before


def test_one_person_can_hold_several_roles(world):
    services.grant_role(
        actor=world.city_admin, user=world.supervisor, role=Role.AGENCY_ADMIN, organization=world.agency
    )
    roles = set(world.supervisor.role_assignments.values_list("role", flat=True))
    assert roles == {Role.SUPERVISOR, Role.AGENCY_ADMIN}
    with pytest.raises(ValidationError):
        services.grant_role(
            actor=world.city_admin, user=world.supervisor, role=Role.AGENCY_ADMIN, organization=world.agency
        )


def test_revoking_and_disabling_are_audited_and_an_admin_cannot_disable_itself(world):
    assignment = world.hrss.role_assignments.get()
    services.revoke_role(actor=world.city_admin, assignment=assignment, reason="调岗")
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    services.set_active(actor=world.city_admin, user=world.finance, active=False, reason="离职")
    world.finance.refresh_from_db()
    assert world.finance.is_active is False
    assert AuditEntry.objects.filter(object_id=str(world.finance.pk), reason="离职").exists()
    with pytest.raises(ValidationError):
        services.set_active(actor=world.city_admin, user=world.city_admin, active=False, reason="x")


def test_users_for_shows_each_admin_only_the_accounts_in_its_scope(world):
    city = set(users_for(world.city_admin).values_list("username", flat=True))
    assert {"jinshui_admin", "erqi_admin", "agency_admin", "outsider", "supervisor", "hrss"} <= city
    district = set(users_for(world.district_admin).values_list("username", flat=True))
    assert {"agency_admin", "supervisor", "social_worker", "jinshui_admin"} <= district
    assert not {"outsider", "erqi_admin", "hrss", "city_admin"} & district
    agency = set(users_for(world.agency_admin).values_list("username", flat=True))
    assert agency == {"supervisor", "social_worker"}
    assert not users_for(world.hrss).exists()
    assert not users_for(world.supervisor).exists()


@pytest.mark.parametrize(
    "persona,status",
    [("city_admin", 200), ("district_admin", 200), ("agency_admin", 200), ("hrss", 403), ("supervisor", 403)],
)
def test_the_accounts_page_is_for_administrators_only(world, login, persona, status):
    assert login(world.persona(persona)).get("/accounts/users/").status_code == status


def test_a_district_admin_gets_404_for_an_account_of_another_district(world, login):
    client = login(world.district_admin)
    assert client.get(f"/accounts/users/{world.outsider.pk}/").status_code == 404
    assert client.get(f"/accounts/users/{world.agency_admin.pk}/").status_code == 200


def test_the_city_admin_creates_an_account_in_the_browser_form(world, login):
    client = login(world.city_admin)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "zz_finance",
            "display_name": "市财政局二",
            "password": "a-long-passphrase-1",
            "role": Role.FINANCE,
            "jurisdiction": world.city.pk,
            "reason": "新增",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="zz_finance").role_assignments.get().role == Role.FINANCE


def test_the_account_form_names_the_missing_person_and_writes_nothing(world, login):
    client = login(world.agency_admin)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "sv2",
            "display_name": "x",
            "password": "a-long-passphrase-1",
            "role": Role.SUPERVISOR,
            "person_id_number": "110101199001011237",
        },
    )
    assert response.status_code == 200
    assert "person_id_number" in response.context["form"].errors
    assert not User.objects.filter(username="sv2").exists()


def test_the_users_api_lists_creates_and_describes_the_caller(world, api):
    client = api(world.city_admin)
    listing = client.get("/api/v1/users/")
    assert listing.status_code == 200 and listing.json()["count"] >= 10
    created = client.post(
        "/api/v1/users/",
        {
            "username": "api_user",
            "display_name": "接口用户",
            "password": "a-long-passphrase-1",
            "role": "hrss",
            "jurisdiction": "410100",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["roles"][0]["role"] == "hrss"
    assert api(world.hrss).get("/api/v1/users/").status_code == 403
    me = api(world.supervisor).get("/api/v1/users/me/")
    assert me.status_code == 200 and me.json()["roles"][0]["role"] == "supervisor"


def test_a_user_changes_their_own_password(world, login):
    client = login(world.social_worker)
    response = client.post(
        "/accounts/password/",
        {"old_password": "Dudao@2026", "new_password1": "another-long-pass-9", "new_password2": "another-long-pass-9"},
    )
    assert response.status_code == 302
    world.social_worker.refresh_from_db()
    assert world.social_worker.check_password("another-long-pass-9")


def test_changing_ones_own_password_is_audited_and_never_logs_the_password(world, login):
    client = login(world.social_worker)
    client.post(
        "/accounts/password/",
        {"old_password": "Dudao@2026", "new_password1": "another-long-pass-9", "new_password2": "another-long-pass-9"},
    )
    entry = AuditEntry.objects.get(event="accounts.password_changed")
    assert (entry.actor, entry.object_id) == (world.social_worker, str(world.social_worker.pk))
    assert entry.changes == {"password": ["***", "***"]}
    assert "another-long-pass-9" not in str(entry.changes)


def test_the_own_password_service_checks_the_current_password(world):
    with pytest.raises(ValidationError) as exc:
        services.change_own_password(
            actor=world.social_worker, old_password="wrong", new_password="another-long-pass-9"
        )
    assert "old_password" in exc.value.message_dict
    world.social_worker.refresh_from_db()
    assert world.social_worker.check_password("Dudao@2026")
    assert not AuditEntry.objects.filter(event="accounts.password_changed").exists()
