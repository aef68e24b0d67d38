"""How each indicator computed from data becomes points out of 100 (issue 11
item 5: "how indicators map to points" is policy data). One function per
indicator; every number they use is a parameter the caller reads from policy
(dudao/policy/registry.py, "# Evaluation: indicators"), never a constant here.

The target ability gain is an int in tenths of a point on the 1–5 scale
(`evaluation.target_ability_gain`, default 10 = a gain of 1.0): an int keeps
the policy form a whole number and the arithmetic exact in Decimal.

All arithmetic is Decimal, rounded half up to two places at the end.

Each point function has its SQL rendering beside it (`*_sql`), which the
computation of a whole pool runs inside PostgreSQL (services.cycles): the two
must agree to the fen, and tests/evaluation/test_indicators_sql.py holds them
to it. PostgreSQL's round(numeric) rounds half away from zero, as
ROUND_HALF_UP does, and its division keeps at least 16 significant digits, so
a quotient of two-place figures rounds the same as in Decimal."""

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

TWO = Decimal("0.01")
HUNDRED = Decimal(100)

# The indicator keys (the Evaluation.indicators JSON) and the names of their
# weights in `evaluation.indicator_weights`.
SERVICE_HOURS = "service_hours"
PRACTICE_HOURS = "practice_hours"
SATISFACTION = "satisfaction"
ABILITY_GAIN = "ability_gain"
TRAINING_HOURS = "training_hours"
SERVICE_RESULTS = "service_results"

WEIGHT_NAMES = {
    SERVICE_HOURS: "督导服务时数",
    PRACTICE_HOURS: "一线实务时数",
    SATISFACTION: "督导对象满意度",
    ABILITY_GAIN: "能力提升",
    TRAINING_HOURS: "培训学时",
    SERVICE_RESULTS: "服务评估结果",
}

POLICY_KEYS = [
    "supervision.min_service_hours_per_year",
    "supervision.min_practice_hours_per_year",
    "evaluation.min_training_hours_per_year",
    "evaluation.indicator_weights",
    "evaluation.points_without_ratings",
    "evaluation.target_ability_gain",
]


def q(value) -> Decimal:
    return Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


def _dec(value) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


# The point functions are pure and their inputs are two-decimal figures that recur
# across a pool, so a cycle of 50,000 supervisors computes each distinct one once.
cached = lru_cache(maxsize=8192)


@cached
def hours_points(hours, minimum) -> Decimal:
    """min(hours / minimum, 1) × 100; a minimum of 0 asks for nothing, so full points."""
    hours, minimum = Decimal(str(hours or 0)), Decimal(str(minimum))
    if minimum <= 0:
        return q(HUNDRED)
    return q(min(hours / minimum, Decimal(1)) * HUNDRED)


def number(value) -> str:
    """A policy figure as an SQL numeric literal (from Decimal: digits, sign, point and exponent only)."""
    return f"'{Decimal(str(value))}'::numeric"


def hours_points_sql(hours: str, minimum) -> str:
    if Decimal(str(minimum)) <= 0:
        return "100.00"
    return f"round(least(coalesce({hours}, 0) / {number(minimum)}, 1) * 100, 2)"


@cached
def satisfaction_points(average, without) -> Decimal:
    """average / 5 × 100 (ratings are 1–5); no rating → `without`."""
    average = _dec(average)
    if average is None:
        return q(without)
    return q(average / 5 * HUNDRED)


def satisfaction_points_sql(average: str, without) -> str:
    return f"coalesce(round({average} / 5 * 100, 2), round({number(without)}, 2))"


@cached
def ability_gain_points(gain, target_tenths) -> Decimal:
    """clamp(gain / target, 0, 1) × 100, the target in tenths of a point; no
    supervisee assessed at both ends → 0 (no gain was shown)."""
    gain = _dec(gain)
    if gain is None:
        return q(0)
    target = Decimal(target_tenths) / 10
    if target <= 0:
        return q(HUNDRED)
    return q(max(Decimal(0), min(gain / target, Decimal(1))) * HUNDRED)


def ability_gain_points_sql(gain: str, target_tenths) -> str:
    target = Decimal(target_tenths) / 10
    if target <= 0:
        return f"CASE WHEN {gain} IS NULL THEN 0.00 ELSE 100.00 END"
    # CASE, not coalesce: PostgreSQL's least and greatest skip a NULL.
    return (
        f"CASE WHEN {gain} IS NULL THEN 0.00 ELSE round(greatest(0, least({gain} / {number(target)}, 1)) * 100, 2) END"
    )


def training_points(hours, minimum) -> Decimal:
    """Like the other hours: min(hours / minimum, 1) × 100."""
    return hours_points(hours, minimum)


training_points_sql = hours_points_sql


@cached
def service_results_points(average, without) -> Decimal:
    """The supervisees' average result (already out of 100) as is; none → `without`."""
    average = _dec(average)
    if average is None:
        return q(without)
    return q(average)


def service_results_points_sql(average: str, without) -> str:
    return f"coalesce(round({average}, 2), round({number(without)}, 2))"


def points(indicators: dict, policy: dict) -> dict:
    """{indicator: points} for one supervisor's indicators under `policy`
    ({key: value} of POLICY_KEYS)."""
    without = policy["evaluation.points_without_ratings"]
    return {
        SERVICE_HOURS: hours_points(indicators.get(SERVICE_HOURS), policy["supervision.min_service_hours_per_year"]),
        PRACTICE_HOURS: hours_points(indicators.get(PRACTICE_HOURS), policy["supervision.min_practice_hours_per_year"]),
        SATISFACTION: satisfaction_points(indicators.get(SATISFACTION), without),
        ABILITY_GAIN: ability_gain_points(indicators.get(ABILITY_GAIN), policy["evaluation.target_ability_gain"]),
        TRAINING_HOURS: training_points(
            indicators.get(TRAINING_HOURS), policy["evaluation.min_training_hours_per_year"]
        ),
        SERVICE_RESULTS: service_results_points(indicators.get(SERVICE_RESULTS), without),
    }


def points_sql(columns: dict, policy: dict) -> dict:
    """{indicator: SQL expression of its points}, `columns` naming the SQL
    expression of each indicator's value (numeric, two places, NULL for none)."""
    without = policy["evaluation.points_without_ratings"]
    return {
        SERVICE_HOURS: hours_points_sql(columns[SERVICE_HOURS], policy["supervision.min_service_hours_per_year"]),
        PRACTICE_HOURS: hours_points_sql(columns[PRACTICE_HOURS], policy["supervision.min_practice_hours_per_year"]),
        SATISFACTION: satisfaction_points_sql(columns[SATISFACTION], without),
        ABILITY_GAIN: ability_gain_points_sql(columns[ABILITY_GAIN], policy["evaluation.target_ability_gain"]),
        TRAINING_HOURS: training_points_sql(columns[TRAINING_HOURS], policy["evaluation.min_training_hours_per_year"]),
        SERVICE_RESULTS: service_results_points_sql(columns[SERVICE_RESULTS], without),
    }


def weights(policy: dict) -> dict:
    """{indicator: its weight in percent, Decimal}."""
    named = policy["evaluation.indicator_weights"]
    return {key: Decimal(str(named.get(name, 0))) for key, name in WEIGHT_NAMES.items()}


def scorer(policy: dict):
    """A function of one supervisor's indicators giving the weighted average of
    their points (0–100) and its breakdown: each indicator's points, weight and
    weighted points (the value is in the indicators). The weights are read once
    per policy, and a line is built once per distinct points of an indicator."""
    weight_of = weights(policy)

    @lru_cache(maxsize=8192)
    def line(key, pts):
        weighted = pts * weight_of[key] / HUNDRED
        return weighted, {"points": str(pts), "weight": str(weight_of[key]), "weighted": str(q(weighted))}

    def score(indicators: dict) -> tuple[Decimal, dict]:
        total = Decimal(0)
        lines = {}
        for key, pts in points(indicators, policy).items():
            weighted, lines[key] = line(key, pts)
            total += weighted
        return q(total), lines

    return score


def indicator_part(indicators: dict, policy: dict) -> tuple[Decimal, dict]:
    """The weighted average of the indicators' points (0–100) and its breakdown (see scorer)."""
    return scorer(policy)(indicators)


def below_minimum(indicators: dict, policy: dict) -> bool:
    """Whether supervision or practice hours fall short of their minimum (the hours cap of the grade)."""
    return Decimal(str(indicators.get(SERVICE_HOURS) or 0)) < Decimal(
        str(policy["supervision.min_service_hours_per_year"])
    ) or Decimal(str(indicators.get(PRACTICE_HOURS) or 0)) < Decimal(
        str(policy["supervision.min_practice_hours_per_year"])
    )
