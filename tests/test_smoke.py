def test_the_world_fixture_builds_every_persona(world):
    from tests.conftest import ALL_PERSONAS

    for name in ALL_PERSONAS:
        assert world.persona(name).pk


def test_the_django_admin_is_not_mounted(client, world):
    # Domain data changes only through the services (audited, scoped); an
    # admin site beside them would be a second, unscoped way in.
    client.force_login(world.city_admin)
    assert client.get("/django-admin/").status_code == 404
    assert client.get("/admin/").status_code == 404
