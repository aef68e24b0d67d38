"""The demo's 公示: the round's and the cohort's lists ended in the past and
took effect; a direct nominee is in 公示 now with one anonymous objection
awaiting the city's decision."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from dudao.accounts.models import User
from dudao.publicity import selectors
from dudao.publicity.models import Item, Notice, Objection
from dudao.selection.models import Nomination

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_list_in_publicity_with_one_objection_awaiting_decision(reference):
    call_command("load_demo")
    today = timezone.localdate()
    running = Notice.objects.filter(starts_on__lte=today, ends_on__gte=today)
    assert running.count() == 1
    item = Item.objects.get(notice=running.get())
    assert item.status == Item.Status.PENDING
    assert Nomination.objects.get(pk=item.target_id).status == Nomination.Status.PUBLICITY
    objection = Objection.objects.get(item=item)
    assert objection.anonymous and objection.status == Objection.Status.PENDING
    assert selectors.objections_awaiting_decision_count(User.objects.get(username="city_admin")) == 1
    ended = Item.objects.exclude(notice=running.get())
    assert ended.exists() and all(i.status == Item.Status.EFFECTIVE for i in ended)
