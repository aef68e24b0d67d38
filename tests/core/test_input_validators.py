"""The validators every text, phone and date input goes through (issue 8,
items 2 and 11): forms, the API, services and imports call these."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from dudao.core.validators import (
    clean_text,
    forbidden_character,
    is_valid_id,
    is_valid_phone,
    normalize_phone,
    validate_date_ahead,
    validate_multiline_text,
    validate_past_date,
    validate_phone,
    validate_single_line_text,
    validate_year,
)

TODAY = dt.date(2026, 6, 30)


@pytest.mark.parametrize(
    "text",
    [
        "张三",
        "阿卜杜·热合曼",
        "O'Brien-Smith",
        "金水区 花园路 1 号",
        "郑州市社会工作协会（筹）",
        "社工🙂",
        "Ａ座１０１",
    ],
)
def test_ordinary_names_and_addresses_pass(text):
    validate_single_line_text(text)
    validate_multiline_text(text)


@pytest.mark.parametrize(
    "char",
    [
        "\x00",
        "\x01",
        "\x07",
        "\x1b",
        "\x7f",
        "\x85",  # C1 control
        "\u200b",  # zero-width space
        "\u202e",  # right-to-left override
        "\u2066",  # bidi isolate
        "\ufeff",  # byte-order mark
        "\u00ad",  # soft hyphen
        "\ue000",  # private use
        "\U000f0000",  # supplementary private use
        "\ufffe",  # noncharacter
        "\ufdd0",  # noncharacter
        "\ud800",  # lone surrogate
    ],
)
def test_control_and_invisible_characters_are_refused_everywhere(char):
    for validate in (validate_single_line_text, validate_multiline_text):
        with pytest.raises(ValidationError) as exc:
            validate(f"张{char}三")
        assert exc.value.code == "control_character"


@pytest.mark.parametrize("char", ["\n", "\r", "\t", "\u2028"])
def test_line_breaks_belong_in_multi_line_text_only(char):
    validate_multiline_text(f"第一行{char}第二行")
    with pytest.raises(ValidationError):
        validate_single_line_text(f"张{char}三")


def test_the_message_is_chinese_and_names_the_character():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_single_line_text("张\x01三")
    message = exc.value.messages[0]
    assert "U+0001" in message and "控制字符" in message


ORDINARY = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Co", "Cs", "Zl", "Zp", "Cn")), max_size=40)
FORBIDDEN = st.sampled_from(["\x00", "\x01", "\x1f", "\x7f", "\x9f", "\u200b", "\u202e", "\ufeff", "\ue000", "\uffff"])


@given(ORDINARY, FORBIDDEN, st.integers(min_value=0))
def test_any_text_passes_until_one_forbidden_character_is_slipped_in(text, char, at):
    validate_single_line_text(text)
    validate_multiline_text(text)
    at %= len(text) + 1
    poisoned = text[:at] + char + text[at:]
    assert forbidden_character(poisoned) == char
    with pytest.raises(ValidationError):
        validate_single_line_text(poisoned)
    with pytest.raises(ValidationError):
        validate_multiline_text(poisoned)


def test_clean_text_strips_and_names_the_field():
    assert clean_text("  理由  ", field="reason") == "理由"
    with pytest.raises(ValidationError) as exc:
        clean_text("理\x01由", field="reason")
    assert list(exc.value.message_dict) == ["reason"]
    with pytest.raises(ValidationError) as exc:
        clean_text("长" * 11, field="reason", max_length=10)
    assert "10" in exc.value.message_dict["reason"][0]


@pytest.mark.parametrize(
    "phone",
    [
        "13812345678",
        "19912345678",
        "0371-61234567",
        "037161234567",
        "010-62345678",
        "0371-6123456",
        "0371-61234567-123",
    ],
)
def test_chinese_phone_numbers_pass(phone):
    assert is_valid_phone(phone)
    validate_phone(phone)


@pytest.mark.parametrize(
    "phone",
    [
        "call me",
        "请打办公室电话",
        "1381234567",
        "138123456789",
        "12812345678",
        "0371-01234567",
        "371-61234567",
        "+1 555 123 4567",
        "0371-61234567-1234567",
        "13812345678\x00",
    ],
)
def test_free_text_and_malformed_numbers_are_refused(phone):
    assert not is_valid_phone(phone)
    with pytest.raises(ValidationError):
        validate_phone(phone)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("+86 138 1234 5678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("(0371) 6123 4567", "037161234567"),
        ("0371－61234567", "0371-61234567"),
    ],
)
def test_phones_are_stored_in_one_form(raw, stored):
    assert normalize_phone(raw) == stored
    assert is_valid_phone(normalize_phone(raw))


def test_a_past_event_is_not_in_the_future_nor_before_1900_nor_before_birth():
    born = dt.date(1990, 5, 1)
    validate_past_date(dt.date(2015, 7, 1), field="d", born=born, today=TODAY)
    validate_past_date(TODAY, field="d", born=born, today=TODAY)
    validate_past_date(born, field="d", born=born, today=TODAY)
    for bad in [
        dt.date(9999, 12, 31),
        TODAY + dt.timedelta(days=1),
        dt.date(1, 1, 1),
        dt.date(1899, 12, 31),
        dt.date(1990, 4, 30),
    ]:
        with pytest.raises(ValidationError) as exc:
            validate_past_date(bad, field="frontline_since", born=born, today=TODAY)
        assert list(exc.value.message_dict) == ["frontline_since"]


def test_a_date_ahead_is_at_most_so_many_years_ahead():
    validate_date_ahead(dt.date(2031, 6, 30), field="d", years=5, today=TODAY)
    with pytest.raises(ValidationError):
        validate_date_ahead(dt.date(2031, 7, 1), field="d", years=5, today=TODAY)
    with pytest.raises(ValidationError):
        validate_date_ahead(dt.date(9999, 12, 31), field="d", today=TODAY)
    with pytest.raises(ValidationError):
        validate_date_ahead(dt.date(2017, 12, 31), field="d", earliest=dt.date(2018, 1, 1), today=TODAY)


@pytest.mark.parametrize("year", [2018, 2026, 2031])
def test_sane_years_pass(year):
    validate_year(year, today=TODAY)


@pytest.mark.parametrize("year", [99999999999, 2017, 2032, 0, -1, True])
def test_absurd_years_are_refused(year):
    with pytest.raises(ValidationError):
        validate_year(year, today=TODAY)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("1", True),
        (str(2**63 - 1), True),
        (str(2**63), False),
        ("0", False),
        ("-1", False),
        ("1.0", False),
        ("１", False),
    ],
)
def test_ids_are_whole_numbers_the_database_holds(value, ok):
    assert is_valid_id(value) is ok
