"""The pools API, persona by persona: the search with the page's filters,
status changes by the keeper, district admissions (with the rules check) and
internal designations. Out of scope is 404, the wrong role 403."""

import datetime as dt

import pytest
from django.utils import timezone

from dudao.pools import services
from dudao.pools.models import Entry
from tests.conftest import ALL_PERSONAS
from tests.factories import staff

from .conftest import VISIBLE, domain

S = Entry.Status
ENTRIES = "/api/v1/pool-entries/"
ADMISSIONS = "/api/v1/pool-district-admissions/"
DESIGNATIONS = "/api/v1/pool-internal-designations/"


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["entry_number"] for row in response.json()["results"]}


def expected(pools, keys) -> set[str]:
    return {getattr(pools, k).entry_number for k in keys}


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_list_is_scoped(world, pools, api, persona):
    assert numbers(api(world.persona(persona)).get(ENTRIES)) == expected(pools, VISIBLE[persona])


@pytest.mark.parametrize("persona", ALL_PERSONAS)
@pytest.mark.parametrize("key", ["district", "erqi"])
def test_retrieve_is_scoped(world, pools, api, persona, key):
    response = api(world.persona(persona)).get(f"{ENTRIES}{getattr(pools, key).pk}/")
    assert response.status_code == (200 if key in VISIBLE[persona] else 404)


def test_anonymous_gets_nothing(world, pools, api):
    assert api().get(ENTRIES).status_code in (401, 403)
    assert api().post(ADMISSIONS, {"person": world.supervisor_person.pk}).status_code in (401, 403)


def test_entry_representation(world, pools, api):
    services.change_status(
        actor=world.district_admin, entry=pools.district, to_status=S.SUSPENDED, reason="年度评价不合格"
    )
    data = api(world.district_admin).get(f"{ENTRIES}{pools.district.pk}/").json()
    assert data["entry_number"] == pools.district.entry_number
    assert (data["level"], data["jurisdiction"], data["organization"], data["home_district"]) == (
        "district",
        "410105",
        None,
        "410105",
    )
    assert data["person_name"] == "督导甲" and data["domains"] == ["community"]
    assert (data["status"], data["available"]) == ("suspended", False)
    assert [(h["from_status"], h["to_status"], h["reason"], h["actor"]) for h in data["history"]] == [
        ("", "active", "金水区2026年度督导选拔", "jinshui_admin"),
        ("active", "suspended", "年度评价不合格", "jinshui_admin"),
    ]
    agency = api(world.agency_admin).get(f"{ENTRIES}{pools.agency.pk}/").json()
    assert (agency["jurisdiction"], agency["organization"], agency["organization_name"]) == (
        None,
        world.agency.pk,
        world.agency.name,
    )


def test_list_filters_and_ordering(world, pools, api):
    Entry.objects.filter(pk=pools.city.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    client = api(world.city_admin)
    get = lambda **params: numbers(client.get(ENTRIES, params))  # noqa: E731
    assert get(level="district") == expected(pools, ["district", "erqi"])
    assert get(domain="community") == expected(pools, ["city", "district"])
    assert get(home_district="410103") == expected(pools, ["erqi"])
    assert get(status="expired") == expected(pools, ["city"])
    assert get(status="active") == expected(pools, ["district", "agency", "erqi"])
    assert get(available="true") == expected(pools, ["district", "agency", "erqi"])
    assert get(available="false") == expected(pools, ["city"])
    assert get(q="二七督导") == expected(pools, ["erqi"])
    assert client.get(ENTRIES, {"level": "province"}).status_code == 400
    assert client.get(ENTRIES, {"domain": "nonexistent"}).status_code == 400
    rows = client.get(ENTRIES, {"ordering": "-entry_number"}).json()["results"]
    assert [r["entry_number"] for r in rows] == sorted((r["entry_number"] for r in rows), reverse=True)
    city_row = next(r for r in client.get(ENTRIES).json()["results"] if r["level"] == "city")
    assert (city_row["status"], city_row["available"]) == ("expired", False)


# --- status ------------------------------------------------------------------------------


def test_keeper_changes_status(world, pools, api):
    response = api(world.district_admin).post(
        f"{ENTRIES}{pools.district.pk}/status/", {"to_status": "suspended", "reason": "年度评价不合格"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "suspended"
    assert response.json()["history"][-1]["reason"] == "年度评价不合格"
    assert Entry.objects.get(pk=pools.district.pk).status == S.SUSPENDED


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("agency_admin", 403),
        ("supervisor", 403),
        ("city_admin", 403),
        ("hrss", 403),
        ("erqi_admin", 404),
        ("trainer", 404),
    ],
)
def test_status_by_others(world, pools, api, persona, status):
    response = api(world.persona(persona)).post(
        f"{ENTRIES}{pools.district.pk}/status/", {"to_status": "suspended", "reason": "无权"}
    )
    assert response.status_code == status
    assert Entry.objects.get(pk=pools.district.pk).status == S.ACTIVE


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"to_status": "suspended"}, "reason"),
        ({"to_status": "suspended", "reason": " "}, "reason"),
        ({"to_status": "expired", "reason": "手动过期"}, "to_status"),
        ({"to_status": "active", "reason": "已是有效"}, "non_field_errors"),
        ({"reason": "无状态"}, "to_status"),
    ],
)
def test_status_refusals_are_400(world, pools, api, payload, field):
    response = api(world.city_admin).post(f"{ENTRIES}{pools.city.pk}/status/", payload)
    assert response.status_code == 400
    assert field in response.json()
    assert pools.city.history.count() == 1


def test_retired_is_closed(world, pools, api):
    client = api(world.agency_admin)
    assert (
        client.post(f"{ENTRIES}{pools.agency.pk}/status/", {"to_status": "retired", "reason": "离职"}).status_code
        == 200
    )
    assert (
        client.post(f"{ENTRIES}{pools.agency.pk}/status/", {"to_status": "active", "reason": "返聘"}).status_code == 400
    )


# --- district admissions -------------------------------------------------------------------------


def test_district_admission(world, api):
    response = api(world.district_admin).post(
        ADMISSIONS,
        {"person": world.supervisor_person.pk, "domains": ["school", "elderly"], "reason": "金水区第一批"},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["level"], data["jurisdiction"], data["source"], data["status"]) == (
        "district",
        "410105",
        "金水区第一批",
        "active",
    )
    assert sorted(data["domains"]) == ["elderly", "school"]
    assert data["entry_number"].startswith("ZZ-410105-")


def test_district_admission_refuses_with_reasons(world, api):
    response = api(world.district_admin).post(ADMISSIONS, {"person": world.social_worker_person.pk}, format="json")
    assert response.status_code == 400
    message = " ".join(response.json()["non_field_errors"])
    assert "社工乙" in message
    failed = [r for r in services.district_rules_check(world.social_worker_person, world.jinshui) if not r.passed]
    assert failed[0].detail in message
    assert not Entry.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("agency_admin", 403), ("city_admin", 403), ("supervisor", 403), ("hrss", 403), ("trainer", 403)],
)
def test_district_admission_wrong_role(world, api, persona, status):
    response = api(world.persona(persona)).post(ADMISSIONS, {"person": world.supervisor_person.pk}, format="json")
    assert response.status_code == status
    assert not Entry.objects.exists()


def test_district_admission_out_of_scope_is_404(world, api):
    erqi_person = staff(world.erqi_agency, certified=True)
    assert api(world.district_admin).post(ADMISSIONS, {"person": erqi_person.pk}, format="json").status_code == 404
    assert api(world.district_admin).post(ADMISSIONS, {"person": 999999}, format="json").status_code == 404
    assert api(world.district_admin).post(ADMISSIONS, {"person": "x"}, format="json").status_code == 400
    assert (
        api(world.district_admin)
        .post(ADMISSIONS, {"person": world.supervisor_person.pk, "domains": ["nope"]}, format="json")
        .status_code
        == 400
    )
    assert not Entry.objects.exists()


def test_district_rules_check(world, api):
    client = api(world.district_admin)
    data = client.get(f"{ADMISSIONS}check/", {"person": world.social_worker_person.pk}).json()
    assert data["district"] == "410105" and data["eligible"] is False
    assert [r["code"] for r in data["rules"] if not r["passed"]] == ["certificate"]
    assert client.get(f"{ADMISSIONS}check/", {"person": world.supervisor_person.pk}).json()["eligible"] is True
    assert client.get(f"{ADMISSIONS}check/", {"person": "x"}).status_code == 400
    assert client.get(f"{ADMISSIONS}check/", {"person": _erqi_person(world).pk}).status_code == 404
    assert api(world.agency_admin).get(f"{ADMISSIONS}check/", {"person": world.supervisor_person.pk}).status_code == 403
    assert not Entry.objects.exists()


def _erqi_person(world):
    return staff(world.erqi_agency, certified=True)


# --- internal designations ---------------------------------------------------------------------------


def test_internal_designation(world, api):
    response = api(world.agency_admin).post(
        DESIGNATIONS,
        {"organization": world.agency.pk, "person": world.social_worker_person.pk, "domains": ["children"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["level"], data["organization"], data["person"], data["domains"]) == (
        "agency",
        world.agency.pk,
        world.social_worker_person.pk,
        ["children"],
    )


def test_internal_designation_only_own_staff_and_agency(world, api):
    client = api(world.agency_admin)
    other = staff(world.other_agency_same_district)
    assert (
        client.post(DESIGNATIONS, {"organization": world.agency.pk, "person": other.pk}, format="json").status_code
        == 404
    )
    assert (
        client.post(
            DESIGNATIONS, {"organization": world.erqi_agency.pk, "person": world.social_worker_person.pk}, format="json"
        ).status_code
        == 404
    )
    assert not Entry.objects.exists()


@pytest.mark.parametrize("persona", ["district_admin", "city_admin", "supervisor", "trainer"])
def test_internal_designation_wrong_role(world, api, persona):
    response = api(world.persona(persona)).post(
        DESIGNATIONS, {"organization": world.agency.pk, "person": world.social_worker_person.pk}, format="json"
    )
    assert response.status_code == 403
    assert not Entry.objects.exists()


def test_designating_twice_is_400(world, pools, api):
    response = api(world.agency_admin).post(
        DESIGNATIONS, {"organization": world.agency.pk, "person": world.social_worker_person.pk}, format="json"
    )
    assert response.status_code == 400
    assert "社工乙" in " ".join(response.json()["non_field_errors"])


def test_domains_default_to_the_persons_own(world, api):
    world.social_worker_person.service_domains.set([domain("medical")])
    data = (
        api(world.agency_admin)
        .post(DESIGNATIONS, {"organization": world.agency.pk, "person": world.social_worker_person.pk}, format="json")
        .json()
    )
    assert data["domains"] == ["medical"]
