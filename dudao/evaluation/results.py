"""The arithmetic of an evaluation result, pure (no database): the services
gather the numbers and the policy values, this turns them into the score, the
grade and the breakdown that is stored and shown.

- A form's score is the mean of its ethics, ability and performance (0–100),
  to two places; a party's score is its form's, or for the served agencies the
  mean of their forms' scores, to two places.
- Party part = Σ weightₚ × scoreₚ ÷ Σ weights counted. A missing party is left
  out of both sums (its weight shared among the others in proportion) when the
  policy says so, or counts 0 (its weight stays in the divisor); either way it
  is listed as missing.
- Indicator part = Σ weightᵢ × pointsᵢ ÷ Σ weightᵢ, points 0–100 per indicator.
- Score = party part × share + indicator part × (1 − share).
- Grade from the bands; hours below a minimum cap the grade at 基本合格.

Every division is rounded to two places ROUND_HALF_UP where it is stored."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .models import GRADE_ORDER, Grade, Party

CENT = Decimal("0.01")
HUNDRED = Decimal("100")

# The names of the parties in policy evaluation.party_weights.
PARTY_WEIGHT_KEYS = {
    Party.HOME_AGENCY: "所在机构",
    Party.SERVED_AGENCY: "服务机构",
    Party.ASSOCIATION: "社工协会",
    Party.AUTHORITY: "主管部门",
}


def q(number) -> Decimal:
    return Decimal(number).quantize(CENT, rounding=ROUND_HALF_UP)


def mean(numbers) -> Decimal | None:
    numbers = [Decimal(n) for n in numbers]
    return q(sum(numbers) / len(numbers)) if numbers else None


def form_score(ethics, ability, performance) -> Decimal:
    return mean([ethics, ability, performance])


@dataclass(frozen=True)
class Bands:
    excellent: int
    passing: int
    basic: int

    def grade(self, score: Decimal) -> str:
        if score >= self.excellent:
            return Grade.EXCELLENT
        if score >= self.passing:
            return Grade.PASS
        if score >= self.basic:
            return Grade.BASIC
        return Grade.FAIL


@dataclass
class Result:
    party_part: Decimal
    indicator_part: Decimal
    score: Decimal
    grade: str
    hours_capped: bool
    missing: list
    breakdown: dict = field(default_factory=dict)


def compute(
    *,
    party_scores: dict,
    party_weights: dict,
    share_missing: bool,
    party_share,
    indicator_points: dict,
    indicator_weights: dict,
    bands: Bands,
    hours_short: list,
    hours_cap: bool,
) -> Result:
    """party_scores: {party: score or None}; party_weights: {party: percent};
    party_share: percent of the score the parties make; indicator_points and
    indicator_weights: {name: points 0–100} and {name: percent}; hours_short:
    the indicators below their minimum ("service_hours", "practice_hours")."""
    weights = {p: Decimal(str(party_weights.get(p, 0))) for p in Party.values}
    missing = [p for p in Party.values if party_scores.get(p) is None]
    counted = [p for p in Party.values if p not in missing or not share_missing]
    divisor = sum((weights[p] for p in counted), Decimal(0))
    parties = {}
    total = Decimal(0)
    for p in Party.values:
        score = party_scores.get(p)
        in_sum = p in counted
        effective = q(weights[p] * HUNDRED / divisor) if in_sum and divisor else Decimal("0.00")
        if in_sum and score is not None:
            total += weights[p] * Decimal(score)
        parties[p] = {
            "score": None if score is None else str(q(score)),
            "weight": str(q(weights[p])),
            "effective_weight": str(effective),
            "missing": score is None,
        }
    party_part = q(total / divisor) if divisor else Decimal("0.00")

    names = sorted(indicator_weights)
    indicator_divisor = sum((Decimal(str(indicator_weights[n])) for n in names), Decimal(0))
    indicator_total = sum(
        (Decimal(str(indicator_weights[n])) * Decimal(str(indicator_points.get(n, 0))) for n in names), Decimal(0)
    )
    indicator_part = q(indicator_total / indicator_divisor) if indicator_divisor else Decimal("0.00")

    share = Decimal(str(party_share)) / HUNDRED
    score = q(party_part * share + indicator_part * (1 - share))
    computed_grade = bands.grade(score)
    grade = computed_grade
    capped = False
    if hours_cap and hours_short and GRADE_ORDER.index(computed_grade) < GRADE_ORDER.index(Grade.BASIC):
        grade, capped = Grade.BASIC, True
    breakdown = {
        "parties": parties,
        "missing_rule": "shared" if share_missing else "zero",
        "party_part": str(party_part),
        "indicators": {
            n: {"points": str(q(indicator_points.get(n, 0))), "weight": str(q(indicator_weights[n]))} for n in names
        },
        "indicator_part": str(indicator_part),
        "party_share": str(q(party_share)),
        "score": str(score),
        "bands": {"excellent": bands.excellent, "pass": bands.passing, "basic": bands.basic},
        "grade_by_score": str(computed_grade),
        "hours_short": list(hours_short),
        "hours_capped": capped,
        "grade": str(grade),
    }
    return Result(
        party_part=party_part,
        indicator_part=indicator_part,
        score=score,
        grade=str(grade),
        hours_capped=capped,
        missing=missing,
        breakdown=breakdown,
    )
