"""Weight spaces: an agreed order and bounds, sampled exactly uniformly, with their corners.

Checked against closed forms: the rank-order centroid of the ordered simplex (Barron and Barrett 1996),
areas of the two-dimensional simplex, and corners worked out by hand.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from scoring import WeightsError, WeightSpace, rank_order_centroid, sample_weights

ABC = ("a", "b", "c")
FOUR = ("impact", "reach", "cost", "risk")


def _within(share: float, expected: float, draws: int) -> None:
    """A sampled share within four standard errors of its exact value."""
    assert abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / draws) + 1e-12, (share, expected)


def test_rank_order_centroid_closed_form() -> None:
    assert rank_order_centroid(4) == pytest.approx([25 / 48, 13 / 48, 7 / 48, 3 / 48])
    assert rank_order_centroid(1) == pytest.approx([1.0])
    for n in range(2, 8):
        assert rank_order_centroid(n).sum() == pytest.approx(1.0)


@pytest.mark.parametrize("n", [3, 4, 6])
def test_a_full_order_is_sampled_with_the_rank_order_centroid_as_its_mean(n: int) -> None:
    criteria = tuple(f"c{i}" for i in range(n))
    draws = 100_000
    weights = WeightSpace.ranked(criteria, criteria).sample(draws, np.random.default_rng(7))
    assert weights.shape == (draws, n)
    assert np.allclose(weights.sum(axis=1), 1.0)
    assert (np.diff(weights, axis=1) <= 1e-12).all()  # every draw keeps the order
    spread = weights.std(axis=0) / np.sqrt(draws)
    assert np.all(np.abs(weights.mean(axis=0) - rank_order_centroid(n)) < 4 * spread + 1e-12)


def test_a_partial_order_is_uniform_over_its_half_of_the_simplex() -> None:
    """With a >= b only, the region is half the triangle: c keeps its uniform law, P(c > 1/2) = 1/4, and
    P(a > 1/2) = (1/4) / (1/2) = 1/2 since a > 1/2 already puts a above b."""
    draws = 40_000
    weights = WeightSpace(ABC, (("a", "b"),)).sample(draws, np.random.default_rng(3))
    assert (weights[:, 0] >= weights[:, 1] - 1e-12).all()
    _within(float((weights[:, 2] > 0.5).mean()), 0.25, draws)
    _within(float((weights[:, 0] > 0.5).mean()), 0.5, draws)


def test_bounds_keep_the_draws_uniform_over_what_is_left() -> None:
    """Uniform on the triangle, P(a <= t) = 1 - (1 - t)^2; cut at a <= 1/2, P(a <= 1/4 | a <= 1/2) = 0.4375 / 0.75."""
    draws = 40_000
    weights = WeightSpace(ABC, upper={"a": 0.5}).sample(draws, np.random.default_rng(5))
    assert weights[:, 0].max() <= 0.5 + 1e-12
    _within(float((weights[:, 0] <= 0.25).mean()), 0.4375 / 0.75, draws)


def test_order_and_bounds_together() -> None:
    space = WeightSpace.ranked(FOUR, ["impact", "reach"], lower={"cost": 0.1}, upper={"impact": 0.5})
    weights = space.sample(5_000, np.random.default_rng(11))
    assert (weights[:, 0] >= weights[:, 1] - 1e-12).all()
    assert (weights[:, 2] >= 0.1 - 1e-12).all() and (weights[:, 0] <= 0.5 + 1e-12).all()


def test_corners_by_hand() -> None:
    ordered = WeightSpace.ranked(ABC, ABC).corners()
    expected = [[1, 0, 0], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]]
    assert sorted(map(tuple, np.round(ordered, 9))) == sorted(map(tuple, np.round(expected, 9)))
    whole = WeightSpace(ABC).corners()
    assert sorted(map(tuple, whole)) == [(0, 0, 1), (0, 1, 0), (1, 0, 0)]
    boxed = WeightSpace(ABC, lower={"a": 0.2}, upper={"a": 0.6}).corners()
    expected = [[0.2, 0.8, 0], [0.2, 0, 0.8], [0.6, 0.4, 0], [0.6, 0, 0.4]]
    assert sorted(map(tuple, np.round(boxed, 9))) == sorted(map(tuple, np.round(expected, 9)))


def test_every_draw_is_inside_the_hull_of_the_corners() -> None:
    """A linear objective over the draws never beats its best corner: the corners bound the space."""
    space = WeightSpace.ranked(FOUR, ["reach", "impact", "risk"], upper={"cost": 0.3})
    corners = space.corners()
    draws = space.sample(3_000, np.random.default_rng(2))
    for direction in np.random.default_rng(4).normal(size=(20, 4)):
        assert (draws @ direction).max() <= (corners @ direction).max() + 1e-9
        assert (draws @ direction).min() >= (corners @ direction).min() - 1e-9


@pytest.mark.parametrize(
    ("space", "message"),
    [
        (WeightSpace(ABC, (("a", "b"), ("b", "a"))), "goes round in a circle"),
        (WeightSpace(ABC, (("a", "a"),)), "cannot be ordered against itself"),
        (WeightSpace(ABC, (("a", "z"),)), "'z' is not one of the criteria"),
        (WeightSpace(ABC, lower={"a": 0.6, "b": 0.6}), "the lowest weights add up to 120%, more than 100%"),
        (WeightSpace(ABC, upper={"a": 0.2, "b": 0.2, "c": 0.2}), "the highest weights add up to 60%, less than 100%"),
        (WeightSpace(ABC, lower={"a": 0.5}, upper={"a": 0.4}), "the lowest weight of a (50%) is above its highest (40%)"),
        (WeightSpace(ABC, (("a", "b"),), lower={"b": 0.4}, upper={"a": 0.3}), "no weighting keeps both"),
        (WeightSpace(ABC, upper={"a": 1.5}), "must be shares between 0 and 1"),
    ],
)
def test_impossible_spaces_are_refused_in_words(space: WeightSpace, message: str) -> None:
    with pytest.raises(WeightsError, match=re.escape(message)):
        space.check()
    with pytest.raises(WeightsError, match=re.escape(message)):
        space.sample(10, np.random.default_rng(0))


def test_a_sliver_too_thin_to_draw_from_is_refused() -> None:
    space = WeightSpace(ABC, lower={"a": 0.9995}, upper={"a": 1.0})
    with pytest.raises(WeightsError, match="too small a share"):
        space.sample(100, np.random.default_rng(0))


def test_the_monte_carlo_draws_from_the_space() -> None:
    space = WeightSpace.ranked(FOUR, FOUR)
    weights = sample_weights(np.full(4, 0.25), 2_000, np.random.default_rng(1), "space", space=space)
    assert (np.diff(weights, axis=1) <= 1e-12).all()
    with pytest.raises(ValueError, match="needs a weight space"):
        sample_weights(np.full(4, 0.25), 10, np.random.default_rng(1), "space")
