"""The two national identifiers: GB 32100 credit codes and GB 11643 ID numbers.

The property tests build valid identifiers from scratch (random body plus the
computed check character) and then show that every single-character typo, in
any position and with any other character, is refused.
"""

import datetime as dt
import string

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from dudao.core.validators import (
    CREDIT_CODE_ALPHABET,
    birth_date_from_id,
    credit_code_check_char,
    gender_from_id,
    id_check_char,
    is_valid_credit_code,
    is_valid_id_number,
    mask_id_number,
    normalize_code,
    validate_credit_code,
    validate_id_number,
)

# What a typo can turn a character into: ASCII letters and digits of either
# case, the letters the credit code leaves out, punctuation, full-width and
# other Unicode digits that str.isdigit() accepts, and a Chinese character.
TYPO_ALPHABET = (
    string.digits
    + string.ascii_uppercase
    + string.ascii_lowercase
    + " -*.#"
    + "０１２３４５６７８９Ｘｘ"
    + "²³٣٥"
    + "中"
)

credit_codes = st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17).map(
    lambda body: body + credit_code_check_char(body)
)


@st.composite
def id_numbers(draw):
    region = draw(st.from_regex(r"\A[1-8][0-9]{5}\Z"))
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=timezone.localdate()))
    sequence = draw(st.integers(min_value=0, max_value=999))
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + id_check_char(body)


def _replace(value: str, position: int, char: str) -> str:
    return value[:position] + char + value[position + 1 :]


# --- credit codes ------------------------------------------------------------


@given(credit_codes)
def test_a_credit_code_with_the_computed_check_character_is_valid(code):
    assert is_valid_credit_code(code)
    validate_credit_code(code)  # does not raise


@settings(max_examples=500)
@given(credit_codes, st.integers(min_value=0, max_value=17), st.sampled_from(TYPO_ALPHABET))
def test_any_single_changed_character_of_a_credit_code_is_rejected(code, position, char):
    if code[position] == char:
        char = "Z"  # never in the alphabet, so always a change
    typo = _replace(code, position, char)
    assert not is_valid_credit_code(typo)
    with pytest.raises(ValidationError):
        validate_credit_code(typo)


@given(credit_codes, st.integers(min_value=0, max_value=17), st.sampled_from(CREDIT_CODE_ALPHABET))
def test_a_typo_that_stays_inside_the_credit_code_alphabet_is_caught_by_the_check_character(code, position, char):
    if code[position] == char:
        return
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(_replace(code, position, char))
    assert exc.value.code == "check"


def test_published_credit_codes_are_valid():
    assert is_valid_credit_code("91350100M000100Y43")
    assert is_valid_credit_code("91110000802100433B")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "length"),
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y433", "length"),
        ("91350100M000100O43", "charset"),
        ("91350100m000100y43", "charset"),
        ("91350100M000100Y44", "check"),
    ],
)
def test_a_malformed_credit_code_is_rejected_with_the_reason(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(value)
    assert exc.value.code == code
    assert not is_valid_credit_code(value)


def test_a_credit_code_that_is_not_a_string_is_invalid():
    assert not is_valid_credit_code(None)
    assert not is_valid_credit_code(913501001000100)


def test_a_lower_case_credit_code_is_valid_once_normalised():
    assert is_valid_credit_code(normalize_code(" 91350100m000100y43 "))


# --- ID numbers --------------------------------------------------------------


@given(id_numbers())
def test_an_id_number_with_a_real_birth_date_and_the_computed_check_digit_is_valid(value):
    assert is_valid_id_number(value)
    validate_id_number(value)  # does not raise


@settings(max_examples=500)
@given(id_numbers(), st.integers(min_value=0, max_value=17), st.sampled_from(TYPO_ALPHABET))
def test_any_single_changed_character_of_an_id_number_is_rejected(value, position, char):
    if value[position] == char:
        char = "中"
    typo = _replace(value, position, char)
    assert not is_valid_id_number(typo)
    with pytest.raises(ValidationError):
        validate_id_number(typo)


@given(id_numbers(), st.integers(min_value=0, max_value=16), st.sampled_from("０１２３４５６７８９٠١٢٣٤٥٦٧٨٩"))
def test_an_id_number_with_a_non_ascii_digit_is_rejected_even_if_it_means_the_same_digit(value, position, char):
    # '４' and '٤' pass str.isdigit() and int() reads them as 4: without an
    # ASCII check the same person could be registered twice.
    with pytest.raises(ValidationError) as exc:
        validate_id_number(_replace(value, position, char))
    assert exc.value.code == "charset"


@given(id_numbers())
def test_a_full_width_id_number_normalises_to_the_valid_ascii_one(value):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in value)
    assert not is_valid_id_number(full_width)
    assert normalize_code(full_width) == value


def test_a_superscript_digit_is_a_validation_error_not_a_crash():
    with pytest.raises(ValidationError):
        validate_id_number("²10105199001011233")


def test_the_id_number_is_masked_except_the_region_and_the_last_four():
    assert mask_id_number("41010519900101123X") == "410105********123X"
    assert mask_id_number("") == ""
    assert mask_id_number("123") == "***"


def test_birth_date_and_gender_are_read_from_the_id_number():
    # 17th digit 3 is odd: male; 2 is even: female.
    assert birth_date_from_id("410105199001011233") == dt.date(1990, 1, 1)
    assert gender_from_id("410105199001011233") == "M"
    body = "41010520000229002"
    female = body + id_check_char(body)
    assert is_valid_id_number(female)
    assert birth_date_from_id(female) == dt.date(2000, 2, 29)
    assert gender_from_id(female) == "F"


def test_an_id_number_with_an_impossible_date_has_no_birth_date():
    assert birth_date_from_id("410105199002301233") is None
    assert birth_date_from_id("4101") is None


def _id_with_check(prefix: str, wanted: str) -> str:
    for seq in range(1000):
        body = f"{prefix}{seq:03d}"
        if id_check_char(body) == wanted:
            return body + wanted
    raise AssertionError("no sequence gives that check character")


def test_a_lower_case_x_check_character_is_normalised_to_upper_case():
    value = _id_with_check("41010519900101", "X")
    lower = value[:-1] + "x"
    with pytest.raises(ValidationError):
        validate_id_number(lower)
    assert normalize_code(f" {lower[:6]} {lower[6:]} ") == value
    assert is_valid_id_number(normalize_code(lower))


def test_a_birth_date_in_the_future_is_rejected():
    today = dt.date(2024, 5, 1)
    body = "41010520240502123"
    value = body + id_check_char(body)
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value, today=today)
    assert exc.value.code == "birth_date"
    validate_id_number(value, today=dt.date(2024, 5, 2))  # born today is fine


@pytest.mark.parametrize("birth", ["18991231", "19900230", "19901301", "19900100"])
def test_an_id_number_whose_birth_date_is_not_real_is_rejected(birth):
    body = f"410105{birth}123"
    with pytest.raises(ValidationError) as exc:
        validate_id_number(body + id_check_char(body))
    assert exc.value.code == "birth_date"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("41010519900101123", "length"),
        ("4101051990010112333", "length"),
        ("41010519900101X233", "charset"),
        ("410105199001011234", "check"),
    ],
)
def test_a_malformed_id_number_is_rejected_with_the_reason(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    assert exc.value.code == code


def test_an_id_number_that_is_not_a_string_is_invalid():
    assert not is_valid_id_number(None)
    assert not is_valid_id_number(410105199001011233)
