"""A trainee joins one cohort per programme, held by the database (issue 8,
item 18), and the migration that introduces the rule resolves the
memberships that already broke it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from dudao.training import services
from dudao.training.models import Member

BEFORE = ("training", "0002_input_validators")
AFTER = ("training", "0005_member_programme_required")


@pytest.fixture
def second(world, training):
    return services.create_cohort(
        actor=world.trainer, programme=training.programme, name="第二期", round_=training.round
    )


def test_the_database_refuses_a_trainee_twice_in_one_programme(world, training, second):
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(cohort=second, trainee=training.supervisor_member.trainee)


def test_a_membership_names_its_cohorts_programme(training):
    assert training.supervisor_member.programme_id == training.programme.pk


def test_the_service_still_refuses_with_a_message(world, training, second):
    with pytest.raises(ValidationError) as exc:
        services.add_members(actor=world.trainer, cohort=second, trainees=[training.supervisor_member.trainee])
    assert "督导甲" in exc.value.messages[0]


def test_another_programme_may_take_the_same_trainee(world, training, other_programme):
    _programme, cohort = other_programme
    [member] = services.add_members(
        actor=world.city_admin, cohort=cohort, trainees=[training.supervisor_member.trainee]
    )
    assert member.programme_id == cohort.programme_id


def _rewind():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    return executor.loader.project_state([BEFORE]).apps


@pytest.fixture
def schema_back_to_latest(transactional_db):
    # These tests walk the schema back and forth; whatever they leave, the next
    # test in this process (xdist runs many) gets the full current schema.
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_membership_with_records_and_removes_empty_duplicates(
    schema_back_to_latest, world, training, second
):
    old = _rewind()
    OldMember = old.get_model("training", "Member")
    trainee_id = training.supervisor_member.trainee_id
    OldMember.objects.filter(pk=training.supervisor_member.pk).update(theory_score=80, practice_score=70)
    duplicate = OldMember.objects.create(cohort_id=second.pk, trainee_id=trainee_id)
    lone = OldMember.objects.create(cohort_id=second.pk, trainee_id=training.spare.pk)

    MigrationExecutor(connection).migrate([AFTER])

    assert not Member.objects.filter(pk=duplicate.pk).exists()
    kept = Member.objects.get(trainee_id=trainee_id)
    assert kept.pk == training.supervisor_member.pk and kept.theory_score == 80
    assert Member.objects.get(pk=lone.pk).programme_id == training.programme.pk
    assert set(Member.objects.values_list("programme_id", flat=True)) == {training.programme.pk}


@pytest.mark.django_db(transaction=True)
def test_the_migration_stops_on_a_duplicate_with_records_of_its_own(schema_back_to_latest, world, training, second):
    old = _rewind()
    OldMember = old.get_model("training", "Member")
    OldMember.objects.filter(pk=training.supervisor_member.pk).update(theory_score=80)
    OldMember.objects.create(
        cohort_id=second.pk,
        trainee_id=training.supervisor_member.trainee_id,
        theory_score=90,
        scored_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
    )
    with pytest.raises(RuntimeError, match="cohort memberships"):
        MigrationExecutor(connection).migrate([AFTER])
    # Leave the database as the other tests expect it.
    OldMember.objects.filter(cohort_id=second.pk).delete()
    MigrationExecutor(connection).migrate([AFTER])
