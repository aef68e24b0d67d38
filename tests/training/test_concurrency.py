"""Training races that only a real database with row locks can show (issue
8, item 18): a score saved while the city confirms the results, and one
trainee added to two cohorts of one programme at the same moment. Skipped on
SQLite, which has no SELECT ... FOR UPDATE."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from dudao.accounts.models import User
from dudao.training import services
from dudao.training.models import Cohort, Member
from tests.threads import skip_unless_postgresql

from .conftest import attend, schedule

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db):
    skip_unless_postgresql()


def run_together(calls):
    """Each call in its own thread; the outcomes in call order: ("ok", result),
    ("refused", ValidationError) or ("error", any other exception)."""
    outcomes = [None] * len(calls)

    def worker(i, call):
        try:
            outcomes[i] = ("ok", call())
        except ValidationError as exc:
            outcomes[i] = ("refused", exc)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            outcomes[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return outcomes


def test_a_score_saved_while_the_city_confirms_is_never_confirmed_on_the_old_score(world, training, monkeypatch):
    session = schedule(world.trainer, training.cohort, training.theory, 8)
    attend(world.trainer, session, training.supervisor_member, training.worker_member)
    for member in (training.supervisor_member, training.worker_member):
        services.record_scores(actor=world.trainer, member=member, theory_score=80, practice_score=80)

    # The confirmation reads the results, then takes a moment to write them;
    # the trainer's change of one score arrives in that moment.
    has_read = threading.Event()
    real_results = services.results

    def slow_results(*args, **kwargs):
        outcome = real_results(*args, **kwargs)
        has_read.set()
        time.sleep(0.5)
        return outcome

    monkeypatch.setattr(services, "results", slow_results)

    def confirm():
        return services.confirm_results(
            actor=User.objects.get(pk=world.city_admin.pk), cohort=Cohort.objects.get(pk=training.cohort.pk)
        )

    def lower_the_score():
        assert has_read.wait(timeout=30)
        return services.record_scores(
            actor=User.objects.get(pk=world.trainer.pk),
            member=Member.objects.get(pk=training.supervisor_member.pk),
            theory_score=10,
            practice_score=10,
        )

    outcomes = run_together([confirm, lower_the_score])
    assert [o[0] for o in outcomes if o[0] == "error"] == [], outcomes
    member = Member.objects.get(pk=training.supervisor_member.pk)
    # Whatever the order, what was confirmed is what is stored.
    assert member.confirmed_at is not None
    overall_passes = (member.theory_score + member.practice_score) / 2 >= 60
    assert member.passed is overall_passes, (member.theory_score, member.passed, outcomes)
    # Here the confirmation came first, so the late change was refused.
    assert outcomes[1][0] == "refused"
    assert member.theory_score == 80


def test_one_trainee_added_to_two_cohorts_of_one_programme_at_once_joins_one(world, training, monkeypatch):
    second = services.create_cohort(
        actor=world.trainer, programme=training.programme, name="第二期", round_=training.round
    )
    # Both requests check that the trainee is free before either inserts.
    real_create = Member.objects.create

    def slow_create(**kwargs):
        time.sleep(0.3)
        return real_create(**kwargs)

    monkeypatch.setattr(Member.objects, "create", slow_create)

    def add(cohort_pk):
        def call():
            return services.add_members(
                actor=User.objects.get(pk=world.trainer.pk),
                cohort=Cohort.objects.get(pk=cohort_pk),
                trainees=[type(training.spare).objects.get(pk=training.spare.pk)],
            )

        return call

    outcomes = run_together([add(training.cohort.pk), add(second.pk)])
    kinds = sorted(o[0] for o in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    assert Member.objects.filter(trainee=training.spare).count() == 1
