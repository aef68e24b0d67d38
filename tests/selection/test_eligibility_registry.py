"""The eligibility rules as a registry (issue 9, item 5): each rule has a code,
a label, the parameters it reads and, where the policy lets a jurisdiction
drop it, an on/off parameter (on by default); rules are read in an
EvaluationContext, which a round gives and a district pool gives without
pretending to be a round."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from dudao.directory.models import Person
from dudao.policy.kinds import KINDS
from dudao.policy.models import ParameterVersion
from dudao.policy.registry import BY_KEY
from dudao.pools import services as pool_services
from dudao.selection import eligibility
from dudao.selection.eligibility import RULES, EvaluationContext
from dudao.selection.models import Nomination

from .helpers import SNAPSHOT, discipline, education, hire

SWITCHABLE = [r for r in RULES if r.switch]


def switch_off(rule_code, jurisdiction, on=dt.date(2025, 1, 1)):
    ParameterVersion.objects.create(
        key=eligibility.rule(rule_code).switch, jurisdiction=jurisdiction, value=False, effective_from=on
    )


def codes(person, context, **kwargs):
    with translation.override("en"):
        return {r.code: r for r in eligibility.check(person, context=context, **kwargs)}


def test_every_rule_has_a_unique_code_a_label_and_registered_parameters():
    assert [r.code for r in RULES] == [
        "employer",
        "employed_on_snapshot",
        "certificate",
        "frontline_years",
        "category",
        "practice",
        "evidence",
        "discipline",
    ]
    for r in RULES:
        assert str(r.label)
        for key in r.reads:
            assert key in BY_KEY, key
        if r.switch:
            switch = BY_KEY[r.switch]
            assert switch.value_kind is KINDS["bool"]
            assert switch.default is True, "a rule is on until a jurisdiction switches it off"
            assert switch.district_may_override


def test_the_rules_that_are_what_a_nomination_is_cannot_be_switched_off():
    assert {r.code for r in RULES if not r.switch} == {"employer", "category", "evidence"}


def test_parameters_for_a_context_read_every_rule_value_in_one_go(world, round_, django_assert_max_num_queries):
    context = EvaluationContext.for_round(round_, world.agency)
    with django_assert_max_num_queries(3):
        params = eligibility.parameters_for(context)
    assert set(eligibility.parameter_keys()) <= set(params)
    assert params["_min_level"].code == "intermediate"


def test_a_round_context_reads_the_rules_where_the_unit_is_on_the_snapshot_date(world, round_):
    context = EvaluationContext.for_round(round_, world.agency)
    assert (context.jurisdiction, context.date, context.organization) == (world.jinshui, SNAPSHOT, world.agency)
    assert EvaluationContext.for_round(round_).jurisdiction == world.city


@pytest.mark.parametrize("rule", SWITCHABLE, ids=lambda r: r.code)
def test_a_rule_switched_off_for_one_district_stops_applying_there_only(world, round_, rule):
    path, category = (
        (Nomination.Path.DIRECT, Nomination.Category.UNIVERSITY_TEACHER)
        if rule.code == "practice"
        else (Nomination.Path.QUOTA, "")
    )
    # Someone failing this rule, in 金水区 and in 二七区.
    flaws = {
        "employed_on_snapshot": {"start": SNAPSHOT + dt.timedelta(days=1)},
        "certificate": {"level": "assistant"},
        "frontline_years": {"frontline_since": dt.date(2025, 1, 1)},
        "practice": {"frontline_since": None},
        "discipline": {},
    }[rule.code]
    jinshui = hire(world.agency, **flaws)
    erqi = hire(world.erqi_agency, **flaws)
    if rule.code == "discipline":
        discipline(jinshui)
        discipline(erqi)
    here = EvaluationContext.for_round(round_, world.agency)
    there = EvaluationContext.for_round(round_, world.erqi_agency)
    assert not codes(jinshui, here, path=path, category=category)[rule.code].passed
    assert not codes(erqi, there, path=path, category=category)[rule.code].passed

    switch_off(rule.code, world.jinshui)

    assert rule.code not in codes(jinshui, here, path=path, category=category)
    assert not codes(erqi, there, path=path, category=category)[rule.code].passed
    # Before the switch took effect, the rule applied in 金水区 too.
    earlier = EvaluationContext(world.jinshui, dt.date(2024, 12, 31), world.agency)
    assert rule.code in codes(jinshui, earlier, path=path, category=category)


def test_with_every_rule_on_a_switch_stored_as_on_changes_nothing(world, round_):
    person = hire(world.agency, level="assistant")
    context = EvaluationContext.for_round(round_, world.agency)
    before = codes(person, context)
    for r in SWITCHABLE:
        ParameterVersion.objects.create(
            key=r.switch, jurisdiction=world.jinshui, value=True, effective_from=dt.date(2025, 1, 1)
        )
    assert codes(person, context) == before


def test_the_district_pool_check_follows_the_districts_switches(world):
    person = hire(world.agency, level="assistant")
    assert not {r.code: r for r in pool_services.district_rules_check(person, world.jinshui)}["certificate"].passed
    switch_off("certificate", world.jinshui)
    checked = {r.code: r for r in pool_services.district_rules_check(person, world.jinshui)}
    assert "certificate" not in checked
    assert all(r.passed for r in checked.values())


def test_the_district_pool_check_reads_todays_rules_in_a_context_not_a_round(world, monkeypatch):
    seen = []
    original = eligibility.check

    def spy(person, **kwargs):
        seen.append(kwargs)
        return original(person, **kwargs)

    monkeypatch.setattr(eligibility, "check", spy)
    pool_services.district_rules_check(hire(world.agency), world.jinshui)
    (call,) = seen
    assert "round_" not in call
    context = call["context"]
    assert isinstance(context, EvaluationContext)
    assert (context.jurisdiction, context.organization) == (world.jinshui, world.agency)
    assert context.date == timezone.localdate()


def test_the_years_rule_counts_years_with_the_person_s_own_practice_years(world, round_, monkeypatch):
    person = hire(world.agency, education=education("bachelor"), frontline_since=dt.date(2025, 1, 1))
    context = EvaluationContext.for_round(round_, world.agency)
    assert not codes(person, context)["frontline_years"].passed
    asked = []
    monkeypatch.setattr(Person, "practice_years", lambda self, on=None: asked.append(on) or 40)
    rule = codes(person, context)["frontline_years"]
    assert rule.passed
    assert "40 years" in rule.detail
    assert asked == [SNAPSHOT]


@pytest.mark.parametrize(
    ("since", "on", "years"),
    [
        (dt.date(2020, 3, 1), dt.date(2026, 2, 28), 5),
        (dt.date(2020, 3, 1), dt.date(2026, 3, 1), 6),
        (dt.date(2020, 2, 29), dt.date(2021, 2, 28), 0),
        (dt.date(2020, 2, 29), dt.date(2021, 3, 1), 1),
        (dt.date(2027, 1, 1), dt.date(2026, 1, 1), 0),
    ],
)
def test_practice_years_are_full_years(since, on, years):
    assert Person(frontline_since=since).practice_years(on) == years
