"""Portfolio speed: the exact optimiser against the same model in PuLP with CBC, in the same run.

Cases: the shipped catalogue (default scenario), synthetic catalogues of 200 and 1,000
interventions with alternative levels and tier-share constraints. Prints median times, the ratio
to CBC and both optimal values (they must agree). Then the efficient frontier at 100 budgets on
the shipped catalogue, without and with tier shares, against the per-budget path it replaced
(budgets from the largest down, each solved unless the last set still fits; the integer programme
under tier shares), with a check that both give the same table. Not a test: run with `make bench`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pulp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import median_seconds

from matrix.catalogue import load_catalogue
from matrix.decision import (
    DecisionProblem,
    Scenario,
    build_problem,
    default_scenario,
    frontier_table,
    funding_rules,
    scenario_options,
)
from scoring import FundingRules, optimise
from scoring import portfolio as portfolio_module

TIERS = ("primary", "secondary", "tertiary")


def synthetic(n: int, seed: int) -> tuple[pd.DataFrame, FundingRules]:
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(n):
        tiers = rng.choice(TIERS, size=int(rng.integers(1, 3)), replace=False)
        shares = {f"share_{t}": (1 / len(tiers) if t in tiers else 0.0) for t in TIERS}
        cost = float(rng.integers(2, 60) * 5_000)
        full = {"intervention": f"i{g}", "level": "full", "annual_cost_gbp": cost, "benefit": float(rng.uniform(5, 90))}
        rows.append({"option": f"i{g}/full", "reach_per_year": float(rng.integers(10, 5000))} | full | shares)
        if rng.random() < 0.3:
            pilot = full | {"level": "pilot", "annual_cost_gbp": round(cost * 0.4, -3), "benefit": float(rng.uniform(3, 60))}
            rows.append({"option": f"i{g}/pilot", "reach_per_year": float(rng.integers(5, 2000))} | pilot | shares)
    options = pd.DataFrame(rows).set_index("option")
    budget = float(options.groupby("intervention")["annual_cost_gbp"].max().sum() * 0.3)
    rules = FundingRules(budget, tier_min_share={"primary": 0.25}, tier_max_share={"tertiary": 0.4}, ringfence_share=0.05)
    return options, rules


def cbc(options: pd.DataFrame, rules: FundingRules) -> float:
    """The same model written in PuLP and solved by CBC; returns the optimal value."""
    model = pulp.LpProblem("portfolio", pulp.LpMaximize)
    x = {o: pulp.LpVariable(f"x{k}", cat="Binary") for k, o in enumerate(options.index)}
    model += pulp.lpSum(float(options.at[o, "benefit"]) * x[o] for o in options.index)
    cost = options["annual_cost_gbp"]
    model += pulp.lpSum(float(cost[o]) * x[o] for o in options.index) <= rules.available_gbp
    for _, group in options.groupby("intervention"):
        model += pulp.lpSum(x[o] for o in group.index) <= 1
    for tier, low in rules.tier_min_share.items():
        model += pulp.lpSum(float(cost[o] * (options.at[o, f"share_{tier}"] - low)) * x[o] for o in options.index) >= 0
    for tier, high in rules.tier_max_share.items():
        model += pulp.lpSum(float(cost[o] * (options.at[o, f"share_{tier}"] - high)) * x[o] for o in options.index) <= 0
    model.solve(pulp.PULP_CBC_CMD(msg=False, gapRel=0))
    return float(pulp.value(model.objective))


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    loaded = load_catalogue(root / "data" / "interventions.toml")
    problem = build_problem(loaded.catalogue, loaded.sha256)
    scenario = default_scenario(problem)
    rules, _ = funding_rules(problem, scenario)
    cases = {"shipped catalogue (31)": (scenario_options(problem, scenario), rules, 20)}
    cases["synthetic 200, tiers + levels"] = (*synthetic(200, 1), 5)
    cases["synthetic 1,000, tiers + levels"] = (*synthetic(1_000, 2), 3)
    print("exact optimum: ours (HiGHS through highspy, with the tie rule) vs PuLP + CBC (best value only)")
    print("on the same model, median times")
    print(f"{'case':<32}{'ours ms':>10}{'CBC ms':>10}{'ours/CBC':>10}{'ours value':>12}{'CBC value':>12}")
    for name, (options, case_rules, repeats) in cases.items():
        ours = median_seconds(lambda o=options, r=case_rules: optimise(o, r), repeats)
        theirs = median_seconds(lambda o=options, r=case_rules: cbc(o, r), repeats)
        value, peer = optimise(options, case_rules).value, cbc(options, case_rules)
        print(f"{name:<32}{ours * 1e3:>10.1f}{theirs * 1e3:>10.1f}{ours / theirs:>10.2f}{value:>12.3f}{peer:>12.3f}")
    print("targets: shipped under 50 ms; 1,000 interventions under 2 s")
    frontiers(problem, scenario)


def per_budget_frontier(problem: DecisionProblem, scenario: Scenario) -> pd.DataFrame:
    """The frontier by the path it had before one programme served every budget."""
    shared = portfolio_module.sets_by_budget
    portfolio_module.sets_by_budget = lambda *_: None  # type: ignore[assignment]
    try:
        return frontier_table(problem, scenario, points=100)
    finally:
        portfolio_module.sets_by_budget = shared


def frontiers(problem: DecisionProblem, scenario: Scenario) -> None:
    cases = {
        "default scenario": scenario,
        "keep today's": scenario.model_copy(update={"keep_status_quo": True}),
        "primary at least 30%": scenario.model_copy(update={"tier_min_share": {"primary": 0.3}}),
        "tertiary at most 40%": scenario.model_copy(update={"tier_max_share": {"tertiary": 0.4}}),
    }
    print("efficient frontier, 100 budgets, shipped catalogue: one programme vs the per-budget path, median times")
    print(f"{'scenario':<32}{'ours ms':>10}{'old ms':>10}{'ours/old':>10}  same table")
    for name, case in cases.items():
        ours = median_seconds(lambda c=case: frontier_table(problem, c, points=100), 5)
        old = median_seconds(lambda c=case: per_budget_frontier(problem, c), 3)
        same = frontier_table(problem, case, points=100).equals(per_budget_frontier(problem, case))
        print(f"{name:<32}{ours * 1e3:>10.1f}{old * 1e3:>10.1f}{ours / old:>10.3f}  {'yes' if same else 'NO'}")
    print("target: the frontier under 300 ms")


if __name__ == "__main__":
    main()
