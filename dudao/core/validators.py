"""Check characters of the two national identifiers the platform stores.

Both are weighted-sum checks over a prime modulus, so any single changed
character changes the expected check character: that is why a typo in a
roster is caught here rather than by a human later.
"""

import datetime as dt
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: the 31 characters allowed (no I, O, S, V, Z).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB 11643-1999: ISO 7064 MOD 11-2.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def credit_code_check_char(body: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(body, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    if not isinstance(code, str) or len(code) != 18:
        return False
    if any(c not in CREDIT_CODE_ALPHABET for c in code):
        return False
    return credit_code_check_char(code[:17]) == code[17]


def validate_credit_code(value: str) -> None:
    if not isinstance(value, str) or len(value) != 18:
        raise ValidationError(_("The unified social credit code must have 18 characters."), code="length")
    if any(c not in CREDIT_CODE_ALPHABET for c in value):
        raise ValidationError(
            _(
                "The unified social credit code may contain only digits and capital letters other than I, O, S, V and Z."
            ),
            code="charset",
        )
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(_("The check character of the unified social credit code is wrong."), code="check")


def id_check_char(body: str) -> str:
    total = sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def birth_date_from_id(value: str) -> dt.date | None:
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except (ValueError, IndexError):
        return None


def gender_from_id(value: str) -> str:
    """'M' or 'F' from the parity of the 17th digit."""
    return "M" if int(value[16]) % 2 else "F"


def validate_id_number(value: str, today: dt.date | None = None) -> None:
    if not isinstance(value, str) or len(value) != 18:
        raise ValidationError(_("The ID number must have 18 characters."), code="length")
    # str.isdigit() also accepts full-width, Arabic-Indic and superscript digits;
    # only the ASCII form is an ID number (and only it is unique in the database).
    if not value.isascii() or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(_("The ID number must be 17 digits followed by a digit or X."), code="charset")
    birth = birth_date_from_id(value)
    today = today or dt.date.today()
    if birth is None or birth > today or birth.year < 1900:
        raise ValidationError(_("The birth date in the ID number is not a real date."), code="birth_date")
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(_("The check digit of the ID number is wrong."), code="check")


def is_valid_id_number(value: str) -> bool:
    try:
        validate_id_number(value)
    except ValidationError:
        return False
    return True


def normalize_code(value: str) -> str:
    """Users type lower-case x, stray spaces and (with a Chinese input method)
    full-width characters; the stored form is canonical ASCII."""
    return unicodedata.normalize("NFKC", value or "").strip().replace(" ", "").upper()


def mask_id_number(value: str) -> str:
    if not value or len(value) < 10:
        return "*" * len(value or "")
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


# --- record ids ----------------------------------------------------------------------

# The largest id a BigAutoField holds; a larger number from a form or a query
# string overflows SQLite's integers inside an IN (...) query.
MAX_ID = 2**63 - 1


def is_valid_id(value) -> bool:
    text = str(value).strip()
    return text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID


class ModelMultipleIdsField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose ids are checked to be ids before any
    query runs: a 23-digit number is "not one of the choices", not a 500."""

    def _check_values(self, value):
        if self.to_field_name in (None, "pk", "id"):
            for pk in value:
                if not is_valid_id(pk):
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                    )
        return super()._check_values(value)
