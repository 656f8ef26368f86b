"""Pure decision maths: value functions, weights, weighted sums, ranks, the funded set, sensitivity, Monte Carlo.

Nothing here reads files or draws widgets; it takes arrays and tables and returns tables.
"""

from scoring.benefit import benefit_weights, option_benefits
from scoring.elicitation import (
    PINNED,
    Answer,
    InconsistentAnswers,
    TradeOff,
    conflicting_answers,
    next_trade_off,
    swing_weights,
    trade_off_weights,
    weight_ranges,
)
from scoring.errors import DecisionError, Problem
from scoring.funding import (
    BENEFIT_SCALE,
    FundingRules,
    InfeasibleError,
    allowed_options,
    benefit_units,
    best_sets,
    dp_unit,
)
from scoring.money import money
from scoring.montecarlo import MonteCarloResult, WeightMode, sample_weights, simulate
from scoring.plan import MAX_YEARS, Plan, PlanRules, Stream, plan_years, stream_money
from scoring.portfolio import EXACT_METHOD, Portfolio, frontier, optimise, ratio_ranking
from scoring.sensitivity import (
    Interval,
    containing,
    dominance,
    funded_breakpoints,
    one_way_array,
    one_way_weights,
    top_k_intervals,
)
from scoring.value_functions import PiecewiseLinear
from scoring.weight_space import WeightSpace, rank_order_centroid
from scoring.weighted_sum import (
    CRITERIA,
    NORMALISATIONS,
    Normalisation,
    ScoreResult,
    WeightsError,
    minmax_rescale,
    normalise_weights,
    rank_scores,
    score,
    weighted_sum_kernel,
)

__all__ = [
    "BENEFIT_SCALE",
    "CRITERIA",
    "EXACT_METHOD",
    "MAX_YEARS",
    "NORMALISATIONS",
    "PINNED",
    "Answer",
    "DecisionError",
    "FundingRules",
    "InconsistentAnswers",
    "InfeasibleError",
    "Interval",
    "MonteCarloResult",
    "Normalisation",
    "PiecewiseLinear",
    "Plan",
    "PlanRules",
    "Portfolio",
    "Problem",
    "ScoreResult",
    "Stream",
    "TradeOff",
    "WeightMode",
    "WeightSpace",
    "WeightsError",
    "allowed_options",
    "benefit_units",
    "benefit_weights",
    "best_sets",
    "conflicting_answers",
    "containing",
    "dominance",
    "dp_unit",
    "frontier",
    "funded_breakpoints",
    "minmax_rescale",
    "money",
    "next_trade_off",
    "normalise_weights",
    "one_way_array",
    "one_way_weights",
    "optimise",
    "option_benefits",
    "plan_years",
    "rank_order_centroid",
    "rank_scores",
    "ratio_ranking",
    "sample_weights",
    "score",
    "simulate",
    "stream_money",
    "swing_weights",
    "top_k_intervals",
    "trade_off_weights",
    "weight_ranges",
    "weighted_sum_kernel",
]
