"""Policy parameters: which value is in force where and when, who may set a new
version, and the pages and API that show and change them."""

import dataclasses
import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from dudao.core.excel import XLSX_TYPE
from dudao.core.models import AuditEntry
from dudao.policy import registry, selectors, services
from dudao.policy.models import ParameterVersion
from dudao.policy.registry import BY_KEY, PARAMETERS
from tests.conftest import ALL_PERSONAS
from tests.excel import xlsx_rows

RATIO = "selection.nomination_ratio"
LEVEL = "selection.min_certificate_level"
YEARS = "selection.min_frontline_years"
DISCIPLINE = "selection.no_disciplinary_record"
TODAY = timezone.localdate()
TOMORROW = TODAY + dt.timedelta(days=1)
ADMINS = {"city_admin", "district_admin", "erqi_admin"}


def version(key, jurisdiction, value, effective_from=dt.date(2020, 1, 1), **kwargs):
    """A stored version, written directly so it may lie in the past."""
    return ParameterVersion.objects.create(
        key=key, jurisdiction=jurisdiction, value=value, effective_from=effective_from, **kwargs
    )


def policy_audit():
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(ParameterVersion))


# --- resolution ----------------------------------------------------------------


def test_with_nothing_stored_every_parameter_falls_back_to_the_registry_default(world):
    assert ParameterVersion.objects.count() == 0
    for parameter in PARAMETERS:
        for place in (world.city, world.jinshui, world.erqi):
            assert selectors.resolve(parameter.key, place) == (parameter.default, None)
    assert selectors.value(RATIO, world.jinshui) == 7
    assert selectors.value(LEVEL, world.jinshui) == "intermediate"
    assert selectors.value(YEARS, world.jinshui) == {"junior_college": 5, "bachelor": 4, "master": 3, "doctorate": 2}
    assert selectors.value(DISCIPLINE, world.jinshui) is True


def test_load_defaults_stores_the_city_defaults_once_and_a_second_run_writes_nothing(world):
    created = services.load_defaults()
    assert created == len(PARAMETERS)
    assert ParameterVersion.objects.count() == len(PARAMETERS)
    assert services.load_defaults() == 0
    assert ParameterVersion.objects.count() == len(PARAMETERS)
    value, source = selectors.resolve(RATIO, world.jinshui)
    assert value == 7
    assert source.jurisdiction == world.city
    # Dated from and citing the city's own policy document (its reference data).
    assert (source.effective_from, source.reason) == (dt.date(2018, 3, 13), "郑民文〔2018〕22号")


def test_load_defaults_leaves_a_changed_city_value_alone(world):
    services.load_defaults()
    version(RATIO, world.city, 9, dt.date(2024, 1, 1))
    assert services.load_defaults() == 0
    assert selectors.value(RATIO, world.jinshui) == 9


def test_a_district_inherits_the_city_value_until_it_sets_its_own(world):
    city_version = version(RATIO, world.city, 9)
    assert selectors.resolve(RATIO, world.jinshui) == (9, city_version)
    assert selectors.resolve(RATIO, world.erqi) == (9, city_version)


def test_a_district_override_wins_for_that_district_only(world):
    services.load_defaults()
    own = version(RATIO, world.jinshui, 5, dt.date(2022, 1, 1))
    assert selectors.resolve(RATIO, world.jinshui) == (5, own)
    assert selectors.value(RATIO, world.erqi) == 7
    assert selectors.value(RATIO, world.city) == 7


def test_a_district_override_wins_even_over_a_newer_city_value(world):
    version(RATIO, world.jinshui, 5, dt.date(2022, 1, 1))
    version(RATIO, world.city, 10, dt.date(2024, 1, 1))
    assert selectors.value(RATIO, world.jinshui) == 5
    assert selectors.value(RATIO, world.erqi) == 10


def test_a_future_version_is_not_in_force_today_but_is_from_its_date(world):
    services.load_defaults()
    future = version(RATIO, world.city, 8, TODAY + dt.timedelta(days=30))
    assert selectors.value(RATIO, world.city) == 7
    assert selectors.value(RATIO, world.jinshui, TODAY + dt.timedelta(days=29)) == 7
    assert selectors.resolve(RATIO, world.jinshui, TODAY + dt.timedelta(days=30)) == (8, future)


def test_versions_follow_each_other_by_effective_date(world):
    version(RATIO, world.city, 7, dt.date(2018, 3, 13))
    version(RATIO, world.city, 8, dt.date(2023, 1, 1))
    version(RATIO, world.city, 9, dt.date(2025, 1, 1))
    assert selectors.value(RATIO, world.city, dt.date(2018, 3, 12)) == 7  # before any version: the default
    assert selectors.value(RATIO, world.city, dt.date(2022, 12, 31)) == 7
    assert selectors.value(RATIO, world.city, dt.date(2023, 1, 1)) == 8
    assert selectors.value(RATIO, world.city, dt.date(2024, 12, 31)) == 8
    assert selectors.value(RATIO, world.city, dt.date(2025, 1, 1)) == 9


def test_a_district_version_not_yet_in_force_leaves_the_city_value(world):
    version(RATIO, world.city, 9)
    version(RATIO, world.jinshui, 5, TOMORROW)
    assert selectors.value(RATIO, world.jinshui) == 9
    assert selectors.value(RATIO, world.jinshui, TOMORROW) == 5


def test_a_parameter_districts_may_not_override_ignores_district_versions(world, monkeypatch):
    locked = dataclasses.replace(BY_KEY[RATIO], district_may_override=False)
    monkeypatch.setitem(BY_KEY, RATIO, locked)
    version(RATIO, world.city, 9)
    version(RATIO, world.jinshui, 5)
    assert selectors.value(RATIO, world.jinshui) == 9
    assert not selectors.settable_jurisdictions(world.district_admin, RATIO).exists()
    assert list(selectors.settable_jurisdictions(world.city_admin, RATIO)) == [world.city]


# --- set_parameter ---------------------------------------------------------------


def test_the_city_admin_sets_a_city_value_with_an_audit_entry(world):
    new = services.set_parameter(
        actor=world.city_admin, key=RATIO, jurisdiction=world.city, value=8, effective_from=TODAY, reason="市局会议决定"
    )
    new.refresh_from_db()
    assert (new.value, new.jurisdiction, new.effective_from, new.created_by) == (8, world.city, TODAY, world.city_admin)
    assert selectors.resolve(RATIO, world.erqi) == (8, new)
    entry = policy_audit().get()
    assert entry.actor == world.city_admin
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.object_id == str(new.pk)
    assert entry.changes["value"] == [7, 8]
    assert entry.changes["effective_from"] == [None, str(TODAY)]
    assert entry.reason == "市局会议决定"


def test_the_city_admin_may_also_set_a_district_value(world):
    new = services.set_parameter(
        actor=world.city_admin, key=RATIO, jurisdiction=world.erqi, value=6, effective_from=TODAY, reason="二七区试点"
    )
    assert selectors.resolve(RATIO, world.erqi) == (6, new)
    assert selectors.value(RATIO, world.jinshui) == 7


def test_a_district_admin_sets_its_own_district_value(world):
    services.load_defaults()
    new = services.set_parameter(
        actor=world.district_admin,
        key=YEARS,
        jurisdiction=world.jinshui,
        value={"junior_college": 4, "bachelor": 3, "master": 2, "doctorate": 1},
        effective_from=TOMORROW,
        reason="区定",
    )
    assert selectors.value(YEARS, world.jinshui, TOMORROW)["bachelor"] == 3
    assert selectors.value(YEARS, world.erqi, TOMORROW)["bachelor"] == 4
    assert (
        policy_audit().get(event="policy.parameter_version_added").changes["value"][0] == registry.BY_KEY[YEARS].default
    )
    assert new.created_by == world.district_admin


@pytest.mark.parametrize(
    ("persona", "where"),
    [
        ("district_admin", "city"),
        ("district_admin", "erqi"),
        ("erqi_admin", "jinshui"),
        ("hrss", "city"),
        ("agency_admin", "jinshui"),
        ("association", "city"),
        ("supervisor", "jinshui"),
    ],
)
def test_a_user_may_not_set_a_value_outside_what_they_administer(world, persona, where):
    with pytest.raises(PermissionDenied):
        services.set_parameter(
            actor=world.persona(persona),
            key=RATIO,
            jurisdiction=getattr(world, where),
            value=5,
            effective_from=TODAY,
            reason="越权",
        )
    assert ParameterVersion.objects.count() == 0
    assert policy_audit().count() == 0


def test_a_new_value_cannot_be_backdated(world):
    with pytest.raises(ValidationError) as exc:
        services.set_parameter(
            actor=world.city_admin,
            key=RATIO,
            jurisdiction=world.city,
            value=8,
            effective_from=TODAY - dt.timedelta(days=1),
            reason="补录",
        )
    assert "effective_from" in exc.value.message_dict
    assert ParameterVersion.objects.count() == 0


def test_a_reason_is_required(world):
    with pytest.raises(ValidationError) as exc:
        services.set_parameter(
            actor=world.city_admin, key=RATIO, jurisdiction=world.city, value=8, effective_from=TODAY, reason="  "
        )
    assert "reason" in exc.value.message_dict
    assert ParameterVersion.objects.count() == 0


def test_a_second_version_on_the_same_day_is_refused_with_a_message(world):
    services.set_parameter(
        actor=world.city_admin, key=RATIO, jurisdiction=world.city, value=8, effective_from=TOMORROW, reason="一"
    )
    with pytest.raises(ValidationError) as exc:
        services.set_parameter(
            actor=world.city_admin, key=RATIO, jurisdiction=world.city, value=9, effective_from=TOMORROW, reason="二"
        )
    assert "effective_from" in exc.value.message_dict
    assert ParameterVersion.objects.get().value == 8
    assert policy_audit().count() == 1


def test_an_unknown_parameter_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.set_parameter(
            actor=world.city_admin,
            key="selection.nope",
            jurisdiction=world.city,
            value=1,
            effective_from=TODAY,
            reason="x",
        )
    assert "key" in exc.value.message_dict


GOOD_YEARS = {"junior_college": 5, "bachelor": 4, "master": 3, "doctorate": 2}


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        (RATIO, "seven", "whole number"),
        (RATIO, 7.5, "whole number"),
        (RATIO, "7.0", "whole number"),
        (RATIO, None, "whole number"),
        (RATIO, True, "whole number"),
        (RATIO, 0, "at least 1"),
        (RATIO, -3, "at least 1"),
        (RATIO, 1001, "at most 1000"),
        (RATIO, [7], "whole number"),
        (LEVEL, "expert", "Choose one of"),
        (LEVEL, ["intermediate"], "Choose one of"),
        (DISCIPLINE, "maybe", "yes or no"),
        (DISCIPLINE, None, "yes or no"),
        (YEARS, [5, 4, 3, 2], "each education level"),
        (YEARS, {"bachelor": 4}, "each education level"),
        (YEARS, {**GOOD_YEARS, "postdoc": 1}, "each education level"),
        (YEARS, {**GOOD_YEARS, "master": "three"}, "whole number of years"),
        (YEARS, {**GOOD_YEARS, "master": 2.5}, "whole number of years"),
        (YEARS, {**GOOD_YEARS, "master": True}, "whole number of years"),
        (YEARS, {**GOOD_YEARS, "master": -1}, "at least 0"),
        (YEARS, {**GOOD_YEARS, "master": 51}, "at most 50"),
        (YEARS, 4, "each education level"),
    ],
)
def test_a_bad_value_is_refused_with_a_message_and_nothing_is_written(world, key, value, words):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.set_parameter(
            actor=world.city_admin, key=key, jurisdiction=world.city, value=value, effective_from=TODAY, reason="试"
        )
    assert words in " ".join(exc.value.message_dict["value"])
    assert ParameterVersion.objects.count() == 0
    assert policy_audit().count() == 0


@pytest.mark.parametrize(
    ("key", "value", "stored"),
    [
        (RATIO, "9", 9),
        (RATIO, " 9 ", 9),
        (LEVEL, "senior", "senior"),
        (DISCIPLINE, "false", False),
        (DISCIPLINE, False, False),
        (YEARS, {**GOOD_YEARS, "master": "2"}, {**GOOD_YEARS, "master": 2}),
    ],
)
def test_good_values_are_stored_in_their_canonical_form(world, key, value, stored):
    new = services.set_parameter(
        actor=world.city_admin, key=key, jurisdiction=world.city, value=value, effective_from=TODAY, reason="试"
    )
    new.refresh_from_db()
    assert new.value == stored
    assert selectors.value(key, world.jinshui) == stored


# --- pages -----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_every_signed_in_user_reads_the_parameter_list(world, login, persona):
    services.load_defaults()
    response = login(world.persona(persona)).get(reverse("policy:parameter_list"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["parameter"].key for r in rows] == [p.key for p in PARAMETERS]
    ratio = next(r for r in rows if r["parameter"].key == RATIO)
    assert ratio["value"] == "1:7"
    assert ratio["can_set"] is (persona in ADMINS)
    assert 'data-testid="parameter-table"' in response.content.decode()


def test_the_parameter_list_shows_the_district_value_to_its_district_admin(world, login):
    services.load_defaults()
    version(RATIO, world.jinshui, 5, dt.date(2024, 1, 1))
    mine = login(world.district_admin).get(reverse("policy:parameter_list")).context
    assert mine["jurisdiction"] == world.jinshui
    assert next(r for r in mine["rows"] if r["parameter"].key == RATIO)["value"] == "1:5"
    theirs = login(world.erqi_admin).get(reverse("policy:parameter_list")).context
    assert next(r for r in theirs["rows"] if r["parameter"].key == RATIO)["value"] == "1:7"


def test_the_parameter_list_exports_to_excel(world, login):
    response = login(world.hrss).get(reverse("policy:parameter_list"), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    rows = xlsx_rows(response)
    assert len(rows) == 1 + len(PARAMETERS)
    assert rows[1][1] == "1:7"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("policy:parameter_list"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_every_signed_in_user_reads_a_parameter_history_and_only_admins_get_the_form(world, login, persona):
    services.load_defaults()
    response = login(world.persona(persona)).get(reverse("policy:parameter_detail", args=[RATIO]))
    assert response.status_code == 200
    assert [h["version"].jurisdiction for h in response.context["history"]] == [world.city]
    assert response.context["history"][0]["value"] == "1:7"
    form = response.context["form"]
    assert (form is not None) is (persona in ADMINS)
    if persona == "city_admin":
        assert set(form.fields["jurisdiction"].queryset) >= {world.city, world.jinshui, world.erqi}
    elif persona == "district_admin":
        assert list(form.fields["jurisdiction"].queryset) == [world.jinshui]


def test_an_unknown_parameter_page_is_404(world, login):
    assert login(world.city_admin).get(reverse("policy:parameter_detail", args=["selection.nope"])).status_code == 404


def test_the_history_shows_district_versions_only_inside_the_reader_scope(world, login):
    services.load_defaults()
    version(RATIO, world.jinshui, 5, dt.date(2024, 1, 1))
    version(RATIO, world.erqi, 6, dt.date(2024, 1, 1))

    def places(user):
        response = login(user).get(reverse("policy:parameter_detail", args=[RATIO]))
        return {h["version"].jurisdiction.code for h in response.context["history"]}

    assert places(world.district_admin) == {"410100", "410105"}
    assert places(world.erqi_admin) == {"410100", "410103"}
    assert places(world.city_admin) == {"410100", "410105", "410103"}
    assert places(world.agency_admin) == {"410100"}


def test_the_city_admin_records_a_new_value_in_the_page_and_sees_it_in_the_history(world, login):
    client = login(world.city_admin)
    response = client.post(
        reverse("policy:parameter_detail", args=[RATIO]),
        {"jurisdiction": world.city.pk, "value": "8", "effective_from": TOMORROW.isoformat(), "reason": "调整比例"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("policy:parameter_detail", args=[RATIO])
    stored = ParameterVersion.objects.get()
    assert (stored.value, stored.effective_from, stored.created_by) == (8, TOMORROW, world.city_admin)
    history = client.get(reverse("policy:parameter_detail", args=[RATIO])).context["history"]
    assert [h["value"] for h in history] == ["1:8"]


def test_the_years_table_is_entered_one_field_per_education_level(world, login):
    response = login(world.district_admin).post(
        reverse("policy:parameter_detail", args=[YEARS]),
        {
            "jurisdiction": world.jinshui.pk,
            "years_junior_college": "4",
            "years_bachelor": "3",
            "years_master": "2",
            "years_doctorate": "1",
            "effective_from": TODAY.isoformat(),
            "reason": "区定",
        },
    )
    assert response.status_code == 302
    assert ParameterVersion.objects.get().value == {"junior_college": 4, "bachelor": 3, "master": 2, "doctorate": 1}


def test_a_backdated_value_in_the_page_is_shown_on_the_date_field_and_not_written(world, login):
    response = login(world.city_admin).post(
        reverse("policy:parameter_detail", args=[RATIO]),
        {"jurisdiction": world.city.pk, "value": "8", "effective_from": "2020-01-01", "reason": "补录"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["effective_from"]
    assert ParameterVersion.objects.count() == 0


def test_an_out_of_range_value_in_the_page_is_refused(world, login):
    response = login(world.city_admin).post(
        reverse("policy:parameter_detail", args=[RATIO]),
        {"jurisdiction": world.city.pk, "value": "0", "effective_from": TODAY.isoformat(), "reason": "试"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["value"]
    assert ParameterVersion.objects.count() == 0


def test_a_district_admin_cannot_pick_the_city_in_the_page(world, login):
    response = login(world.district_admin).post(
        reverse("policy:parameter_detail", args=[RATIO]),
        {"jurisdiction": world.city.pk, "value": "5", "effective_from": TODAY.isoformat(), "reason": "越权"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["jurisdiction"]
    assert ParameterVersion.objects.count() == 0


@pytest.mark.parametrize("persona", sorted(set(ALL_PERSONAS) - ADMINS))
def test_a_post_by_a_read_only_role_is_forbidden(world, login, persona):
    response = login(world.persona(persona)).post(
        reverse("policy:parameter_detail", args=[RATIO]),
        {"jurisdiction": world.city.pk, "value": "5", "effective_from": TODAY.isoformat(), "reason": "越权"},
    )
    assert response.status_code == 403
    assert ParameterVersion.objects.count() == 0


# --- API -------------------------------------------------------------------------

API = "/api/v1/policy/parameters/"


def test_the_api_lists_the_values_in_force(world, api):
    version(RATIO, world.jinshui, 5, dt.date(2024, 1, 1))
    response = api(world.hrss).get(API)
    assert response.status_code == 200
    body = {row["key"]: row for row in response.json()}
    assert set(body) == {p.key for p in PARAMETERS}
    assert body[RATIO]["value"] == 7
    assert body[RATIO]["source"] is None
    assert body[RATIO]["kind"] == "int"
    assert body[RATIO]["district_may_override"] is True

    district = {row["key"]: row for row in api(world.hrss).get(API, {"jurisdiction": "410105"}).json()}
    assert district[RATIO]["value"] == 5
    assert district[RATIO]["source"]["jurisdiction"] == "410105"
    before = {
        row["key"]: row for row in api(world.hrss).get(API, {"jurisdiction": "410105", "on": "2023-12-31"}).json()
    }
    assert before[RATIO]["value"] == 7


def test_the_api_refuses_a_bad_date_and_an_unknown_jurisdiction(world, api):
    assert api(world.hrss).get(API, {"on": "yesterday"}).status_code == 400
    assert api(world.hrss).get(API, {"jurisdiction": "999999"}).status_code == 404


def test_the_api_requires_sign_in(world, api):
    assert api().get(API).status_code in (401, 403)


def test_the_api_retrieves_one_parameter_with_its_history(world, api):
    services.load_defaults()
    version(RATIO, world.city, 8, dt.date(2024, 1, 1), reason="调整")
    response = api(world.district_admin).get(f"{API}{RATIO}/")
    assert response.status_code == 200
    body = response.json()
    assert body["parameter"]["key"] == RATIO
    assert body["parameter"]["value"] == 8
    assert [(h["value"], h["effective_from"]) for h in body["history"]] == [(8, "2024-01-01"), (7, "2018-03-13")]
    assert api(world.district_admin).get(f"{API}selection.nope/").status_code == 404


def test_the_api_records_a_new_version_with_put(world, api):
    response = api(world.city_admin).put(
        f"{API}{RATIO}/",
        {"jurisdiction": "410100", "effective_from": TOMORROW.isoformat(), "value": 8, "reason": "调整"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["key"], body["jurisdiction"], body["value"], body["created_by"]) == (RATIO, "410100", 8, "city_admin")
    assert ParameterVersion.objects.get().value == 8
    assert policy_audit().count() == 1


def test_a_district_admin_puts_its_own_district_value_but_not_the_city_value(world, api):
    client = api(world.district_admin)
    ok = client.put(
        f"{API}{RATIO}/",
        {"jurisdiction": "410105", "effective_from": TODAY.isoformat(), "value": 5, "reason": "区定"},
        format="json",
    )
    assert ok.status_code == 201
    refused = client.put(
        f"{API}{RATIO}/",
        {"jurisdiction": "410100", "effective_from": TODAY.isoformat(), "value": 5, "reason": "越权"},
        format="json",
    )
    assert refused.status_code == 403
    assert list(ParameterVersion.objects.values_list("jurisdiction__code", flat=True)) == ["410105"]


@pytest.mark.parametrize("persona", ["hrss", "finance", "association", "agency_admin", "supervisor", "trainer"])
def test_read_only_roles_get_403_from_put(world, api, persona):
    response = api(world.persona(persona)).put(
        f"{API}{RATIO}/",
        {"jurisdiction": "410100", "effective_from": TODAY.isoformat(), "value": 8, "reason": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert ParameterVersion.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"value": "eight"}, "value"),
        ({"value": 0}, "value"),
        ({"value": True}, "value"),
        ({"effective_from": "2020-01-01"}, "effective_from"),
        ({"effective_from": "not a date"}, "effective_from"),
        ({"jurisdiction": "999999"}, "jurisdiction"),
        ({"reason": ""}, "reason"),
    ],
)
def test_a_bad_put_is_400_with_the_field_and_writes_nothing(world, api, payload, field):
    data = {"jurisdiction": "410100", "effective_from": TODAY.isoformat(), "value": 8, "reason": "x", **payload}
    response = api(world.city_admin).put(f"{API}{RATIO}/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert ParameterVersion.objects.count() == 0


def test_put_on_an_unknown_parameter_is_404(world, api):
    response = api(world.city_admin).put(
        f"{API}selection.nope/",
        {"jurisdiction": "410100", "effective_from": TODAY.isoformat(), "value": 8, "reason": "x"},
        format="json",
    )
    assert response.status_code == 404
