"""Monte Carlo: the closed-form example, reproducibility and the laws of probability."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.montecarlo import MonteCarloResult, sample_weights, simulate

CLOSED_FORM = pd.DataFrame({"x": [1.0, 0.0, 0.6], "y": [0.0, 1.0, 0.6]}, index=["A", "B", "C"])


def test_closed_form_rank_probabilities() -> None:
    """Uniform weights on two criteria: P(rank 1/2/3) is A .4/.1/.5, B .4/.1/.5, C .2/.8/0, within 4 standard errors."""
    result = simulate(CLOSED_FORM, CLOSED_FORM * 0, pd.Series({"x": 0.5, "y": 0.5}), 100_000, seed=7, top_k=1, mode="uniform")
    expected = pd.DataFrame([[0.4, 0.1, 0.5], [0.4, 0.1, 0.5], [0.2, 0.8, 0.0]], index=["A", "B", "C"], columns=[1, 2, 3])
    error = np.sqrt(expected * (1 - expected) / 100_000) * 4 + 1e-9
    assert (abs(result.rank_probability - expected) <= error).all().all()


def test_closed_form_central_weights() -> None:
    """Central weights: A (0.8, 0.2), B (0.2, 0.8), C (0.5, 0.5)."""
    result = simulate(CLOSED_FORM, CLOSED_FORM * 0, pd.Series({"x": 0.5, "y": 0.5}), 100_000, seed=8, top_k=1, mode="uniform")
    expected = pd.DataFrame([[0.8, 0.2], [0.2, 0.8], [0.5, 0.5]], index=["A", "B", "C"], columns=["x", "y"])
    assert np.allclose(result.central_weights, expected, atol=0.01)


def test_same_seed_same_numbers() -> None:
    """The same seed gives identical probabilities; another seed gives different ones."""
    spread = CLOSED_FORM * 0 + 0.1
    weights = pd.Series({"x": 0.3, "y": 0.7})
    first = simulate(CLOSED_FORM, spread, weights, 3_000, seed=1)
    again = simulate(CLOSED_FORM, spread, weights, 3_000, seed=1)
    other = simulate(CLOSED_FORM, spread, weights, 3_000, seed=2)
    pd.testing.assert_frame_equal(first.rank_probability, again.rank_probability)
    assert not first.rank_probability.equals(other.rank_probability)


def test_probabilities_sum_to_one() -> None:
    """Each intervention's rank probabilities add up to 1, and so does each rank's column."""
    rng = np.random.default_rng(3)
    values = pd.DataFrame(rng.uniform(0, 100, (9, 4)), columns=list("abcd"))
    result = simulate(values, values * 0 + 10, pd.Series({"a": 0.4, "b": 0.2, "c": 0.2, "d": 0.2}), 2_000, seed=4, top_k=3)
    assert np.allclose(result.rank_probability.sum(axis=1), 1)
    assert np.allclose(result.rank_probability.sum(axis=0), 1)
    assert result.top_k_probability.sum() == pytest.approx(3)


def test_dominated_never_ranks_first_when_strictly_worse() -> None:
    """With no value noise, an intervention strictly worse on every criterion than another never ranks first."""
    values = pd.DataFrame({"a": [90.0, 80.0, 10.0], "b": [70.0, 60.0, 95.0]}, index=["top", "dominated", "other"])
    result = simulate(values, values * 0, pd.Series({"a": 0.5, "b": 0.5}), 5_000, seed=5, mode="uniform")
    assert result.rank_probability.at["dominated", 1] == 0


def test_weight_draws() -> None:
    """Around-draws average to the chosen weights and keep zero weights at zero; pool draws come from the pool."""
    rng = np.random.default_rng(0)
    center = np.array([0.5, 0.3, 0.2, 0.0])
    around = sample_weights(center, 20_000, rng, "around", 50)
    assert np.allclose(around.mean(axis=0), center, atol=0.01)
    assert np.all(around[:, 3] == 0)
    pool = np.array([[1.0, 0, 0, 0], [0, 1.0, 0, 0]])
    drawn = sample_weights(center, 100, rng, "pool", pool=pool)
    assert {tuple(row) for row in drawn} <= {tuple(row) for row in pool}
    with pytest.raises(ValueError, match="at least one weight vector"):
        sample_weights(center, 1, rng, "pool")


def test_standard_error() -> None:
    """The standard error of p = 0.5 from 10,000 draws is 0.005."""
    assert MonteCarloResult.standard_error(pd.Series([0.5]), 10_000).iloc[0] == pytest.approx(0.005)


def test_progress_hears_of_every_chunk_and_changes_nothing() -> None:
    """progress(done, total) is called once per chunk of draws, counting up; the result is the same as without it."""
    values = pd.DataFrame(np.random.default_rng(1).uniform(0, 100, (6, 4)), columns=["impact", "reach", "cost", "risk"])
    weights = pd.Series([0.4, 0.2, 0.2, 0.2], index=values.columns)
    heard: list[tuple[int, int]] = []
    with_progress = simulate(values, values * 0 + 5, weights, 1_700, seed=3, progress=lambda d, t: heard.append((d, t)))
    plain = simulate(values, values * 0 + 5, weights, 1_700, seed=3)
    assert heard == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert with_progress.rank_probability.equals(plain.rank_probability)


def test_a_progress_callback_that_raises_stops_the_draws() -> None:
    """A user stopping the trials (the callback raises) stops them: the exception comes out, no result."""
    values = pd.DataFrame(np.random.default_rng(1).uniform(0, 100, (6, 4)), columns=["impact", "reach", "cost", "risk"])
    weights = pd.Series([0.4, 0.2, 0.2, 0.2], index=values.columns)

    def stop(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        simulate(values, values * 0 + 5, weights, 5_000, seed=3, progress=stop)
