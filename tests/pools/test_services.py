"""Admission to the three pools, entry numbers and terms, the keeper's status
changes with their history, expiry, and the verification codes."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dudao.core.models import AuditEntry
from dudao.directory.models import Employment
from dudao.policy import services as policy_services
from dudao.pools import permissions, selectors, services
from dudao.pools.models import CODE_ALPHABET, Entry, StatusChange, new_verification_code
from tests.factories import rescope, staff

from .conftest import city_entry, domain

S = Entry.Status


def _set(world, key, value, jurisdiction=None, actor=None):
    today = timezone.localdate()
    return policy_services.set_parameter(
        actor=actor or world.district_admin,
        key=key,
        jurisdiction=jurisdiction or world.jinshui,
        value=value,
        effective_from=today,
        reason="区级规则",
        today=today,
    )


def _on(monkeypatch, day: dt.date):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


# --- numbers and terms --------------------------------------------------------


def test_entry_numbers_run_per_pool_and_year(world, monkeypatch):
    _on(monkeypatch, dt.date(2026, 6, 1))
    a, b = staff(world.agency, certified=True), staff(world.agency, certified=True)
    assert city_entry(world, a).entry_number == "ZZ-SJ-2026-0001"
    assert city_entry(world, b).entry_number == "ZZ-SJ-2026-0002"
    assert (
        services.admit_to_district_pool(actor=world.district_admin, person=a, district=world.jinshui).entry_number
        == "ZZ-410105-2026-0001"
    )
    internal = services.designate_internal(actor=world.agency_admin, organization=world.agency, person=a)
    assert internal.entry_number == f"ZZ-JG{world.agency.pk}-2026-0001"

    _on(monkeypatch, dt.date(2027, 1, 4))
    c = staff(world.agency, certified=True)
    assert city_entry(world, c).entry_number == "ZZ-SJ-2027-0001"
    assert (
        services.admit_to_district_pool(actor=world.district_admin, person=b, district=world.jinshui).entry_number
        == "ZZ-410105-2027-0001"
    )


def test_numbers_keep_counting_past_four_digits(world, monkeypatch):
    _on(monkeypatch, dt.date(2026, 6, 1))
    first = city_entry(world, staff(world.agency, certified=True))
    Entry.objects.filter(pk=first.pk).update(entry_number="ZZ-SJ-2026-9999")
    assert city_entry(world, staff(world.agency, certified=True)).entry_number == "ZZ-SJ-2026-10000"
    # Sorted as text "10000" < "9999"; the next number must still be 10001.
    assert city_entry(world, staff(world.agency, certified=True)).entry_number == "ZZ-SJ-2026-10001"


def test_term_follows_the_policy_value_with_a_district_override(world, monkeypatch):
    _on(monkeypatch, dt.date(2026, 6, 1))
    _set(world, "pools.term_years", 2)  # 金水区 sets its own term
    person = world.supervisor_person
    city = city_entry(world, person)
    district = services.admit_to_district_pool(actor=world.district_admin, person=person, district=world.jinshui)
    internal = services.designate_internal(actor=world.agency_admin, organization=world.agency, person=person)
    erqi = services.admit_to_district_pool(
        actor=world.erqi_admin, person=staff(world.erqi_agency, certified=True), district=world.erqi
    )

    assert city.admitted_on == dt.date(2026, 6, 1)
    assert city.expires_on == dt.date(2029, 5, 31)  # the city's three years
    assert district.expires_on == dt.date(2028, 5, 31)  # 金水区's two
    assert internal.expires_on == dt.date(2028, 5, 31)  # an agency in 金水区 follows 金水区
    assert erqi.expires_on == dt.date(2029, 5, 31)  # 二七区 inherits the city's


def test_city_change_of_term_applies_to_new_entries(world, monkeypatch):
    _on(monkeypatch, dt.date(2026, 6, 1))
    policy_services.set_parameter(
        actor=world.city_admin,
        key="pools.term_years",
        jurisdiction=world.city,
        value=5,
        effective_from=dt.date(2026, 6, 1),
        reason="市级调整",
        today=dt.date(2026, 6, 1),
    )
    assert city_entry(world, world.supervisor_person).expires_on == dt.date(2031, 5, 31)


def test_term_from_29_february_ends_on_28_february():
    assert services._term_end(dt.date(2028, 2, 29), 3) == dt.date(2031, 2, 28)
    assert services._term_end(dt.date(2028, 2, 29), 4) == dt.date(2032, 2, 28)
    assert services._term_end(dt.date(2026, 3, 1), 3) == dt.date(2029, 2, 28)


def test_city_entry_records_home_district_domains_history_and_audit(world):
    world.supervisor_person.service_domains.set([domain("elderly")])
    entry = city_entry(world, world.supervisor_person, home=world.erqi)
    assert entry.level == Entry.Level.CITY and entry.jurisdiction == world.city and entry.organization is None
    assert entry.home_district == world.erqi
    assert [d.code for d in entry.domains.all()] == ["elderly"]
    change = entry.history.get()
    assert (change.from_status, change.to_status, change.actor) == ("", S.ACTIVE, world.city_admin)
    assert "2026年度百名督导培养计划" in change.reason
    assert AuditEntry.objects.filter(object_id=str(entry.pk), action=AuditEntry.Action.CREATE).exists()


def test_one_live_entry_per_pool(world):
    city_entry(world, world.supervisor_person)
    with pytest.raises(ValidationError, match="督导甲"):
        city_entry(world, world.supervisor_person)


def test_a_closed_entry_may_be_followed_by_a_new_term(world):
    first = city_entry(world, world.supervisor_person)
    services.change_status(actor=world.city_admin, entry=first, to_status=S.RETIRED, reason="任期届满，重新考核")
    second = city_entry(world, world.supervisor_person)
    assert second.entry_number != first.entry_number


# --- the district's rules -------------------------------------------------------


def test_district_admits_an_eligible_supervisor(world):
    entry = services.admit_to_district_pool(
        actor=world.district_admin,
        person=world.supervisor_person,
        district=world.jinshui,
        domains=[domain("school")],
        reason="金水区选拔",
    )
    assert (entry.level, entry.jurisdiction, entry.home_district) == (
        Entry.Level.DISTRICT,
        world.jinshui,
        world.jinshui,
    )
    assert [d.code for d in entry.domains.all()] == ["school"]
    assert entry.source == "金水区选拔"


def test_district_rules_refuse_an_ineligible_person_with_reasons(world):
    # 社工乙 holds no certificate.
    results = services.district_rules_check(world.social_worker_person, world.jinshui)
    failed = [r for r in results if not r.passed]
    assert [r.code for r in failed] == ["certificate"]
    with pytest.raises(ValidationError) as exc:
        services.admit_to_district_pool(
            actor=world.district_admin, person=world.social_worker_person, district=world.jinshui
        )
    message = exc.value.messages[0]
    assert "社工乙" in message and failed[0].label in message and failed[0].detail in message
    assert not Entry.objects.exists()


def test_the_districts_own_values_are_the_rules(world):
    assert all(r.passed for r in services.district_rules_check(world.supervisor_person, world.jinshui))
    _set(world, "selection.min_certificate_level", "senior")
    results = {r.code: r for r in services.district_rules_check(world.supervisor_person, world.jinshui)}
    assert not results["certificate"].passed
    with pytest.raises(ValidationError):
        services.admit_to_district_pool(
            actor=world.district_admin, person=world.supervisor_person, district=world.jinshui
        )
    # The other districts keep the city's values.
    erqi_person = staff(world.erqi_agency, certified=True)
    assert all(r.passed for r in services.district_rules_check(erqi_person, world.erqi))


def test_district_rules_check_names_the_district_rule_first(world):
    results = services.district_rules_check(staff(world.erqi_agency, certified=True), world.jinshui)
    assert results[0].code == "district" and not results[0].passed
    assert "employer" not in [r.code for r in results]
    unemployed = staff(world.agency, certified=True)
    Employment.objects.filter(person=unemployed).update(end_date=dt.date(2025, 12, 31))
    rescope(unemployed)
    results = services.district_rules_check(unemployed, world.jinshui)
    assert [(r.code, r.passed) for r in results] == [("district", False)]


def test_only_the_districts_own_people(world):
    erqi_person = staff(world.erqi_agency, certified=True, name="二七丁")
    with pytest.raises(ValidationError, match="二七丁"):
        services.admit_to_district_pool(actor=world.district_admin, person=erqi_person, district=world.jinshui)


@pytest.mark.parametrize("actor", ["city_admin", "agency_admin", "erqi_admin", "supervisor", "association"])
def test_only_the_district_admin_admits_to_its_pool(world, actor):
    with pytest.raises(PermissionDenied):
        services.admit_to_district_pool(
            actor=world.persona(actor), person=world.supervisor_person, district=world.jinshui
        )


def test_the_city_pool_is_not_a_district_pool(world):
    with pytest.raises(PermissionDenied):
        services.admit_to_district_pool(actor=world.city_admin, person=world.supervisor_person, district=world.city)


# --- internal supervisors -------------------------------------------------------


def test_agency_designates_its_own_staff(world):
    world.social_worker_person.service_domains.set([domain("medical")])
    entry = services.designate_internal(
        actor=world.agency_admin, organization=world.agency, person=world.social_worker_person
    )
    assert (entry.level, entry.organization, entry.jurisdiction, entry.home_district) == (
        Entry.Level.AGENCY,
        world.agency,
        None,
        world.jinshui,
    )
    assert [d.code for d in entry.domains.all()] == ["medical"]  # the person's own by default


def test_agency_cannot_designate_another_agencys_staff(world):
    other_staff = staff(world.other_agency_same_district, name="馨和戊")
    with pytest.raises(ValidationError, match="馨和戊"):
        services.designate_internal(actor=world.agency_admin, organization=world.agency, person=other_staff)
    former = staff(world.agency, name="离职己")
    Employment.objects.filter(person=former).update(end_date=dt.date(2025, 12, 31))
    rescope(former)
    with pytest.raises(ValidationError, match="离职己"):
        services.designate_internal(actor=world.agency_admin, organization=world.agency, person=former)


@pytest.mark.parametrize("actor", ["outsider", "district_admin", "city_admin", "supervisor"])
def test_only_the_agency_designates_for_itself(world, actor):
    with pytest.raises(PermissionDenied):
        services.designate_internal(
            actor=world.persona(actor), organization=world.agency, person=world.social_worker_person
        )


# --- status changes ---------------------------------------------------------------


def test_keeper_changes_status_with_reason_and_history(world, pools):
    entry = services.change_status(
        actor=world.district_admin, entry=pools.district, to_status=S.SUSPENDED, reason="年度评价不合格"
    )
    assert entry.status == S.SUSPENDED
    entry = services.change_status(actor=world.district_admin, entry=entry, to_status=S.ACTIVE, reason="整改后恢复")
    history = list(selectors.history_of(entry))
    assert [(h.from_status, h.to_status) for h in history] == [
        ("", S.ACTIVE),
        (S.ACTIVE, S.SUSPENDED),
        (S.SUSPENDED, S.ACTIVE),
    ]
    assert [h.reason for h in history[1:]] == ["年度评价不合格", "整改后恢复"]
    assert {h.actor for h in history[1:]} == {world.district_admin}
    assert AuditEntry.objects.filter(object_id=str(entry.pk), action=AuditEntry.Action.UPDATE).count() == 2


@pytest.mark.parametrize(
    ("entry", "keeper", "others"),
    [
        ("city", "city_admin", ["district_admin", "agency_admin", "supervisor", "association", "hrss"]),
        ("district", "district_admin", ["city_admin", "erqi_admin", "agency_admin", "supervisor"]),
        ("agency", "agency_admin", ["city_admin", "district_admin", "outsider", "social_worker"]),
    ],
)
def test_only_the_keeper_changes_status(world, pools, entry, keeper, others):
    target = getattr(pools, entry)
    for other in others:
        assert not permissions.can_keep(world.persona(other), target)
        with pytest.raises(PermissionDenied):
            services.change_status(actor=world.persona(other), entry=target, to_status=S.SUSPENDED, reason="无权")
    assert permissions.can_keep(world.persona(keeper), target)
    services.change_status(actor=world.persona(keeper), entry=target, to_status=S.SUSPENDED, reason="暂停")
    assert StatusChange.objects.filter(entry=target).count() == 2


def test_a_reason_is_required(world, pools):
    with pytest.raises(ValidationError) as exc:
        services.change_status(actor=world.city_admin, entry=pools.city, to_status=S.SUSPENDED, reason="  ")
    assert "reason" in exc.value.message_dict
    assert Entry.objects.get(pk=pools.city.pk).status == S.ACTIVE
    assert pools.city.history.count() == 1


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [
        ([], S.EXPIRED),  # expiry comes from the term only
        ([], S.ACTIVE),  # already active
        ([S.RETIRED], S.ACTIVE),  # retired is closed
        ([S.RETIRED], S.SUSPENDED),
        ([S.SUSPENDED], S.EXPIRED),
        ([S.SUSPENDED], S.SUSPENDED),
        ([], "unknown"),
    ],
)
def test_forbidden_transitions(world, pools, path, forbidden):
    entry = pools.city
    for step in path:
        entry = services.change_status(actor=world.city_admin, entry=entry, to_status=step, reason="步骤")
    with pytest.raises(ValidationError):
        services.change_status(actor=world.city_admin, entry=entry, to_status=forbidden, reason="不允许")
    assert entry.history.count() == 1 + len(path)


def test_next_statuses(world, pools):
    assert services.next_statuses(pools.city) == [S.SUSPENDED, S.RETIRED]
    suspended = services.change_status(actor=world.city_admin, entry=pools.city, to_status=S.SUSPENDED, reason="暂停")
    assert services.next_statuses(suspended) == [S.ACTIVE, S.RETIRED]
    Entry.objects.filter(pk=pools.district.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    assert services.next_statuses(Entry.objects.get(pk=pools.district.pk)) == []


def test_an_entry_past_its_term_cannot_be_suspended(world, pools):
    Entry.objects.filter(pk=pools.district.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.change_status(actor=world.district_admin, entry=pools.district, to_status=S.SUSPENDED, reason="暂停")


# --- expiry -------------------------------------------------------------------------


def test_effective_status_and_expire_entries(world, pools):
    today = timezone.localdate()
    Entry.objects.filter(pk=pools.city.pk).update(expires_on=today - dt.timedelta(days=1))
    Entry.objects.filter(pk=pools.district.pk).update(expires_on=today)  # the last day of the term
    services.change_status(actor=world.agency_admin, entry=pools.agency, to_status=S.SUSPENDED, reason="暂停")
    Entry.objects.filter(pk=pools.agency.pk).update(expires_on=today - dt.timedelta(days=30))

    city, district = Entry.objects.get(pk=pools.city.pk), Entry.objects.get(pk=pools.district.pk)
    assert (city.status, city.effective_status) == (S.ACTIVE, S.EXPIRED)
    assert city.get_effective_status_display() == str(S.EXPIRED.label)
    assert district.effective_status == S.ACTIVE and selectors.is_available(district)
    assert not selectors.is_available(city)
    assert set(selectors.available(Entry.objects.all())) == {district, Entry.objects.get(pk=pools.erqi.pk)}
    assert set(selectors.with_status(Entry.objects.all(), S.EXPIRED)) == {city}

    assert services.expire_entries() == 1
    city = Entry.objects.get(pk=pools.city.pk)
    assert city.status == S.EXPIRED
    last = city.history.last()
    assert (last.from_status, last.to_status, last.actor) == (S.ACTIVE, S.EXPIRED, None)
    assert Entry.objects.get(pk=pools.district.pk).status == S.ACTIVE
    assert Entry.objects.get(pk=pools.agency.pk).status == S.SUSPENDED  # suspension is not expiry
    assert services.expire_entries() == 0  # idempotent
    assert services.expire_entries(today + dt.timedelta(days=1)) == 1  # the district entry's term has ended by then


def test_expire_command(world, pools, capsys):
    from django.core.management import call_command

    Entry.objects.filter(pk=pools.erqi.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    call_command("expire_pool_entries")
    assert "expired: 1" in capsys.readouterr().out
    assert Entry.objects.get(pk=pools.erqi.pk).status == S.EXPIRED


# --- verification codes ------------------------------------------------------------------


def _as_number(code: str) -> int:
    value = 0
    for ch in code:
        value = value * len(CODE_ALPHABET) + CODE_ALPHABET.index(ch)
    return value


def test_codes_are_16_characters_from_the_alphabet(world, pools):
    for entry in pools.all():
        assert len(entry.verification_code) == 16
        assert set(entry.verification_code) <= set(CODE_ALPHABET)
    assert not set("01IO") & set(CODE_ALPHABET)  # no look-alikes


def test_codes_differ_and_are_not_sequential(world, pools):
    codes = [e.verification_code for e in pools.all()]
    assert len(set(codes)) == len(codes)
    numbers = sorted(_as_number(c) for c in codes)
    # Consecutive entries are far apart in the 32^16 space, not one step.
    assert all(b - a > 32**8 for a, b in zip(numbers, numbers[1:], strict=False))
    # Nor do they share a prefix the way counters or timestamps would.
    assert len({c[:4] for c in codes}) == len(codes)


def test_generated_codes_are_spread_over_the_alphabet():
    codes = [new_verification_code() for _ in range(500)]
    assert len(set(codes)) == 500
    assert set("".join(codes)) == set(CODE_ALPHABET)
    for position in range(16):
        assert len({c[position] for c in codes}) > 20
