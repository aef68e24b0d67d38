"""The searchable person picker (directory:person_choices) and the two forms
that use it instead of a typed ID number: direct nomination and district
admission. It answers only current staff the user manages, by name or unit,
and never an ID number in full."""

import pytest
from django.urls import reverse

from dudao.core.validators import mask_id_number
from dudao.pools.models import Entry
from dudao.selection.models import Nomination
from tests.conftest import ALL_PERSONAS
from tests.factories import staff
from tests.selection.helpers import make_round

pytestmark = pytest.mark.django_db


def choices(client, q=""):
    response = client.get(reverse("directory:person_choices"), {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


def test_the_picker_finds_own_staff_by_name_and_by_unit_with_the_id_masked(world, login):
    client = login(world.agency_admin)
    by_name = choices(client, "督导")
    assert [r["id"] for r in by_name] == [world.supervisor_person.pk]
    text = by_name[0]["text"]
    assert world.agency.name in text and mask_id_number(world.supervisor_person.id_number) in text
    assert world.supervisor_person.id_number not in text
    by_unit = {r["id"] for r in choices(client, world.agency.name[:4])}
    assert {world.supervisor_person.pk, world.social_worker_person.pk} <= by_unit


def test_the_picker_never_offers_people_outside_the_users_management(world, login):
    erqi_person = staff(world.erqi_agency, name="督导丙")
    assert erqi_person.pk not in {r["id"] for r in choices(login(world.agency_admin), "督导")}
    assert erqi_person.pk not in {r["id"] for r in choices(login(world.district_admin), "督导")}
    assert erqi_person.pk in {r["id"] for r in choices(login(world.erqi_admin), "督导")}


@pytest.mark.parametrize("persona", ["supervisor", "social_worker", "trainer", "hrss", "finance"])
def test_roles_that_manage_no_roster_get_nobody_else(world, login, persona):
    user = world.persona(persona)
    own = getattr(user, "person_id", None)
    assert {r["id"] for r in choices(login(user), "")} <= ({own} if own else set())


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(reverse("directory:person_choices"), {"q": "督导"}).status_code == 302


def test_direct_nomination_takes_the_picked_person(world, login):
    round_ = make_round(world.city_admin, world.city)
    response = login(world.agency_admin).post(
        reverse("selection:direct_create", args=[round_.pk]),
        {"person": world.supervisor_person.pk, "category": "high_level_talent", "statement": "博士"},
    )
    n = Nomination.objects.get(person=world.supervisor_person)
    assert response.status_code == 302
    assert (n.path, n.organization) == (Nomination.Path.DIRECT, world.agency)


def test_direct_nomination_refuses_a_person_the_picker_would_not_offer(world, login):
    round_ = make_round(world.city_admin, world.city)
    erqi_person = staff(world.erqi_agency)
    response = login(world.agency_admin).post(
        reverse("selection:direct_create", args=[round_.pk]),
        {"person": erqi_person.pk, "category": "high_level_talent"},
    )
    assert response.status_code == 200 and response.context["form"].errors["person"]
    assert not Nomination.objects.exists()


def test_direct_nomination_needs_a_person_or_an_id_number(world, login):
    round_ = make_round(world.city_admin, world.city)
    response = login(world.agency_admin).post(
        reverse("selection:direct_create", args=[round_.pk]), {"category": "high_level_talent"}
    )
    assert response.context["form"].errors["person"]


def test_the_direct_form_renders_the_picker(world, login):
    round_ = make_round(world.city_admin, world.city)
    html = login(world.agency_admin).get(reverse("selection:direct_create", args=[round_.pk])).content.decode()
    assert f'data-search-url="{reverse("directory:person_choices")}"' in html


def test_district_admission_finds_the_picked_person(world, login):
    client = login(world.district_admin)
    url = reverse("pools:district_admit")
    assert f'data-search-url="{reverse("directory:person_choices")}"' in client.get(url).content.decode()
    response = client.get(url, {"person": world.supervisor_person.pk})
    assert response.context["person"] == world.supervisor_person
    assert response.context["district"] == world.jinshui
    assert not Entry.objects.exists()


def test_district_admission_refuses_a_picked_person_of_another_district(world, login):
    erqi_person = staff(world.erqi_agency, certified=True)
    response = login(world.district_admin).get(reverse("pools:district_admit"), {"person": erqi_person.pk})
    assert response.context["person"] is None
    assert response.context["lookup"].errors["person"]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_every_signed_in_persona_gets_an_answer_limited_to_its_management(world, login, persona):
    results = choices(login(world.persona(persona)), "")
    assert all("*" in r["text"] for r in results)
