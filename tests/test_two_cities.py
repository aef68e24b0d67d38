"""One instance, one province, two cities (issue 9, item 5): Luoyang loaded
beside Zhengzhou archives nothing of it; each city's admin runs its own round
for the same year, with its own nomination ratio (Luoyang 1:5, Zhengzhou 1:7);
neither city's users see the other's people, organisations, rounds or
nominations (pages and API answer 404, lists leave them out); pool entry
numbers open with each city's prefix."""

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dudao.accounts.models import Role
from dudao.directory import reference_data
from dudao.directory import selectors as directory_selectors
from dudao.directory.models import Jurisdiction, Organization, Person
from dudao.policy import selectors as policy_selectors
from dudao.policy import services as policy_services
from dudao.pools import services as pool_services
from dudao.selection import selectors as selection_selectors
from dudao.selection.models import Round

from .factories import OrganizationFactory, staff, user_with_role
from .selection.helpers import hire_many, make_round, nominate
from .threads import run_together, skip_unless_postgresql

RATIO = "selection.nomination_ratio"


@dataclass
class Luoyang:
    city: object
    luolong: object
    xigong: object
    agency: object
    xigong_agency: object
    person: object
    admin: object
    district_admin: object
    agency_admin: object


def _load_luoyang():
    reference_data.load(reference_data.CITY_FILES["luoyang"])
    policy_services.load_defaults()
    j = {x.code: x for x in Jurisdiction.objects.filter(code__startswith="4103")}
    agency = OrganizationFactory(name="洛龙康乐社工中心", jurisdiction=j["410311"])
    xigong_agency = OrganizationFactory(name="西工同行社工中心", jurisdiction=j["410303"])
    return Luoyang(
        city=j["410300"],
        luolong=j["410311"],
        xigong=j["410303"],
        agency=agency,
        xigong_agency=xigong_agency,
        person=staff(agency, certified=True, name="洛阳督导甲"),
        admin=user_with_role(Role.CITY_ADMIN, username="luoyang_admin", jurisdiction=j["410300"]),
        district_admin=user_with_role(Role.DISTRICT_ADMIN, username="luolong_admin", jurisdiction=j["410311"]),
        agency_admin=user_with_role(Role.AGENCY_ADMIN, username="luoyang_agency_admin", organization=agency),
    )


@pytest.fixture
def luoyang(world):
    return _load_luoyang()


def _fresh(user):
    """The user as the next request loads it: scope and cities built afresh."""
    return type(user).objects.get(pk=user.pk)


# --- reference data ---------------------------------------------------------------------------


def test_loading_luoyang_adds_it_and_archives_nothing_of_zhengzhou(world):
    active = set(Jurisdiction.objects.filter(is_active=True).values_list("code", flat=True))
    chains = {j.pk: j.chain() for j in Jurisdiction.objects.all()}
    organizations = {o.pk: o.chain() for o in Organization.objects.all()}

    reference_data.load(reference_data.CITY_FILES["luoyang"])

    assert active < set(Jurisdiction.objects.filter(is_active=True).values_list("code", flat=True))
    assert Jurisdiction.objects.filter(is_active=False).count() == 0
    assert Jurisdiction.objects.filter(path__startswith="410000/410300/").count() == 15
    assert {j.pk: j.chain() for j in Jurisdiction.objects.filter(pk__in=chains)} == chains
    assert {o.pk: o.chain() for o in Organization.objects.all()} == organizations
    # Zhengzhou's users still read what they read.
    assert directory_selectors.people_for(_fresh(world.city_admin)).filter(pk=world.supervisor_person.pk).exists()


def test_policy_defaults_are_stored_per_city_and_luoyang_nominates_one_in_five(luoyang, world):
    assert policy_selectors.value(RATIO, luoyang.city) == 5
    assert policy_selectors.value(RATIO, luoyang.luolong) == 5  # its districts inherit the city's value
    assert policy_selectors.value(RATIO, world.city) == 7
    assert policy_selectors.value(RATIO, world.jinshui) == 7
    _value, source = policy_selectors.resolve(RATIO, luoyang.xigong)
    assert source.jurisdiction == luoyang.city
    assert source.effective_from == dt.date(2018, 1, 1)


def test_the_parameters_page_and_api_show_each_admin_their_own_city(luoyang, world, login, api):
    page = login(luoyang.admin).get(reverse("policy:parameter_list"))
    assert page.context["jurisdiction"] == luoyang.city
    assert page.status_code == 200
    ratios = {row["key"]: row["value"] for row in api(luoyang.agency_admin).get("/api/v1/policy/parameters/").json()}
    assert ratios[RATIO] == 5
    ratios = {row["key"]: row["value"] for row in api(world.agency_admin).get("/api/v1/policy/parameters/").json()}
    assert ratios[RATIO] == 7


# --- rounds and quotas --------------------------------------------------------------------------


def test_both_city_admins_open_a_round_for_the_same_year(luoyang, world):
    zhengzhou_round = make_round(world.city_admin, world.city, year=2026)
    luoyang_round = make_round(luoyang.admin, luoyang.city, year=2026)
    assert {(r.jurisdiction, r.year) for r in Round.objects.all()} == {(world.city, 2026), (luoyang.city, 2026)}
    assert zhengzhou_round.pk != luoyang_round.pk
    # A second round for the year in the same city is still refused.
    with pytest.raises(ValidationError):
        make_round(luoyang.admin, luoyang.city, year=2026)


def test_a_city_admin_cannot_open_a_round_for_the_other_city(luoyang, world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        make_round(world.city_admin, luoyang.city)
    with pytest.raises(PermissionDenied):
        make_round(luoyang.admin, world.city)
    assert not Round.objects.exists()


def test_quotas_use_one_in_five_in_luoyang_and_one_in_seven_in_zhengzhou(luoyang, world):
    zhengzhou_agency = OrganizationFactory(name="金水新agency", jurisdiction=world.jinshui)
    hire_many(zhengzhou_agency, 10)
    hire_many(luoyang.xigong_agency, 10)
    zhengzhou_round = make_round(world.city_admin, world.city)
    luoyang_round = make_round(luoyang.admin, luoyang.city)

    zz = selection_selectors.quota_for(zhengzhou_round, zhengzhou_agency)
    ly = selection_selectors.quota_for(luoyang_round, luoyang.xigong_agency)

    assert (zz.certified, zz.ratio, zz.quota) == (10, 7, 1)
    assert (ly.certified, ly.ratio, ly.quota) == (10, 5, 2)


# --- neither city sees the other --------------------------------------------------------------


@pytest.fixture
def both(luoyang, world):
    """A submitted nomination in each city's round of the same year."""
    zhengzhou_round = make_round(world.city_admin, world.city)
    luoyang_round = make_round(luoyang.admin, luoyang.city)
    hire_many(world.agency, 6)
    hire_many(luoyang.agency, 4)
    zz = nominate(world, zhengzhou_round, world.supervisor_person)
    ly = nominate(world, luoyang_round, luoyang.person, org=luoyang.agency, actor=luoyang.agency_admin)
    return SimpleNamespace(
        zhengzhou=SimpleNamespace(
            round=zhengzhou_round,
            nomination=zz,
            person=world.supervisor_person,
            organization=world.agency,
            users=[world.city_admin, world.district_admin, world.agency_admin, world.hrss],
        ),
        luoyang=SimpleNamespace(
            round=luoyang_round,
            nomination=ly,
            person=luoyang.person,
            organization=luoyang.agency,
            users=[luoyang.admin, luoyang.district_admin, luoyang.agency_admin],
        ),
    )


def _pairs(both):
    return [(both.zhengzhou, both.luoyang), (both.luoyang, both.zhengzhou)]


def test_the_lists_of_one_city_leave_out_the_other_citys_people_organisations_and_nominations(both):
    for own, other in _pairs(both):
        for user in own.users:
            user = _fresh(user)
            people = directory_selectors.people_for(user)
            assert people.filter(pk=own.person.pk).exists(), user
            assert not people.filter(pk=other.person.pk).exists(), user
            organizations = directory_selectors.organizations_for(user)
            assert organizations.filter(pk=own.organization.pk).exists(), user
            assert not organizations.filter(pk=other.organization.pk).exists(), user
            nominations = selection_selectors.nominations_for(user)
            assert nominations.filter(pk=own.nomination.pk).exists(), user
            assert not nominations.filter(pk=other.nomination.pk).exists(), user


def test_the_list_pages_and_endpoints_of_one_city_leave_out_the_other_citys_rows(both, login, api):
    for own, other in _pairs(both):
        for user in own.users:
            client = login(user)
            for name, detail, row in (
                ("directory:person_list", "directory:person_detail", "person"),
                ("directory:organization_list", "directory:organization_detail", "organization"),
                ("selection:nomination_list", "selection:nomination_detail", "nomination"),
            ):
                page = client.get(reverse(name)).content.decode()
                assert f'href="{reverse(detail, args=[getattr(own, row).pk])}"' in page, (user, name)
                assert f'href="{reverse(detail, args=[getattr(other, row).pk])}"' not in page, (user, name)
            rest = api(user)
            for url, row in (
                ("/api/v1/people/", "person"),
                ("/api/v1/organizations/", "organization"),
                ("/api/v1/nominations/", "nomination"),
            ):
                response = rest.get(url)
                assert response.status_code == 200, (user, url)
                ids = {item["id"] for item in response.json()["results"]}
                assert getattr(other, row).pk not in ids, (user, url)


def test_the_other_citys_people_organisations_and_nominations_answer_404(both, login, api):
    for own, other in _pairs(both):
        for user in own.users:
            client = login(user)
            for url in (
                reverse("directory:person_detail", args=[other.person.pk]),
                reverse("directory:organization_detail", args=[other.organization.pk]),
                reverse("selection:nomination_detail", args=[other.nomination.pk]),
                f"/api/v1/people/{other.person.pk}/",
                f"/api/v1/organizations/{other.organization.pk}/",
                f"/api/v1/nominations/{other.nomination.pk}/",
            ):
                getter = api(user).get if url.startswith("/api/") else client.get
                assert getter(url).status_code == 404, (user, url)


def test_the_other_citys_round_answers_404_and_is_left_out_of_the_round_lists(both, login, api):
    for own, other in _pairs(both):
        for user in own.users:
            assert not selection_selectors.rounds_for(_fresh(user)).filter(pk=other.round.pk).exists(), user
            assert login(user).get(reverse("selection:round_detail", args=[other.round.pk])).status_code == 404
            assert api(user).get(f"/api/v1/rounds/{other.round.pk}/").status_code == 404


def test_each_user_sees_their_own_city_in_the_header_and_its_policy_in_the_footer(luoyang, world, login):
    page = login(luoyang.agency_admin).get(reverse("directory:person_list")).content.decode()
    assert "洛阳市" in page
    assert "洛阳市社会工作督导人才队伍建设文件（示例）" in page
    assert "郑民文" not in page
    page = login(world.district_admin).get(reverse("directory:person_list")).content.decode()
    assert "郑民文〔2018〕22号" in page
    assert "洛阳" not in page


# --- pools ---------------------------------------------------------------------------------------


def _city_member(city, person, home):
    """As training's confirmation calls admit_to_city_pool, with stand-ins."""
    return SimpleNamespace(
        cohort=SimpleNamespace(programme=SimpleNamespace(jurisdiction_id=city.pk, name="百名督导培养计划")),
        trainee=SimpleNamespace(
            person=person, nomination=SimpleNamespace(organization=SimpleNamespace(jurisdiction=home))
        ),
    )


def test_pool_entry_numbers_open_with_each_citys_prefix(luoyang, world):
    year = timezone.localdate().year
    ly_city = pool_services.admit_to_city_pool(
        actor=luoyang.admin, member=_city_member(luoyang.city, luoyang.person, luoyang.luolong)
    )
    zz_city = pool_services.admit_to_city_pool(
        actor=world.city_admin, member=_city_member(world.city, world.supervisor_person, world.jinshui)
    )
    ly_district = pool_services.admit_to_district_pool(
        actor=luoyang.district_admin, person=luoyang.person, district=luoyang.luolong
    )
    zz_district = pool_services.admit_to_district_pool(
        actor=world.district_admin, person=world.supervisor_person, district=world.jinshui
    )
    colleague = staff(luoyang.agency, certified=True)
    ly_agency = pool_services.designate_internal(
        actor=luoyang.agency_admin, organization=luoyang.agency, person=colleague
    )

    assert ly_city.entry_number == f"LY-SJ-{year}-0001"
    assert zz_city.entry_number == f"ZZ-SJ-{year}-0001"
    assert ly_district.entry_number == f"LY-410311-{year}-0001"
    assert zz_district.entry_number == f"ZZ-410105-{year}-0001"
    assert ly_agency.entry_number == f"LY-JG{luoyang.agency.pk}-{year}-0001"
    # Each city's pool is its own: the Luoyang entries sit under Luoyang's chain.
    assert {ly_city.scope_j1, ly_district.scope_j1, ly_agency.scope_j1} == {luoyang.city.pk}
    assert {zz_city.scope_j1, zz_district.scope_j1} == {world.city.pk}


# --- at the same instant (PostgreSQL) ---------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_both_city_admins_open_the_same_years_round_at_the_same_instant(world):
    skip_unless_postgresql()
    luoyang = _load_luoyang()
    outcomes = run_together(
        [
            lambda: make_round(world.city_admin, world.city, year=2027).pk,
            lambda: make_round(luoyang.admin, luoyang.city, year=2027).pk,
        ]
    )
    assert [kind for kind, _result in outcomes] == ["ok", "ok"], outcomes
    assert set(Round.objects.filter(year=2027).values_list("jurisdiction__code", flat=True)) == {"410100", "410300"}
    assert Person.objects.exists()


# --- a province put above a city-rooted tree ----------------------------------------------------


def test_rows_of_every_app_follow_when_a_province_is_put_above_a_city_rooted_tree(tmp_path, reference):
    """A database from before the province (its tree rooted at 郑州市): loading
    the shipped file moves the jurisdictions, organisations and people, and
    the apps move their nominations, trainees, pool entries and training activities
    (directory.signals.jurisdictions_moved)."""
    import json

    from dudao.pools.models import Entry
    from dudao.selection.models import Nomination, Trainee
    from dudao.training import services as training_services
    from dudao.training.models import Activity

    # Back to the old shape: 郑州市 as the root, the province gone.
    old = json.loads(reference_data.CITY_FILES["zhengzhou"].read_text(encoding="utf-8"))
    province = Jurisdiction.objects.get(code="410000")
    city = Jurisdiction.objects.get(code="410100")
    Jurisdiction.objects.filter(pk=city.pk).update(parent=None)
    Jurisdiction.objects.filter(pk=province.pk).delete()
    from dudao.directory.scoping import tree_changed

    tree_changed()
    city.refresh_from_db()
    assert (city.depth, city.path) == (0, "410100/")
    jinshui = Jurisdiction.objects.get(code="410105")
    agency = OrganizationFactory(jurisdiction=jinshui)
    person = staff(agency, certified=True)
    hire_many(agency, 7)
    city_admin = user_with_role(Role.CITY_ADMIN, username="c", jurisdiction=city)
    district_admin = user_with_role(Role.DISTRICT_ADMIN, username="d", jurisdiction=jinshui)
    agency_admin = user_with_role(Role.AGENCY_ADMIN, username="a", organization=agency)
    round_ = make_round(city_admin, city)
    world = SimpleNamespace(agency=agency, agency_admin=agency_admin)
    nomination = nominate(world, round_, person)
    district_entry = pool_services.admit_to_district_pool(actor=district_admin, person=person, district=jinshui)
    agency_entry = pool_services.designate_internal(actor=agency_admin, organization=agency, person=person)
    activity = training_services.record_activity(
        actor=district_admin,
        title="伦理学习",
        kind="ethics",
        held_on=dt.date(2026, 3, 1),
        hours=2,
        jurisdiction=jinshui,
    )
    trainee = Trainee.objects.create(round=round_, person=person, nomination=nomination)
    assert Nomination.objects.get(pk=nomination.pk).scope_j0 == city.pk == trainee.scope_j0

    old["jurisdictions"]["version"] = 2
    path = tmp_path / "zhengzhou.json"
    path.write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    reference_data.load(path)

    province = Jurisdiction.objects.get(code="410000")
    chain = {"scope_j0": province.pk, "scope_j1": city.pk, "scope_j2": jinshui.pk, "scope_j3": None}
    for row in (
        Jurisdiction.objects.get(pk=jinshui.pk),
        Organization.objects.get(pk=agency.pk),
        Person.objects.get(pk=person.pk),
        Nomination.objects.get(pk=nomination.pk),
        Trainee.objects.get(pk=trainee.pk),
        Entry.objects.get(pk=district_entry.pk),
        Entry.objects.get(pk=agency_entry.pk),
        Activity.objects.get(pk=activity.pk),
    ):
        assert row.chain() == chain, row
    for user in (city_admin, district_admin):
        assert selection_selectors.nominations_for(_fresh(user)).filter(pk=nomination.pk).exists()
