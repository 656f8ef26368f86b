"""Weights elicited the way decision conferences do it: swing weighting and trade-off questions.

A *swing* is the move on one criterion from the worst to the best value among the options being
compared, everything else held. The group puts the swings in order of how much each matters, gives
the most important 100 and rates each other against it (Phillips and Bana e Costa). A weight then
says how much one point of a 0-100 value scale is worth, so a swing of r points rated p gives
w proportional to p / r: the score gained by each swing is then in proportion to its rating. When
every criterion's values span 0 to 100 (min-max normalisation) the weights are the ratings over
their total.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog

from scoring.weighted_sum import WeightsError

FloatArray = npt.NDArray[np.float64]

_TOL = 1e-9


def swing_weights(order: Sequence[str], ratings: Mapping[str, float], ranges: Mapping[str, float]) -> dict[str, float]:
    """Weights adding up to 1 from swings put in ``order`` (most important first, rated 100) and rated
    0-100 against it; ``ranges`` is each swing's size in value points (best value minus worst).

    Raises WeightsError, in words, when the answers are incomplete or contradict the order.
    """
    if sorted(order) != sorted(ranges):
        missing = [c for c in ranges if c not in order]
        raise WeightsError("put every swing in the order: " + ", ".join(missing) + " missing")
    rated = {c: float(ratings.get(c, 100.0 if n == 0 else 0.0)) for n, c in enumerate(order)}
    for criterion, rating in rated.items():
        if not 0.0 <= rating <= 100.0:
            raise WeightsError(f"the swing on {criterion} must be rated from 0 to 100")
    if abs(rated[order[0]] - 100.0) > _TOL:
        raise WeightsError(f"the most important swing ({order[0]}) is rated 100: rate the others against it")
    for above, below in pairwise(order):
        if rated[below] > rated[above] + _TOL:
            raise WeightsError(
                f"the swing on {below} is rated above the swing on {above} ({rated[below]:g} against "
                f"{rated[above]:g}) but was put below it: change the order or the ratings"
            )
    if all(float(size) <= _TOL for size in ranges.values()):
        raise WeightsError(
            "every option scores the same on every criterion, so no swing changes anything: there is nothing to weigh"
        )
    if float(ranges[order[0]]) <= _TOL:
        raise WeightsError(
            f"every option scores the same on {order[0]}, so its swing changes nothing and cannot be the most important: "
            "put it last and rate it 0"
        )
    raw = {}
    for criterion, rating in rated.items():
        size = float(ranges[criterion])
        if rating > 0 and size <= _TOL:
            raise WeightsError(f"every option scores the same on {criterion}, so its swing changes nothing: rate it 0")
        raw[criterion] = rating / size if rating > 0 else 0.0
    total = sum(raw.values())
    return {c: raw[c] / total for c in ranges}


# Trade-off questions (in the manner of PAPRIKA): "which would you rather fund?" between two hypothetical
# interventions the same in every way but two. A gains ``first_points`` value points on ``first``, B gains
# ``second_points`` on ``second``; preferring A says w_first x first_points >= w_second x second_points. The
# weights consistent with every answer are a polytope, found by linear programming; questions are chosen to
# halve the widest remaining range of a ratio of two swings' worth, until every weight is pinned to within a
# tolerance.

Answer = Literal["first", "second", "same"]
ANSWERS: tuple[Answer, ...] = ("first", "second", "same")
# The answers pin the weights down when every weight's range is narrower than this (a share of 1).
PINNED = 0.05
# A preference is strict: the preferred swing is worth at least this much more (weight x points; a weighting
# of all zeros but one criterion would otherwise satisfy answers that contradict each other).
MARGIN = 1e-3
# Ratios of two swings' worth beyond these are treated as "one counts for nothing" when asking.
_RATIO_FLOOR, _RATIO_CAP = 1e-3, 1e3


@dataclass(frozen=True)
class TradeOff:
    """One question: A gains ``first_points`` on ``first``; B gains ``second_points`` on ``second``."""

    first: str
    first_points: float
    second: str
    second_points: float


class InconsistentAnswers(WeightsError):
    """No weighting agrees with every answer; ``conflicting`` holds the positions of a smallest set that clash."""

    def __init__(self, conflicting: tuple[int, ...]) -> None:
        numbers = ", ".join(str(n + 1) for n in conflicting)
        super().__init__(f"answers {numbers} contradict each other: no weighting agrees with all of them")
        self.conflicting = conflicting


def _rows(
    criteria: Sequence[str], answered: Sequence[tuple[TradeOff, Answer]], sizes: Mapping[str, float] | None = None
) -> tuple[FloatArray, FloatArray]:
    """Inequality rows (A w <= -MARGIN) and equality rows (E w = 0) of the answers; with ``sizes``, a criterion
    whose swing is 0 is held at weight 0 (its swing changes nothing, as in swing weighting)."""
    upper: list[FloatArray] = []
    equal: list[FloatArray] = []
    if sizes is not None:
        flat = [k for k, c in enumerate(criteria) if float(sizes[c]) <= _TOL]
        if len(flat) == len(criteria):
            raise WeightsError("every option scores the same on every criterion, so no weighting tells them apart")
        for k in flat:
            unit = np.zeros(len(criteria))
            unit[k] = 1.0
            equal.append(unit)
    for question, answer in answered:
        if answer not in ANSWERS:
            raise WeightsError(f"an answer must be one of {', '.join(ANSWERS)}")
        row = np.zeros(len(criteria))
        row[criteria.index(question.first)] += question.first_points
        row[criteria.index(question.second)] -= question.second_points
        if answer == "first":
            upper.append(-row)  # first_points w_first - second_points w_second >= 0
        elif answer == "second":
            upper.append(row)
        else:
            equal.append(row)
    n = len(criteria)
    return np.array(upper).reshape(-1, n), np.array(equal).reshape(-1, n)


def _solve(
    criteria: Sequence[str],
    answered: Sequence[tuple[TradeOff, Answer]],
    objective: FloatArray,
    sizes: Mapping[str, float] | None = None,
) -> FloatArray | None:
    """The weighting (adding up to 1) that minimises ``objective`` under the answers; None when none agrees."""
    upper, equal = _rows(criteria, answered, sizes)
    n = len(criteria)
    found = linprog(
        objective,
        A_ub=upper if len(upper) else None,
        b_ub=np.full(len(upper), -MARGIN) if len(upper) else None,
        A_eq=np.vstack([np.ones((1, n)), equal]),
        b_eq=np.concatenate([[1.0], np.zeros(len(equal))]),
        bounds=[(0, None)] * n,
        method="highs",
    )
    return np.asarray(found.x, dtype=np.float64) if found.status == 0 else None


def conflicting_answers(
    criteria: Sequence[str], answered: Sequence[tuple[TradeOff, Answer]], sizes: Mapping[str, float] | None = None
) -> tuple[int, ...]:
    """Positions of a smallest set of answers that cannot all hold (empty when they all can): dropping
    each answer in turn and keeping it out while the rest still clash (a deletion filter)."""
    if _solve(criteria, answered, np.zeros(len(criteria)), sizes) is not None:
        return ()
    keep = list(range(len(answered)))
    for position in list(keep):
        trial = [p for p in keep if p != position]
        if _solve(criteria, [answered[p] for p in trial], np.zeros(len(criteria)), sizes) is None:
            keep = trial
    return tuple(keep)


def weight_ranges(
    criteria: Sequence[str], answered: Sequence[tuple[TradeOff, Answer]], sizes: Mapping[str, float] | None = None
) -> dict[str, tuple[float, float]]:
    """Each criterion's lowest and highest weight among the weightings that agree with every answer (with
    ``sizes``, each swing in value points: a criterion whose swing is 0 gets weight 0).

    Raises InconsistentAnswers when none does."""
    ranges = {}
    for position, criterion in enumerate(criteria):
        unit = np.zeros(len(criteria))
        unit[position] = 1.0
        low, high = _solve(criteria, answered, unit, sizes), _solve(criteria, answered, -unit, sizes)
        if low is None or high is None:
            raise InconsistentAnswers(conflicting_answers(criteria, answered, sizes))
        ranges[criterion] = (float(low[position]), float(high[position]))
    return ranges


def trade_off_weights(
    criteria: Sequence[str], answered: Sequence[tuple[TradeOff, Answer]], sizes: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Weights agreeing with every answer: the mean of the weightings at each criterion's lowest and highest
    weight (a point inside the agreed region, since it is convex); with ``sizes``, a criterion whose swing is 0
    gets weight 0. Raises InconsistentAnswers."""
    points = []
    for position in range(len(criteria)):
        unit = np.zeros(len(criteria))
        unit[position] = 1.0
        for sign in (1.0, -1.0):
            point = _solve(criteria, answered, sign * unit, sizes)
            if point is None:
                raise InconsistentAnswers(conflicting_answers(criteria, answered, sizes))
            points.append(point)
    centre = np.mean(points, axis=0)
    centre = np.clip(centre, 0.0, None) / np.clip(centre, 0.0, None).sum()
    return {c: float(w) for c, w in zip(criteria, centre, strict=True)}


def _ratio_range(
    criteria: Sequence[str], answered: Sequence[tuple[TradeOff, Answer]], i: int, j: int, sizes: FloatArray
) -> tuple[float, float]:
    """Lowest and highest of (w_i r_i) / (w_j r_j) under the answers (Charnes-Cooper: y = w / (w_j r_j))."""
    n = len(criteria)
    upper, equal = _rows(criteria, answered, dict(zip(criteria, sizes, strict=True)))
    # Variables y (n) and s: y >= 0, s >= 0, sum y - s = 0, r_j y_j = 1, the answers' rows on y.
    # A w <= -MARGIN becomes A y + MARGIN s <= 0 (y = w s with s = 1 / (w_j r_j)).
    a_ub = np.hstack([upper, np.full((len(upper), 1), MARGIN)]) if len(upper) else None
    scale = np.zeros(n + 1)
    scale[j] = sizes[j]
    total = np.concatenate([np.ones(n), [-1.0]])
    a_eq = np.vstack([total, scale, np.hstack([equal, np.zeros((len(equal), 1))])]) if len(equal) else np.vstack([total, scale])
    b_eq = np.concatenate([[0.0, 1.0], np.zeros(len(equal))])
    out = []
    for sign in (1.0, -1.0):
        objective = np.zeros(n + 1)
        objective[i] = sign * sizes[i]
        found = linprog(
            objective,
            A_ub=a_ub,
            b_ub=np.zeros(len(upper)) if len(upper) else None,
            A_eq=a_eq,
            b_eq=b_eq,
            bounds=[(0, None)] * (n + 1),
            method="highs",
        )
        if found.status != 0:  # unbounded (w_j can be 0 with w_i above it), or w_j must be 0: no finite ratio
            out.append(np.inf)
        else:
            out.append(sign * float(found.fun))
    return out[0], out[1]


def next_trade_off(
    criteria: Sequence[str],
    answered: Sequence[tuple[TradeOff, Answer]],
    sizes: Mapping[str, float],
    pinned: float = PINNED,
) -> TradeOff | None:
    """The next question, or None when every weight's range is narrower than ``pinned``.

    ``sizes`` is each criterion's swing in value points; criteria whose swing is 0 are not asked about and
    get weight 0.
    The question is about the two criteria whose worth ratio is least settled, at the middle of its
    range (geometrically), so each answer halves it. Raises InconsistentAnswers."""
    ranges = weight_ranges(criteria, answered, sizes)
    if all(high - low <= pinned for low, high in ranges.values()):
        return None
    r = np.array([float(sizes[c]) for c in criteria])
    live = [k for k in range(len(criteria)) if r[k] > 0]
    best: tuple[float, int, int, float] | None = None
    for i, j in itertools.combinations(live, 2):
        low, high = _ratio_range(criteria, answered, i, j, r)
        low, high = max(low, _RATIO_FLOOR), min(high, _RATIO_CAP)
        width = math.log(high) - math.log(low)
        if best is None or width > best[0] + 1e-12:
            best = (width, i, j, math.sqrt(low * high))
    if best is None or best[0] <= 1e-9:
        return None
    _, i, j, middle = best
    if middle <= 1:
        return TradeOff(criteria[i], float(r[i]), criteria[j], float(middle * r[j]))
    return TradeOff(criteria[i], float(r[i] / middle), criteria[j], float(r[j]))
