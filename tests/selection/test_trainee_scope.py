"""Trainees carry their nominating unit's chain and the person's name, so the
trainee list is an index range; both follow later changes in the directory."""

from django.urls import reverse

from dudao.directory import services as directory
from dudao.selection.models import Nomination, Trainee
from dudao.selection.selectors import trainees_for

from .helpers import hire

S = Nomination.Status


def _trainee(world, round_, name="培养对象"):
    person = hire(world.agency, name=name)
    nomination = Nomination.objects.create(
        round=round_, person=person, organization=world.agency, status=S.APPROVED, created_by=world.agency_admin
    )
    return Trainee.objects.create(round=round_, person=person, nomination=nomination)


def test_a_new_trainee_takes_its_units_chain_and_the_persons_name(world, round_):
    trainee = _trainee(world, round_)
    assert trainee.chain() == world.agency.chain()
    assert trainee.person_name == "培养对象"


def test_a_renamed_person_is_listed_under_the_new_name(world, round_, login):
    trainee = _trainee(world, round_, name="旧名字")
    directory.update_person(actor=world.agency_admin, person=trainee.person, name="新名字", reason="更名")
    trainee.refresh_from_db()
    assert trainee.person_name == "新名字"
    response = login(world.city_admin).get(reverse("selection:trainee_list"), {"q": "新名字"})
    assert [t.pk for t in response.context["object_list"]] == [trainee.pk]


def test_a_unit_moved_to_another_district_takes_its_trainees_along(world, round_):
    trainee = _trainee(world, round_)
    assert trainee in trainees_for(world.district_admin)
    directory.update_organization(
        actor=world.city_admin, organization=world.agency, jurisdiction=world.erqi, reason="区划调整"
    )
    trainee.refresh_from_db()
    assert getattr(trainee, f"scope_j{world.erqi.depth}") == world.erqi.pk
    assert trainee not in trainees_for(world.district_admin)
    assert trainee in trainees_for(world.erqi_admin)
