"""Funding scenarios: a budget, constraints and weights, turned into the exact best set to fund.

A ``Scenario`` is plain data (it can be saved, shared in a link and replayed). ``evaluate``
applies it to the decision problem: each funding option's benefit (``scoring.option_benefits``,
under the scenario's normalisation), the scenario's constraints (harmful approaches, today's
funded set) as ``FundingRules``, the funded set (``scoring.optimise``, with its one tie rule),
what ratio ranking would fund instead, and how the funded set changes what is funded today.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import AfterValidator, Field, field_validator

from matrix.catalogue import FULL_LEVEL, PROVENANCE_KEYWORDS, TIERS, Identifier, Strict, Text, Tier, Weights, one_line
from matrix.decision.problem import DecisionProblem
from scoring import (
    DecisionError,
    FundingRules,
    Normalisation,
    Portfolio,
    Problem,
    frontier,
    money,
    optimise,
    option_benefits,
    ratio_ranking,
)

# What the app's widgets can hold, and so what a scenario can be: one home for the limits the
# link, the decision record and the store are checked against.
MAX_BUDGET_GBP = 10_000_000_000
MAX_RINGFENCE_PERCENT = 50
Fraction = Annotated[float, Field(ge=0, le=1)]
DEFAULT_NAME = "Scenario"


class ScenarioError(DecisionError):
    """A scenario that does not fit the catalogue (unknown ids, overrides without reasons), in words."""


class Scenario(Strict):
    """Everything a funding decision depends on besides the catalogue."""

    name: Annotated[str, Field(min_length=1, max_length=120), AfterValidator(one_line)] = DEFAULT_NAME
    weights: Weights
    normalisation: Normalisation = "value_functions"
    budget_gbp: Annotated[float, Field(ge=0, le=MAX_BUDGET_GBP)]
    must_fund: tuple[Identifier, ...] = ()
    must_not_fund: tuple[Identifier, ...] = ()
    harmful_overrides: dict[Identifier, Text] = Field(default_factory=dict)
    tier_min_share: dict[Tier, Fraction] = Field(default_factory=dict)
    tier_max_share: dict[Tier, Fraction] = Field(default_factory=dict)
    ringfence_share: Annotated[float, Field(ge=0, le=MAX_RINGFENCE_PERCENT / 100)] = 0.0
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


def status_quo_notice(problem: DecisionProblem) -> str | None:
    """When what is marked funded today costs more than the catalogue's budget, the fact in words (with how much of
    that cost is our estimate, which flags are unconfirmed, and the budget's year); None when it fits."""
    info = problem.info[problem.info["funded_today"].astype(bool)]
    cost = float(info["annual_cost_gbp"].sum())
    if cost <= problem.budget_gbp:
        return None
    today = set(info.index)
    items = [item for item in problem.catalogue.interventions if item.id in today]
    estimated = sum(item.annual_cost_gbp.value for item in items if item.annual_cost_gbp.source in PROVENANCE_KEYWORDS)
    unconfirmed = [item.name for item in items if item.funded_today.source in PROVENANCE_KEYWORDS]
    year = f" (the {problem.budget_year} budget)" if problem.budget_year else " (the budget's year is not stated)"
    flags = (
        f" {len(unconfirmed)} of these are marked funded today without a source saying so: {'; '.join(unconfirmed)}."
        if unconfirmed
        else ""
    )
    estimate_words = (
        "every one of those costs is our estimate: no source gives them"
        if estimated >= cost
        else f"{money(estimated)} of that is our estimate, not a sourced cost"
    )
    return (
        f"What is marked funded today does not fit the budget: its {len(items)} interventions cost {money(cost)} a year "
        f"({estimate_words}), more than {money(problem.budget_gbp)}{year}. "
        f"So keeping everything funded today cannot be met at this budget, and the recommended set stops some of it.{flags}"
    )


def scenario_options(problem: DecisionProblem, scenario: Scenario) -> pd.DataFrame:
    """The funding options, their 0-100 values under the scenario's normalisation, and each one's
    benefit (0-100, the one rule in ``scoring.option_benefits``)."""
    options = problem.options.copy()
    values = problem.option_values(scenario.normalisation)
    criteria = list(problem.criteria)
    options[criteria] = values
    weights = problem.weight_vector(scenario.weights)
    options["benefit"] = option_benefits(values.to_numpy(), weights, scenario.include_cost, problem.cost_position)
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
    cost_criterion: str | None = "cost"  # the criterion the benefit leaves out unless told (kind "cost")

    @property
    def funded_today(self) -> tuple[str, ...]:
        rows = self.options[self.options["funded_today"]]
        return tuple(rows["intervention"])

    @cached_property
    def changes(self) -> pd.DataFrame:
        """How the funded set changes what is funded today, one row per intervention that changes.

        ``change`` is stopped (funded today, not in the set), reduced (funded at a cheaper level),
        increased (at a dearer level) or new (not funded today); the money columns are GBP a year,
        ``difference £`` being the cost now less the cost today (negative frees money).
        """
        today = {str(r.intervention): r for r in self.options[self.options["funded_today"]].itertuples()}
        chosen = {str(r.intervention): r for r in self.optimum.chosen.itertuples()}
        rows = []
        for ident in dict.fromkeys([*today, *chosen]):
            before, after = today.get(ident), chosen.get(ident)
            cost_before = float(before.annual_cost_gbp) if before is not None else 0.0  # type: ignore[arg-type]
            cost_after = float(after.annual_cost_gbp) if after is not None else 0.0  # type: ignore[arg-type]
            if after is None:
                change = "stopped"
            elif before is None:
                change = "new"
            elif str(after.level) == str(before.level):
                continue
            else:
                change = "reduced" if cost_after < cost_before else "increased"
            rows.append(
                {
                    "id": ident,
                    "name": self.names[ident],
                    "change": change,
                    "level today": str(before.level_label) if before is not None else "",
                    "level now": str(after.level_label) if after is not None else "",
                    "cost today £": cost_before,
                    "cost now £": cost_after,
                    "difference £": cost_after - cost_before,
                }
            )
        columns = ["id", "name", "change", "level today", "level now", "cost today £", "cost now £", "difference £"]
        return pd.DataFrame(rows, columns=columns)

    def change_of(self, ident: str) -> str:
        """One intervention's change against today: stopped, reduced, increased, new, continued or ''."""
        found = self.changes.loc[self.changes["id"] == ident, "change"]
        if len(found):
            return str(found.iloc[0])
        return "continued" if ident in self.funded_today else ""

    def change_total(self, *kinds: str) -> float:
        """Sum of the cost differences (GBP a year) of the changes of these kinds."""
        return float(self.changes.loc[self.changes["change"].isin(kinds), "difference £"].sum())

    @property
    def stopped(self) -> tuple[str, ...]:
        """Interventions funded today that this scenario does not fund."""
        return tuple(self.changes.loc[self.changes["change"] == "stopped", "id"])

    @property
    def freed_gbp(self) -> float:
        """Money stopping and reducing today's interventions frees (GBP a year, positive)."""
        return -self.change_total("stopped", "reduced")

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
    names = problem.names
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
        raise ScenarioError([Problem(p) for p in problems])


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


def evaluate(problem: DecisionProblem, scenario: Scenario) -> ScenarioResult:
    """The exact best set to fund under the scenario, with the ratio ranking's set beside it.

    Raises ScenarioError (ids, overrides), WeightsError (benefit weights all zero) or
    scoring.InfeasibleError (constraints that cannot all hold), each with a message in words.
    """
    rules, harmful = funding_rules(problem, scenario)
    options = scenario_options(problem, scenario)
    names = problem.names
    return ScenarioResult(
        scenario=scenario,
        options=options,
        optimum=optimise(options, rules, names),
        ratio=ratio_ranking(options, rules),
        names=names,
        harmful_excluded=tuple(i for i in harmful if i not in scenario.must_not_fund),
        cost_criterion=None if problem.cost_position is None else problem.criteria[problem.cost_position],
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
        except DecisionError as error:  # constraints that cannot hold at this budget: say why, in the table
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
