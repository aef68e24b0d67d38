"""Rule-by-rule eligibility of a quota nominee on the round's snapshot date:
each rule passes or fails and says why; a person failing any rule cannot be
submitted."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from dudao.policy.models import ParameterVersion
from dudao.selection import eligibility, services
from dudao.selection.models import Nomination, Transition
from dudao.selection.selectors import quota_for, staff_for_nomination

from .helpers import SNAPSHOT, discipline, education, hire, nominate, refreshed

S = Nomination.Status


def rules(round_, person, org):
    with translation.override("en"):
        results = eligibility.check(person, round_=round_, organization=org, path=Nomination.Path.QUOTA)
    return {r.code: r for r in results}


def test_a_well_qualified_person_passes_every_rule_with_a_reason(world, round_, defaults):
    person = hire(world.agency, education=education("bachelor"), frontline_since=dt.date(2015, 7, 1))
    checked = rules(round_, person, world.agency)
    assert list(checked) == ["employer", "employed_on_snapshot", "certificate", "frontline_years", "discipline"]
    assert all(r.passed for r in checked.values())
    assert all(r.label and r.detail for r in checked.values())
    assert "Employed there on 2026-09-30" in checked["employed_on_snapshot"].detail
    assert "Holds 社会工作师" in checked["certificate"].detail
    assert "11 years of frontline practice by 2026-09-30" in checked["frontline_years"].detail


@pytest.mark.parametrize(("level", "passes"), [("assistant", False), ("intermediate", True), ("senior", True)])
def test_the_certificate_must_be_at_least_the_minimum_level(world, round_, defaults, level, passes):
    person = hire(world.agency, level=level)
    rule = rules(round_, person, world.agency)["certificate"]
    assert rule.passed is passes
    assert "at least 社会工作师 is required" in rule.detail
    if not passes:
        assert "Holds 助理社会工作师" in rule.detail


def test_a_person_without_any_certificate_fails_the_certificate_rule(world, round_):
    rule = rules(round_, world.social_worker_person, world.agency)["certificate"]
    assert not rule.passed
    assert "No social work certificate obtained by 2026-09-30" in rule.detail


def test_a_certificate_obtained_after_the_snapshot_date_does_not_qualify(world, round_):
    person = hire(world.agency, issued=SNAPSHOT + dt.timedelta(days=1))
    rule = rules(round_, person, world.agency)["certificate"]
    assert not rule.passed
    assert "No social work certificate obtained by 2026-09-30" in rule.detail


def test_a_raised_minimum_level_fails_an_intermediate_certificate(world, round_):
    ParameterVersion.objects.create(
        key="selection.min_certificate_level",
        jurisdiction=world.city,
        value="senior",
        effective_from=dt.date(2025, 1, 1),
    )
    rule = rules(round_, hire(world.agency), world.agency)["certificate"]
    assert not rule.passed
    assert "at least 高级社会工作师 is required" in rule.detail


@pytest.mark.parametrize(
    ("code", "required"), [("junior_college", 5), ("bachelor", 4), ("master", 3), ("doctorate", 2)]
)
def test_the_years_of_frontline_work_required_depend_on_education(world, round_, defaults, code, required):
    just_enough = SNAPSHOT.replace(year=SNAPSHOT.year - required)
    one_day_short = just_enough + dt.timedelta(days=1)
    enough = rules(round_, hire(world.agency, education=education(code), frontline_since=just_enough), world.agency)
    short = rules(round_, hire(world.agency, education=education(code), frontline_since=one_day_short), world.agency)
    assert enough["frontline_years"].passed
    assert f"{required} years of frontline practice" in enough["frontline_years"].detail
    assert not short["frontline_years"].passed
    assert f"{required - 1} years of frontline practice" in short["frontline_years"].detail
    assert f"requires {required}" in short["frontline_years"].detail


def test_a_changed_years_table_is_used(world, round_):
    ParameterVersion.objects.create(
        key="selection.min_frontline_years",
        jurisdiction=world.city,
        value={"junior_college": 8, "bachelor": 6, "master": 5, "doctorate": 4},
        effective_from=dt.date(2025, 1, 1),
    )
    person = hire(world.agency, education=education("bachelor"), frontline_since=dt.date(2021, 1, 1))
    rule = rules(round_, person, world.agency)["frontline_years"]
    assert not rule.passed
    assert "requires 6" in rule.detail


def test_a_district_years_table_applies_to_its_own_agencies(world, round_):
    ParameterVersion.objects.create(
        key="selection.min_frontline_years",
        jurisdiction=world.jinshui,
        value={"junior_college": 3, "bachelor": 2, "master": 1, "doctorate": 1},
        effective_from=dt.date(2025, 1, 1),
    )
    jinshui = hire(world.agency, education=education("bachelor"), frontline_since=dt.date(2024, 1, 1))
    erqi = hire(world.erqi_agency, education=education("bachelor"), frontline_since=dt.date(2024, 1, 1))
    assert rules(round_, jinshui, world.agency)["frontline_years"].passed
    assert not rules(round_, erqi, world.erqi_agency)["frontline_years"].passed


def test_missing_education_fails_the_years_rule_with_the_reason(world, round_):
    rule = rules(round_, hire(world.agency, education=None), world.agency)["frontline_years"]
    assert not rule.passed
    assert rule.detail == "Education is not recorded, so the required years cannot be determined."


def test_a_missing_start_of_practice_fails_the_years_rule(world, round_):
    rule = rules(round_, hire(world.agency, frontline_since=None), world.agency)["frontline_years"]
    assert not rule.passed
    assert "start of frontline practice is not recorded" in rule.detail


def test_a_disciplinary_record_fails_the_discipline_rule_with_its_date_and_text(world, round_, defaults):
    person = hire(world.agency)
    discipline(person, on=dt.date(2024, 5, 1), text="违规收取服务对象费用")
    rule = rules(round_, person, world.agency)["discipline"]
    assert not rule.passed
    assert "2024-05-01" in rule.detail
    assert "违规收取服务对象费用" in rule.detail


def test_the_discipline_rule_can_be_switched_off(world, round_):
    person = hire(world.agency)
    discipline(person)
    ParameterVersion.objects.create(
        key="selection.no_disciplinary_record", jurisdiction=world.city, value=False, effective_from=dt.date(2025, 1, 1)
    )
    checked = rules(round_, person, world.agency)
    assert "discipline" not in checked
    assert all(r.passed for r in checked.values())


def test_someone_not_employed_on_the_snapshot_date_fails_that_rule(world, round_):
    person = hire(world.agency, start=SNAPSHOT + dt.timedelta(days=10))
    rule = rules(round_, person, world.agency)["employed_on_snapshot"]
    assert not rule.passed
    assert rule.detail == "Not employed there on 2026-09-30."


def test_someone_no_longer_on_the_staff_fails_the_employer_rule(world, round_):
    person = hire(world.agency, end=dt.date(2026, 10, 15))
    checked = rules(round_, person, world.agency)
    assert checked["employed_on_snapshot"].passed
    assert not checked["employer"].passed
    assert world.agency.name in checked["employer"].detail


def test_checking_a_whole_staff_list_matches_checking_one_by_one(world, round_):
    people = [hire(world.agency), hire(world.agency, level="assistant"), hire(world.agency, education=None)]
    discipline(people[0])
    params = eligibility.parameters_for(round_, world.agency)
    listed = {
        p.pk: [
            r.passed
            for r in eligibility.check(p, round_=round_, organization=world.agency, path="quota", params=params)
        ]
        for p in staff_for_nomination(round_, world.agency)
    }
    for person in people:
        assert listed[person.pk] == [r.passed for r in rules(round_, person, world.agency).values()]


@pytest.mark.parametrize(
    "flaw", ["assistant certificate", "too few years", "no education", "disciplinary record", "joined after snapshot"]
)
def test_an_ineligible_person_cannot_be_submitted_and_stays_a_draft(world, round_, defaults, flaw):
    from tests.factories import staff

    for _ in range(7):
        staff(world.agency, certified=True)
    kwargs = {
        "assistant certificate": {"level": "assistant"},
        "too few years": {"frontline_since": dt.date(2024, 1, 1)},
        "no education": {"education": None},
        "disciplinary record": {},
        "joined after snapshot": {"start": SNAPSHOT + dt.timedelta(days=1)},
    }[flaw]
    person = hire(world.agency, **kwargs)
    if flaw == "disciplinary record":
        discipline(person)
    draft = nominate(world, round_, person, submit=False)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.submit(actor=world.agency_admin, nomination=draft)
    assert "does not meet the rules" in exc.value.messages[0]
    assert person.name in exc.value.messages[0]
    after = refreshed(draft)
    assert after.status == S.DRAFT
    assert after.submitted_at is None
    assert list(Transition.objects.filter(nomination=draft).values_list("to_status", flat=True)) == [S.DRAFT]
    assert quota_for(round_, world.agency).used == 0
