"""Exact dynamic programming for the funding problem without tier shares, for many benefit vectors at once.

With at most one option per intervention, a budget and must / must-not rules (a multiple-choice
knapsack), and costs that are whole multiples of a common unit (the shipped catalogue's are
multiples of £5,000), the best set for every capacity from 0 to the budget follows from one pass
over the interventions. The pass is vectorised over draws, so a Monte Carlo analysis solves
thousands of budget problems exactly in one go. Tier-share constraints are not handled here:
``dp_unit`` says when this method applies, and callers fall back to the integer programme.
"""

from __future__ import annotations

import math
from functools import reduce

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.portfolio import FundingRules, _allowed

MAX_STATES = 20_000


def dp_unit(options: pd.DataFrame, rules: FundingRules, max_states: int = MAX_STATES) -> int | None:
    """The money unit (GBP) the DP counts in, or None when it does not apply.

    It applies when there are no binding tier shares, every cost is a whole number of pounds
    and the budget holds at most ``max_states`` units.
    """
    if any(s > 0 for s in rules.tier_min_share.values()) or any(s < 1 for s in rules.tier_max_share.values()):
        return None
    costs = options["annual_cost_gbp"].to_numpy(dtype=np.float64)
    if len(costs) == 0 or not np.all(np.abs(costs - np.round(costs)) < 1e-9):
        return None
    positive = [round(c) for c in costs if c > 0]
    unit = reduce(math.gcd, positive) if positive else 1
    if rules.available_gbp / unit + 1 > max_states:
        return None
    return unit


def best_sets(options: pd.DataFrame, rules: FundingRules, benefits: npt.NDArray[np.float64], unit: int) -> npt.NDArray[np.bool_]:
    """For each row of ``benefits`` (draws x options), which options the exact optimum funds.

    Raises ValueError when the must-funds cannot all be afforded.
    """
    draws = benefits.shape[0]
    capacity = int(np.floor(rules.available_gbp / unit + 1e-9))
    cost_units = np.round(options["annual_cost_gbp"].to_numpy(dtype=np.float64) / unit).astype(int)
    allowed = _allowed(options, rules)
    groups = options["intervention"].to_numpy(dtype=str)
    order = list(dict.fromkeys(groups))
    must = set(rules.must_fund)
    best = np.zeros((draws, capacity + 1))
    choices: list[tuple[npt.NDArray[np.intp], npt.NDArray[np.int16]]] = []
    for group in order:
        members = np.flatnonzero((groups == group) & allowed)
        new = np.full_like(best, -np.inf) if group in must else best.copy()
        choice = np.full((draws, capacity + 1), -1, dtype=np.int16)
        for position, option in enumerate(members):
            c = cost_units[option]
            if c > capacity:
                continue
            candidate = best[:, : capacity + 1 - c] + benefits[:, option, None]
            window = new[:, c:]
            better = candidate > window  # on a tie keep what is cheaper or already chosen
            window[better] = candidate[better]
            choice[:, c:][better] = position
        best = new
        choices.append((members, choice))
    if not np.all(np.isfinite(best[:, capacity])):
        raise ValueError("the must-funds cannot all be afforded")
    picked = np.zeros((draws, len(options)), dtype=bool)
    remaining: npt.NDArray[np.int64] = np.full(draws, capacity, dtype=np.int64)
    rows = np.arange(draws)
    for members, choice in reversed(choices):
        taken = choice[rows, remaining]
        has = taken >= 0
        if members.size:
            chosen = members[np.where(has, taken, 0)]
            picked[rows[has], chosen[has]] = True
            remaining = remaining - np.where(has, cost_units[chosen], 0)
    return picked
