"""Parameter kinds (policy/kinds.py): each kind cleans a value into one stored
form, refuses a bad one in words, shows it in Chinese, builds its form fields
and describes itself in the OpenAPI document. Choices come from the reference
data, not from copies of its codes."""

import dataclasses
import datetime as dt
import string
from decimal import Decimal

import jsonschema
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import assume, given
from hypothesis import strategies as st

from dudao.directory.models import CertificateLevel, EducationLevel
from dudao.policy import kinds, registry
from dudao.policy.forms import ParameterForm
from dudao.policy.kinds import KINDS, Kind, kind_of, register
from dudao.policy.models import ParameterVersion
from dudao.policy.registry import BY_KEY, PARAMETERS, Parameter, clean_value, display

TODAY = timezone.localdate()


def param(kind, **kwargs):
    return Parameter(
        key=f"test.{kind}", label=kind, help="", kind=kind, default=None, district_may_override=True, **kwargs
    )


MONEY, PERCENT, WEIGHTS, COMPETENCIES, DAYS = (
    param("money"),
    param("percentage"),
    param("weight_table"),
    param("competency_list"),
    param("day_count"),
)


def refused(parameter, value) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        clean_value(parameter, value)
    return " ".join(exc.value.messages)


# --- the registry ------------------------------------------------------------------------


def test_every_parameter_names_a_registered_kind_and_its_default_is_already_clean(reference):
    for parameter in PARAMETERS:
        assert kind_of(parameter) is KINDS[parameter.kind]
        assert clean_value(parameter, parameter.default) == parameter.default, parameter.key


def test_the_kinds_the_next_issues_need_are_registered():
    assert {"int", "bool", "choice", "years_by_education", "money", "percentage", "weight_table"} <= set(KINDS)
    assert {"competency_list", "day_count"} <= set(KINDS)
    for name, kind in KINDS.items():
        assert isinstance(kind, Kind)
        assert kind.name == name
        assert str(kind.label)


def test_a_kind_name_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="twice"):

        @register
        class Again(Kind):
            name = "money"


def test_an_unknown_kind_is_an_error_not_a_silent_default():
    with pytest.raises(ValueError, match="unknown kind"):
        kind_of(param("nonsense"))


def test_no_module_tests_a_kind_by_its_name(settings):
    """Every `if kind == ...` chain became a call on the kind (issue 9, item 5)."""
    from pathlib import Path

    root = Path(settings.BASE_DIR) / "dudao"
    names = "|".join(KINDS)
    import re

    pattern = re.compile(rf"""kind\s*(==|!=|in)\s*[\(\[{{]?\s*["']({names})["']""")
    offenders = [str(p) for p in root.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


# --- money ---------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10**14 - 1)


@given(cents)
def test_money_is_stored_as_exact_text_with_two_places_whatever_the_spelling(n):
    amount = Decimal(n) / 100
    stored = MONEY.value_kind.clean(MONEY, f"{amount:f}")
    assert stored == f"{amount:.2f}"
    assert Decimal(stored) == amount
    assert MONEY.value_kind.clean(MONEY, stored) == stored
    assert MONEY.value_kind.clean(MONEY, amount) == stored


@given(st.integers(min_value=0, max_value=10**11))
def test_whole_yuan_get_two_places(n):
    assert MONEY.value_kind.clean(MONEY, n) == f"{n}.00"


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_money_never_accepts_a_float(x):
    with pytest.raises(ValidationError):
        MONEY.value_kind.clean(MONEY, x)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("-1", "cannot be negative"),
        (-5, "cannot be negative"),
        ("12.345", "at most two decimal places"),
        ("12,50", "a number"),
        ("1e3", "a number"),
        ("NaN", "a number"),
        (None, "a number"),
        (True, "a number"),
        ([1], "a number"),
        (12.5, "as text"),
        ("1000000000000", "too large"),
    ],
)
def test_a_bad_amount_is_refused_with_a_reason(value, words):
    assert words in refused(MONEY, value)


def test_minus_zero_is_zero():
    assert MONEY.value_kind.clean(MONEY, "-0.00") == "0.00"


# --- percentage ----------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10000))
def test_every_percentage_from_0_to_100_with_two_places_is_accepted(n):
    share = Decimal(n) / 100
    assert PERCENT.value_kind.clean(PERCENT, f"{share}") == f"{share:.2f}"


@given(st.integers(min_value=10001, max_value=10**8))
def test_a_percentage_over_100_is_refused(n):
    with pytest.raises(ValidationError):
        PERCENT.value_kind.clean(PERCENT, str(Decimal(n) / 100))


@pytest.mark.parametrize(("value", "words"), [("-0.01", "negative"), ("100.01", "more than 100"), (50.5, "as text")])
def test_a_bad_percentage_is_refused_with_a_reason(value, words):
    assert words in refused(PERCENT, value)


# --- weight table --------------------------------------------------------------------------

names = st.text(alphabet=string.ascii_letters + "理论实务伦理督导", min_size=1, max_size=12)


@st.composite
def weight_tables(draw):
    """Unique names with weights in cents adding up to exactly 100."""
    keys = draw(st.lists(names, min_size=1, max_size=8, unique_by=str.casefold))
    cuts = sorted(draw(st.lists(st.integers(0, 10000), min_size=len(keys) - 1, max_size=len(keys) - 1)))
    bounds = [0, *cuts, 10000]
    return {k: f"{Decimal(bounds[i + 1] - bounds[i]) / 100:.2f}" for i, k in enumerate(keys)}


@given(weight_tables())
def test_weights_adding_up_to_100_are_accepted_and_cleaning_twice_changes_nothing(table):
    stored = WEIGHTS.value_kind.clean(WEIGHTS, table)
    assert stored == table
    assert WEIGHTS.value_kind.clean(WEIGHTS, stored) == stored
    assert sum(Decimal(w) for w in stored.values()) == 100


@given(weight_tables(), st.integers(min_value=1, max_value=500))
def test_weights_not_adding_up_to_100_are_refused(table, extra):
    first = next(iter(table))
    table[first] = f"{Decimal(table[first]) + Decimal(extra) / 100:.2f}"
    assume(Decimal(table[first]) <= 100)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        WEIGHTS.value_kind.clean(WEIGHTS, table)
    assert "add up to 100" in " ".join(exc.value.messages)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({}, "at least one item"),
        ([["理论", 40]], "at least one item"),
        ({"理论": "40", "理论 ": "60"}, "listed twice"),
        ({"Theory": "40", "theory": "60"}, "listed twice"),
        ({" ": "100"}, "empty"),
        ({"理论": 40.0, "实务": 60}, "as text"),
        ({"理论": "140", "实务": "-40"}, "more than 100"),
        ({"理\x00论": "100"}, "control or invisible"),
    ],
)
def test_a_bad_weight_table_is_refused_with_a_reason(value, words):
    assert words in refused(WEIGHTS, value)


def test_weights_are_given_as_whole_numbers_or_text_and_stored_as_text():
    assert WEIGHTS.value_kind.clean(WEIGHTS, {" 理论 ": 40, "实务": "60"}) == {"理论": "40.00", "实务": "60.00"}


# --- competency list -------------------------------------------------------------------------

items = st.text(alphabet=string.ascii_letters + "沟通评估督导伦理 ", min_size=1, max_size=30).filter(str.strip)


@given(st.lists(items, min_size=1, max_size=20, unique_by=lambda s: s.strip().casefold()))
def test_distinct_competencies_are_kept_in_order_trimmed(values):
    stored = COMPETENCIES.value_kind.clean(COMPETENCIES, values)
    assert stored == [v.strip() for v in values]
    assert COMPETENCIES.value_kind.clean(COMPETENCIES, stored) == stored


@given(st.lists(items, min_size=1, max_size=10), st.data())
def test_a_repeated_competency_is_refused(values, data):
    repeated = data.draw(st.sampled_from(values))
    with pytest.raises(ValidationError):
        COMPETENCIES.value_kind.clean(COMPETENCIES, [*values, repeated])


@pytest.mark.parametrize(
    ("value", "words"),
    [([], "at least one"), ("沟通", "at least one"), (["沟通", " "], "empty"), (["沟通", 3], "must be text")],
)
def test_a_bad_competency_list_is_refused_with_a_reason(value, words):
    assert words in refused(COMPETENCIES, value)


# --- day count -----------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**9))
def test_any_non_negative_number_of_days_is_accepted(n):
    assert DAYS.value_kind.clean(DAYS, n) == n
    assert DAYS.value_kind.clean(DAYS, str(n)) == n


@given(st.integers(max_value=-1))
def test_a_negative_number_of_days_is_refused(n):
    with pytest.raises(ValidationError):
        DAYS.value_kind.clean(DAYS, n)


@pytest.mark.parametrize("value", [1.5, "1.5", True, None, "三"])
def test_a_day_count_is_a_whole_number(value):
    assert "whole number of days" in refused(DAYS, value)


# --- choices come from the reference data --------------------------------------------------

LEVEL = BY_KEY["selection.min_certificate_level"]
YEARS = BY_KEY["selection.min_frontline_years"]


def test_a_certificate_level_added_to_the_reference_data_becomes_a_choice(reference):
    CertificateLevel.objects.create(code="principal", name="正高级社会工作师", rank=4, order=4)
    assert clean_value(LEVEL, "principal") == "principal"
    assert display(LEVEL, "principal") == "正高级社会工作师"
    form = ParameterForm(parameter=LEVEL, jurisdictions=reference["410100"].__class__.objects.all())
    assert ("principal", "正高级社会工作师") in form.fields["value"].choices


def test_an_archived_level_is_no_longer_a_choice_but_an_old_value_still_reads(reference):
    CertificateLevel.objects.filter(code="assistant").update(is_active=False)
    assert "Choose one of" in refused(LEVEL, "assistant")
    assert display(LEVEL, "assistant") == "助理社会工作师"


def test_the_years_table_asks_for_the_education_levels_of_the_reference_data(reference):
    EducationLevel.objects.create(code="postdoc", name="博士后", rank=5, order=5)
    old = {"junior_college": 5, "bachelor": 4, "master": 3, "doctorate": 2}
    assert "each education level" in refused(YEARS, old)
    assert clean_value(YEARS, {**old, "postdoc": 1})["postdoc"] == 1
    # A value stored before the level existed still reads, in the reference data's order.
    with translation.override("zh-hans"):
        assert display(YEARS, {"master": 3, "junior_college": 5}).startswith("大专")


def test_a_choice_parameter_may_name_another_reference_data_set(reference):
    domain = param("choice", domain="service_domains")
    assert clean_value(domain, "elderly") == "elderly"
    assert display(domain, "elderly") == "养老"
    assert "Choose one of" in refused(domain, "intermediate")


def test_reminder_days_are_kept_largest_first_and_read_from_a_typed_list():
    reminder_days = BY_KEY["notifications.reminder_days"]
    assert clean_value(reminder_days, [1, "7", 3]) == [7, 3, 1]
    typed = reminder_days.value_kind.form_value(reminder_days, {"value": "1，3、 7"})
    assert clean_value(reminder_days, typed) == [7, 3, 1]
    assert clean_value(reminder_days, reminder_days.value_kind.form_value(reminder_days, {"value": ""})) == []


# --- Chinese words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameter", "value", "shown"),
    [
        (MONEY, None, "—"),
        (WEIGHTS, "not a table", "not a table"),
        (MONEY, "garbage", "garbage"),
        (MONEY, "1200.50", "1,200.50 元"),
        (PERCENT, "12.50", "12.5%"),
        (PERCENT, "100.00", "100%"),
        (WEIGHTS, {"理论": "40.00", "实务": "60.00"}, "实务 60%、理论 40%"),
        (WEIGHTS, {"b": "25.00", "a": "25.00", "c": "50.00"}, "c 50%、a 25%、b 25%"),
        (COMPETENCIES, ["沟通", "评估"], "沟通、评估"),
        (DAYS, 30, "30 天"),
        (BY_KEY["selection.no_disciplinary_record"], True, "是"),
        (BY_KEY["selection.nomination_ratio"], 7, "1:7"),
        (BY_KEY["notifications.reminder_days"], [3, 1], "截止前3、1天"),
        (BY_KEY["notifications.reminder_days"], [], "无"),
    ],
)
def test_values_read_in_chinese(parameter, value, shown):
    with translation.override("zh-hans"):
        assert display(parameter, value) == shown


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        (MONEY, "-1"),
        (PERCENT, "101"),
        (WEIGHTS, {"理论": "40"}),
        (COMPETENCIES, []),
        (DAYS, -1),
        (MONEY, 1.5),
        (BY_KEY["notifications.reminder_days"], [3, 3]),
        (BY_KEY["notifications.reminder_days"], [31]),
        (BY_KEY["notifications.reminder_days"], "3"),
    ],
)
def test_refusals_read_in_chinese(parameter, value):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        clean_value(parameter, value)
    message = " ".join(exc.value.messages)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert not any(ch in string.ascii_letters for ch in message.replace("e.g.", "")), message


# --- the API document ---------------------------------------------------------------------------

SAMPLES = {
    "int": 7,
    "day_count": 30,
    "bool": True,
    "choice": "intermediate",
    "years_by_education": {"junior_college": 5, "bachelor": 4, "master": 3, "doctorate": 2},
    "money": "1200.00",
    "percentage": "40.00",
    "weight_table": {"理论": "40.00", "实务": "60.00"},
    "competency_list": ["沟通", "评估"],
    "hours_by_supervisee_type": {"new": 4, "intern": 4, "frontline": 2, "other": 0},
    "day_list": [3, 1],
}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_a_stored_value_matches_its_kind_schema_and_the_api_value_schema(reference, name):
    from dudao.policy.kinds import any_value_schema

    parameter = param(name, domain="certificate_levels")
    stored = clean_value(parameter, SAMPLES[name])
    jsonschema.validate(stored, KINDS[name].schema(parameter))
    jsonschema.validate(stored, any_value_schema())


def test_the_openapi_document_describes_the_value_and_names_the_kinds():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    fragments = schema["ParameterSchema"]["properties"]["value"]["anyOf"]
    assert {f.get("type") for f in fragments} == {"integer", "boolean", "string", "object", "array"}
    assert {"type": "string", "pattern": kinds.MONEY_PATTERN, "example": "1200.00"} in fragments
    kind = schema["ParameterSchema"]["properties"]["kind"]
    enum = schema[kind["$ref"].rsplit("/", 1)[1]]["enum"] if "$ref" in kind else kind["enum"]
    assert set(enum) == set(KINDS)
    assert "anyOf" in schema["Version"]["properties"]["value"]


# --- the page and the API take every kind -------------------------------------------------------

NEW_KINDS = {
    MONEY: ({"value": "1200.5"}, "1200.50", {"value": "-3"}),
    PERCENT: ({"value": "12.5"}, "12.50", {"value": "150"}),
    WEIGHTS: ({"value": "理论：40\n实务: 60%"}, {"理论": "40.00", "实务": "60.00"}, {"value": "理论：40\n实务：50"}),
    COMPETENCIES: ({"value": "沟通\n\n评估 "}, ["沟通", "评估"], {"value": "沟通\n沟通"}),
    DAYS: ({"value": "30"}, 30, {"value": "-1"}),
}


@pytest.fixture
def extra_parameters(monkeypatch):
    """The new kinds as parameters of their own, for the pages and the API."""
    for parameter in NEW_KINDS:
        monkeypatch.setitem(BY_KEY, parameter.key, parameter)
    PARAMETERS.extend(NEW_KINDS)
    yield
    del PARAMETERS[-len(NEW_KINDS) :]


@pytest.mark.parametrize("parameter", list(NEW_KINDS), ids=lambda p: p.kind)
def test_the_page_records_a_good_value_of_every_kind_and_shows_it(world, login, extra_parameters, parameter):
    good, stored, _bad = NEW_KINDS[parameter]
    client = login(world.city_admin)
    url = reverse("policy:parameter_detail", args=[parameter.key])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"jurisdiction": world.city.pk, "effective_from": TODAY.isoformat(), "reason": "试行", **good}
    )
    assert response.status_code == 302, response.context["form"].errors
    assert ParameterVersion.objects.get(key=parameter.key).value == stored
    page = client.get(url)
    assert page.context["history"][0]["value"] == display(parameter, stored)
    # The form starts from the value in force.
    assert page.context["form"].initial.get(next(iter(page.context["form"].value_fields))) not in (None, "")
    assert client.get(reverse("policy:parameter_list")).status_code == 200


@pytest.mark.parametrize("parameter", list(NEW_KINDS), ids=lambda p: p.kind)
def test_the_page_refuses_a_bad_value_of_every_kind_in_chinese(world, login, extra_parameters, parameter):
    _good, _stored, bad = NEW_KINDS[parameter]
    response = login(world.city_admin).post(
        reverse("policy:parameter_detail", args=[parameter.key]),
        {"jurisdiction": world.city.pk, "effective_from": TODAY.isoformat(), "reason": "试行", **bad},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["value"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors), errors
    assert not ParameterVersion.objects.filter(key=parameter.key).exists()


@pytest.mark.parametrize(
    ("parameter", "value", "stored"),
    [
        (MONEY, "1200.5", "1200.50"),
        (MONEY, 300, "300.00"),
        (PERCENT, "12.5", "12.50"),
        (WEIGHTS, {"理论": 40, "实务": "60"}, {"理论": "40.00", "实务": "60.00"}),
        (COMPETENCIES, ["沟通", "评估"], ["沟通", "评估"]),
        (DAYS, 30, 30),
    ],
    ids=lambda v: getattr(v, "kind", None),
)
def test_the_api_records_every_kind_in_its_stored_form(world, api, extra_parameters, parameter, value, stored):
    body = {"jurisdiction": "410100", "effective_from": TODAY.isoformat(), "value": value, "reason": "试行"}
    response = api(world.city_admin).put(f"/api/v1/policy/parameters/{parameter.key}/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["value"] == stored
    listed = {row["key"]: row for row in api(world.city_admin).get("/api/v1/policy/parameters/").json()}
    assert listed[parameter.key]["kind"] == parameter.kind


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        (MONEY, 12.5),
        (MONEY, "-1"),
        (PERCENT, "101"),
        (WEIGHTS, {"理论": "40"}),
        (WEIGHTS, "理论：100"),
        (COMPETENCIES, []),
        (COMPETENCIES, {"a": 1}),
        (DAYS, -1),
        (DAYS, None),
    ],
    ids=lambda v: getattr(v, "kind", None),
)
def test_the_api_refuses_a_bad_value_of_every_kind_with_a_400(world, api, extra_parameters, parameter, value):
    body = {"jurisdiction": "410100", "effective_from": TODAY.isoformat(), "value": value, "reason": "试行"}
    response = api(world.city_admin).put(f"/api/v1/policy/parameters/{parameter.key}/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["value"]
    assert not ParameterVersion.objects.filter(key=parameter.key).exists()


def test_values_stored_before_the_kinds_were_classes_still_load_and_read(world, login):
    """The stored shape did not change, so no data migration: old rows resolve and display."""
    for key, value in [
        ("selection.nomination_ratio", 9),
        ("selection.min_certificate_level", "senior"),
        ("selection.min_frontline_years", {"doctorate": 1, "master": 2, "bachelor": 3, "junior_college": 4}),
        ("selection.no_disciplinary_record", False),
    ]:
        ParameterVersion.objects.create(
            key=key, jurisdiction=world.city, value=value, effective_from=dt.date(2020, 1, 1)
        )
        assert clean_value(BY_KEY[key], value) == value
    rows = {
        r["parameter"].key: r["value"] for r in login(world.hrss).get(reverse("policy:parameter_list")).context["rows"]
    }
    assert rows["selection.nomination_ratio"] == "1:9"
    assert rows["selection.min_certificate_level"] == "高级社会工作师"
    assert rows["selection.min_frontline_years"].startswith("大专 4")
    assert rows["selection.no_disciplinary_record"] == "否"


def test_a_parameter_copied_with_dataclasses_replace_keeps_its_kind_and_template():
    locked = dataclasses.replace(BY_KEY["selection.nomination_ratio"], district_may_override=False)
    assert locked.value_kind is KINDS["int"]
    assert registry.display(locked, 5) == "1:5"


HOURS = param("hours_by_supervisee_type", minimum=0, maximum=100)


def test_hours_by_supervisee_type_needs_every_type_in_whole_hours():
    assert clean_value(HOURS, {"new": "4", "intern": 4, "frontline": 2, "other": 0}) == {
        "new": 4,
        "intern": 4,
        "frontline": 2,
        "other": 0,
    }
    for bad in ({"new": 4}, {"new": 4, "intern": 4, "frontline": 2.5, "other": 0}, [4, 4, 2, 0]):
        with pytest.raises(ValidationError):
            clean_value(HOURS, bad)
    with pytest.raises(ValidationError):
        clean_value(HOURS, {"new": 101, "intern": 4, "frontline": 2, "other": 0})


def test_hours_by_supervisee_type_reads_in_chinese():
    with translation.override("zh-hans"):
        shown = display(HOURS, {"new": 4, "intern": 4, "frontline": 2, "other": 0})
    assert shown.count("、") == 3 and "4" in shown and not any(c in string.ascii_letters for c in shown)
