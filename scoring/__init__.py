"""Pure decision maths: value functions, weights, weighted sums, ranks.

Nothing here reads files or draws widgets; it takes arrays and tables and returns tables.
"""

from scoring.portfolio import FundingRules, InfeasibleError, Portfolio, frontier, optimise, ratio_ranking
from scoring.value_functions import PiecewiseLinear
from scoring.weighted_sum import (
    CRITERIA,
    NORMALISATIONS,
    ScoreResult,
    WeightsError,
    minmax_rescale,
    normalise_weights,
    rank_scores,
    score,
    weighted_sum_kernel,
)

__all__ = [
    "CRITERIA",
    "NORMALISATIONS",
    "FundingRules",
    "InfeasibleError",
    "PiecewiseLinear",
    "Portfolio",
    "ScoreResult",
    "WeightsError",
    "frontier",
    "minmax_rescale",
    "normalise_weights",
    "optimise",
    "rank_scores",
    "ratio_ranking",
    "score",
    "weighted_sum_kernel",
]
