"""Pure decision maths: value functions, weights, weighted sums, ranks, the funded set, sensitivity, Monte Carlo.

Nothing here reads files or draws widgets; it takes arrays and tables and returns tables.

Names are imported from their module on first use (PEP 562), so code that needs only the errors or
the criteria never loads NumPy, pandas or SciPy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scoring.lazy import lazy_names

# Imported now, not on first use: the function shares its module's name, and the module, once loaded
# by anything in the package, would otherwise stand where the function should.
from scoring.money import money

if TYPE_CHECKING:
    from scoring.benefit import benefit_weights, option_benefits
    from scoring.criteria import CRITERIA, MAX_YEARS, NORMALISATIONS, Normalisation
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
    from scoring.errors import DecisionError, InfeasibleError, Problem
    from scoring.funding import BENEFIT_SCALE, FundingRules, allowed_options, benefit_units, best_sets, dp_unit
    from scoring.montecarlo import MonteCarloResult, WeightMode, sample_weights, simulate
    from scoring.plan import Plan, PlanRules, Stream, plan_years, stream_money
    from scoring.portfolio import EXACT_METHOD, Portfolio, frontier, optimise, ratio_ranking
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
    from scoring.value_functions import PiecewiseLinear
    from scoring.weight_space import WeightSpace, rank_order_centroid
    from scoring.weighted_sum import (
        ScoreResult,
        WeightsError,
        minmax_rescale,
        normalise_weights,
        rank_scores,
        score,
        weighted_sum_kernel,
    )

# Which module of the package each public name lives in.
_MODULES = {
    "benefit": ("benefit_weights", "option_benefits"),
    "criteria": ("CRITERIA", "MAX_YEARS", "NORMALISATIONS", "Normalisation"),
    "elicitation": (
        "PINNED",
        "Answer",
        "InconsistentAnswers",
        "TradeOff",
        "conflicting_answers",
        "next_trade_off",
        "swing_weights",
        "trade_off_weights",
        "weight_ranges",
    ),
    "errors": ("DecisionError", "InfeasibleError", "Problem"),
    "funding": ("BENEFIT_SCALE", "FundingRules", "allowed_options", "benefit_units", "best_sets", "dp_unit"),
    "montecarlo": ("MonteCarloResult", "WeightMode", "sample_weights", "simulate"),
    "plan": ("Plan", "PlanRules", "Stream", "plan_years", "stream_money"),
    "portfolio": ("EXACT_METHOD", "Portfolio", "frontier", "optimise", "ratio_ranking"),
    "sensitivity": (
        "Interval",
        "containing",
        "dominance",
        "dominators",
        "funded_breakpoints",
        "funded_interval_at",
        "one_way_array",
        "one_way_weights",
        "top_k_intervals",
    ),
    "value_functions": ("PiecewiseLinear",),
    "weight_space": ("WeightSpace", "rank_order_centroid"),
    "weighted_sum": (
        "ScoreResult",
        "WeightsError",
        "minmax_rescale",
        "normalise_weights",
        "rank_scores",
        "score",
        "weighted_sum_kernel",
    ),
}
_MODULE_OF, __getattr__, __dir__ = lazy_names(__name__, globals(), _MODULES)


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
    "dominators",
    "dp_unit",
    "frontier",
    "funded_breakpoints",
    "funded_interval_at",
    "lazy_names",
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
