"""The one call to HiGHS: the proven optimum, None when nothing meets the rows, and the cutoff.

Checked against brute force over every 0-1 vector of small knapsacks with repeated values (so
optima tie and sit exactly on a cutoff's margin).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.sparse import csr_array

from scoring.highs import minimise


def knapsack(seed: int, n: int = 9) -> tuple[np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(seed)
    return rng.choice([3.0, 5.0, 8.0], size=n), rng.choice([2.0, 4.0, 6.0], size=n), float(rng.integers(6, 20))


def brute_best(value: np.ndarray, cost: np.ndarray, budget: float) -> float:
    return max(
        float(value @ x)
        for x in (np.array(bits, dtype=float) for bits in itertools.product((0, 1), repeat=value.size))
        if cost @ x <= budget
    )


def solve(value: np.ndarray, cost: np.ndarray, budget: float, cutoff: float | None = None) -> np.ndarray | None:
    n = value.size
    return minimise(
        -value, csr_array(cost.reshape(1, -1)), np.array([-np.inf]), np.array([budget]), np.zeros(n), np.ones(n), cutoff=cutoff
    )


@pytest.mark.parametrize("seed", range(12))
def test_the_optimum_is_brute_forces_and_the_cutoff_keeps_exactly_what_beats_it(seed: int) -> None:
    value, cost, budget = knapsack(seed)
    best = brute_best(value, cost, budget)
    x = solve(value, cost, budget)
    assert x is not None and np.all(np.isin(x, (0.0, 1.0)))
    assert cost @ x <= budget and value @ x == best
    # A cutoff half a unit below the best: the best is still found.
    reached = solve(value, cost, budget, cutoff=-(best - 0.5))
    assert reached is not None and value @ reached == best
    # Half a unit above it: nothing beats the cutoff, so nothing is returned.
    assert solve(value, cost, budget, cutoff=-(best + 0.5)) is None


def test_rows_no_vector_meets_give_none() -> None:
    # x0 + x1 >= 3 with both at most 1.
    assert minimise(np.ones(2), csr_array(np.ones((1, 2))), np.array([3.0]), np.array([np.inf]), np.zeros(2), np.ones(2)) is None


def test_continuous_columns_and_no_rows() -> None:
    # One whole column and one continuous one, bounds only: minimise -x0 - x1 on [0, 1.5] x [0, 1.5].
    x = minimise(-np.ones(2), csr_array((0, 2)), np.zeros(0), np.zeros(0), np.zeros(2), np.full(2, 1.5), [1, 0])
    assert x is not None
    assert x.tolist() == pytest.approx([1.0, 1.5])


def test_an_unexpected_status_under_a_cutoff_asks_again_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS stopping for any other reason under a cutoff ("objective bound reached") must not read as "nothing
    beats it": the solve is asked again without the cutoff, and its answer is held to the cutoff."""
    import highspy

    calls: list[float] = []

    class StopsAtTheBound(highspy.Highs):  # type: ignore[misc]
        def getModelStatus(self) -> highspy.HighsModelStatus:
            bound = float(self.getOptionValue("objective_bound")[1])
            calls.append(bound)
            return highspy.HighsModelStatus.kObjectiveBound if np.isfinite(bound) else super().getModelStatus()

    monkeypatch.setattr(highspy, "Highs", StopsAtTheBound)
    value, cost, budget = knapsack(3)
    best = brute_best(value, cost, budget)
    reached = solve(value, cost, budget, cutoff=-(best - 0.5))
    assert reached is not None and value @ reached == best
    assert solve(value, cost, budget, cutoff=-(best + 0.5)) is None
    assert [np.isfinite(b) for b in calls] == [True, False, True, False]
