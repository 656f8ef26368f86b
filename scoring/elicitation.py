"""Weights elicited the way decision conferences do it: swing weighting.

A *swing* is the move on one criterion from the worst to the best value among the options being
compared, everything else held. The group puts the swings in order of how much each matters, gives
the most important 100 and rates each other against it (Phillips and Bana e Costa). A weight then
says how much one point of a 0-100 value scale is worth, so a swing of r points rated p gives
w proportional to p / r: the score gained by each swing is then in proportion to its rating. When
every criterion's values span 0 to 100 (min-max normalisation) the weights are the ratings over
their total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

from scoring.weighted_sum import WeightsError

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
    raw = {}
    for criterion, rating in rated.items():
        size = float(ranges[criterion])
        if rating > 0 and size <= _TOL:
            raise WeightsError(f"every option scores the same on {criterion}, so its swing changes nothing: rate it 0")
        raw[criterion] = rating / size if rating > 0 else 0.0
    total = sum(raw.values())
    return {c: raw[c] / total for c in ranges}
