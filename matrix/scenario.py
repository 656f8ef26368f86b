"""Funding scenarios: a budget, constraints and weights, turned into the exact best set to fund.

A ``Scenario`` is plain data (it can be saved, shared in a link and replayed). ``evaluate``
applies it to the decision problem: it works out each funding option's benefit, turns the
scenario's constraints (harmful approaches, today's funded set) into ``FundingRules`` and
asks ``scoring.portfolio`` for the optimum and for what ratio ranking would fund instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, field_validator

from matrix.problem import DecisionProblem
from matrix.schema import FULL_LEVEL, TIERS, Identifier, Strict, Text, Tier, Weights
from scoring import CRITERIA, FundingRules, Portfolio, WeightsError, frontier, normalise_weights, optimise, ratio_ranking

Fraction = Annotated[float, Field(ge=0, le=1)]
BENEFIT_CRITERIA = ("impact", "reach", "risk")


class ScenarioError(ValueError):
    """A scenario that does not fit the catalogue (unknown ids, overrides without reasons), in words."""


class Scenario(Strict):
    """Everything a funding decision depends on besides the catalogue."""

    name: Annotated[str, Field(min_length=1, max_length=120)] = "Scenario"
    weights: Weights
    budget_gbp: Annotated[float, Field(ge=0, le=1e10)]
    must_fund: tuple[Identifier, ...] = ()
    must_not_fund: tuple[Identifier, ...] = ()
    harmful_overrides: dict[Identifier, Text] = Field(default_factory=dict)
    tier_min_share: dict[Tier, Fraction] = Field(default_factory=dict)
    tier_max_share: dict[Tier, Fraction] = Field(default_factory=dict)
    ringfence_share: Fraction = 0.0
    keep_status_quo: bool = False
    include_cost: bool = False

    @field_validator("must_fund", "must_not_fund")
    @classmethod
    def _no_repeats(cls, ids: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ids))


def default_scenario(problem: DecisionProblem, name: str = "Scenario") -> Scenario:
    """The catalogue's default weights and budget, no constraints."""
    catalogue = problem.catalogue
    return Scenario(
        name=name,
        weights=catalogue.preset(catalogue.default_preset).weights,
        budget_gbp=catalogue.budget.annual_budget_gbp.value,
    )


def benefit_weights(weights: Weights, include_cost: bool) -> pd.Series:
    """Weights for the benefit score: the non-cost criteria renormalised, or all four with include_cost.

    The budget already accounts for cost, so by default cost is left out of the benefit so it
    is not counted twice.
    """
    chosen = weights.as_dict()
    if not include_cost:
        chosen["cost"] = 0.0
    try:
        return normalise_weights(chosen)
    except WeightsError:
        raise WeightsError(
            "the benefit weights are all zero: with cost left out of the benefit, give impact, reach or risk a weight"
        ) from None


def scenario_options(problem: DecisionProblem, scenario: Scenario) -> pd.DataFrame:
    """The funding options with each one's benefit (0-100): the weighted sum of its values."""
    weights = benefit_weights(scenario.weights, scenario.include_cost)
    options = problem.options.copy()
    options["benefit"] = options[list(CRITERIA)].to_numpy() @ weights.to_numpy()
    return options


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario's optimum, what ratio ranking would fund, and how it differs from today."""

    scenario: Scenario
    options: pd.DataFrame
    optimum: Portfolio
    ratio: Portfolio
    names: Mapping[str, str]
    harmful_excluded: tuple[str, ...]

    @property
    def funded_today(self) -> tuple[str, ...]:
        rows = self.options[self.options["funded_today"]]
        return tuple(rows["intervention"])

    @property
    def stopped(self) -> tuple[str, ...]:
        """Interventions funded today that this scenario does not fund."""
        return tuple(i for i in self.funded_today if i not in self.optimum.funded)

    @property
    def freed_gbp(self) -> float:
        """Money today's spending on the stopped interventions would free."""
        today = self.options[self.options["funded_today"]]
        return float(today.loc[today["intervention"].isin(self.stopped), "annual_cost_gbp"].sum())

    def funded_table(self, portfolio: Portfolio | None = None) -> pd.DataFrame:
        """The funded interventions in words: name, level, cost, benefit, reach, tiers."""
        chosen = (portfolio or self.optimum).chosen
        return pd.DataFrame(
            {
                "id": chosen["intervention"].to_numpy(),
                "name": [self.names[i] for i in chosen["intervention"]],
                "level": chosen["level_label"].to_numpy(),
                "annual cost £": chosen["annual_cost_gbp"].to_numpy(),
                "benefit": chosen["benefit"].round(2).to_numpy(),
                "reach a year": chosen["reach_per_year"].to_numpy(),
                "funded today": chosen["intervention"].isin(self.funded_today).to_numpy(),
            }
        ).sort_values("benefit", ascending=False, kind="stable", ignore_index=True)


def _check_ids(problem: DecisionProblem, scenario: Scenario) -> None:
    known = set(problem.info.index)
    problems = []
    for label, ids in (
        ("must fund", scenario.must_fund),
        ("must not fund", scenario.must_not_fund),
        ("harmful override", tuple(scenario.harmful_overrides)),
    ):
        for ident in ids:
            if ident not in known:
                problems.append(f"{label}: no intervention has the id '{ident}'")
    harmful = set(problem.info.index[problem.info["harmful"]])
    names = _names(problem)
    for ident in scenario.harmful_overrides:
        if ident in known and ident not in harmful:
            problems.append(f"harmful override: {names[ident]} is not rated harmful, so it needs no override")
    for ident in scenario.must_fund:
        if ident in harmful and ident not in scenario.harmful_overrides:
            problems.append(
                f"must fund: {names[ident]} is rated harmful by the YEF; "
                "it can only be funded with an override and a recorded reason"
            )
    if problems:
        raise ScenarioError("; ".join(problems))


def funding_rules(problem: DecisionProblem, scenario: Scenario) -> tuple[FundingRules, tuple[str, ...]]:
    """The scenario as FundingRules, and the harmful interventions it excludes."""
    _check_ids(problem, scenario)
    harmful = tuple(i for i in problem.info.index[problem.info["harmful"]] if i not in scenario.harmful_overrides)
    must_fund = list(scenario.must_fund)
    excluded: list[str] = []
    if scenario.keep_status_quo:
        today = problem.options[problem.options["funded_today"]]
        must_fund += [i for i in today["intervention"] if i not in must_fund]
        excluded = [
            str(o)
            for o, row in problem.options.iterrows()
            if row["intervention"] in set(today["intervention"]) and row["level"] != FULL_LEVEL
        ]
    rules = FundingRules(
        budget_gbp=scenario.budget_gbp,
        must_fund=tuple(must_fund),
        must_not_fund=tuple(dict.fromkeys([*scenario.must_not_fund, *harmful])),
        excluded_options=tuple(excluded),
        tier_min_share={str(t): s for t, s in scenario.tier_min_share.items()},
        tier_max_share={str(t): s for t, s in scenario.tier_max_share.items()},
        ringfence_share=scenario.ringfence_share,
    )
    return rules, harmful


def _names(problem: DecisionProblem) -> dict[str, str]:
    return {str(i): str(n) for i, n in problem.info["name"].items()}


def evaluate(problem: DecisionProblem, scenario: Scenario) -> ScenarioResult:
    """The exact best set to fund under the scenario, with the ratio ranking's set beside it.

    Raises ScenarioError (ids, overrides), WeightsError (benefit weights all zero) or
    scoring.InfeasibleError (constraints that cannot all hold), each with a message in words.
    """
    rules, harmful = funding_rules(problem, scenario)
    options = scenario_options(problem, scenario)
    names = _names(problem)
    return ScenarioResult(
        scenario=scenario,
        options=options,
        optimum=optimise(options, rules, names),
        ratio=ratio_ranking(options, rules),
        names=names,
        harmful_excluded=tuple(i for i in harmful if i not in scenario.must_not_fund),
    )


def frontier_table(problem: DecisionProblem, scenario: Scenario, points: int = 100) -> pd.DataFrame:
    """Best value and ratio-ranking value at ``points`` budgets from zero to the cost of everything."""
    rules, _ = funding_rules(problem, scenario)
    options = scenario_options(problem, scenario)
    everything = float(options.groupby("intervention")["annual_cost_gbp"].max().sum())
    total = everything / max(1e-9, 1 - scenario.ringfence_share) if scenario.ringfence_share < 1 else everything
    return frontier(options, rules, [float(b) for b in np.linspace(0.0, total, points)])


def next_pound(
    problem: DecisionProblem, scenario: Scenario, changes_gbp: tuple[float, ...] = (-100_000, -50_000, 50_000, 100_000)
) -> pd.DataFrame:
    """What a budget change would add or remove: value, spend and the interventions that change."""
    base = evaluate(problem, scenario)
    rows = []
    for change in changes_gbp:
        budget = scenario.budget_gbp + change
        row: dict[str, object] = {"budget change £": change, "budget £": budget}
        if budget < 0:
            rows.append(row | {"outcome": "the budget would be negative"})
            continue
        try:
            other = evaluate(problem, scenario.model_copy(update={"budget_gbp": budget}))
        except ValueError as error:  # InfeasibleError and friends: say why, in the table
            rows.append(row | {"outcome": str(error)})
            continue
        added = [base.names[i] for i in other.optimum.funded if i not in base.optimum.funded]
        removed = [base.names[i] for i in base.optimum.funded if i not in other.optimum.funded]
        relevelled = [
            base.names[i]
            for i in set(other.optimum.funded) & set(base.optimum.funded)
            if set(other.optimum.chosen.loc[other.optimum.chosen["intervention"] == i, "level"])
            != set(base.optimum.chosen.loc[base.optimum.chosen["intervention"] == i, "level"])
        ]
        rows.append(
            row
            | {
                "value change": round(other.optimum.value - base.optimum.value, 2),
                "spend £": other.optimum.spend_gbp,
                "added": "; ".join(added),
                "removed": "; ".join(removed),
                "level changed": "; ".join(sorted(relevelled)),
                "outcome": "",
            }
        )
    return pd.DataFrame(rows)


def _percent(share: float) -> str:
    return f"{share * 100:g}"


def scenario_to_query(scenario: Scenario) -> dict[str, str]:
    """The scenario as link parameters (weights are kept separately by the app)."""
    query = {"budget": f"{scenario.budget_gbp:g}", "scenario": scenario.name}
    if scenario.must_fund:
        query["must"] = ",".join(scenario.must_fund)
    if scenario.must_not_fund:
        query["exclude"] = ",".join(scenario.must_not_fund)
    if scenario.harmful_overrides:
        query["allow_harmful"] = "|".join(f"{i}:{reason}" for i, reason in scenario.harmful_overrides.items())
    if scenario.ringfence_share:
        query["ringfence"] = _percent(scenario.ringfence_share)
    for tier, share in scenario.tier_min_share.items():
        query[f"min_{tier}"] = _percent(share)
    for tier, share in scenario.tier_max_share.items():
        query[f"max_{tier}"] = _percent(share)
    if scenario.keep_status_quo:
        query["keep_today"] = "1"
    if scenario.include_cost:
        query["include_cost"] = "1"
    return query


def scenario_from_query(params: Mapping[str, str], base: Scenario) -> tuple[Scenario, list[str]]:
    """A scenario restored from link parameters over ``base``; what cannot be used is reported."""
    problems: list[str] = []
    update: dict[str, object] = {}

    def number(key: str, low: float, high: float) -> float | None:
        text = params.get(key)
        if text is None:
            return None
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not low <= value <= high:
            problems.append(f"the link's {key} '{text}' is not a number from {low:g} to {high:g}; ignored")
            return None
        return value

    if (budget := number("budget", 0, 1e10)) is not None:
        update["budget_gbp"] = budget
    if "scenario" in params:
        update["name"] = params["scenario"][:120] or base.name
    for key, field in (("must", "must_fund"), ("exclude", "must_not_fund")):
        if params.get(key):
            update[field] = tuple(p.strip() for p in params[key].split(",") if p.strip())
    if params.get("allow_harmful"):
        overrides = {}
        for part in params["allow_harmful"].split("|"):
            ident, _, reason = part.partition(":")
            if ident.strip() and reason.strip():
                overrides[ident.strip()] = reason.strip()
            else:
                problems.append(f"the link's harmful override '{part}' needs the form id:reason; ignored")
        update["harmful_overrides"] = overrides
    if (ringfence := number("ringfence", 0, 100)) is not None:
        update["ringfence_share"] = ringfence / 100
    for prefix, field in (("min", "tier_min_share"), ("max", "tier_max_share")):
        shares = {t: s / 100 for t in TIERS if (s := number(f"{prefix}_{t}", 0, 100)) is not None}
        if shares:
            update[field] = shares
    update["keep_status_quo"] = params.get("keep_today") == "1"
    update["include_cost"] = params.get("include_cost") == "1"
    try:
        return Scenario.model_validate(base.model_dump() | update), problems
    except ValidationError as error:
        problems += [f"the link's scenario is not valid ({e['msg']}); using the default" for e in error.errors(include_url=False)]
        return base, problems


def compare(results: list[ScenarioResult]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Side by side: which interventions each scenario funds (and at which level), and their totals.

    Returns (membership, totals). Membership has a row per intervention funded by any scenario
    and a column per scenario holding the level's label or ''. Totals has a row per scenario.
    """
    names = results[0].names if results else {}
    funded_ids = list(dict.fromkeys(i for r in results for i in r.optimum.funded))
    membership = pd.DataFrame({"name": [names[i] for i in funded_ids]}, index=pd.Index(funded_ids, name="id"))
    totals = []
    for number, result in enumerate(results, start=1):
        label = f"{number}. {result.scenario.name}"
        levels = dict(zip(result.optimum.chosen["intervention"], result.optimum.chosen["level_label"], strict=True))
        membership[label] = [levels.get(i, "") for i in funded_ids]
        shares = result.optimum.share_by_tier
        totals.append(
            {
                "scenario": label,
                "budget £": result.scenario.budget_gbp,
                "spend £": result.optimum.spend_gbp,
                "value": round(result.optimum.value, 2),
                "reach a year": result.optimum.reach,
                "funded": len(result.optimum.chosen),
                **{f"{t} spend £": float(result.optimum.spend_by_tier.get(t, 0.0)) for t in TIERS},
                **{f"{t} share": round(float(shares.get(t, 0.0)), 4) for t in TIERS},
            }
        )
    return membership, pd.DataFrame(totals)
