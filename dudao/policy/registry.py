"""Every number and rule the policy (郑民文〔2018〕22号) leaves to implementers,
with its default. The defaults are loaded as the city's first version of each
parameter; after that the values live in the database, versioned by effective
date and owned by a jurisdiction.

`district_may_override`: the policy lets districts set their own selection and
incentive rules (四(二): 建立健全本级社会工作督导人才选拔机制……并自行制定相应的激励办法).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    help: str
    kind: str  # "int", "bool", "choice", "years_by_education"
    default: object
    district_may_override: bool
    minimum: int | None = None
    maximum: int | None = None


EDUCATION_CODES = ("junior_college", "bachelor", "master", "doctorate")
CERTIFICATE_CODES = ("assistant", "intermediate", "senior")

PARAMETERS = [
    Parameter(
        key="selection.nomination_ratio",
        label=_("Nomination ratio (certified social workers per nominee)"),
        help=_("Quota = floor(certified social workers on the snapshot date ÷ this number). Policy 四(三): 1:7."),
        kind="int",
        default=7,
        district_may_override=True,
        minimum=1,
        maximum=1000,
    ),
    Parameter(
        key="selection.min_certificate_level",
        label=_("Minimum certificate level for nomination"),
        help=_("The lowest social work certificate a nominee must hold on the snapshot date."),
        kind="choice",
        default="intermediate",
        district_may_override=True,
    ),
    Parameter(
        key="selection.min_frontline_years",
        label=_("Minimum years of frontline social work, by education"),
        help=_("Counted from the start of frontline practice to the round's snapshot date."),
        kind="years_by_education",
        default={"junior_college": 5, "bachelor": 4, "master": 3, "doctorate": 2},
        district_may_override=True,
        minimum=0,
        maximum=50,
    ),
    Parameter(
        key="selection.no_disciplinary_record",
        label=_("Nominees must have no disciplinary record"),
        help=_("When on, a person with a recorded disciplinary action cannot be nominated."),
        kind="bool",
        default=True,
        district_may_override=True,
    ),
    # Training and assessment (四(三): 委托第三方……统一培训培养和考核……考核合格的人员进入市级社会工作督导人才库)
    Parameter(
        key="training.programme_target",
        label=_("Target size of the city supervisor programme"),
        help=_("The 百名督导 programme trains this many supervisors."),
        kind="int",
        default=100,
        district_may_override=False,
        minimum=1,
        maximum=100000,
    ),
    Parameter(
        key="training.theory_weight",
        label=_("Weight of the theory score in the overall assessment (%)"),
        help=_("The practice score takes the rest: overall = theory × w + practice × (100 − w), divided by 100."),
        kind="int",
        default=50,
        district_may_override=False,
        minimum=0,
        maximum=100,
    ),
    Parameter(
        key="training.pass_mark",
        label=_("Assessment pass mark"),
        help=_("A trainee passes when the overall score reaches this mark and attendance reaches the minimum share."),
        kind="int",
        default=60,
        district_may_override=False,
        minimum=0,
        maximum=100,
    ),
    Parameter(
        key="training.min_attendance_share",
        label=_("Minimum share of programme hours attended (%)"),
        help=_("Hours attended divided by the hours of all sessions scheduled for the trainee's cohort."),
        kind="int",
        default=80,
        district_may_override=False,
        minimum=0,
        maximum=100,
    ),
    Parameter(
        key="pools.term_years",
        label=_("Term of a talent pool entry (years)"),
        help=_("An entry expires at the end of its term unless renewed after evaluation."),
        kind="int",
        default=3,
        district_may_override=True,
        minimum=1,
        maximum=20,
    ),
]

BY_KEY = {p.key: p for p in PARAMETERS}


def clean_value(parameter: Parameter, value):
    """The canonical stored form of a value, or a ValidationError saying why not."""
    if parameter.kind == "int":
        number = _whole_number(value)
        if number is None:
            raise ValidationError(_("Enter a whole number."))
        _check_range(parameter, number)
        return number
    if parameter.kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "1", "yes", "on"}:
            return True
        if text in {"false", "0", "no", "off"}:
            return False
        raise ValidationError(_("Enter yes or no."))
    if parameter.kind == "choice":
        if value not in CERTIFICATE_CODES:
            raise ValidationError(_("Choose one of: %(values)s.") % {"values": ", ".join(CERTIFICATE_CODES)})
        return value
    if parameter.kind == "years_by_education":
        if not isinstance(value, dict) or set(value) != set(EDUCATION_CODES):
            raise ValidationError(_("Give a number of years for each education level."))
        cleaned = {}
        for code in EDUCATION_CODES:
            cleaned[code] = _whole_number(value[code])
            if cleaned[code] is None:
                raise ValidationError(_("Enter a whole number of years for each education level."))
            _check_range(parameter, cleaned[code])
        return cleaned
    raise ValueError(parameter.kind)


def _whole_number(value) -> int | None:
    """An int, or a string of one; None for anything else. A JSON true is not 1
    and 2.5 years is not 2: they are refused, never silently converted."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _check_range(parameter, number):
    if parameter.minimum is not None and number < parameter.minimum:
        raise ValidationError(_("The value must be at least %(min)s.") % {"min": parameter.minimum})
    if parameter.maximum is not None and number > parameter.maximum:
        raise ValidationError(_("The value must be at most %(max)s.") % {"max": parameter.maximum})
