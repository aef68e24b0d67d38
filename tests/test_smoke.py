def test_the_world_fixture_builds_every_persona(world):
    from tests.conftest import ALL_PERSONAS

    for name in ALL_PERSONAS:
        assert world.persona(name).pk
