"""公示 of confirmed training results: a passing trainee enters the city pool
only when the period ends with no upheld objection; an upheld one leaves the
result not passed, and the nomination's record shows both."""

import pytest
from django.urls import reverse

from dudao.pools.models import Entry
from dudao.publicity import services
from dudao.publicity.models import Item
from dudao.training import services as training
from tests.selection.helpers import make_round
from tests.training.conftest import attend, build_training, schedule

from .conftest import end_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(world):
    t = build_training(world, make_round(world.city_admin, world.city))
    session = schedule(world.trainer, t.cohort, t.theory, 4)
    attend(world.trainer, session, t.supervisor_member, t.worker_member)
    training.record_cohort_scores(
        actor=world.trainer,
        cohort=t.cohort,
        scores={t.supervisor_member.pk: (80, 85), t.worker_member.pk: (40, 45)},
    )
    outcome = training.confirm_results(actor=world.city_admin, cohort=t.cohort)
    return t, outcome


def test_a_passing_result_is_published_and_enters_the_pool_only_when_the_period_ends(world, confirmed, login):
    t, outcome = confirmed
    assert (outcome["published"], outcome["admitted"], outcome["failed"]) == (1, 0, 1)
    item = Item.objects.get(notice__kind="training.results")
    assert item.name == world.supervisor_person.name
    assert not Entry.objects.filter(person=world.supervisor_person).exists()
    end_period(item)
    assert services.settle_due() == 1
    entry = Entry.objects.get(person=world.supervisor_person, level=Entry.Level.CITY)
    assert entry.created_by == world.city_admin
    record = login(world.city_admin).get(
        reverse("selection:nomination_detail", args=[t.supervisor_member.trainee.nomination_id])
    )
    assert item.notice.title in record.content.decode()


def test_an_upheld_objection_to_a_result_keeps_the_trainee_out_of_the_pool(world, confirmed):
    t, _outcome = confirmed
    item = Item.objects.get(notice__kind="training.results")
    objection = services.lodge_objection(actor=world.social_worker, item=item, text="考核期间有代考情况")
    services.decide_objection(actor=world.city_admin, objection=objection, decision="upheld", reason="经查属实")
    t.supervisor_member.refresh_from_db()
    assert t.supervisor_member.passed is False
    end_period(item)
    assert services.settle_due() == 0
    assert not Entry.objects.filter(person=world.supervisor_person).exists()
