"""Exact breakpoints against fine brute-force sweeps, and dominance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring import normalise_weights, sensitivity
from scoring.sensitivity import (
    Interval,
    containing,
    dominance,
    dominators,
    funded_breakpoints,
    funded_interval_at,
    one_way_array,
    one_way_weights,
    top_k_intervals,
)

CRITERIA = ["impact", "reach", "cost", "risk"]


def random_values(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.uniform(0, 100, (n, 4)), columns=CRITERIA, index=[f"i{k:02d}" for k in range(n)])


def test_one_way_weights_keep_the_others_in_proportion() -> None:
    """Impact at 70% from 40/20/20/20 leaves 30% split 10/10/10; the weights still add up to 1."""
    moved = one_way_weights(normalise_weights({"impact": 40, "reach": 20, "cost": 20, "risk": 20}), "impact", 0.7)
    assert moved.to_dict() == pytest.approx({"impact": 0.7, "reach": 0.1, "cost": 0.1, "risk": 0.1})


def test_two_lines_swap_where_hand_worked() -> None:
    """A = (impact 100, reach 0), B = (0, 100), weights 50/50: as impact's weight t grows, A's score is 100t and
    B's 100(1-t), so the top-1 set changes exactly at t = 0.5."""
    values = pd.DataFrame({"impact": [100.0, 0.0], "reach": [0.0, 100.0]}, index=["A", "B"])
    intervals = top_k_intervals(values, normalise_weights({"impact": 1, "reach": 1}, ("impact", "reach")), "impact", 1)
    assert [(iv.low, iv.high, set(iv.members)) for iv in intervals] == [
        (0.0, pytest.approx(0.5), {"B"}),
        (pytest.approx(0.5), 1.0, {"A"}),
    ]


@pytest.mark.parametrize("seed", range(8))
def test_top_k_breakpoints_match_a_fine_sweep(seed: int) -> None:
    """At 2,001 evenly spaced weights the top-k set found by scoring equals the exact intervals' set."""
    values = random_values(seed, 12)
    weights = normalise_weights({"impact": 40, "reach": 20, "cost": 20, "risk": 20})
    criterion = CRITERIA[seed % 4]
    intervals = top_k_intervals(values, weights, criterion, 3)
    grid = np.linspace(0, 1, 2001)
    position = CRITERIA.index(criterion)
    all_weights = np.column_stack([one_way_array(weights.to_numpy(), position, t) for t in grid])
    all_scores = values.to_numpy() @ all_weights
    for column, t in enumerate(grid):
        expected = set(values.index[np.argsort(-all_scores[:, column], kind="stable")[:3]])
        here = containing(intervals, t)
        near_edge = min(abs(t - here.low), abs(t - here.high)) < 1e-6
        assert near_edge or set(here.members) == expected, t


@pytest.mark.parametrize("seed", range(12))
def test_only_contenders_are_intersected_and_the_intervals_are_the_same(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Intersecting only the lines that could reach the top k gives the intervals that intersecting every pair
    gives: values on a coarse grid (so lines tie, coincide and cross at shared points), k from 1 to 6. Where
    several pairs cross at one point their crossings are computed a rounding apart, so the bounds are compared
    to 1e-12 and slivers narrower than that (between two roundings of one point) are left out of both."""
    from scoring import sensitivity

    rng = np.random.default_rng(700 + seed)
    n = int(rng.integers(8, 80))
    values = pd.DataFrame(
        rng.choice([0.0, 10.0, 25.0, 50.0, 50.0, 75.0, 100.0], size=(n, 4)),
        columns=list(CRITERIA),
        index=[f"i{j:03d}" for j in rng.permutation(n)],
    )
    weights = normalise_weights(dict(zip(CRITERIA, rng.integers(0, 5, 4) * 10 + 1, strict=True)))
    k = int(rng.integers(1, 7))
    for criterion in CRITERIA:
        fast = top_k_intervals(values, weights, criterion, k)
        with monkeypatch.context() as patched:
            patched.setattr(sensitivity, "_contenders", lambda lines, k: lines)
            every_pair = top_k_intervals(values, weights, criterion, k)
        got, want = without_slivers(fast), without_slivers(every_pair)
        assert [members for *_, members in got] == [members for *_, members in want], (criterion, k)
        bounds = [bound for low, high, _ in got for bound in (low, high)]
        assert bounds == pytest.approx([bound for low, high, _ in want for bound in (low, high)], abs=1e-12)


def without_slivers(intervals: list[Interval]) -> list[tuple[float, float, tuple[str, ...]]]:
    """The intervals as (low, high, members), dropping any narrower than 1e-12 and joining neighbours that then
    hold the same set (members as a sorted tuple, which approx compares exactly)."""
    kept: list[tuple[float, float, tuple[str, ...]]] = []
    for interval in intervals:
        if interval.high - interval.low < 1e-12:
            continue
        members = tuple(sorted(interval.members))
        if kept and kept[-1][2] == members:
            kept[-1] = (kept[-1][0], interval.high, members)
        else:
            kept.append((interval.low, interval.high, members))
    return kept


def test_contenders_leave_out_the_lines_that_cannot_reach_the_top() -> None:
    """Of 5,000 random interventions, only a few dozen can be in the top 5 at any weight of a criterion; the
    ones left out are each beaten at both ends by at least five others."""
    from scoring.sensitivity import _contenders, score_lines

    values = random_values(3, 5_000)
    weights = normalise_weights({"impact": 40, "reach": 20, "cost": 20, "risk": 20})
    lines = score_lines(values, weights, "reach")
    kept = _contenders(lines, 5)
    assert 5 <= len(kept) < 200
    a, b = lines["at_0"].to_numpy(), lines["at_1"].to_numpy()
    for j in rng_sample(lines.index.difference(kept.index), 50):
        position = lines.index.get_loc(j)
        assert ((a >= a[position] + 1e-6) & (b >= b[position] + 1e-6)).sum() >= 5


def rng_sample(ids: pd.Index, size: int) -> list[str]:
    return [str(i) for i in np.random.default_rng(0).choice(ids.to_numpy(dtype=str), size=min(size, len(ids)), replace=False)]


def knapsack_solver(values: pd.DataFrame, costs: np.ndarray, budget: float, weights: pd.Series, criterion: str):  # type: ignore[no-untyped-def]
    """Brute-force best subset at weight t (for a handful of items), and its value line."""
    n = len(values)
    subsets = [s for s in range(1 << n) if sum(costs[j] for j in range(n) if s >> j & 1) <= budget]

    def benefits(t: float) -> np.ndarray:
        return values.to_numpy() @ one_way_weights(weights, criterion, t).to_numpy()

    def solve(t: float):  # type: ignore[no-untyped-def]
        b = benefits(t)
        best = max(subsets, key=lambda s: (round(sum(b[j] for j in range(n) if s >> j & 1), 9), -s))
        members = frozenset(values.index[j] for j in range(n) if best >> j & 1)
        return members, lambda u: float(sum(benefits(u)[j] for j in range(n) if best >> j & 1))

    return solve


@pytest.mark.parametrize("seed", range(6))
def test_funded_breakpoints_match_a_fine_sweep(seed: int) -> None:
    """Parametric analysis finds the same funded sets as solving at 401 evenly spaced weights."""
    values = random_values(100 + seed, 8)
    costs = np.random.default_rng(seed).integers(1, 10, 8).astype(float)
    weights = normalise_weights({"impact": 40, "reach": 20, "cost": 20, "risk": 20})
    criterion = CRITERIA[seed % 4]
    solve = knapsack_solver(values, costs, costs.sum() * 0.4, weights, criterion)
    intervals = funded_breakpoints(solve)
    assert intervals[0].low == 0.0 and intervals[-1].high == pytest.approx(1.0)
    for t in np.linspace(0, 1, 401):
        here = containing(intervals, t)
        near_edge = min(abs(t - here.low), abs(t - here.high)) < 1e-5
        assert near_edge or here.members == solve(t)[0], t


@pytest.mark.parametrize("seed", range(24))
def test_funded_interval_at_matches_the_whole_range(seed: int) -> None:
    """Searching outward from a weight finds the same interval (members and both ends) as working out the whole
    range and taking the one that holds it: at random weights, at 0 and 1, and exactly at every breakpoint
    (where the interval ending there is the one taken), with values rounded so that sets tie."""
    rng = np.random.default_rng(seed)
    values = random_values(200 + seed, 8)
    if seed % 3 == 0:
        values = values.round(-1)
    costs = rng.integers(1, 10, 8).astype(float)
    weights = normalise_weights(dict(zip(CRITERIA, (rng.integers(0, 5, 4) + 1).tolist(), strict=True)))
    criterion = CRITERIA[seed % 4]
    solve = knapsack_solver(values, costs, costs.sum() * 0.4, weights, criterion)
    whole = funded_breakpoints(solve)
    points = [0.0, 1.0, float(weights[criterion]), *(iv.high for iv in whole), *rng.random(3).tolist()]
    for now in points:
        want, got = containing(whole, now), funded_interval_at(solve, now)
        assert got.members == want.members, now
        assert got.low == pytest.approx(want.low, abs=1e-6) and got.high == pytest.approx(want.high, abs=1e-6), now


def test_dominance() -> None:
    """B is worse than A on every criterion; C is equal to A but better on one, so A is dominated by C."""
    values = pd.DataFrame({"x": [5.0, 4.0, 5.0], "y": [5.0, 1.0, 6.0]}, index=["A", "B", "C"])
    pairs = set(map(tuple, dominance(values).to_numpy()))
    assert pairs == {("A", "C"), ("B", "A"), ("B", "C")}


@pytest.mark.parametrize("seed", range(12))
def test_dominance_in_blocks_matches_every_pair(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checked in small blocks, with the rows pruned by their totals, dominance finds exactly the pairs that
    comparing every pair finds (ties on a coarse grid, some a rounding apart), and ``dominators`` counts and
    names them in the catalogue's order, for every row or only some."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 120)), int(rng.integers(1, 5))
    grid = rng.integers(0, 4, (n, m)).astype(float) + (rng.random((n, m)) * 1e-10 if seed % 2 else 0.0)
    values = pd.DataFrame(grid, index=[f"i{j}" for j in range(n)])
    monkeypatch.setattr(sensitivity, "DOMINANCE_BLOCK", int(rng.integers(1, 400)))
    every = {
        (f"i{i}", f"i{j}")
        for i in range(n)
        for j in range(n)
        if (grid[j] >= grid[i] - 1e-9).all() and (grid[j] > grid[i] + 1e-9).any()
    }
    pairs = dominance(values)
    assert set(map(tuple, pairs.to_numpy())) == every
    assert list(pairs.itertuples(index=False, name=None)) == sorted(every, key=lambda p: (int(p[0][1:]), int(p[1][1:])))
    found = dominators(values, 3)
    by = {i: sorted((j for d, j in every if d == i), key=lambda j: int(j[1:])) for i, _ in every}
    assert list(found["id"]) == sorted(by, key=lambda i: int(i[1:]))
    assert [(c, f) for c, f in zip(found["count"], found["first"], strict=True)] == [(len(by[i]), by[i][:3]) for i in found["id"]]
    some = [f"i{j}" for j in rng.choice(n, size=min(n, 4), replace=False)]
    assert list(dominators(values, 3, only=some)["id"]) == [i for i in found["id"] if i in some]


def test_equal_interventions_do_not_dominate_each_other() -> None:
    """Two identical interventions are not dominated by each other."""
    values = pd.DataFrame({"x": [1.0, 1.0]}, index=["A", "B"])
    assert dominance(values).empty
