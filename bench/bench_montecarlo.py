"""Monte Carlo speed: vectorised draws against a plain per-draw loop, in the same run.

1. Rank probabilities, 10,000 draws over 1,000 synthetic interventions, against a loop that
   draws, scores and ranks one draw at a time.
2. Probability of being funded, 2,000 draws on the shipped catalogue (exact DP for every draw),
   against a loop that solves each draw with the integer programme; the loop is timed on 200
   draws and scaled to 2,000 (say so when reading the ratio).
3. The same with tier shares (primary at least 30%; tertiary at least 40%; tertiary at most 20%;
   primary at least 25% and tertiary at least 30%; tertiary at least 30% and primary at most 30%):
   ``best_sets`` (spend by class where it applies, else the branch and bound shared by the draws;
   the path is printed) against the staged integer programme per draw, timed on 100 draws and
   scaled, with a check that both give the same set for those draws.
Not a test: run with `make bench`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matrix.catalogue import load_catalogue
from matrix.decision import (
    DecisionProblem,
    FundingSolver,
    Scenario,
    build_problem,
    default_scenario,
    funding_rules,
    run_monte_carlo,
    scenario_options,
)
from scoring import CRITERIA, benefit_units, best_sets, funding, normalise_weights, optimise, option_benefits
from scoring.funding import FundingModel
from scoring.montecarlo import sample_weights, simulate


def per_draw_ranks(values: pd.DataFrame, spread: pd.DataFrame, weights: pd.Series, draws: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base, sd, center = values.to_numpy(), spread.to_numpy(), weights.to_numpy()
    n = len(values)
    counts = np.zeros((n, n), dtype=np.int64)
    for _ in range(draws):
        w = sample_weights(center, 1, rng, "around", 50.0)[0]
        drawn = np.clip(base + sd * rng.standard_normal(base.shape), 0, 100)
        order = np.argsort(-(drawn @ w))
        counts[order, np.arange(n)] += 1
    return counts / draws


def main() -> None:
    rng = np.random.default_rng(1)
    values = pd.DataFrame(rng.uniform(0, 100, (1_000, 4)), columns=list(CRITERIA))
    spread = values * 0 + 8.0
    weights = normalise_weights({"impact": 40, "reach": 20, "cost": 20, "risk": 20})
    start = time.perf_counter()
    simulate(values, spread, weights, 10_000, seed=5, top_k=10)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    per_draw_ranks(values, spread, weights, 10_000, seed=5)
    loop = time.perf_counter() - start
    print("rank probabilities, 10,000 draws x 1,000 interventions")
    print(f"  vectorised {ours:.2f} s   per-draw loop {loop:.2f} s   ratio {ours / loop:.2f}   (target under 1 s)")

    root = Path(__file__).resolve().parent.parent
    loaded = load_catalogue(root / "data" / "interventions.toml")
    problem = build_problem(loaded.catalogue, loaded.sha256)
    scenario = default_scenario(problem)
    run_monte_carlo(problem, scenario, 100, seed=1)  # warm up
    start = time.perf_counter()
    run_monte_carlo(problem, scenario, 2_000, seed=2)
    ours = time.perf_counter() - start
    rules, _ = funding_rules(problem, scenario)
    options = scenario_options(problem, scenario)
    draws = 200
    start = time.perf_counter()
    for benefit in np.random.default_rng(3).uniform(0, 100, (draws, len(options))):
        optimise(options.assign(benefit=benefit), rules)
    loop = (time.perf_counter() - start) * 2_000 / draws
    print("probability of being funded, 2,000 draws, shipped catalogue (with rank probabilities)")
    print(f"  vectorised DP {ours:.2f} s   per-draw MILP loop {loop:.2f} s (timed on {draws} draws, scaled)", end="")
    print(f"   ratio {ours / loop:.3f}")
    print("  (target under 3 s)")

    print("probability of being funded with tier shares, 2,000 draws, shipped catalogue (funding only)")
    cases = (
        ({"primary": 0.3}, {}),
        ({"tertiary": 0.4}, {}),
        ({}, {"tertiary": 0.2}),
        ({"primary": 0.25, "tertiary": 0.3}, {}),
        ({"tertiary": 0.3}, {"primary": 0.3}),
    )
    for least, most in cases:
        shares = scenario.model_copy(update={"tier_min_share": least, "tier_max_share": most})
        shared, per_draw, same, path = tier_share_case(problem, shares)
        label = ", ".join(
            [*(f"{t} at least {s:.0%}" for t, s in least.items()), *(f"{t} at most {s:.0%}" for t, s in most.items())]
        )
        print(f"  {label}: {path} {shared:.2f} s   integer programme per draw {per_draw:.1f} s (scaled from 100)", end="")
        print(f"   ratio {shared / per_draw:.3f}   same sets: {same}   (target under 1 s)")


def tier_share_case(
    problem: DecisionProblem, scenario: Scenario, draws: int = 2_000, checked: int = 100
) -> tuple[float, float, bool, str]:
    """Seconds for ``best_sets`` on ``draws`` draws, for the per-draw programme (scaled), agreement, and the path
    ``best_sets`` takes for the draws whose best set without tier shares misses them."""
    solver = FundingSolver.for_scenario(problem, scenario)
    rng = np.random.default_rng(11)
    weights = sample_weights(normalise_weights(scenario.weights.as_dict()).to_numpy(), draws, rng)
    noise = rng.standard_normal((draws, *solver.values.shape))
    spread = solver.options[[f"sd_{c}" for c in CRITERIA]].to_numpy()
    drawn = np.clip(solver.values[None] + spread[None] * noise, 0, 100)
    benefits = np.stack([option_benefits(drawn[d], weights[d], scenario.include_cost) for d in range(draws)])
    used: list[str] = []
    originals = {name: getattr(funding, name) for name in ("_class_sets", "_pruned_class_sets", "_search")}
    for name, original in originals.items():
        setattr(funding, name, lambda *args, f=original, n=name: used.append(n) or f(*args))
    try:
        start = time.perf_counter()
        shared = best_sets(solver.options, solver.rules, benefits)
        ours = time.perf_counter() - start
    finally:
        for name, original in originals.items():
            setattr(funding, name, original)
    path = "the search" if "_search" in used else "spend by class, pruned" if "_pruned_class_sets" in used else "spend by class"
    model = FundingModel.build(solver.options, solver.rules)
    start = time.perf_counter()
    staged = [model.best(benefit_units(b)) for b in benefits[:checked]]
    loop = (time.perf_counter() - start) * draws / checked
    same = all(s is not None and (s == shared[d]).all() for d, s in enumerate(staged))
    return ours, loop, same, path


if __name__ == "__main__":
    main()
