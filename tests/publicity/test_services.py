"""公示 of the city's approvals: pending during the period, stopped by an
upheld objection with its reason, untouched by a dismissed one, effective
when the period ends (by the nightly job or on reading)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from dudao.core.models import AuditEntry
from dudao.policy.models import ParameterVersion
from dudao.publicity import selectors, services
from dudao.publicity.models import Item, Objection
from dudao.selection import services as selection
from dudao.selection.models import Nomination, Trainee
from tests.selection.helpers import hire, make_round

from .conftest import approve_to_publicity, end_period

pytestmark = pytest.mark.django_db
S = Nomination.Status


def lodge(world, item, **kwargs):
    return services.lodge_objection(actor=kwargs.pop("actor", world.supervisor), item=item, text="材料不实", **kwargs)


def test_the_city_approval_publishes_the_nominee_for_seven_days_and_the_status_is_pending(world, published):
    nomination, item = published
    today = timezone.localdate()
    assert nomination.status == S.PUBLICITY
    assert not Trainee.objects.exists()
    assert (item.notice.starts_on, item.notice.ends_on) == (today, today + dt.timedelta(days=6))
    assert (item.name, item.unit, item.district) == (nomination.person.name, world.agency.name, world.jinshui.name)
    assert item.status == Item.Status.PENDING
    # Still pending on the last day.
    assert services.settle_due(today=item.notice.ends_on) == 0


def test_the_list_shows_only_name_unit_district_and_path(published):
    _nomination, item = published
    shown = {f.name for f in Item._meta.get_fields() if getattr(f, "concrete", False)}
    assert shown == {
        "id",
        "notice",
        "target_id",
        "record",
        "name",
        "unit",
        "district",
        "path",
        "status",
        "status_reason",
        "settled_at",
    }


def test_the_status_takes_effect_when_the_period_ends_with_no_objection(world, published):
    nomination, item = published
    end_period(item)
    assert services.settle_due() == 1
    nomination.refresh_from_db()
    assert nomination.status == S.APPROVED
    assert Trainee.objects.get().nomination == nomination
    assert Item.objects.get().status == Item.Status.EFFECTIVE
    assert AuditEntry.objects.filter(event="publicity.item_took_effect").count() == 1
    # Once only.
    assert services.settle_due() == 0


def test_the_nightly_command_ends_the_periods(world, published):
    _nomination, item = published
    end_period(item)
    call_command("settle_publicity", stdout=StringIO())
    assert Trainee.objects.count() == 1


def test_an_upheld_objection_stops_the_item_and_says_why(world, published):
    nomination, item = published
    objection = lodge(world, item)
    services.decide_objection(actor=world.city_admin, objection=objection, decision="upheld", reason="经查推荐材料不实")
    item.refresh_from_db()
    nomination.refresh_from_db()
    assert item.status == Item.Status.STOPPED and item.status_reason == "经查推荐材料不实"
    assert nomination.status == S.REJECTED
    assert "经查推荐材料不实" in nomination.transitions.last().reason
    end_period(item)
    assert services.settle_due() == 0
    assert not Trainee.objects.exists()


def test_a_dismissed_objection_does_not_stop_the_item(world, published):
    nomination, item = published
    objection = lodge(world, item)
    services.decide_objection(actor=world.city_admin, objection=objection, decision="dismissed", reason="经核实不属实")
    nomination.refresh_from_db()
    assert nomination.status == S.PUBLICITY
    end_period(item)
    assert services.settle_due() == 1
    nomination.refresh_from_db()
    assert nomination.status == S.APPROVED


def test_an_objection_still_waiting_at_the_end_holds_the_item_until_it_is_dismissed(world, published):
    nomination, item = published
    objection = lodge(world, item)
    end_period(item)
    assert services.settle_due() == 0
    services.decide_objection(actor=world.city_admin, objection=objection, decision="dismissed", reason="不属实")
    nomination.refresh_from_db()
    assert nomination.status == S.APPROVED


def test_an_anonymous_objection_needs_a_contact_and_keeps_no_name(world, published):
    _nomination, item = published
    with pytest.raises(ValidationError):
        lodge(world, item, anonymous=True)
    objection = lodge(world, item, anonymous=True, contact="13800000000")
    assert objection.anonymous and objection.lodged_by is None
    entry = AuditEntry.objects.get(event="publicity.objection_lodged")
    assert entry.actor is None and entry.changes["anonymous"] == [None, True]


def test_a_named_objection_is_kept_with_its_author(world, published):
    _nomination, item = published
    objection = lodge(world, item)
    assert objection.lodged_by == world.supervisor and not objection.anonymous
    assert list(selectors.objections_for(world.supervisor)) == [objection]
    assert list(selectors.objections_for(world.social_worker)) == []


def test_objections_are_refused_outside_the_period(world, published):
    _nomination, item = published
    end_period(item)
    with pytest.raises(ValidationError):
        lodge(world, item)


def test_only_the_keeper_decides_and_always_with_a_reason(world, published):
    _nomination, item = published
    objection = lodge(world, item)
    for actor in (world.district_admin, world.supervisor):
        with pytest.raises(PermissionDenied):
            services.decide_objection(actor=actor, objection=objection, decision="upheld", reason="x")
    with pytest.raises(ValidationError):
        services.decide_objection(actor=world.city_admin, objection=objection, decision="upheld", reason="")
    services.decide_objection(actor=world.city_admin, objection=objection, decision="dismissed", reason="不属实")
    with pytest.raises(ValidationError):
        services.decide_objection(actor=world.city_admin, objection=objection, decision="upheld", reason="再议")
    assert Objection.objects.get().status == Objection.Status.DISMISSED


def test_with_publicity_off_the_approval_takes_effect_at_once(world):
    ParameterVersion.objects.create(
        key="publicity.enabled", jurisdiction=world.city, value=False, effective_from=timezone.localdate()
    )

    round_ = make_round(world.city_admin, world.city)
    person = hire(world.agency)
    for _ in range(6):
        hire(world.agency)
    n = selection.create_nomination(actor=world.agency_admin, round_=round_, person=person, organization=world.agency)
    selection.submit(actor=world.agency_admin, nomination=n)
    selection.review(actor=world.district_admin, nomination=n, decision="approve")
    selection.review(actor=world.city_admin, nomination=n, decision="approve")
    n.refresh_from_db()
    assert n.status == S.APPROVED and not Item.objects.exists()


def test_the_period_is_policy_data(world):
    ParameterVersion.objects.create(
        key="publicity.days", jurisdiction=world.city, value=10, effective_from=timezone.localdate()
    )
    _nomination, item = approve_to_publicity(world)
    assert (item.notice.ends_on - item.notice.starts_on).days == 9


def test_the_keeper_count_of_objections_awaiting_decision_matches_its_list(world, published, login):
    _nomination, item = published
    lodge(world, item)
    lodge(world, item, anonymous=True, contact="x@example.com")
    assert selectors.objections_awaiting_decision_count(world.city_admin) == 2
    assert selectors.objections_awaiting_decision_count(world.district_admin) == 0
    response = login(world.city_admin).get(selectors.objections_awaiting_decision_url())
    assert len(response.context["object_list"]) == 2


def test_the_citys_workbench_shows_the_objections_awaiting_its_decision(world, published, login):
    from dudao.core.workbench import todos_for

    _nomination, item = published
    lodge(world, item)
    [todo] = [t for t in todos_for(world.city_admin) if t.url == selectors.objections_awaiting_decision_url()]
    assert todo.count == 1
    home = login(world.city_admin).get("/")
    assert selectors.objections_awaiting_decision_url() in home.content.decode()
    assert not [t for t in todos_for(world.district_admin) if t.url == selectors.objections_awaiting_decision_url()]
