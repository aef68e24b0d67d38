"""A district reads the entries of the people working in it now and of those
selected in it, through columns kept on the entry (pools/scoping.py): they
follow hiring, leaving, moving units and the reference tree, and the list
matches the definition computed the slow way."""

import datetime as dt

from dudao.directory import services as directory
from dudao.directory.models import Person
from dudao.pools.models import Entry
from dudao.pools.selectors import entries_for

PERSONAS = ["city_admin", "district_admin", "erqi_admin", "agency_admin", "supervisor", "hrss", "outsider"]


def slow_visible(user, scope_nodes, managed, person_id) -> set[int]:
    """The definition (entries_for's docstring), row by row with joins."""
    seen = set()
    for entry in Entry.objects.select_related("person", "home_district"):
        person = Person.objects.get(pk=entry.person_id)
        for node in scope_nodes:
            column = f"scope_j{node.depth}"
            if getattr(entry, column) == node.id:
                seen.add(entry.pk)
            if entry.home_district_id and getattr(entry.home_district, column) == node.id:
                seen.add(entry.pk)
            if person.employed and getattr(person, column) == node.id:
                seen.add(entry.pk)
        if entry.organization_id in managed or (person.employed and person.employer_id in managed):
            seen.add(entry.pk)
        if entry.person_id == person_id:
            seen.add(entry.pk)
    return seen


def assert_matches_definition(world):
    from dudao.core.scoping import scope_for

    for name in PERSONAS:
        user = world.persona(name)
        scope = scope_for(user)
        fast = set(entries_for(user).values_list("pk", flat=True))
        assert fast == slow_visible(user, scope.read_nodes, scope.managed_org_ids, scope.person_id), name
        user._dudao_scope = None  # the next check may follow a change


def test_the_visible_entries_match_the_definition(world, pools):
    assert_matches_definition(world)


def test_a_supervisor_who_moves_to_another_district_is_read_there_and_no_longer_here(world, pools):
    person = pools.erqi_person
    assert pools.erqi.pk not in set(entries_for(world.district_admin).values_list("pk", flat=True))
    directory.end_employment(actor=world.city_admin, person=person, end_date=dt.date(2025, 1, 31), reason="调动")
    # Between jobs: only the district that selected them (its own pool) still reads the entry.
    assert pools.erqi.pk in set(entries_for(world.erqi_admin).values_list("pk", flat=True))
    directory.start_employment(
        actor=world.city_admin, person=person, organization=world.agency, start_date=dt.date(2025, 2, 1)
    )
    entry = Entry.objects.get(pk=pools.erqi.pk)
    assert getattr(entry, f"person_scope_j{world.jinshui.depth}") == world.jinshui.pk
    assert pools.erqi.pk in set(entries_for(world.district_admin).values_list("pk", flat=True))
    assert_matches_definition(world)


def test_leaving_clears_the_persons_reach(world, pools):
    person = world.social_worker_person
    directory.end_employment(actor=world.city_admin, person=person, end_date=dt.date(2025, 1, 31), reason="离职")
    entry = Entry.objects.get(pk=pools.agency.pk)
    assert all(getattr(entry, f"person_scope_j{d}") is None for d in range(4))
    assert_matches_definition(world)


def test_a_unit_moved_to_another_district_takes_its_staffs_entries_along(world, pools):
    directory.update_organization(
        actor=world.city_admin, organization=world.agency, jurisdiction=world.erqi, reason="区划调整"
    )
    entry = Entry.objects.get(pk=pools.district.pk)
    assert getattr(entry, f"person_scope_j{world.erqi.depth}") == world.erqi.pk
    assert pools.district.pk in set(entries_for(world.erqi_admin).values_list("pk", flat=True))
    assert_matches_definition(world)
