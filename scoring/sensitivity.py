"""Deterministic sensitivity: exact breakpoints of one-way weight changes, and dominance.

One-way weight change for criterion c: its weight becomes t (0 to 1) and the other weights keep
their proportions, w(t) = t e_c + (1 - t) w_rest, where w_rest is the other weights rescaled to
add up to 1. Every score is then a straight line in t,

    s_i(t) = t v_ic + (1 - t) b_i,   b_i = sum over k != c of w_rest_k v_ik,

so the weights at which two interventions swap places, and at which the top-k set changes, are
found exactly by intersecting lines. The funded set is piecewise constant in t as well, and its
breakpoints are found exactly by parametric re-optimisation (``funded_breakpoints``).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
TOLERANCE = 1e-9
MAX_STEPS = 2_000
# Score points by which a line beating another at both ends beats it everywhere between, far above the
# rounding in scores of at most a few hundred points and far below any difference that matters.
SURE_MARGIN = 1e-6


def one_way_array(weights: FloatArray, position: int, t: float) -> FloatArray:
    """``one_way_weights`` on a bare array: weight ``position`` set to t, the others in proportion."""
    rest = np.array(weights, dtype=np.float64)
    rest[position] = 0.0
    total = rest.sum()
    if total > 0:
        rest /= total
    else:
        rest[:] = 1.0 / (rest.size - 1)
        rest[position] = 0.0
    rest *= 1 - t
    rest[position] = t
    return rest


def one_way_weights(weights: pd.Series, criterion: str, t: float) -> pd.Series:
    """Normalised weights with ``criterion`` at t and the others in their current proportions.

    When every other weight is zero they share 1 - t equally.
    """
    position = list(weights.index).index(criterion)
    return pd.Series(one_way_array(weights.to_numpy(dtype=np.float64), position, t), index=weights.index)


def score_lines(values: pd.DataFrame, weights: pd.Series, criterion: str) -> pd.DataFrame:
    """Each intervention's score at t = 0 and t = 1 (its line), columns ``at_0`` and ``at_1``."""
    at_0 = values.to_numpy() @ one_way_weights(weights, criterion, 0.0).to_numpy()
    at_1 = values[criterion].to_numpy(dtype=np.float64)
    return pd.DataFrame({"at_0": at_0, "at_1": at_1}, index=values.index)


def _crossings(lines: pd.DataFrame) -> FloatArray:
    """Every t in (0, 1) where two score lines cross."""
    a = lines["at_0"].to_numpy()
    slope = lines["at_1"].to_numpy() - a
    da = a[:, None] - a[None, :]
    ds = slope[None, :] - slope[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = da / ds
    upper = np.triu(np.ones_like(t, dtype=bool), k=1)
    found = t[upper & np.isfinite(t) & (t > TOLERANCE) & (t < 1 - TOLERANCE)]
    return np.unique(found)


def _top_k(at_0: FloatArray, at_1: FloatArray, ids: npt.NDArray[np.str_], t: float, k: int) -> frozenset[str]:
    """The k highest lines at t (ties by id); the lines as bare arrays, as this runs once per crossing."""
    order = np.lexsort((ids, -(at_0 * (1 - t) + at_1 * t)))
    return frozenset(ids[order[:k]].tolist())


@dataclass(frozen=True)
class Interval:
    """A range of one criterion's weight (0-1) and what holds throughout it."""

    low: float
    high: float
    members: frozenset[str]


def _contenders(lines: pd.DataFrame, k: int) -> pd.DataFrame:
    """The lines that could be in the top k somewhere in [0, 1]: all but those that at least k others beat by
    ``SURE_MARGIN`` at both ends (a straight line that does beats it by as much everywhere between). The top k
    at any t is then the top k of these, and it changes only where two of them cross, so the pairs to intersect
    are theirs alone: with 10,000 interventions, every pair was 50 million crossings and gigabytes."""
    a, b = lines["at_0"].to_numpy(dtype=np.float64), lines["at_1"].to_numpy(dtype=np.float64)
    if len(lines) <= k:
        return lines
    order = np.argsort(-a, kind="stable")
    # kth[p]: the k-th largest end value at t = 1 among the first p lines by value at t = 0 (-inf below k lines).
    kth = np.full(len(lines) + 1, -np.inf)
    heap: list[float] = []
    for p, i in enumerate(order, start=1):
        if len(heap) < k:
            heapq.heappush(heap, float(b[i]))
        elif b[i] > heap[0]:
            heapq.heapreplace(heap, float(b[i]))
        if len(heap) == k:
            kth[p] = heap[0]
    ahead = np.searchsorted(-a[order], -(a + SURE_MARGIN), side="right")  # how many lines start SURE_MARGIN above
    beaten = kth[ahead] >= b + SURE_MARGIN
    return lines[~beaten]


def top_k_intervals(values: pd.DataFrame, weights: pd.Series, criterion: str, k: int) -> list[Interval]:
    """The exact weight ranges of ``criterion`` over which the top-k set stays the same.

    Breakpoints are where two score lines cross and the set on either side differs; only the lines that could
    be in the top k somewhere are intersected (``_contenders``).
    """
    lines = _contenders(score_lines(values, weights, criterion), k)
    cuts = [0.0, *_crossings(lines).tolist(), 1.0]
    at_0, at_1 = lines["at_0"].to_numpy(dtype=np.float64), lines["at_1"].to_numpy(dtype=np.float64)
    ids = lines.index.to_numpy(dtype=str)
    intervals: list[Interval] = []
    for low, high in pairwise(cuts):
        members = _top_k(at_0, at_1, ids, (low + high) / 2, k)
        if intervals and intervals[-1].members == members:
            intervals[-1] = Interval(intervals[-1].low, high, members)
        else:
            intervals.append(Interval(low, high, members))
    return intervals


def containing(intervals: list[Interval], t: float) -> Interval:
    """The interval holding t (the first one where t sits on a boundary)."""
    for interval in intervals:
        if interval.low - TOLERANCE <= t <= interval.high + TOLERANCE:
            return interval
    raise ValueError(f"no interval contains {t}")


def funded_breakpoints(
    solve: Callable[[float], tuple[frozenset[str], Callable[[float], float]]],
    low: float = 0.0,
    high: float = 1.0,
    tolerance: float = 1e-7,
    until: Callable[[Interval], bool] | None = None,
) -> list[Interval]:
    """Exact ranges of a weight over which the optimal funded set is unchanged (from ``low`` up to the
    first range that ``until`` accepts, if given, or up to ``high``).

    ``solve(t)`` returns the optimal set at t and a function giving that set's value at any t
    (straight in t). Over [a, b], if the set optimal at a is also optimal at b it is optimal
    throughout (every other set's advantage is a straight line that is not positive at either
    end). Otherwise the lines of the two sets cross at some c; solving at c either confirms
    the set at a up to c (c is a breakpoint) or finds a set that beats it there, and the search
    moves to that crossing. This is parametric analysis by repeated exact solves.
    """
    intervals: list[Interval] = []
    start = low
    start_set, start_value = solve(start)
    steps = 0
    while start < high - tolerance:
        end = high
        end_set, end_value = solve(end)
        while end_set != start_set:
            steps += 1
            if steps > MAX_STEPS:
                raise RuntimeError("parametric analysis did not settle; the problem may be degenerate")
            # Where does the better-at-end set's line cross the start set's line?
            gain_start = end_value(start) - start_value(start)
            gain_end = end_value(end) - start_value(end)
            if gain_end - gain_start <= 0:
                break  # the end set is not better at the end after all (ties): treat as the same
            cross = start + (end - start) * (-gain_start) / (gain_end - gain_start)
            if cross <= start + tolerance:
                end = start
                break
            found_set, found_value = solve(cross)
            if found_value(cross) <= start_value(cross) + 1e-9 * max(1.0, abs(start_value(cross))):
                end = cross
                break
            end, end_set, end_value = cross, found_set, found_value
        if end <= start + tolerance:
            # A tie at the start itself: move on with the set that wins just after it.
            nudge = min(high, start + 10 * tolerance)
            start_set, start_value = solve(nudge)
            start = nudge
            continue
        intervals.append(Interval(start, end, start_set))
        if end >= high - tolerance or (until is not None and until(intervals[-1])):
            break
        start = end
        start_set, start_value = solve(min(high, end + tolerance))
    merged: list[Interval] = []
    for interval in intervals:
        if merged and merged[-1].members == interval.members:
            merged[-1] = Interval(merged[-1].low, interval.high, interval.members)
        else:
            merged.append(interval)
    return merged


FIRST_MARGIN = 0.01  # how far left of the weight now ``funded_interval_at`` first starts its walk


def funded_interval_at(
    solve: Callable[[float], tuple[frozenset[str], Callable[[float], float]]],
    now: float,
    low: float = 0.0,
    high: float = 1.0,
    tolerance: float = 1e-7,
) -> Interval:
    """``containing(funded_breakpoints(solve, low, high), now)`` without walking the whole range.

    The walk starts a little left of ``now`` and stops at the first range that reaches ``now``. Each
    breakpoint is where the set on its left stops winning, walking right, exactly as in the whole range
    (that matters where sets tie to within the solver's rounding). Once a breakpoint before ``now`` cuts the
    walk's first range short, the answer is the whole range's; until then the start moves left, twice as
    far each time, down to ``low``. A handful of exact solves where the whole range can take hundreds.
    Walks from different starts can place a breakpoint up to ``tolerance`` apart, so a ``now`` that close
    to one may get the range on its other side.
    """
    start = max(low, now - FIRST_MARGIN)
    while True:
        walked = funded_breakpoints(solve, start, high, tolerance, until=lambda iv: iv.high + TOLERANCE >= now)
        here = containing(walked, now)
        if start <= low or here.low > start + 10 * tolerance:  # not the nudge past a tie at the start
            return here
        start = max(low, now - 2 * (now - start))


DOMINANCE_BLOCK = 4_000_000  # pairs compared at once: bounds the memory of a dominance check on any size


def _dominance_blocks(
    matrix: FloatArray, only: npt.NDArray[np.intp] | None = None
) -> Iterator[tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]]:
    """For blocks of rows i (every row, or those in ``only``): (the rows, a matrix whose [r, j] says j
    dominates row r's intervention).

    j can dominate i only if j's values add up to at least i's (less the tolerance on each criterion),
    so with the rows sorted by that sum each block is compared only with a leading part of the rows;
    blocks keep the memory to ``DOMINANCE_BLOCK`` pairs whatever the catalogue's size."""
    n, m = matrix.shape
    totals = matrix.sum(axis=1)
    order = np.argsort(-totals, kind="stable")
    falling = -totals[order]  # rising, for searchsorted
    checked = order if only is None else order[np.isin(order, only)]
    size = max(1, DOMINANCE_BLOCK // max(n, 1))
    for start in range(0, len(checked), size):
        rows = checked[start : start + size]
        # The candidates: every row whose total reaches the block's smallest, less the tolerance.
        reach = int(np.searchsorted(falling, -(totals[rows].min() - m * TOLERANCE), "right"))
        candidates = order[:reach]
        geq = np.ones((len(rows), reach), dtype=bool)
        gt = np.zeros((len(rows), reach), dtype=bool)
        for c in range(m):
            mine, theirs = matrix[rows, c][:, None], matrix[candidates, c][None, :]
            geq &= theirs >= mine - TOLERANCE
            gt |= theirs > mine + TOLERANCE
        found = np.zeros((len(rows), n), dtype=bool)
        found[:, candidates] = geq & gt
        yield rows, found


def dominance(values: pd.DataFrame) -> pd.DataFrame:
    """Pairs (dominated, by) where ``by`` is at least as good on every criterion and better on one.

    With cost scored as a value (cheaper is higher), "at least as good on every criterion"
    includes "no more expensive".
    """
    dominated: list[npt.NDArray[np.intp]] = []
    by: list[npt.NDArray[np.intp]] = []
    for rows, found in _dominance_blocks(values.to_numpy(dtype=np.float64)):
        r, j = np.nonzero(found)
        dominated.append(rows[r])
        by.append(j)
    pairs = (np.concatenate(dominated), np.concatenate(by)) if dominated else (np.array([], int), np.array([], int))
    order = np.lexsort((pairs[1], pairs[0]))
    return pd.DataFrame({"dominated": values.index[pairs[0][order]].astype(str), "by": values.index[pairs[1][order]].astype(str)})


def dominators(values: pd.DataFrame, limit: int, only: list[str] | None = None) -> pd.DataFrame:
    """Each dominated intervention (in the catalogue's order; only those in ``only`` if given): ``count``, how
    many dominate it, and ``first``, the ids of at most ``limit`` of them in the catalogue's order. Never holds
    every pair at once, so it answers for tens of thousands of interventions where the pairs would run to tens
    of millions."""
    counts: dict[int, int] = {}
    first: dict[int, list[str]] = {}
    index = values.index.astype(str)
    wanted = None if only is None else np.flatnonzero(index.isin(only))
    for rows, found in _dominance_blocks(values.to_numpy(dtype=np.float64), wanted):
        totals = found.sum(axis=1)
        for r in np.flatnonzero(totals):
            row = int(rows[r])
            counts[row] = int(totals[r])
            first[row] = [str(index[j]) for j in np.flatnonzero(found[r])[:limit]]
    ordered = sorted(counts)
    return pd.DataFrame(
        {"id": [str(index[i]) for i in ordered], "count": [counts[i] for i in ordered], "first": [first[i] for i in ordered]}
    )
