"""The kinds of value a policy parameter takes.

Each kind is one small class that knows everything about its values: how to
clean what a person or a client sends into the stored (JSON) form, how to show
a stored value in words, which form fields enter it, and what it looks like in
the OpenAPI document. Code that handles a parameter asks its kind
(`KINDS[parameter.kind]`, or `parameter.value_kind`) instead of testing the
kind's name, so a new kind is one class and one `register` here.

Values whose choices are reference data (certificate levels, education levels,
service domains) read them from the directory's reference tables
(`dudao/directory/reference/zhengzhou.json`, loaded by `reference_data`), named
by the parameter's `domain`, so a level added there is a choice here.

Money and percentages are `Decimal`s with two places, stored as text
("12.50"): a JSON number would come back as a float.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from dudao.core.validators import forbidden_character

if TYPE_CHECKING:  # pragma: no cover
    from .registry import Parameter

KINDS: dict[str, Kind] = {}


def register(kind_class):
    """Class decorator: the kind's one instance, under its name."""
    if kind_class.name in KINDS:
        raise ValueError(f"Kind {kind_class.name!r} is registered twice.")
    KINDS[kind_class.name] = kind_class()
    return kind_class


def kind_of(parameter) -> Kind:
    try:
        return KINDS[parameter.kind]
    except KeyError:
        raise ValueError(f"Parameter {parameter.key!r} has the unknown kind {parameter.kind!r}.") from None


# --- reference data behind the choices ------------------------------------------------


def domain_model(domain: str):
    """The reference table a domain names ("certificate_levels", "education_levels",
    "service_domains", ...): the data sets the reference loader knows."""
    from dudao.directory.reference_data import SIMPLE_MODELS

    try:
        return SIMPLE_MODELS[domain]
    except KeyError:
        raise ValueError(f"Unknown reference data set {domain!r}.") from None


def domain_codes(domain: str) -> list[str]:
    """The codes that may be chosen now, in the reference data's order (archived ones not)."""
    return list(domain_model(domain).objects.filter(is_active=True).values_list("code", flat=True))


def domain_names(domain: str) -> dict[str, str]:
    """{code: name} for every code, archived ones included: an old value still reads."""
    return dict(domain_model(domain).objects.values_list("code", "name"))


# --- shared cleaning ---------------------------------------------------------------------


def whole_number(value) -> int | None:
    """An int, or a string of one; None for anything else. A JSON true is not 1
    and 2.5 years is not 2: they are refused, never silently converted."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 18 or not re.fullmatch(r"[+-]?\d+", text):
            return None
        return int(text)
    return None


def check_range(parameter, number):
    if parameter.minimum is not None and number < parameter.minimum:
        raise ValidationError(_("The value must be at least %(min)s.") % {"min": parameter.minimum})
    if parameter.maximum is not None and number > parameter.maximum:
        raise ValidationError(_("The value must be at most %(max)s.") % {"max": parameter.maximum})


_DECIMAL_TEXT = re.compile(r"[+-]?\d{1,13}(\.\d{1,20})?")
CENT = Decimal("0.01")


def two_places(value, *, what: str) -> Decimal:
    """A non-negative amount with at most two decimal places, from an int, a
    Decimal or text ("12", "12.5", "12.50"). Floats are refused: 0.1 + 0.2 is
    not 0.3 in binary, and an amount of money must be exact."""
    if isinstance(value, float):
        raise ValidationError(
            _('Enter %(what)s as text with at most two decimal places, such as "12.50".') % {"what": what}
        )
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**13:
        number = Decimal(value)
    elif isinstance(value, Decimal) and value.is_finite():
        number = value
    elif isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value.strip()):
        number = Decimal(value.strip())
    else:
        raise ValidationError(_("Enter %(what)s as a number with at most two decimal places.") % {"what": what})
    if number < 0:
        raise ValidationError(_("%(what)s cannot be negative.") % {"what": capfirst(what)})
    if number >= Decimal("1e12"):
        raise ValidationError(_("%(what)s is too large.") % {"what": capfirst(what)})
    if number != number.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValidationError(_("Enter %(what)s with at most two decimal places.") % {"what": what})
    return number.quantize(CENT) + Decimal("0.00")  # + 0.00 turns -0.00 into 0.00


def plain(number: Decimal) -> str:
    """12.50 as "12.5", 100.00 as "100": how a person writes it."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def clean_name(value, *, what: str, max_length: int = 100) -> str:
    """One line of text: a name of an item or competency."""
    if not isinstance(value, str):
        raise ValidationError(_("Each %(what)s must be text.") % {"what": what})
    text = value.strip()
    if not text:
        raise ValidationError(_("An empty %(what)s is not allowed.") % {"what": what})
    if (ch := forbidden_character(text)) is not None:
        raise ValidationError(
            _("Remove the control or invisible character %(char)s from %(text)s.")
            % {"char": f"U+{ord(ch):04X}", "text": repr(text[:20])}
        )
    if len(text) > max_length:
        raise ValidationError(
            _("Keep each %(what)s to %(max)s characters: %(text)s…")
            % {"what": what, "max": max_length, "text": text[:20]}
        )
    return text


# --- the kinds ------------------------------------------------------------------------------


class Kind:
    """What every kind answers. Subclasses set `name` and `label` and
    implement `clean`; the rest has defaults for a single-field value."""

    name: ClassVar[str]
    label: ClassVar[str]

    def clean(self, parameter: Parameter, value):
        """The canonical stored (JSON) form of `value`, or a ValidationError
        saying why not, in words for the person who typed it. Cleaning a
        cleaned value gives it back unchanged."""
        raise NotImplementedError

    def display(self, parameter: Parameter, value) -> str:
        """A stored value as a person reads it."""
        return str(value)

    def form_fields(self, parameter: Parameter) -> dict[str, forms.Field]:
        """The fields that enter a value, by name; "value" for most kinds."""
        return {"value": self.form_field(parameter)}

    def form_field(self, parameter: Parameter) -> forms.Field:
        return forms.CharField(label=_("Value"))

    def form_value(self, parameter: Parameter, cleaned_data: dict):
        """The value the form's fields hold, to be cleaned by `clean`."""
        return cleaned_data.get("value")

    def form_initial(self, parameter: Parameter, value) -> dict:
        """Initial field values showing a stored value."""
        return {"value": value}

    def schema(self, parameter: Parameter | None = None) -> dict:
        """The OpenAPI (JSON Schema) fragment a stored value matches."""
        raise NotImplementedError

    def serializer_field(self, parameter: Parameter, **kwargs) -> serializers.Field:
        """A DRF field that cleans an API value of this parameter."""
        return KindValueField(parameter=parameter, **kwargs)


@register
class WholeNumber(Kind):
    name = "int"
    label = gettext_lazy("Whole number")

    def clean(self, parameter, value):
        number = whole_number(value)
        if number is None:
            raise ValidationError(_("Enter a whole number."))
        check_range(parameter, number)
        return number

    def display(self, parameter, value):
        return str(value)

    def form_field(self, parameter):
        return forms.IntegerField(label=_("Value"), min_value=parameter.minimum, max_value=parameter.maximum)

    def schema(self, parameter=None):
        fragment = {"type": "integer"}
        if parameter is not None and parameter.minimum is not None:
            fragment["minimum"] = parameter.minimum
        if parameter is not None and parameter.maximum is not None:
            fragment["maximum"] = parameter.maximum
        return fragment


@register
class DayCount(WholeNumber):
    name = "day_count"
    label = gettext_lazy("Number of days")

    def clean(self, parameter, value):
        number = whole_number(value)
        if number is None:
            raise ValidationError(_("Enter a whole number of days."))
        if number < 0:
            raise ValidationError(_("The number of days cannot be negative."))
        check_range(parameter, number)
        return number

    def display(self, parameter, value):
        return _("%(days)s days") % {"days": value}

    def form_field(self, parameter):
        return forms.IntegerField(
            label=_("Days"), min_value=max(parameter.minimum or 0, 0), max_value=parameter.maximum
        )

    def schema(self, parameter=None):
        return super().schema(parameter) | {"minimum": max((parameter.minimum if parameter else 0) or 0, 0)}


@register
class DayList(Kind):
    """Distinct whole numbers of days, largest first: the days before a
    deadline on which a reminder goes out ([3, 1]). Empty: no reminders."""

    name = "day_list"
    label = gettext_lazy("Days before a deadline")

    def clean(self, parameter, value):
        if not isinstance(value, list | tuple):
            raise ValidationError(_("Give the numbers of days as a list, such as 3, 1."))
        if len(value) > 10:
            raise ValidationError(_("Give at most 10 numbers of days."))
        numbers = []
        for item in value:
            number = whole_number(item)
            if number is None:
                raise ValidationError(_("Enter whole numbers of days."))
            if number < 0:
                raise ValidationError(_("The number of days cannot be negative."))
            check_range(parameter, number)
            if number in numbers:
                raise ValidationError(_("%(days)s days is given twice.") % {"days": number})
            numbers.append(number)
        return sorted(numbers, reverse=True)

    def display(self, parameter, value):
        if not isinstance(value, list):
            return str(value)
        if not value:
            return _("None")
        return _("%(days)s days before") % {"days": "、".join(str(d) for d in value)}

    def form_field(self, parameter):
        return forms.CharField(
            label=_("Days"), required=False, help_text=_("Separate the numbers with commas, such as 3, 1.")
        )

    def form_value(self, parameter, cleaned_data):
        text = str(cleaned_data.get("value") or "")
        return [part.strip() for part in re.split(r"[,，、\s]+", text) if part.strip()]

    def form_initial(self, parameter, value):
        return {"value": ", ".join(str(d) for d in value)} if isinstance(value, list) else {}

    def schema(self, parameter=None):
        return {"type": "array", "uniqueItems": True, "maxItems": 10, "items": {"type": "integer", "minimum": 0}}


@register
class YesNo(Kind):
    name = "bool"
    label = gettext_lazy("Yes or no")

    def clean(self, parameter, value):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "1", "yes", "on"}:
            return True
        if text in {"false", "0", "no", "off"}:
            return False
        raise ValidationError(_("Enter yes or no."))

    def display(self, parameter, value):
        return _("Yes") if value else _("No")

    def form_field(self, parameter):
        return forms.TypedChoiceField(
            label=_("Value"), choices=[("true", _("Yes")), ("false", _("No"))], coerce=lambda v: v == "true"
        )

    def form_initial(self, parameter, value):
        return {"value": "true" if value else "false"}

    def schema(self, parameter=None):
        return {"type": "boolean"}


@register
class Choice(Kind):
    """One code of the reference data set the parameter names as its `domain`."""

    name = "choice"
    label = gettext_lazy("One of a list")

    def clean(self, parameter, value):
        codes = domain_codes(parameter.domain)
        if not isinstance(value, str) or value.strip() not in codes:
            names = domain_names(parameter.domain)
            raise ValidationError(
                _("Choose one of: %(values)s.") % {"values": ", ".join(f"{c}（{names[c]}）" for c in codes)}
            )
        return value.strip()

    def display(self, parameter, value):
        return domain_names(parameter.domain).get(value, str(value))

    def form_field(self, parameter):
        names = domain_names(parameter.domain)
        return forms.ChoiceField(label=_("Value"), choices=[(c, names[c]) for c in domain_codes(parameter.domain)])

    def schema(self, parameter=None):
        return {
            "type": "string",
            "description": "A code of the reference data" + (f" {parameter.domain}" if parameter else ""),
        }


@register
class YearsByEducation(Kind):
    """A number of years for each education level of the reference data."""

    name = "years_by_education"
    label = gettext_lazy("Years for each education level")
    domain = "education_levels"

    def clean(self, parameter, value):
        codes = domain_codes(self.domain)
        if not isinstance(value, dict) or set(value) != set(codes):
            raise ValidationError(_("Give a number of years for each education level."))
        cleaned = {}
        for code in codes:
            cleaned[code] = whole_number(value[code])
            if cleaned[code] is None:
                raise ValidationError(_("Enter a whole number of years for each education level."))
            check_range(parameter, cleaned[code])
        return cleaned

    def display(self, parameter, value):
        if not isinstance(value, dict):
            return str(value)
        names = domain_names(self.domain)
        order = {code: i for i, code in enumerate(domain_model(self.domain).objects.values_list("code", flat=True))}
        return "、".join(
            _("%(education)s %(years)s years") % {"education": names.get(k, k), "years": v}
            for k, v in sorted(value.items(), key=lambda item: order.get(item[0], len(order)))
        )

    def form_fields(self, parameter):
        names = domain_names(self.domain)
        return {
            f"years_{code}": forms.IntegerField(
                label=names[code], min_value=parameter.minimum, max_value=parameter.maximum
            )
            for code in domain_codes(self.domain)
        }

    def form_value(self, parameter, cleaned_data):
        return {code: cleaned_data.get(f"years_{code}") for code in domain_codes(self.domain)}

    def form_initial(self, parameter, value):
        return {f"years_{code}": years for code, years in value.items()} if isinstance(value, dict) else {}

    def schema(self, parameter=None):
        return {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}


@register
class HoursBySuperviseeType(Kind):
    """Whole hours per month for each supervisee type (policy/vocabulary.py),
    stored as {"new": 4, "intern": 4, "frontline": 2, "other": 0}."""

    name = "hours_by_supervisee_type"
    label = gettext_lazy("Hours for each supervisee type")

    @staticmethod
    def types():
        from .vocabulary import SuperviseeType

        return SuperviseeType

    def clean(self, parameter, value):
        types = self.types()
        if not isinstance(value, dict) or set(value) != set(types.values):
            raise ValidationError(_("Give a number of hours for each supervisee type."))
        cleaned = {}
        for code in types.values:
            cleaned[code] = whole_number(value[code])
            if cleaned[code] is None:
                raise ValidationError(_("Enter a whole number of hours for each supervisee type."))
            check_range(parameter, cleaned[code])
        return cleaned

    def display(self, parameter, value):
        if not isinstance(value, dict):
            return str(value)
        types = self.types()
        return "、".join(
            _("%(type)s %(hours)s h") % {"type": types(code).label, "hours": value[code]}
            for code in types.values
            if code in value
        )

    def form_fields(self, parameter):
        return {
            f"hours_{code}": forms.IntegerField(label=label, min_value=parameter.minimum, max_value=parameter.maximum)
            for code, label in self.types().choices
        }

    def form_value(self, parameter, cleaned_data):
        return {code: cleaned_data.get(f"hours_{code}") for code in self.types().values}

    def form_initial(self, parameter, value):
        return {f"hours_{code}": hours for code, hours in value.items()} if isinstance(value, dict) else {}

    def schema(self, parameter=None):
        return {
            "type": "object",
            "properties": {code: {"type": "integer", "minimum": 0} for code in self.types().values},
            "required": list(self.types().values),
            "additionalProperties": False,
        }


MONEY_PATTERN = r"^\d{1,12}\.\d{2}$"
PERCENT_PATTERN = r"^\d{1,3}\.\d{2}$"


@register
class Money(Kind):
    """An amount in yuan: exact, two decimal places, never negative. Stored as
    text ("1200.00")."""

    name = "money"
    label = gettext_lazy("Amount in yuan")

    def amount(self, parameter, value) -> Decimal:
        number = two_places(value, what=_("the amount"))
        if parameter.minimum is not None and number < parameter.minimum:
            raise ValidationError(_("The amount must be at least %(min)s yuan.") % {"min": parameter.minimum})
        if parameter.maximum is not None and number > parameter.maximum:
            raise ValidationError(_("The amount must be at most %(max)s yuan.") % {"max": parameter.maximum})
        return number

    def clean(self, parameter, value):
        return str(self.amount(parameter, value))

    def display(self, parameter, value):
        return _("%(amount)s yuan") % {"amount": f"{Decimal(value):,.2f}"}

    def form_field(self, parameter):
        return forms.DecimalField(
            label=_("Amount (yuan)"), min_value=0, max_value=parameter.maximum, max_digits=14, decimal_places=2
        )

    def schema(self, parameter=None):
        return {"type": "string", "pattern": MONEY_PATTERN, "example": "1200.00"}


@register
class Percentage(Kind):
    """A share from 0 to 100 with at most two decimal places, stored as text ("12.50")."""

    name = "percentage"
    label = gettext_lazy("Percentage")

    def share(self, value) -> Decimal:
        number = two_places(value, what=_("the percentage"))
        if number > 100:
            raise ValidationError(_("A percentage cannot be more than 100."))
        return number

    def clean(self, parameter, value):
        number = self.share(value)
        check_range(parameter, number)
        return str(number)

    def display(self, parameter, value):
        return f"{plain(Decimal(value))}%"

    def form_field(self, parameter):
        return forms.DecimalField(label=_("Percentage"), min_value=0, max_value=100, max_digits=5, decimal_places=2)

    def schema(self, parameter=None):
        return {"type": "string", "pattern": PERCENT_PATTERN, "example": "40.00"}


def _lines(text) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


@register
class WeightTable(Kind):
    """Named items with the percentage each weighs; the weights add up to 100.
    Stored as {"name": "40.00", ...}."""

    name = "weight_table"
    label = gettext_lazy("Weights adding up to 100%")

    def clean(self, parameter, value):
        if not isinstance(value, dict) or not value:
            raise ValidationError(_("Give at least one item with its weight."))
        if len(value) > 50:
            raise ValidationError(_("Give at most 50 items."))
        cleaned, seen = {}, set()
        for raw_name, raw_weight in value.items():
            name = clean_name(raw_name, what=_("item name"), max_length=50)
            if name.casefold() in seen:
                raise ValidationError(_("The item %(name)s is listed twice.") % {"name": name})
            seen.add(name.casefold())
            try:
                weight = Percentage().share(raw_weight)
            except ValidationError as exc:
                raise ValidationError(
                    _("The weight of %(name)s: %(error)s") % {"name": name, "error": " ".join(exc.messages)}
                ) from None
            cleaned[name] = str(weight)
        total = sum(Decimal(w) for w in cleaned.values())
        if total != 100:
            raise ValidationError(
                _("The weights must add up to 100; they add up to %(total)s.") % {"total": plain(total)}
            )
        return cleaned

    @staticmethod
    def ordered(value: dict) -> list[tuple[str, Decimal]]:
        """Heaviest first, then by name: PostgreSQL's jsonb keeps no key order,
        so the order the items were typed in cannot be the order they show in."""
        return sorted(((name, Decimal(weight)) for name, weight in value.items()), key=lambda i: (-i[1], i[0]))

    def display(self, parameter, value):
        if not isinstance(value, dict):
            return str(value)
        return "、".join(f"{name} {plain(weight)}%" for name, weight in self.ordered(value))

    def form_field(self, parameter):
        return forms.CharField(
            label=_("Weights"),
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=_("One item per line: its name, a colon and its percentage, e.g. 理论：40. They add up to 100."),
        )

    def form_value(self, parameter, cleaned_data):
        table = {}
        for line in _lines(cleaned_data.get("value")):
            match = re.fullmatch(r"(.*?)\s*[:：=]\s*(.*)", line)
            if match is None:
                raise ValidationError(
                    _("Write each line as a name, a colon and a percentage: %(line)s") % {"line": line[:30]}
                )
            name, weight = match.group(1).strip(), match.group(2).strip().rstrip("%％").strip()
            if name in table:
                raise ValidationError(_("The item %(name)s is listed twice.") % {"name": name})
            table[name] = weight
        return table

    def form_initial(self, parameter, value):
        if not isinstance(value, dict):
            return {}
        return {"value": "\n".join(f"{name}：{plain(weight)}" for name, weight in self.ordered(value))}

    def schema(self, parameter=None):
        return {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": "string", "pattern": PERCENT_PATTERN},
            "example": {"理论": "40.00", "实务": "60.00"},
        }


@register
class CompetencyList(Kind):
    """A non-empty list of distinct competency items, in the order given."""

    name = "competency_list"
    label = gettext_lazy("List of competency items")

    def clean(self, parameter, value):
        if not isinstance(value, list) or not value:
            raise ValidationError(_("Give at least one competency item."))
        if len(value) > 100:
            raise ValidationError(_("Give at most 100 competency items."))
        cleaned, seen = [], set()
        for item in value:
            text = clean_name(item, what=_("competency item"))
            if text.casefold() in seen:
                raise ValidationError(_("The competency item %(item)s is listed twice.") % {"item": text})
            seen.add(text.casefold())
            cleaned.append(text)
        return cleaned

    def display(self, parameter, value):
        return "、".join(value) if isinstance(value, list) else str(value)

    def form_field(self, parameter):
        return forms.CharField(
            label=_("Competency items"),
            widget=forms.Textarea(attrs={"rows": 6}),
            help_text=_("One item per line."),
        )

    def form_value(self, parameter, cleaned_data):
        return _lines(cleaned_data.get("value"))

    def form_initial(self, parameter, value):
        return {"value": "\n".join(value)} if isinstance(value, list) else {}

    def schema(self, parameter=None):
        return {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", "minLength": 1, "maxLength": 100},
        }


# --- the API -----------------------------------------------------------------------------


def any_value_schema() -> dict:
    """A stored value of any kind (the API's `value` where the parameter is not known)."""
    fragments = []
    for kind in KINDS.values():
        fragment = kind.schema()
        if fragment not in fragments:
            fragments.append(fragment)
    return {"anyOf": fragments}


class KindValueField(serializers.Field):
    """A parameter's value in the API: cleaned by the parameter's kind when
    the parameter is known, passed through (and documented as any kind's
    value) when it is not."""

    def __init__(self, *, parameter=None, **kwargs):
        self.parameter = parameter
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if self.parameter is None:
            return data
        try:
            return kind_of(self.parameter).clean(self.parameter, data)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def to_representation(self, value):
        return value


class KindValueFieldExtension(OpenApiSerializerFieldExtension):
    target_class = KindValueField

    def map_serializer_field(self, auto_schema, direction):
        parameter = self.target.parameter
        return kind_of(parameter).schema(parameter) if parameter is not None else any_value_schema()
