"""The arithmetic of a result, by hand (dudao/evaluation/results.py)."""

from decimal import Decimal

from dudao.evaluation.results import Bands, compute
from tests.evaluation.scoring_setup import POINTS, WEIGHTS

WEIGHTS_30_30_20_20 = {"home_agency": 30, "served_agency": 30, "association": 20, "authority": 20}
BANDS = Bands(excellent=90, passing=75, basic=60)


def run(parties, *, share_missing=True, hours_short=(), hours_cap=True):
    return compute(
        party_scores={k: None if v is None else Decimal(v) for k, v in parties.items()},
        party_weights=WEIGHTS_30_30_20_20,
        share_missing=share_missing,
        party_share="60.00",
        indicator_points=POINTS,
        indicator_weights=WEIGHTS,
        bands=BANDS,
        hours_short=list(hours_short),
        hours_cap=hours_cap,
    )


PARTIES = {"home_agency": "85.00", "served_agency": "81.50", "association": "80.00", "authority": None}


def test_a_missing_party_s_weight_is_shared_among_the_others_in_proportion():
    """Parties (authority missing, 80 of the 100 weight left):
    (30×85 + 30×81.50 + 20×80) ÷ 80 = 6595 ÷ 80 = 82.4375 → 82.44.
    Indicators: (20×100 + 20×80 + 20×90 + 15×70 + 10×100 + 15×85) ÷ 100 = 8725 ÷ 100 = 87.25.
    Score: 82.44 × 0.6 + 87.25 × 0.4 = 49.464 + 34.900 = 84.364 → 84.36: 合格 (75 ≤ 84.36 < 90)."""
    result = run(PARTIES)
    assert result.party_part == Decimal("82.44")
    assert result.indicator_part == Decimal("87.25")
    assert result.score == Decimal("84.36")
    assert result.grade == "pass"
    assert result.missing == ["authority"]
    assert result.breakdown["parties"]["home_agency"]["effective_weight"] == "37.50"  # 30 ÷ 80


def test_a_missing_party_counts_zero_when_the_policy_says_so():
    """(30×85 + 30×81.50 + 20×80 + 20×0) ÷ 100 = 65.95; 65.95 × 0.6 + 87.25 × 0.4 = 39.57 + 34.90 = 74.47: 基本合格."""
    result = run(PARTIES, share_missing=False)
    assert (result.party_part, result.score, result.grade) == (Decimal("65.95"), Decimal("74.47"), "basic")
    assert result.missing == ["authority"]


def test_hours_below_the_minimum_cap_the_grade_at_basic_pass_without_changing_the_score():
    result = run(PARTIES, hours_short=["practice_hours"])
    assert (result.score, result.grade, result.hours_capped) == (Decimal("84.36"), "basic", True)
    uncapped = run(PARTIES, hours_short=["practice_hours"], hours_cap=False)
    assert (uncapped.grade, uncapped.hours_capped) == ("pass", False)


def test_the_cap_never_raises_a_fail():
    """No party scored: party part 0; 0 × 0.6 + 87.25 × 0.4 = 34.90: 不合格, and stays so under the cap."""
    result = run(dict.fromkeys(PARTIES), hours_short=["service_hours"])
    assert (result.score, result.grade, result.hours_capped) == (Decimal("34.90"), "fail", False)


def test_the_bands_are_inclusive_at_their_lower_edge():
    assert [BANDS.grade(Decimal(s)) for s in ("90.00", "89.99", "75.00", "60.00", "59.99")] == [
        "excellent",
        "pass",
        "pass",
        "basic",
        "fail",
    ]
