"""Portfolio optimisation: the best set of interventions to fund within a budget, found exactly.

Each *option* is one way of funding an intervention (its full level, a pilot, ...). At most
one option per intervention is funded. The value of a funded set is the sum of its options'
benefits; the set maximises that value subject to

- spend <= the budget less the share ring-fenced for evaluation;
- must fund: one option of each listed intervention; must not fund: none of theirs;
- for each prevention tier, min share <= (spend on the tier / total spend) <= max share, where
  an option's cost counts towards its tiers in the proportions of its ``share_<tier>`` columns.

The model is a 0-1 integer programme solved by HiGHS through ``scipy.optimize.milp``. Ranking
by benefit per pound (``ratio_ranking``) is kept only to show where it falls short.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array, vstack

FloatArray = npt.NDArray[np.float64]
# Among sets of equal value, prefer the cheaper one; small enough never to trade real value.
COST_TIE_BREAK = 1e-7
MONEY_TOLERANCE_GBP = 0.5
REQUIRED_COLUMNS = ("intervention", "level", "annual_cost_gbp", "benefit", "reach_per_year")


class InfeasibleError(ValueError):
    """The constraints cannot all hold. ``reasons`` says which, with the amounts, in words."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))


@dataclass(frozen=True)
class FundingRules:
    """What a funding decision must respect. Shares are fractions from 0 to 1."""

    budget_gbp: float
    must_fund: tuple[str, ...] = ()
    must_not_fund: tuple[str, ...] = ()
    excluded_options: tuple[str, ...] = ()
    tier_min_share: Mapping[str, float] = field(default_factory=dict)
    tier_max_share: Mapping[str, float] = field(default_factory=dict)
    ringfence_share: float = 0.0

    @property
    def ringfenced_gbp(self) -> float:
        return self.budget_gbp * self.ringfence_share

    @property
    def available_gbp(self) -> float:
        """Money that may be spent on interventions: the budget less the ring-fence."""
        return self.budget_gbp - self.ringfenced_gbp


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


def _money(gbp: float) -> str:
    return f"£{gbp:,.0f}"


def _tiers(options: pd.DataFrame) -> list[str]:
    return [c.removeprefix("share_") for c in options.columns if c.startswith("share_")]


def _check_options(options: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in options.columns]
    if missing:
        raise ValueError(f"options table lacks {', '.join(missing)}")
    if not options.index.is_unique:
        raise ValueError("option ids must be unique")


def _allowed(options: pd.DataFrame, rules: FundingRules) -> npt.NDArray[np.bool_]:
    return np.asarray(
        ~options["intervention"].isin(rules.must_not_fund).to_numpy() & ~options.index.isin(list(rules.excluded_options)),
        dtype=bool,
    )


def _precheck(options: pd.DataFrame, rules: FundingRules, names: Mapping[str, str]) -> list[str]:
    """Conflicts that can be named without solving anything."""
    reasons: list[str] = []
    if rules.budget_gbp < 0:
        reasons.append(f"budget: {_money(rules.budget_gbp)} is negative")
    if not 0 <= rules.ringfence_share <= 1:
        reasons.append(f"ring-fence: {rules.ringfence_share:.0%} is not a share between 0% and 100%")
    known = set(options["intervention"])
    for label, ids in (("must fund", rules.must_fund), ("must not fund", rules.must_not_fund)):
        for ident in ids:
            if ident not in known:
                reasons.append(f"{label}: no intervention has the id '{ident}'")
    for ident in sorted(set(rules.must_fund) & set(rules.must_not_fund)):
        reasons.append(f"{names.get(ident, ident)} is both a must-fund and a must-not-fund")
    allowed = _allowed(options, rules)
    for ident in rules.must_fund:
        if ident in known and not allowed[(options["intervention"] == ident).to_numpy()].any():
            reasons.append(f"must fund {names.get(ident, ident)}: every way of funding it is excluded")
    tiers = _tiers(options)
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
            f" available after ring-fencing {rules.ringfence_share:.0%} ({_money(rules.ringfenced_gbp)}) for evaluation"
            if rules.ringfence_share > 0
            else " budget"
        )
        reasons.append(
            f"must fund: {_money(committed)} of commitments (at their cheapest levels) exceed the "
            f"{_money(rules.available_gbp)}{after}"
        )
    return reasons


@dataclass(frozen=True)
class _Model:
    objective: FloatArray
    rows: list[tuple[str, csr_array, FloatArray, FloatArray]]
    lower: FloatArray
    upper: FloatArray


def _model(options: pd.DataFrame, rules: FundingRules) -> _Model:
    n = len(options)
    cost = options["annual_cost_gbp"].to_numpy(dtype=np.float64)
    benefit = options["benefit"].to_numpy(dtype=np.float64)
    scale = max(rules.available_gbp, 1.0)
    objective = -benefit + COST_TIE_BREAK * cost / scale
    upper = _allowed(options, rules).astype(np.float64)
    groups, group_of = np.unique(options["intervention"].to_numpy(dtype=str), return_inverse=True)
    must = np.isin(groups, list(rules.must_fund))
    # A group with one option needs no row: its variable's bounds say it all.
    sizes = np.bincount(group_of, minlength=len(groups))
    lower = np.where(must[group_of] & (sizes[group_of] == 1), upper, 0.0)
    multi = np.flatnonzero(sizes > 1)
    in_multi = np.isin(group_of, multi)
    row_of = np.searchsorted(multi, group_of[in_multi])
    one_each = csr_array((np.ones(int(in_multi.sum())), (row_of, np.flatnonzero(in_multi))), shape=(len(multi), n))
    rows: list[tuple[str, csr_array, FloatArray, FloatArray]] = [
        ("budget", csr_array(cost.reshape(1, -1)), np.array([-np.inf]), np.array([rules.available_gbp])),
        ("one level each", one_each, must[multi].astype(np.float64), np.ones(len(multi))),
    ]
    for tier in _tiers(options):
        tier_cost = cost * options[f"share_{tier}"].to_numpy(dtype=np.float64)
        low = rules.tier_min_share.get(tier, 0.0)
        high = rules.tier_max_share.get(tier, 1.0)
        if low > 0:
            rows.append((f"min {tier}", csr_array((tier_cost - low * cost).reshape(1, -1)), np.array([0.0]), np.array([np.inf])))
        if high < 1:
            rows.append(
                (f"max {tier}", csr_array((tier_cost - high * cost).reshape(1, -1)), np.array([-np.inf]), np.array([0.0]))
            )
    return _Model(objective, rows, lower, upper)


def _solve_model(model: _Model, skip: frozenset[str] = frozenset()) -> FloatArray | None:
    kept = [r for r in model.rows if r[0] not in skip]
    constraint = LinearConstraint(
        vstack([r[1] for r in kept]).tocsr(),
        np.concatenate([r[2] for r in kept]),
        np.concatenate([r[3] for r in kept]),
    )
    result = milp(
        model.objective,
        integrality=np.ones(model.objective.size),
        bounds=Bounds(model.lower, model.upper),
        constraints=constraint,
        # mip_rel_gap 0: stop only at the proven optimum (HiGHS's default accepts a 0.01% gap).
        options={"presolve": True, "mip_rel_gap": 0.0},
    )
    if result.status != 0 or result.x is None:
        return None
    return np.asarray(np.round(result.x), dtype=np.float64)


def _explain_infeasible(options: pd.DataFrame, rules: FundingRules, names: Mapping[str, str]) -> list[str]:
    """Name a smallest set of constraints that cannot all hold (a deletion filter over must-funds and tiers)."""
    suspects = [f"must {ident}" for ident in dict.fromkeys(rules.must_fund)]
    suspects += [f"min {tier}" for tier in rules.tier_min_share] + [f"max {tier}" for tier in rules.tier_max_share]
    current = rules
    needed: list[str] = []
    for label in suspects:
        trial = _drop(current, label)
        if _solve_model(_model(options, trial)) is None:
            current = trial  # still infeasible without it: not part of the conflict
        else:
            needed.append(label)
    words = []
    must = [names.get(label.removeprefix("must "), label.removeprefix("must ")) for label in needed if label.startswith("must ")]
    if must:
        cost = sum(
            float(options.loc[(options["intervention"] == i).to_numpy() & _allowed(options, rules), "annual_cost_gbp"].min())
            for i in current.must_fund
        )
        words.append(f"must fund {', '.join(must)} ({_money(cost)} at their cheapest levels)")
    for label in needed:
        kind, _, tier = label.partition(" ")
        if kind == "min":
            words.append(f"at least {current.tier_min_share[tier]:.0%} of spend on {tier} prevention")
        elif kind == "max":
            words.append(f"at most {current.tier_max_share[tier]:.0%} of spend on {tier} prevention")
    words.append(f"the {_money(rules.available_gbp)} available to spend")
    return ["these constraints cannot all hold: " + "; ".join(words)]


def _replace(rules: FundingRules, **changes: object) -> FundingRules:
    values = {name: getattr(rules, name) for name in rules.__dataclass_fields__}
    values.update(changes)
    return FundingRules(**values)


def _drop(rules: FundingRules, label: str) -> FundingRules:
    """The rules without one suspect constraint: 'must ID', 'min TIER' or 'max TIER'."""
    kind, _, rest = label.partition(" ")
    if kind == "must":
        return _replace(rules, must_fund=tuple(i for i in rules.must_fund if i != rest))
    if kind == "min":
        return _replace(rules, tier_min_share={t: s for t, s in rules.tier_min_share.items() if t != rest})
    return _replace(rules, tier_max_share={t: s for t, s in rules.tier_max_share.items() if t != rest})


def _portfolio(options: pd.DataFrame, rules: FundingRules, picked: npt.NDArray[np.bool_], method: str) -> Portfolio:
    chosen = options[picked]
    cost = chosen["annual_cost_gbp"].to_numpy(dtype=np.float64)
    tiers = _tiers(options)
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
        _allowed(options, rules) & ~options["intervention"].isin(funded_groups).to_numpy() & (options["benefit"] > 0).to_numpy()
    ]
    cheapest = float(could_add["annual_cost_gbp"].min()) if len(could_add) else np.inf
    if len(could_add) and left < cheapest:
        binding.append(f"budget: {_money(left)} left, less than the cheapest intervention not funded ({_money(cheapest)})")
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
    _check_options(options)
    reasons = _precheck(options, rules, names)
    if reasons:
        raise InfeasibleError(reasons)
    if len(options) == 0:
        return _portfolio(options, rules, np.zeros(0, dtype=bool), "exact (HiGHS MILP)")
    model = _model(options, rules)
    solution = _solve_model(model)
    if solution is None:
        raise InfeasibleError(_explain_infeasible(options, rules, names))
    return _portfolio(options, rules, solution > 0.5, "exact (HiGHS MILP)")


def _greedy(options: pd.DataFrame, rules: FundingRules) -> npt.NDArray[np.bool_]:
    allowed = _allowed(options, rules)
    cost = options["annual_cost_gbp"].to_numpy(dtype=np.float64)
    benefit = options["benefit"].to_numpy(dtype=np.float64)
    ratio = np.where(cost > 0, benefit / np.maximum(cost, 1e-9), np.inf)
    groups = options["intervention"].to_numpy(dtype=str)
    picked = np.zeros(len(options), dtype=bool)
    funded: set[str] = set()
    spend = 0.0
    must_first = np.isin(groups, list(rules.must_fund))
    order = np.lexsort((options.index.to_numpy(dtype=str), -ratio, ~must_first))
    for position in order:
        if not allowed[position] or groups[position] in funded or (benefit[position] <= 0 and not must_first[position]):
            continue
        if spend + cost[position] <= rules.available_gbp + MONEY_TOLERANCE_GBP:
            picked[position] = True
            funded.add(groups[position])
            spend += cost[position]
    return picked


def ratio_ranking(options: pd.DataFrame, rules: FundingRules) -> Portfolio:
    """What ranking by benefit per pound funds: must-funds first, then down the list, skipping
    what does not fit. It ignores tier shares; kept to show where it falls short of the optimum."""
    _check_options(options)
    return _portfolio(options, rules, _greedy(options, rules), "ratio ranking (benefit per pound, greedy)")


def frontier(options: pd.DataFrame, rules: FundingRules, budgets: Sequence[float]) -> pd.DataFrame:
    """Best value (exact) and ratio-ranking value at each budget; NaN where the rules cannot hold.

    The model is built once and only the budget row changes between solves. Budgets are
    visited from the largest down: a set that is optimal at budget B and spends S is also
    optimal at every budget from S to B (it is still affordable, and nothing better was
    affordable even at B), so those budgets need no solve of their own.
    """
    _check_options(options)
    ordered = sorted({float(b) for b in budgets}, reverse=True)
    top = _replace(rules, budget_gbp=max([rules.budget_gbp, *ordered]))
    model = _model(options, top) if len(options) and not _precheck(options, top, {}) else None
    benefit = options["benefit"].to_numpy(dtype=np.float64)
    cost = options["annual_cost_gbp"].to_numpy(dtype=np.float64)
    best: dict[float, tuple[float, float, int]] = {}
    known: tuple[float, float, float, int] | None = None  # (spend, value, budget solved, count)
    for budget in ordered:
        trial = _replace(rules, budget_gbp=budget)
        if known is not None and known[0] <= trial.available_gbp + MONEY_TOLERANCE_GBP:
            best[budget] = (known[1], known[0], known[3])
            continue
        best[budget] = (np.nan, np.nan, 0)
        known = None
        if model is None or _precheck(options, trial, {}):
            continue
        model.rows[0] = ("budget", model.rows[0][1], model.rows[0][2], np.array([trial.available_gbp]))
        solution = _solve_model(model)
        if solution is not None:
            picked = solution > 0.5
            known = (float(cost[picked].sum()), float(benefit[picked].sum()), budget, int(picked.sum()))
            best[budget] = (known[1], known[0], known[3])
    rows = []
    for budget in budgets:
        value, spend, count = best[float(budget)]
        trial = _replace(rules, budget_gbp=float(budget))
        rows.append(
            {
                "budget_gbp": float(budget),
                "optimal_value": value,
                "optimal_spend_gbp": spend,
                "funded_count": count,
                "ratio_value": float(benefit[_greedy(options, trial)].sum()),
            }
        )
    return pd.DataFrame(rows)
