"""What the platform accepts as input, in one place for forms, the API,
services and imports alike.

The two national identifiers carry check characters: both are weighted-sum
checks over a prime modulus, so any single changed character changes the
expected check character: that is why a typo in a roster is caught here rather
than by a human later. Text refuses control and invisible characters, phones
take the forms Chinese numbers take, dates stay within what can be true.
"""

import datetime as dt
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
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
    today = today or timezone.localdate()
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


# --- text ----------------------------------------------------------------------------

# Characters that belong in no text a person types: control characters (Cc),
# invisible format characters (Cf: zero-width spaces, bidirectional overrides
# that make text read differently than it is stored, the BOM), private-use
# (Co) and surrogate (Cs) code points, and the noncharacters. They break
# spreadsheets and XML (an Excel export fails on one), and hide text from
# search. Multi-line text keeps tab and line breaks, and the zero-width
# joiners that join emoji and some scripts in prose.
_MULTILINE_ALLOWED = frozenset("\t\n\r\u200c\u200d\u2028\u2029")


def _is_noncharacter(ch: str) -> bool:
    cp = ord(ch)
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def forbidden_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character of `value` that has no place in typed text, or None."""
    for ch in value or "":
        if multiline and ch in _MULTILINE_ALLOWED:
            continue
        if unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"} or _is_noncharacter(ch):
            return ch
    return None


def _text_error(ch: str) -> ValidationError:
    return ValidationError(
        _(
            "Remove the control or invisible character %(char)s: it has no place in this text. "
            "Type the text again rather than pasting it."
        ),
        code="control_character",
        params={"char": f"U+{ord(ch):04X}"},
    )


def validate_single_line_text(value: str) -> None:
    """Names, numbers, titles, addresses: no control or invisible character, no line break."""
    if isinstance(value, str) and (ch := forbidden_character(value)) is not None:
        raise _text_error(ch)


def validate_multiline_text(value: str) -> None:
    """Statements, reasons, descriptions: line breaks and tabs allowed, other control characters not."""
    if isinstance(value, str) and (ch := forbidden_character(value, multiline=True)) is not None:
        raise _text_error(ch)


def clean_text(value, *, field: str, multiline: bool = False, max_length: int | None = None) -> str:
    """Text as a service stores it: stripped, or a ValidationError on `field`
    when it holds a forbidden character or is longer than `max_length`."""
    text = (value or "").strip() if isinstance(value, str) else ("" if value is None else str(value))
    try:
        (validate_multiline_text if multiline else validate_single_line_text)(text)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    if max_length is not None and len(text) > max_length:
        raise ValidationError(
            {
                field: _("Keep this to %(max)s characters (it has %(length)s).")
                % {"max": max_length, "length": len(text)}
            }
        )
    return text


# --- phones ----------------------------------------------------------------------------

# Mobile: 11 digits, 1 then 3-9. Landline: the area code (0 and 2-3 digits),
# a 7- or 8-digit number not starting with 0 or 1, and an optional extension.
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?[2-9]\d{6,7}(?:-\d{1,6})?$")


def normalize_phone(value: str) -> str:
    """The stored form: ASCII digits and hyphens, without spaces, brackets or
    the country code people add (+86, 0086)."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    text = re.sub(r"[\s()（）]", "", text)
    for prefix in ("+86-", "+86", "0086-", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text


def is_valid_phone(value: str) -> bool:
    return bool(MOBILE_RE.match(value) or LANDLINE_RE.match(value))


def validate_phone(value: str) -> None:
    if value and not is_valid_phone(value):
        raise ValidationError(
            _(
                "Enter a mobile number (11 digits, such as 13812345678) or a landline with its area code "
                "(such as 0371-61234567, optionally followed by -extension)."
            ),
            code="phone",
        )


# --- dates and years ----------------------------------------------------------------------

# Nobody on the platform has a record from before 1900; the policy itself dates from 2018.
EARLIEST_DATE = dt.date(1900, 1, 1)
POLICY_YEAR = 2018


def validate_past_date(
    value: dt.date | None, *, field: str, born: dt.date | None = None, today: dt.date | None = None
) -> None:
    """A date of something that has happened: not in the future, not before
    1900 and, for a person's record, not before the person was born."""
    if value is None:
        return
    if isinstance(value, dt.datetime):
        value = value.date()
    today = today or timezone.localdate()
    if value > today:
        raise ValidationError({field: _("The date is in the future.")})
    if value < EARLIEST_DATE:
        raise ValidationError({field: _("The date is before 1900.")})
    if born is not None and value < born:
        # The birth date itself stays out of the message: not every reader may see it.
        raise ValidationError({field: _("The date is before the person's birth (from the ID number).")})


def validate_date_ahead(
    value: dt.date | None,
    *,
    field: str,
    years: int = 5,
    earliest: dt.date = EARLIEST_DATE,
    today: dt.date | None = None,
) -> None:
    """A date that may lie ahead (a deadline, a planned start): at most
    `years` from today, and not before `earliest`."""
    if value is None:
        return
    if isinstance(value, dt.datetime):
        value = value.date()
    today = today or timezone.localdate()
    if value > _years_after(today, years):
        raise ValidationError({field: _("The date is more than %(years)s years ahead.") % {"years": years}})
    if value < earliest:
        raise ValidationError({field: _("The date is before %(date)s.") % {"date": earliest.isoformat()}})


def validate_year(value: int, *, field: str = "year", earliest: int = POLICY_YEAR, ahead: int = 5, today=None) -> None:
    """A programme or round year: from the policy's year to a few years ahead."""
    today = today or timezone.localdate()
    latest = today.year + ahead
    if not isinstance(value, int) or isinstance(value, bool) or not earliest <= value <= latest:
        raise ValidationError(
            {field: _("Enter a year from %(earliest)s to %(latest)s.") % {"earliest": earliest, "latest": latest}}
        )


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
