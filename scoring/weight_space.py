"""Imprecise weights: the weightings a group can agree on, as a polytope, sampled exactly.

A *weight space* is every weighting w (w >= 0, adding up to 1) that keeps an agreed order of
criteria (w_a >= w_b for each agreed pair "a matters at least as much as b": a full or partial
order) and agreed bounds (lower_c <= w_c <= upper_c). It is the admissible set of ordinal SMAA
(JSMAA) and of robust portfolio modelling.

Sampling is exactly uniform over it. The simplex splits into n! cells of equal volume, one per
ordering of the weights; the weightings keeping a partial order are the union of the cells of its
linear extensions. So a draw picks a linear extension uniformly, draws a uniform point of the
simplex (Dirichlet(1, ..., 1)) and sorts it into that order: uniform over the ordered region.
Bounds then reject the draws outside them, which keeps the draws uniform over what is left.

The corners (vertices) of the space are enumerated exactly: a linear objective such as the
difference of two scores is smallest and largest at corners, so "whatever the weights in the
space" is checked at the corners.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog

from scoring.weighted_sum import WeightsError

FloatArray = npt.NDArray[np.float64]

# Criteria a weight space can order exactly (its linear extensions are enumerated: 8! = 40,320).
MAX_ORDERED_CRITERIA = 8
# A space whose bounds keep fewer than this share of the ordered region's draws is refused.
MIN_ACCEPTANCE = 1e-3
# Corner enumeration tries at most this many sets of active constraints.
MAX_CORNER_CANDIDATES = 500_000
_TOL = 1e-9


@dataclass(frozen=True)
class WeightSpace:
    """Weightings keeping ``order`` (pairs (a, b): a's weight >= b's) and ``lower``/``upper`` bounds
    (shares 0-1 by criterion). ``check()`` says in words what is wrong with an impossible space."""

    criteria: tuple[str, ...]
    order: tuple[tuple[str, str], ...] = ()
    lower: Mapping[str, float] = field(default_factory=dict)
    upper: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def ranked(
        cls,
        criteria: Sequence[str],
        ranking: Sequence[str],
        lower: Mapping[str, float] | None = None,
        upper: Mapping[str, float] | None = None,
    ) -> WeightSpace:
        """The space of an agreed ranking, most important first (criteria left out are not ordered)."""
        chain = tuple((a, b) for a, b in itertools.pairwise(ranking))
        return cls(tuple(criteria), chain, dict(lower or {}), dict(upper or {}))

    @property
    def n(self) -> int:
        return len(self.criteria)

    def _index(self, name: str) -> int:
        if name not in self.criteria:
            raise WeightsError(f"'{name}' is not one of the criteria ({', '.join(self.criteria)})")
        return self.criteria.index(name)

    def bounds(self) -> tuple[FloatArray, FloatArray]:
        low = np.array([float(self.lower.get(c, 0.0)) for c in self.criteria])
        high = np.array([float(self.upper.get(c, 1.0)) for c in self.criteria])
        return low, high

    def check(self) -> None:
        """Raise WeightsError, in words, when the space is empty or malformed."""
        for name in (*self.lower, *self.upper, *(x for pair in self.order for x in pair)):
            self._index(name)
        low, high = self.bounds()
        for c, lo, hi in zip(self.criteria, low, high, strict=True):
            if not 0.0 <= lo <= 1.0 or not 0.0 <= hi <= 1.0:
                raise WeightsError(f"the bounds on {c} must be shares between 0 and 1 (0% and 100%)")
            if lo > hi + _TOL:
                raise WeightsError(f"the lowest weight of {c} ({lo:.0%}) is above its highest ({hi:.0%})")
        if any(a == b for a, b in self.order):
            raise WeightsError("a criterion cannot be ordered against itself")
        if self.n > MAX_ORDERED_CRITERIA and self.order:
            raise WeightsError(f"an agreed order can cover at most {MAX_ORDERED_CRITERIA} criteria")
        if self.order and not self.extensions():
            raise WeightsError("the agreed order goes round in a circle: no weighting can keep it")
        if low.sum() > 1.0 + _TOL:
            raise WeightsError(f"the lowest weights add up to {low.sum():.0%}, more than 100%")
        if high.sum() < 1.0 - _TOL:
            raise WeightsError(f"the highest weights add up to {high.sum():.0%}, less than 100%")
        if self._feasible_point() is None:
            raise WeightsError("no weighting keeps both the agreed order and the bounds: loosen one of them")

    def _inequalities(self) -> tuple[FloatArray, FloatArray]:
        """A w <= b for the order and the bounds (w >= 0 and sum w = 1 apart)."""
        rows: list[FloatArray] = []
        rhs: list[float] = []
        for a, b in self.order:
            row = np.zeros(self.n)
            row[self._index(b)], row[self._index(a)] = 1.0, -1.0  # w_b - w_a <= 0
            rows.append(row)
            rhs.append(0.0)
        low, high = self.bounds()
        for i in range(self.n):
            if low[i] > 0:
                row = np.zeros(self.n)
                row[i] = -1.0
                rows.append(row)
                rhs.append(-low[i])
            if high[i] < 1:
                row = np.zeros(self.n)
                row[i] = 1.0
                rows.append(row)
                rhs.append(high[i])
        return np.array(rows).reshape(-1, self.n), np.array(rhs)

    def _feasible_point(self) -> FloatArray | None:
        a, b = self._inequalities()
        found = linprog(
            np.zeros(self.n),
            A_ub=a if len(a) else None,
            b_ub=b if len(b) else None,
            A_eq=np.ones((1, self.n)),
            b_eq=[1.0],
            bounds=[(0, None)] * self.n,
            method="highs",
        )
        return np.asarray(found.x, dtype=np.float64) if found.status == 0 else None

    def extensions(self) -> list[tuple[int, ...]]:
        """Every ordering of the criteria (most weight first) that keeps the agreed order."""
        pairs = [(self._index(a), self._index(b)) for a, b in self.order]
        if not pairs:
            return [tuple(range(self.n))]
        found = []
        for perm in itertools.permutations(range(self.n)):
            place = {c: p for p, c in enumerate(perm)}
            if all(place[a] < place[b] for a, b in pairs):
                found.append(perm)
        return found

    def sample(self, draws: int, rng: np.random.Generator) -> FloatArray:
        """``draws`` weightings drawn uniformly from the space (rows add up to 1)."""
        self.check()
        extensions = np.array(self.extensions(), dtype=np.intp)
        low, high = self.bounds()
        bounded = bool((low > 0).any() or (high < 1).any())
        out = np.empty((0, self.n))
        tried = 0
        while len(out) < draws:
            batch = max(2 * (draws - len(out)), 1_000)
            weights = rng.dirichlet(np.ones(self.n), size=batch)
            if self.order:
                points = np.sort(weights, axis=1)[:, ::-1]
                chosen = extensions[rng.integers(0, len(extensions), size=batch)]
                np.put_along_axis(weights, chosen, points, axis=1)  # the k-th largest weight goes to chosen[k]
            tried += batch
            if bounded:
                weights = weights[((weights >= low - _TOL) & (weights <= high + _TOL)).all(axis=1)]
            out = np.vstack([out, weights])
            if bounded and tried >= 20_000 and len(out) < MIN_ACCEPTANCE * tried:
                raise WeightsError("the bounds leave too small a share of the agreed weightings to draw from; widen them")
        return np.asarray(out[:draws], dtype=np.float64)

    def corners(self) -> FloatArray:
        """The vertices of the space, one per row (each adds up to 1)."""
        self.check()
        a, b = self._inequalities()
        # All inequalities, w >= 0 included: each corner makes n - 1 of them tight (plus sum w = 1).
        rows = np.vstack([a, -np.eye(self.n)]) if len(a) else -np.eye(self.n)
        rhs = np.concatenate([b, np.zeros(self.n)]) if len(a) else np.zeros(self.n)
        count = len(rows)
        combos = itertools.combinations(range(count), self.n - 1)
        found: list[FloatArray] = []
        for tried, active in enumerate(combos):
            if tried >= MAX_CORNER_CANDIDATES:
                raise WeightsError("too many agreed constraints to list the corners of the weights; use fewer")
            system = np.vstack([rows[list(active)], np.ones((1, self.n))])
            if abs(np.linalg.det(system)) < 1e-12:
                continue
            point = np.linalg.solve(system, np.concatenate([rhs[list(active)], [1.0]]))
            if (rows @ point <= rhs + 1e-9).all() and not any(np.allclose(point, f, atol=1e-9) for f in found):
                found.append(point)
        return np.clip(np.array(found), 0.0, 1.0) + 0.0  # + 0.0 turns -0.0 into 0.0


def rank_order_centroid(n: int) -> FloatArray:
    """The centroid of the weights ordered w_1 >= ... >= w_n: w_k = (1/n) sum_{i=k..n} 1/i (Barron and Barrett)."""
    return np.array([sum(1.0 / i for i in range(k, n + 1)) / n for k in range(1, n + 1)])
