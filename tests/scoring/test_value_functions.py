"""Value functions against hand-worked examples."""

import math

import numpy as np
import pytest

from scoring import PiecewiseLinear

REACH = PiecewiseLinear.from_points([[10, 0], [100_000, 100]], log_scale=True)
COST = PiecewiseLinear.from_points([[5_000, 100], [500_000, 0]], log_scale=True)
IMPACT = PiecewiseLinear.from_points([[-10, 0], [0, 10], [2, 25], [10, 45], [30, 80], [50, 100]])


def test_reach_log_scale_hand_worked() -> None:
    """Reach: 25 points per tenfold rise from 10 people: 1,000 -> 50, 16 -> 25*(log10 16 - 1) = 5.10."""
    assert float(REACH(1_000)) == pytest.approx(50.0)
    assert float(REACH(16)) == pytest.approx(25 * (math.log10(16) - 1))
    assert float(REACH(80_000)) == pytest.approx(25 * (math.log10(80_000) - 1))


def test_cost_falls_as_cost_rises() -> None:
    """Cost: 100 at £5k, 50 at £50k (one decade of two), 0 at £500k; cheaper is better."""
    assert float(COST(5_000)) == pytest.approx(100.0)
    assert float(COST(50_000)) == pytest.approx(50.0)
    assert float(COST(500_000)) == pytest.approx(0.0)
    assert not COST.increasing


def test_impact_interpolates_between_anchors() -> None:
    """21% less violence lies 11/20 of the way from 10% (45) to 30% (80): 45 + 0.55 * 35 = 64.25."""
    assert float(IMPACT(21)) == pytest.approx(64.25)


def test_values_are_flat_beyond_the_end_anchors() -> None:
    """Beyond the anchors the end values hold: a huge reach stays 100, zero or negative reach stays 0."""
    assert REACH(np.array([10_000_000, 0, -5])).tolist() == pytest.approx([100.0, 0.0, 0.0])
    assert float(IMPACT(-50)) == 0.0


def test_step_per_tenfold() -> None:
    """A two-anchor log scale reports its points per tenfold rise (reach +25, cost -50)."""
    assert REACH.step_per_tenfold() == pytest.approx(25.0)
    assert COST.step_per_tenfold() == pytest.approx(-50.0)
    assert IMPACT.step_per_tenfold() is None


@pytest.mark.parametrize(
    ("points", "log_scale", "message"),
    [
        ([[1, 0]], False, "at least two"),
        ([[5, 0], [5, 100]], False, "strictly increase"),
        ([[0, 0], [10, 100]], True, "above zero"),
    ],
)
def test_bad_anchors_are_refused(points: list[list[float]], log_scale: bool, message: str) -> None:
    """Too few anchors, anchors out of order, or a log scale through zero are refused in words."""
    with pytest.raises(ValueError, match=message):
        PiecewiseLinear.from_points(points, log_scale=log_scale)
