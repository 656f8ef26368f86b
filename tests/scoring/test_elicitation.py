"""Swing weighting worked by hand: weights make each swing's score gain proportional to its rating."""

from __future__ import annotations

import re

import pytest

from scoring import WeightsError, swing_weights
from scoring.elicitation import (
    MARGIN,
    PINNED,
    Answer,
    InconsistentAnswers,
    TradeOff,
    conflicting_answers,
    next_trade_off,
    trade_off_weights,
    weight_ranges,
)

RANGES = {"impact": 80.0, "reach": 50.0, "cost": 100.0, "risk": 40.0}


def test_swing_weights_by_hand() -> None:
    """Ratings 100, 50, 25, 0 over swings of 80, 50, 100 and 40 points: 100/80, 50/50, 25/100, 0 are
    1.25, 1, 0.25 and 0, which add up to 2.5, so the weights are 0.5, 0.4, 0.1 and 0."""
    weights = swing_weights(["impact", "reach", "cost", "risk"], {"reach": 50, "cost": 25, "risk": 0}, RANGES)
    assert weights == pytest.approx({"impact": 0.5, "reach": 0.4, "cost": 0.1, "risk": 0.0})
    gains = {c: weights[c] * RANGES[c] for c in RANGES}  # each swing's score gain
    assert gains["reach"] / gains["impact"] == pytest.approx(0.5)
    assert gains["cost"] / gains["impact"] == pytest.approx(0.25)


def test_equal_ranges_give_the_ratings_over_their_total() -> None:
    weights = swing_weights(
        ["cost", "impact", "risk", "reach"], {"impact": 60, "risk": 30, "reach": 10}, dict.fromkeys(RANGES, 100.0)
    )
    assert weights == pytest.approx({"impact": 0.3, "reach": 0.05, "cost": 0.5, "risk": 0.15})


@pytest.mark.parametrize(
    ("order", "ratings", "ranges", "message"),
    [
        (["impact", "reach", "cost"], {}, RANGES, "put every swing in the order: risk missing"),
        (["impact", "reach", "cost", "risk"], {"impact": 90}, RANGES, "the most important swing (impact) is rated 100"),
        (
            ["impact", "reach", "cost", "risk"],
            {"reach": 40, "cost": 60},
            RANGES,
            "the swing on cost is rated above the swing on reach (60 against 40)",
        ),
        (["impact", "reach", "cost", "risk"], {"reach": 140}, RANGES, "the swing on reach must be rated from 0 to 100"),
        (
            ["impact", "reach", "cost", "risk"],
            {"reach": 50, "cost": 20, "risk": 10},
            RANGES | {"risk": 0.0},
            "every option scores the same on risk",
        ),
        (
            ["risk", "impact", "reach", "cost"],
            {"impact": 50, "reach": 20, "cost": 10},
            RANGES | {"risk": 0.0},
            "cannot be the most important: put it last and rate it 0",
        ),
        (
            ["impact", "reach", "cost", "risk"],
            {"reach": 50, "cost": 20, "risk": 10},
            dict.fromkeys(RANGES, 0.0),
            "no swing changes anything",
        ),
    ],
)
def test_answers_that_cannot_give_weights_are_said_in_words(
    order: list[str], ratings: dict[str, float], ranges: dict[str, float], message: str
) -> None:
    with pytest.raises(WeightsError, match=re.escape(message)):
        swing_weights(order, ratings, ranges)


AB = ("a", "b")


def test_one_answer_by_hand() -> None:
    """Preferring a full swing on a (100 points) to half a swing on b (50): 100 w_a >= 50 w_b (strictly, by
    MARGIN), and w_b = 1 - w_a, so w_a >= (50 + MARGIN) / 150, just above 1/3."""
    answered: list[tuple[TradeOff, Answer]] = [(TradeOff("a", 100, "b", 50), "first")]
    ranges = weight_ranges(AB, answered)
    low = (50 + MARGIN) / 150
    assert ranges["a"] == pytest.approx((low, 1.0))
    assert ranges["b"] == pytest.approx((0.0, 1 - low))
    same = weight_ranges(AB, [(TradeOff("a", 100, "b", 50), "same")])
    assert same["a"] == pytest.approx((1 / 3, 1 / 3))
    assert trade_off_weights(AB, [(TradeOff("a", 100, "b", 50), "same")]) == pytest.approx({"a": 1 / 3, "b": 2 / 3})


@pytest.mark.parametrize(
    "truth",
    [
        {"impact": 0.4, "reach": 0.2, "cost": 0.2, "risk": 0.2},
        {"impact": 0.7, "reach": 0.1, "cost": 0.15, "risk": 0.05},
        {"impact": 0.25, "reach": 0.25, "cost": 0.25, "risk": 0.25},
    ],
)
def test_questions_pin_down_a_consistent_answerers_weights(truth: dict[str, float]) -> None:
    """Someone answering from fixed weights is asked until every weight's range is within 5 points, and
    their weights are inside every range, and the derived weights are within 5 points of theirs."""
    criteria = tuple(truth)
    sizes = {"impact": 80.0, "reach": 100.0, "cost": 60.0, "risk": 40.0}
    answered: list[tuple[TradeOff, Answer]] = []
    while (question := next_trade_off(criteria, answered, sizes)) is not None:
        first = truth[question.first] * question.first_points
        second = truth[question.second] * question.second_points
        answered.append((question, "first" if first > second + 2e-3 else "second" if second > first + 2e-3 else "same"))
        assert len(answered) <= 40, "the questions should converge"
    ranges = weight_ranges(criteria, answered)
    for criterion, (low, high) in ranges.items():
        assert low - 1e-3 <= truth[criterion] <= high + 1e-3
        assert high - low <= PINNED + 1e-9
    derived = trade_off_weights(criteria, answered)
    assert all(abs(derived[c] - truth[c]) <= PINNED + 1e-9 for c in criteria)


def test_contradicting_answers_are_named() -> None:
    """a over b at 1 to 1, b over c at 1 to 1, then c over a by two to one: no weighting agrees; the first
    answer about d is not part of the clash."""
    criteria = ("a", "b", "c", "d")
    answered: list[tuple[TradeOff, Answer]] = [
        (TradeOff("a", 50, "d", 50), "first"),
        (TradeOff("a", 100, "b", 100), "first"),
        (TradeOff("b", 100, "c", 100), "first"),
        (TradeOff("c", 50, "a", 100), "first"),
    ]
    assert conflicting_answers(criteria, answered) == (1, 2, 3)
    with pytest.raises(InconsistentAnswers, match=re.escape("answers 2, 3, 4 contradict each other")) as caught:
        weight_ranges(criteria, answered)
    assert caught.value.conflicting == (1, 2, 3)
    assert conflicting_answers(criteria, answered[:3]) == ()
