"""公示 fixtures: a nomination the district and the city approved, so in
公示 under the default policy (on, 7 days)."""

import datetime as dt

import pytest
from django.utils import timezone

from dudao.publicity.models import Item, Notice
from dudao.selection import services as selection
from tests.selection.helpers import hire, make_round


def approve_to_publicity(world, person=None):
    round_ = make_round(world.city_admin, world.city) if not hasattr(world, "_round") else world._round
    world._round = round_
    person = person or hire(world.agency)
    for _ in range(6):
        hire(world.agency)
    nomination = selection.create_nomination(
        actor=world.agency_admin, round_=round_, person=person, organization=world.agency
    )
    selection.submit(actor=world.agency_admin, nomination=nomination)
    selection.review(actor=world.district_admin, nomination=nomination, decision="approve")
    selection.review(actor=world.city_admin, nomination=nomination, decision="approve", reason="同意")
    nomination.refresh_from_db()
    return nomination, Item.objects.get(notice__kind="selection.trainees", target_id=nomination.pk)


def end_period(item, days_ago=1):
    """Move the clock: the item's list ended `days_ago` days ago."""
    today = timezone.localdate()
    Notice.objects.filter(pk=item.notice_id).update(
        starts_on=today - dt.timedelta(days=6 + days_ago), ends_on=today - dt.timedelta(days=days_ago)
    )


@pytest.fixture
def published(world):
    return approve_to_publicity(world)
