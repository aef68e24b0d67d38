"""One live entry per person and pool, held by the database (issue 8, item
16): the old constraint named a column that is NULL in every row of each
kind (an agency entry has no jurisdiction, a city or district entry no
organisation), and NULLs are distinct, so it never fired."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from dudao.pools.models import Entry

BEFORE = ("pools", "0002_input_validators")
AFTER = ("pools", "0003_one_live_entry_per_pool")


def entry(world, person, number, **kwargs):
    defaults = {
        "person": person,
        "home_district": world.jinshui,
        "entry_number": number,
        "admitted_on": dt.date(2026, 1, 1),
        "expires_on": dt.date(2028, 12, 31),
    }
    return Entry.objects.create(**(defaults | kwargs))


@pytest.mark.parametrize(
    "pool",
    [
        {"level": Entry.Level.CITY, "jurisdiction": "city"},
        {"level": Entry.Level.DISTRICT, "jurisdiction": "jinshui"},
        {"level": Entry.Level.AGENCY, "organization": "agency"},
    ],
    ids=["city", "district", "agency"],
)
def test_the_database_refuses_a_second_live_entry_in_one_pool(world, pool):
    where = {k: getattr(world, v) if k != "level" else v for k, v in pool.items()}
    entry(world, world.supervisor_person, "ZZ-T-0001", **where)
    with pytest.raises(IntegrityError), transaction.atomic():
        entry(world, world.supervisor_person, "ZZ-T-0002", **where)
    # A suspended entry is live too.
    with pytest.raises(IntegrityError), transaction.atomic():
        entry(world, world.supervisor_person, "ZZ-T-0003", status=Entry.Status.SUSPENDED, **where)


def test_a_retired_entry_may_be_followed_and_other_pools_are_independent(world):
    entry(world, world.supervisor_person, "ZZ-T-0001", level="city", jurisdiction=world.city, status="retired")
    entry(world, world.supervisor_person, "ZZ-T-0002", level="city", jurisdiction=world.city)
    entry(world, world.supervisor_person, "ZZ-T-0003", level="district", jurisdiction=world.jinshui)
    entry(world, world.supervisor_person, "ZZ-T-0004", level="district", jurisdiction=world.erqi)
    entry(world, world.supervisor_person, "ZZ-T-0005", level="agency", organization=world.agency)
    entry(world, world.supervisor_person, "ZZ-T-0006", level="agency", organization=world.other_agency_same_district)
    assert Entry.objects.filter(person=world.supervisor_person).count() == 6


@pytest.mark.django_db(transaction=True)
def test_the_migration_retires_the_newer_duplicates_and_says_why(world):
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    OldEntry = old.get_model("pools", "Entry")
    StatusChange = old.get_model("pools", "StatusChange")

    def make(number, **kwargs):
        row = OldEntry.objects.create(
            person_id=world.supervisor_person.pk,
            home_district_id=world.jinshui.pk,
            entry_number=number,
            verification_code=number.replace("-", "")[-16:].rjust(16, "2"),
            admitted_on=dt.date(2026, 1, 1),
            expires_on=dt.date(2028, 12, 31),
            status="active",
            **kwargs,
        )
        StatusChange.objects.create(entry=row, from_status="", to_status="active", reason="入库")
        return row

    first_agency = make("ZZ-JG-0001", level="agency", organization_id=world.agency.pk)
    second_agency = make("ZZ-JG-0002", level="agency", organization_id=world.agency.pk)
    third_agency = make(
        "ZZ-JG-0003",
        level="agency",
        organization_id=world.agency.pk,
    )
    first_city = make("ZZ-SJ-0001", level="city", jurisdiction_id=world.city.pk)
    second_city = make("ZZ-SJ-0002", level="city", jurisdiction_id=world.city.pk)
    OldEntry.objects.filter(pk=second_city.pk).update(status="suspended")
    lone = make("ZZ-QU-0001", level="district", jurisdiction_id=world.jinshui.pk)

    executor = MigrationExecutor(connection)
    executor.migrate([AFTER])
    # Then on to the latest schema, which the current models below read.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    statuses = dict(Entry.objects.values_list("entry_number", "status"))
    assert statuses == {
        "ZZ-JG-0001": "active",
        "ZZ-JG-0002": "retired",
        "ZZ-JG-0003": "retired",
        "ZZ-SJ-0001": "active",
        "ZZ-SJ-0002": "retired",
        "ZZ-QU-0001": "active",
    }
    for duplicate, kept, was in [
        (second_agency, first_agency, "active"),
        (third_agency, first_agency, "active"),
        (second_city, first_city, "suspended"),
    ]:
        change = Entry.objects.get(pk=duplicate.pk).history.order_by("pk").last()
        assert (change.from_status, change.to_status, change.actor) == (was, "retired", None)
        assert kept.entry_number in change.reason
    assert Entry.objects.get(pk=lone.pk).history.count() == 1
    # And from now on the database holds the rule.
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            person=world.supervisor_person,
            level="agency",
            organization=world.agency,
            home_district=world.jinshui,
            entry_number="ZZ-JG-0004",
            admitted_on=dt.date(2026, 1, 1),
            expires_on=dt.date(2028, 12, 31),
        )
