"""Portfolios: the funded set explained (spend, reach, spend by tier, binding constraints), the
infeasibility explained in words, what ranking by benefit per pound would fund, and the frontier.

What is funded is decided in one place, ``scoring.funding.best_sets``, with its one tie rule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.errors import InfeasibleError, Problem
from scoring.funding import (
    MONEY_TOLERANCE_GBP,
    FloatArray,
    FundingModel,
    FundingRules,
    allowed_options,
    benefit_units,
    best_sets,
    check_options,
    dp_unit,
    sets_by_budget,
    tiers_of,
)
from scoring.money import money

EXACT_METHOD = "exact (best value, then least cost, then catalogue order)"


@dataclass(frozen=True)
class Portfolio:
    """A funded set and everything needed to explain it.

    ``chosen``: the funded options (rows of the options table). ``spend_by_tier``: GBP per
    tier. ``binding``: the constraints that hold with no room to spare, in words.
    """

    method: str
    rules: FundingRules
    chosen: pd.DataFrame
    value: float
    spend_gbp: float
    reach: float
    spend_by_tier: pd.Series
    binding: tuple[str, ...]

    @property
    def money_left_gbp(self) -> float:
        return self.rules.available_gbp - self.spend_gbp

    @property
    def funded(self) -> tuple[str, ...]:
        return tuple(self.chosen["intervention"])

    @property
    def share_by_tier(self) -> pd.Series:
        if self.spend_gbp <= 0:
            return self.spend_by_tier * 0.0
        return self.spend_by_tier / self.spend_gbp


def _precheck(options: pd.DataFrame, rules: FundingRules, names: Mapping[str, str]) -> list[str]:
    """Conflicts that can be named without solving anything."""
    reasons: list[str] = []
    if rules.budget_gbp < 0:
        reasons.append(f"budget: {money(rules.budget_gbp)} is negative")
    if not 0 <= rules.ringfence_share <= 1:
        reasons.append(f"ring-fence: {rules.ringfence_share:.0%} is not a share between 0% and 100%")
    known = set(options["intervention"])
    for label, ids in (("must fund", rules.must_fund), ("must not fund", rules.must_not_fund)):
        for ident in ids:
            if ident not in known:
                reasons.append(f"{label}: no intervention has the id '{ident}'")
    for ident in sorted(set(rules.must_fund) & set(rules.must_not_fund)):
        reasons.append(f"{names.get(ident, ident)} is both a must-fund and a must-not-fund")
    allowed = allowed_options(options, rules)
    for ident in rules.must_fund:
        if ident in known and not allowed[(options["intervention"] == ident).to_numpy()].any():
            reasons.append(f"must fund {names.get(ident, ident)}: every way of funding it is excluded")
    tiers = tiers_of(options)
    for tier in set(rules.tier_min_share) | set(rules.tier_max_share):
        if tier not in tiers:
            reasons.append(f"tier '{tier}' is not one of {', '.join(tiers)}")
    for tier, share in [*rules.tier_min_share.items(), *rules.tier_max_share.items()]:
        if not 0 <= share <= 1:
            reasons.append(f"{tier} share {share:.0%} is not between 0% and 100%")
    for tier, low in rules.tier_min_share.items():
        high = rules.tier_max_share.get(tier, 1.0)
        if low > high + 1e-12:
            reasons.append(f"{tier} tier: minimum share {low:.0%} is above its maximum {high:.0%}")
    total_min = sum(rules.tier_min_share.values())
    if total_min > 1 + 1e-9:
        parts = " + ".join(f"{t} {s:.0%}" for t, s in rules.tier_min_share.items() if s > 0)
        reasons.append(f"tier minimums add up to {total_min:.0%} of spend ({parts}), more than 100%")
    if reasons:
        return reasons
    committed = 0.0
    for ident in dict.fromkeys(rules.must_fund):
        rows = (options["intervention"] == ident).to_numpy() & allowed
        committed += float(options.loc[rows, "annual_cost_gbp"].min())
    if committed > rules.available_gbp + MONEY_TOLERANCE_GBP:
        after = (
            f" available after ring-fencing {rules.ringfence_share:.0%} ({money(rules.ringfenced_gbp)}) for evaluation"
            if rules.ringfence_share > 0
            else " budget"
        )
        reasons.append(
            f"must fund: {money(committed)} of commitments (at their cheapest levels) exceed the "
            f"{money(rules.available_gbp)}{after}"
        )
    return reasons


def _explain_infeasible(options: pd.DataFrame, rules: FundingRules, names: Mapping[str, str]) -> list[Problem]:
    """Name a smallest set of constraints that cannot all hold (a deletion filter over must-funds and tiers)."""
    suspects = [f"must {ident}" for ident in dict.fromkeys(rules.must_fund)]
    suspects += [f"min {tier}" for tier in rules.tier_min_share] + [f"max {tier}" for tier in rules.tier_max_share]
    current = rules
    needed: list[str] = []
    for label in suspects:
        trial = _drop(current, label)
        if not FundingModel.build(options, trial).feasible():
            current = trial  # still infeasible without it: not part of the conflict
        else:
            needed.append(label)
    words = []
    must = [names.get(label.removeprefix("must "), label.removeprefix("must ")) for label in needed if label.startswith("must ")]
    if must:
        cost = sum(
            float(
                options.loc[(options["intervention"] == i).to_numpy() & allowed_options(options, rules), "annual_cost_gbp"].min()
            )
            for i in current.must_fund
        )
        words.append(f"must fund {', '.join(must)} ({money(cost)} at their cheapest levels)")
    for label in needed:
        kind, _, tier = label.partition(" ")
        if kind == "min":
            words.append(f"at least {current.tier_min_share[tier]:.0%} of spend on {tier} prevention")
        elif kind == "max":
            words.append(f"at most {current.tier_max_share[tier]:.0%} of spend on {tier} prevention")
    words.append(f"the {money(rules.available_gbp)} available to spend")
    return [Problem("these constraints cannot all hold: " + "; ".join(words))]


def _drop(rules: FundingRules, label: str) -> FundingRules:
    """The rules without one suspect constraint: 'must ID', 'min TIER' or 'max TIER'."""
    kind, _, rest = label.partition(" ")
    if kind == "must":
        return dataclasses.replace(rules, must_fund=tuple(i for i in rules.must_fund if i != rest))
    if kind == "min":
        return dataclasses.replace(rules, tier_min_share={t: s for t, s in rules.tier_min_share.items() if t != rest})
    return dataclasses.replace(rules, tier_max_share={t: s for t, s in rules.tier_max_share.items() if t != rest})


def _portfolio(options: pd.DataFrame, rules: FundingRules, picked: npt.NDArray[np.bool_], method: str) -> Portfolio:
    chosen = options[picked]
    cost = chosen["annual_cost_gbp"].to_numpy(dtype=np.float64)
    tiers = tiers_of(options)
    spend_by_tier = pd.Series(
        {t: float((cost * chosen[f"share_{t}"].to_numpy(dtype=np.float64)).sum()) for t in tiers}, name="spend_gbp"
    )
    spend = float(cost.sum())
    return Portfolio(
        method=method,
        rules=rules,
        chosen=chosen,
        value=float(chosen["benefit"].sum()),
        spend_gbp=spend,
        reach=float(chosen["reach_per_year"].fillna(0).sum()),
        spend_by_tier=spend_by_tier,
        binding=_binding(options, rules, picked, spend, spend_by_tier),
    )


def _binding(
    options: pd.DataFrame, rules: FundingRules, picked: npt.NDArray[np.bool_], spend: float, spend_by_tier: pd.Series
) -> tuple[str, ...]:
    binding = []
    left = rules.available_gbp - spend
    funded_groups = set(options.loc[picked, "intervention"])
    could_add = options[
        allowed_options(options, rules)
        & ~options["intervention"].isin(funded_groups).to_numpy()
        & (options["benefit"] > 0).to_numpy()
    ]
    cheapest = float(could_add["annual_cost_gbp"].min()) if len(could_add) else np.inf
    if len(could_add) and left < cheapest:
        binding.append(f"budget: {money(left)} left, less than the cheapest intervention not funded ({money(cheapest)})")
    for tier, low in rules.tier_min_share.items():
        if low > 0 and spend > 0 and abs(spend_by_tier[tier] - low * spend) <= MONEY_TOLERANCE_GBP:
            binding.append(f"{tier} minimum: exactly {low:.0%} of spend")
    for tier, high in rules.tier_max_share.items():
        if high < 1 and spend > 0 and abs(spend_by_tier[tier] - high * spend) <= MONEY_TOLERANCE_GBP:
            binding.append(f"{tier} maximum: exactly {high:.0%} of spend")
    for ident in dict.fromkeys(rules.must_fund):
        binding.append(f"must fund: {ident}")
    return tuple(binding)


def optimise(options: pd.DataFrame, rules: FundingRules, names: Mapping[str, str] | None = None) -> Portfolio:
    """The exact best set to fund under ``rules``; raises InfeasibleError naming the conflict.

    ``options`` is indexed by option id with columns intervention, level, annual_cost_gbp,
    benefit (higher is better), reach_per_year and share_<tier> for each tier.
    """
    names = names or {}
    check_options(options)
    reasons = _precheck(options, rules, names)
    if reasons:
        raise InfeasibleError([Problem(r) for r in reasons])
    try:
        picked = best_sets(options, rules, options["benefit"].to_numpy(dtype=np.float64))[0]
    except InfeasibleError:
        raise InfeasibleError(_explain_infeasible(options, rules, names)) from None
    return _portfolio(options, rules, picked, EXACT_METHOD)


class _Greedy:
    """The ratio ranking's order, worked out once; ``picked`` walks it for an amount available."""

    def __init__(self, options: pd.DataFrame, rules: FundingRules) -> None:
        self.allowed = allowed_options(options, rules)
        self.cost = options["annual_cost_gbp"].to_numpy(dtype=np.float64)
        self.benefit = options["benefit"].to_numpy(dtype=np.float64)
        ratio = np.where(self.cost > 0, self.benefit / np.maximum(self.cost, 1e-9), np.inf)
        self.groups = options["intervention"].to_numpy(dtype=str)
        self.must_first = np.isin(self.groups, list(rules.must_fund))
        self.order = np.lexsort((options.index.to_numpy(dtype=str), -ratio, ~self.must_first))

    def picked(self, available_gbp: float) -> npt.NDArray[np.bool_]:
        picked = np.zeros(len(self.cost), dtype=bool)
        funded: set[str] = set()
        spend = 0.0
        for position in self.order:
            if (
                not self.allowed[position]
                or self.groups[position] in funded
                or (self.benefit[position] <= 0 and not self.must_first[position])
            ):
                continue
            if spend + self.cost[position] <= available_gbp + MONEY_TOLERANCE_GBP:
                picked[position] = True
                funded.add(self.groups[position])
                spend += self.cost[position]
        return picked


def ratio_ranking(options: pd.DataFrame, rules: FundingRules) -> Portfolio:
    """What ranking by benefit per pound funds: must-funds first, then down the list, skipping
    what does not fit. It ignores tier shares; kept to show where it falls short of the optimum."""
    check_options(options)
    picked = _Greedy(options, rules).picked(rules.available_gbp)
    return _portfolio(options, rules, picked, "ratio ranking (benefit per pound, greedy)")


def frontier(options: pd.DataFrame, rules: FundingRules, budgets: Sequence[float]) -> pd.DataFrame:
    """Best value (exact, with the funded-set tie rule) and ratio-ranking value at each budget; NaN
    where the rules cannot hold.

    With costs the dynamic programme can count, one programme over the largest budget gives the
    funded set at every budget (``sets_by_budget``; with tier shares, wherever the set it finds
    meets them). Otherwise budgets are visited from the largest down: the funded set at budget B,
    spending S, is also the funded set at every budget from S to B (it is still affordable,
    nothing of more value or of equal value and less cost was affordable even at B, and the tied
    sets at the smaller budget are among those at B), so those budgets need no solve of their own.
    """
    check_options(options)
    benefit = options["benefit"].to_numpy(dtype=np.float64)
    cost = options["annual_cost_gbp"].to_numpy(dtype=np.float64)
    best = _frontier_by_programme(options, rules, budgets, benefit, cost)
    if best is None:
        best = _frontier_by_budget(options, rules, budgets, benefit, cost)
    ratio = _Greedy(options, rules)
    rows = []
    for budget in budgets:
        value, spend, count = best[float(budget)]
        trial = dataclasses.replace(rules, budget_gbp=float(budget))
        rows.append(
            {
                "budget_gbp": float(budget),
                "optimal_value": value,
                "optimal_spend_gbp": spend,
                "funded_count": count,
                "ratio_value": float(benefit[ratio.picked(trial.available_gbp)].sum()),
            }
        )
    return pd.DataFrame(rows)


Frontier = dict[float, tuple[float, float, int]]  # budget -> (value, spend, count); NaN where infeasible


def _frontier_by_programme(
    options: pd.DataFrame, rules: FundingRules, budgets: Sequence[float], benefit: FloatArray, cost: FloatArray
) -> Frontier | None:
    """Every budget read from one dynamic programme; None when it does not apply."""
    ordered = sorted({float(b) for b in budgets})
    # What a solve would refuse at the largest budget (unknown ids, a bad share, a negative budget,
    # commitments beyond it) it refuses at every smaller one.
    if ordered and _precheck(options, dataclasses.replace(rules, budget_gbp=ordered[-1]), {}):
        return dict.fromkeys(ordered, (np.nan, np.nan, 0))
    found = sets_by_budget(options, rules, benefit, ordered)
    if found is None:
        return None
    sets, feasible = found
    best: Frontier = {}
    for budget, picked, ok in zip(ordered, sets, feasible, strict=True):
        best[budget] = (float(benefit[picked].sum()), float(cost[picked].sum()), int(picked.sum())) if ok else (np.nan, np.nan, 0)
    return best


def _frontier_by_budget(
    options: pd.DataFrame, rules: FundingRules, budgets: Sequence[float], benefit: FloatArray, cost: FloatArray
) -> Frontier:
    """Budgets from the largest down, each solved unless the last set found is still affordable."""
    best: Frontier = {}
    known: tuple[float, float, int] | None = None  # (spend, value, count) of the last set found
    model: FundingModel | None = None
    for budget in sorted({float(b) for b in budgets}, reverse=True):
        trial = dataclasses.replace(rules, budget_gbp=budget)
        if known is not None and known[0] <= trial.available_gbp + MONEY_TOLERANCE_GBP:
            best[budget] = (known[1], known[0], known[2])
            continue
        best[budget] = (np.nan, np.nan, 0)
        known = None
        if _precheck(options, trial, {}):
            continue
        if dp_unit(options, trial) is not None:
            try:
                picked = best_sets(options, trial, benefit)[0]
            except InfeasibleError:
                continue
        else:
            # The integer programme is built once; only the money available changes between budgets.
            model = model or FundingModel.build(options, trial)
            found = model.with_budget(trial.available_gbp).best(benefit_units(benefit))
            if found is None:
                continue
            picked = found
        known = (float(cost[picked].sum()), float(benefit[picked].sum()), int(picked.sum()))
        best[budget] = (known[1], known[0], known[2])
    return best
