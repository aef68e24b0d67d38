"""Each indicator's points against hand computations, with the numbers as parameters."""

from decimal import Decimal

import pytest

from dudao.evaluation import indicators as ind

D = Decimal


@pytest.mark.parametrize(
    ("hours", "minimum", "points"),
    [
        ("30", 60, "50.00"),
        ("60", 60, "100.00"),
        ("90", 60, "100.00"),
        ("0", 60, "0.00"),
        ("2.5", 60, "4.17"),
        ("5", 0, "100.00"),
        (None, 24, "0.00"),
    ],
)
def test_hours_points_are_the_share_of_the_minimum_capped_at_one(hours, minimum, points):
    assert ind.hours_points(hours, minimum) == D(points)
    assert ind.training_points(hours, minimum) == D(points)


@pytest.mark.parametrize(
    ("average", "without", "points"),
    [("4.60", 60, "92.00"), ("5", 60, "100.00"), ("1.00", 60, "20.00"), (None, 60, "60.00"), (None, 45, "45.00")],
)
def test_satisfaction_is_the_average_out_of_five_or_the_policy_points_without_ratings(average, without, points):
    assert ind.satisfaction_points(average, without) == D(points)


@pytest.mark.parametrize(
    ("gain", "tenths", "points"),
    [("0.50", 10, "50.00"), ("1.20", 10, "100.00"), ("-0.30", 10, "0.00"), ("0.40", 5, "80.00"), (None, 10, "0.00")],
)
def test_ability_gain_is_clamped_against_the_target_in_tenths(gain, tenths, points):
    assert ind.ability_gain_points(gain, tenths) == D(points)


@pytest.mark.parametrize(("average", "points"), [("86.5", "86.50"), (None, "60.00")])
def test_service_results_are_the_average_as_is(average, points):
    assert ind.service_results_points(average, 60) == D(points)


POLICY = {
    "supervision.min_service_hours_per_year": 60,
    "supervision.min_practice_hours_per_year": 100,
    "evaluation.min_training_hours_per_year": 24,
    "evaluation.points_without_ratings": 60,
    "evaluation.target_ability_gain": 10,
    "evaluation.indicator_weights": {
        "督导服务时数": "20.00",
        "一线实务时数": "20.00",
        "督导对象满意度": "20.00",
        "能力提升": "15.00",
        "培训学时": "10.00",
        "服务评估结果": "15.00",
    },
}


def test_the_indicator_part_weighs_the_points_by_the_policy_weights():
    indicators = {
        "service_hours": "45.00",  # 75.00 points
        "practice_hours": "120.00",  # 100.00
        "satisfaction": "4.50",  # 90.00
        "ability_gain": "0.60",  # 60.00
        "training_hours": "12.00",  # 50.00
        "service_results": None,  # 60.00
    }
    part, lines = ind.indicator_part(indicators, POLICY)
    # 75×.2 + 100×.2 + 90×.2 + 60×.15 + 50×.1 + 60×.15 = 15 + 20 + 18 + 9 + 5 + 9 = 76
    assert part == D("76.00")
    assert lines["training_hours"] == {"points": "50.00", "weight": "10.00", "weighted": "5.00"}
    assert ind.below_minimum(indicators, POLICY)  # 45 supervision hours < 60
    assert not ind.below_minimum({**indicators, "service_hours": "60"}, POLICY)


def test_a_district_weight_change_moves_the_part():
    weights = dict(POLICY["evaluation.indicator_weights"], 督导服务时数="40.00", 一线实务时数="0.00")
    part, _lines = ind.indicator_part(
        {"service_hours": "60", "practice_hours": "0"}, {**POLICY, "evaluation.indicator_weights": weights}
    )
    # 100×.4 + 0 + 60×.2 (no ratings) + 0×.15 + 0×.1 + 60×.15 = 40 + 12 + 9 = 61
    assert part == D("61.00")
