"""The benefit of funding an option: the one rule, used by every solver path, sweep and draw.

benefit_o = sum_c b_c * v_oc, where v_oc is option o's 0-100 value on criterion c and the benefit
weights b are the commissioner's weights with cost set to 0 (unless ``include_cost``), divided by
their total so they add up to 1: the benefit is on the same 0-100 scale as the score. Cost is left
out by default because the budget already accounts for it; counting it again would favour cheap
interventions twice. Higher is better.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from scoring.criteria import CRITERIA
from scoring.weighted_sum import WeightsError

FloatArray = npt.NDArray[np.float64]
COST = CRITERIA.index("cost")


def benefit_weights(weights: npt.ArrayLike, include_cost: bool, cost: int | None = COST) -> FloatArray:
    """Benefit weights in criteria order, each row adding up to 1; one row (m,) or many (d, m). ``cost`` is
    where the cost criterion is (CRITERIA's by default; None when there is none, so nothing is left out).

    Raises WeightsError when a row has no weight left (e.g. only cost weighted, cost left out).
    """
    out = np.array(weights, dtype=np.float64)
    if not include_cost and cost is not None:
        out[..., cost] = 0.0
    total = out.sum(axis=-1, keepdims=True)
    if np.any(total <= 0):
        raise WeightsError(
            "the benefit weights are all zero: with cost left out of the benefit, give another criterion a weight"
            if not include_cost and cost is not None
            else "all weights are zero: give at least one criterion a weight above zero"
        )
    return np.asarray(out / total, dtype=np.float64)


def option_benefits(values: npt.ArrayLike, weights: npt.ArrayLike, include_cost: bool, cost: int | None = COST) -> FloatArray:
    """Each option's benefit: values (options x m) with weights (m,) give (options,); with (d, m), (d, options)."""
    return np.asarray(benefit_weights(weights, include_cost, cost) @ np.asarray(values, dtype=np.float64).T, dtype=np.float64)
