"""The ranking of candidate supervisors (issue 10, 3): explained, deterministic,
never an unavailable supervisor, and equal to a ranking worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from dudao.directory.models import OrganizationType
from dudao.policy.models import ParameterVersion
from dudao.pools.models import Entry
from dudao.supervision import matching
from dudao.supervision.models import Engagement
from tests.factories import staff
from tests.supervision.conftest import domain, engagement

ON = dt.date(2026, 6, 15)
NUMBERS = iter(range(1, 10_000))


def pool_entry(world, person, *, level=Entry.Level.DISTRICT, pool=None, home=None, domains=(), number=None, **kw):
    """A city or district pool entry written directly (the pools' services are tested there)."""
    entry = Entry.objects.create(
        person=person,
        level=level,
        jurisdiction=pool or (world.city if level == Entry.Level.CITY else world.jinshui),
        home_district=home or world.jinshui,
        entry_number=number or f"ZZ-T-{next(NUMBERS):04d}",
        admitted_on=dt.date(2025, 3, 1),
        expires_on=dt.date(2028, 2, 28),
        **kw,
    )
    entry.domains.set([domain(code) for code in domains])
    return entry


def load(entry, organization, *, hours, supervisees):
    """A live engagement of `entry`'s supervisor elsewhere carrying `supervisees` people."""
    people = [staff(organization) for _ in range(supervisees)]
    return engagement(entry, organization, supervisees=people, hours=Decimal(hours), starts_on=dt.date(2026, 1, 1))


@pytest.fixture(autouse=True)
def _english():
    # The words are compared in the msgid language; pages are checked in Chinese elsewhere.
    with translation.override("en"):
        yield


@pytest.fixture
def scene(world, supply):
    """金水阳光 (an agency, not a project) has five staff, all frontline (2 h each: need 10 h).
    督导甲's internal engagement (4 h) covers 社工乙 and 社工丁 only, so 督导甲, 社工戊 and
    社工己 are not covered; their domains are 社区, 禁毒 and 养老."""
    dingg, wu, ji = supply.colleagues
    world.supervisor_person.service_domains.set([domain("community")])
    wu.service_domains.set([domain("drug")])
    ji.service_domains.set([domain("elderly")])
    engagement(supply.internal_entry, world.agency, supervisees=[world.social_worker_person, dingg], hours=Decimal(4))
    other = world.other_agency_same_district
    jinshui = pool_entry(world, staff(other, name="金水督导丁"), domains=["elderly", "community"], number="ZZ-T-0100")
    load(jinshui, world.erqi_agency, hours=20, supervisees=3)
    erqi_district = pool_entry(
        world,
        staff(world.erqi_agency, name="二七督导庚"),
        pool=world.erqi,
        home=world.erqi,
        domains=["drug"],
        number="ZZ-T-0200",
    )
    load(erqi_district, world.erqi_agency, hours=4, supervisees=1)
    return {"external": supply.external_entry, "jinshui": jinshui, "erqi_district": erqi_district}


def test_the_ranking_matches_the_one_worked_out_by_hand(world, scene):
    """Default weights: 领域匹配 35, 同区优先 25, 本市选拔 10, 服务余量 20, 考评等级 10.
    The staff not covered name three domains: 养老, 禁毒, 社区.

    金水督导丁 (金水区 pool, home 金水区, 养老+社区; 20 of 40 h and 3 of 15 supervisees in use):
      domain 2/3 × 35 = 23.33; same district 1 × 25 = 25; not a project 0;
      spare 1 − max(20/40, 3/15) = 0.5 × 20 = 10; no grade 0           → 58.33
    二七督导丙 (city pool, home 二七区, 禁毒; nothing in use):
      domain 1/3 × 35 = 11.67; other district 0; 0; spare 1 × 20 = 20; 0 → 31.67
    二七督导庚 (二七区 pool, home 二七区, 禁毒; 4 of 40 h, 1 of 15 supervisees):
      domain 11.67; 0; 0; spare 1 − max(0.1, 0.0667) = 0.9 × 20 = 18; 0 → 29.67
    """
    ranking = matching.candidates(organization=world.agency, on=ON)
    got = [(c.entry.person.name, c.total, [f.points for f in c.factors]) for c in ranking.candidates]
    assert got == [
        ("金水督导丁", Decimal("58.33"), [Decimal("23.33"), Decimal("25.00"), Decimal("0.00"), Decimal("10.00"), 0]),
        ("二七督导丙", Decimal("31.67"), [Decimal("11.67"), Decimal("0.00"), Decimal("0.00"), Decimal("20.00"), 0]),
        ("二七督导庚", Decimal("29.67"), [Decimal("11.67"), Decimal("0.00"), Decimal("0.00"), Decimal("18.00"), 0]),
    ]
    assert not ranking.internal_enough
    first = ranking.candidates[0]
    words = [f.words for f in first.factors]
    assert "养老、社区" in words[0]
    assert "金水区" in words[1]
    assert words[4] == "No evaluation yet."
    assert [f.name for f in first.factors] == ["领域匹配", "同区优先", "本市选拔", "服务余量", "考评等级"]


def test_a_city_or_district_project_prefers_supervisors_selected_in_the_city(world, scene):
    world.agency.type = OrganizationType.objects.get(code="government")
    world.agency.save()
    ranking = matching.candidates(organization=world.agency, on=ON)
    selected = {c.entry.person.name: c.factors[2] for c in ranking.candidates}
    assert selected["二七督导丙"].points == Decimal("10.00")
    assert selected["金水督导丁"].points == Decimal("10.00")


def test_an_agency_that_is_not_a_project_scores_nothing_for_selection_in_the_city_and_is_told_why(world, scene):
    ranking = matching.candidates(organization=world.agency, on=ON)
    factor = ranking.candidates[0].factors[2]
    assert factor.points == 0
    assert factor.words == "Not a city or district project: this factor does not apply."


def test_a_district_weight_table_overrides_the_citys_and_a_factor_it_leaves_out_weighs_nothing(world, scene):
    ParameterVersion.objects.create(
        key="supervision.match_weights",
        jurisdiction=world.jinshui,
        value={"领域匹配": "50.00", "服务余量": "50.00"},
        effective_from=dt.date(2020, 1, 1),
    )
    ranking = matching.candidates(organization=world.agency, on=ON)
    # 二七督导丙: 1/3 × 50 + 1 × 50 = 66.67; 金水督导丁: 2/3 × 50 + 0.5 × 50 = 58.33; 庚: 16.67 + 45 = 61.67.
    assert [(c.entry.person.name, c.total) for c in ranking.candidates] == [
        ("二七督导丙", Decimal("66.67")),
        ("二七督导庚", Decimal("61.67")),
        ("金水督导丁", Decimal("58.33")),
    ]
    assert all(c.factors[1].points == 0 for c in ranking.candidates)


def test_unavailable_supervisors_are_never_proposed(world, scene):
    suspended = pool_entry(world, staff(world.erqi_agency, name="停用督导"), domains=["drug"], status="suspended")
    retired = pool_entry(world, staff(world.erqi_agency, name="退出督导"), domains=["drug"], status="retired")
    expired = pool_entry(world, staff(world.erqi_agency, name="过期督导"), domains=["drug"])
    Entry.objects.filter(pk=expired.pk).update(expires_on=dt.date(2025, 12, 31))
    full = pool_entry(world, staff(world.erqi_agency, name="满额督导"), domains=["drug"])
    load(full, world.erqi_agency, hours=40, supervisees=1)
    crowded = pool_entry(world, staff(world.erqi_agency, name="满员督导"), domains=["drug"])
    load(crowded, world.erqi_agency, hours=2, supervisees=15)
    own = pool_entry(world, world.social_worker_person, domains=["drug"])
    engaged = pool_entry(world, staff(world.erqi_agency, name="已聘督导"), domains=["drug"])
    engagement(engaged, world.agency, hours=Decimal(2), status=Engagement.Status.PROPOSED)
    names = {c.entry.person.name for c in matching.candidates(organization=world.agency, on=ON).candidates}
    assert names == {"金水督导丁", "二七督导丙", "二七督导庚"}
    for entry in (suspended, retired, expired, full, crowded, own, engaged):
        assert matching.explain(organization=world.agency, entry=entry, on=ON) is None
    assert matching.explain(organization=world.agency, entry=scene["jinshui"], on=ON)["place"] == 1


def test_an_internal_supervisor_is_not_an_external_candidate(world, scene, supply):
    names = {c.entry.person_id for c in matching.candidates(organization=world.agency, on=ON).candidates}
    assert world.supervisor_person.pk not in names
    assert supply.internal_entry.level == Entry.Level.AGENCY


def test_equal_totals_are_ordered_by_spare_capacity_then_by_entry_number_every_time(world, supply):
    twins = [
        pool_entry(world, staff(world.erqi_agency, name=f"同分督导{n}"), pool=world.erqi, home=world.erqi, number=n)
        for n in ("ZZ-T-0903", "ZZ-T-0901", "ZZ-T-0902")
    ]
    load(twins[0], world.erqi_agency, hours=4, supervisees=1)  # less spare: last of the three
    orders = {
        tuple(c.entry.entry_number for c in matching.candidates(organization=world.agency, on=ON).candidates)
        for _ in range(3)
    }
    assert len(orders) == 1
    order = [n for n in orders.pop() if n.startswith("ZZ-T-09")]
    assert order == ["ZZ-T-0901", "ZZ-T-0902", "ZZ-T-0903"]


def test_an_agency_whose_internal_supervisors_meet_its_need_is_told_so_first(world, supply, login):
    engagement(supply.internal_entry, world.agency, hours=Decimal(20))
    ranking = matching.candidates(organization=world.agency, on=ON)
    assert ranking.internal_enough
    assert "use your own supervisors first" in ranking.message
    page = login(world.agency_admin).get(f"/supervision/coverage/organizations/{world.agency.pk}/candidates/")
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index('data-testid="internal-supply"') < text.index('data-testid="candidate"')


def test_the_explanation_names_the_place_and_each_factor(world, scene):
    explained = matching.explain(organization=world.agency, entry=scene["external"], on=ON)
    assert explained["place"] == 2 and explained["of"] == 3
    assert explained["total"] == "31.67"
    assert [f["name"] for f in explained["factors"]] == ["领域匹配", "同区优先", "本市选拔", "服务余量", "考评等级"]


def test_the_ranking_costs_the_same_queries_for_few_and_many_supervisors(world, scene):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        matching.candidates(organization=world.agency, on=ON)
    for _n in range(8):
        entry = pool_entry(world, staff(world.erqi_agency), pool=world.erqi, home=world.erqi, domains=["drug"])
        load(entry, world.other_agency_same_district, hours=2, supervisees=1)
    with CaptureQueriesContext(connection) as many:
        ranking = matching.candidates(organization=world.agency, on=ON)
    assert len(ranking.candidates) == 11
    assert len(few) == len(many)


def test_an_agency_with_enough_hours_but_staff_not_covered_is_told_which_it_lacks(world, scene, external_engagement):
    ranking = matching.candidates(organization=world.agency, on=ON)
    assert ranking.need.shortfall == 0 and ranking.need.uncovered == 3
    assert not ranking.internal_enough
    assert "3 staff are covered by no engagement" in ranking.message
