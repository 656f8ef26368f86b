"""Swing weighting worked by hand: weights make each swing's score gain proportional to its rating."""

from __future__ import annotations

import re

import pytest

from scoring import WeightsError, swing_weights

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
    ],
)
def test_answers_that_cannot_give_weights_are_said_in_words(
    order: list[str], ratings: dict[str, float], ranges: dict[str, float], message: str
) -> None:
    with pytest.raises(WeightsError, match=re.escape(message)):
        swing_weights(order, ratings, ranges)
