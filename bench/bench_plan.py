"""Plan speed: the exact multi-year plan against the same model's best value in PuLP with CBC, in the same run.

Cases, each three streams (one that may not be shared) over three years with 2-year minimum contracts:

- the shipped catalogue (the core grant, the EIYF and the police surge money from 2020/21);
- synthetic catalogues of 200 and 1,000 interventions (``synthetic_catalogue.py``, the generator the other
  benchmarks use: scores from the catalogue's own criteria, levels, today's set) with three streams
  added: core money for anything, early money for prevention and early intervention that ends after
  year 2, and place money for the county's services that may not be shared;
- the unstructured model: ``N`` interventions (100 by default; ``python bench/bench_plan.py 300``)
  whose benefits and costs are independent random numbers, a multidimensional knapsack with
  contracts, the hard case for any exact solver (CBC needs minutes at 300).

Ours is the whole exact plan (best value, least cost, the tie check, the payments); CBC solves the
first stage, the best value, of the same rows (taken from our model), so its time is a lower bound for
one stage. Prints median times, the ratio and both values (they must agree). Not a test: run with
`make bench`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pulp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_catalogue import synthetic_catalogue
from timing import median_seconds

from matrix.catalogue import load_catalogue, parse_catalogue
from matrix.decision import (
    DecisionProblem,
    PlanSettings,
    Scenario,
    build_plan,
    build_problem,
    default_scenario,
    scenario_options,
)
from scoring import PlanRules, Stream, benefit_units, plan_years
from scoring.plan import PlanModel, yearly_benefits

TIERS = ("primary", "secondary", "tertiary")


def synthetic(n: int, seed: int) -> tuple[pd.DataFrame, PlanRules]:
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(n):
        tier = str(rng.choice(TIERS))
        cost = float(rng.integers(2, 60) * 5_000)
        full = {"intervention": f"i{g}", "level": "full", "annual_cost_gbp": cost, "benefit": float(rng.uniform(5, 90))}
        shares = {f"share_{t}": float(t == tier) for t in TIERS}
        rows.append({"option": f"i{g}/full", "reach_per_year": 100.0, "funded_today": bool(rng.random() < 0.2)} | full | shares)
        if rng.random() < 0.3:
            pilot = full | {"level": "pilot", "annual_cost_gbp": round(cost * 0.4, -3), "benefit": float(rng.uniform(3, 60))}
            rows.append({"option": f"i{g}/pilot", "reach_per_year": 50.0, "funded_today": False} | pilot | shares)
    options = pd.DataFrame(rows).set_index("option")
    total = float(options.groupby("intervention")["annual_cost_gbp"].max().sum())
    ids = [f"i{g}" for g in range(n)]
    streams = (
        Stream("core", "Core", (total * 0.2,) * 3),
        Stream("early", "Early", (total * 0.1, total * 0.1, 0.0)),
        Stream("place", "Place", (total * 0.03,) * 3, may_share=False),
    )
    eligible = {
        "core": frozenset(ids),
        "early": frozenset(i for i in ids if rng.random() < 0.5),
        "place": frozenset(i for i in ids if rng.random() < 0.1),
    }
    rules = PlanRules(3, streams, eligible, inflation=0.03, min_contract_years=dict.fromkeys(ids, 2))
    return options, rules


def catalogue_with_streams(n: int, seed: int) -> tuple[DecisionProblem, Scenario, PlanSettings]:
    """A synthetic catalogue of ``n`` interventions with three funding streams sized on its total cost (a fifth
    of it for anything, a tenth for prevention and early intervention, 3% for the county's services, not
    shared), the default scenario, and 3-year settings with 2-year contracts and the early money ending in year 3."""
    text = synthetic_catalogue(n, seed)
    first = parse_catalogue(text.encode("utf-8"), "synthetic")
    total = sum(item.annual_cost_gbp.value for item in first.catalogue.interventions)

    def stream(ident: str, share: float, eligible: str, extra: str = "") -> str:
        return (
            f'\n[[funding_streams]]\nid = "{ident}"\nname = "{ident.title()} money"\nfunder = "Synthetic"\n'
            f'amount_per_year_gbp = {{ value = {round(total * share)}, source = "illustrative" }}\n'
            f'years = {{ source = "illustrative" }}\neligible = {{ {eligible}source = "illustrative" }}\n{extra}'
        )

    text += stream("core", 0.2, "")
    text += stream("early", 0.1, 'delivery_models = ["prevention", "early_intervention"], ')
    text += stream("place", 0.03, 'areas = ["County"], ', "may_share = false\n")
    loaded = parse_catalogue(text.encode("utf-8"), "synthetic with streams")
    problem = build_problem(loaded.catalogue, loaded.sha256)
    settings = PlanSettings(years=3, min_contract_years=2, stream_ends={"early": 3})
    return problem, default_scenario(problem), settings


CBC_LIMIT_S = 120  # CBC is stopped after this long; its row then says it did not finish


def cbc_value(options: pd.DataFrame, rules: PlanRules) -> float | None:
    """The best value of the same rows (our model's matrix, bounds and integrality) by PuLP with CBC, or None
    when CBC has not proved it optimal within CBC_LIMIT_S."""
    model = PlanModel.build(options, rules)
    units = benefit_units(yearly_benefits(options, rules.years)).reshape(-1).astype(float)
    problem = pulp.LpProblem("plan", pulp.LpMaximize)
    size = model.layout.size
    # "Integer" with 0-1 bounds, not "Binary": PuLP gives a Binary variable the bounds 0-1 whatever it is told,
    # which would drop the model's upper bounds of 0 (options not allowed, or no stream may pay that year).
    cat = ["Integer" if model.integrality[k] else "Continuous" for k in range(size)]
    x = [pulp.LpVariable(f"v{k}", lowBound=model.lower[k], upBound=model.upper[k], cat=cat[k]) for k in range(size)]
    problem += pulp.lpSum(units[k] * x[k] for k in range(len(units)))
    matrix = model.rows.matrix(size).tocsr()
    for r in range(matrix.shape[0]):
        start, end = matrix.indptr[r], matrix.indptr[r + 1]
        expression = pulp.lpSum(matrix.data[j] * x[matrix.indices[j]] for j in range(start, end))
        low, high = model.rows.low[r], model.rows.high[r]
        if low == high:
            problem += expression == low
        else:
            if np.isfinite(low):
                problem += expression >= low
            if np.isfinite(high):
                problem += expression <= high
    problem.solve(pulp.PULP_CBC_CMD(msg=False, gapRel=0, timeLimit=CBC_LIMIT_S))
    if pulp.LpStatus[problem.status] != "Optimal" or problem.sol_status != pulp.LpSolutionOptimal:
        return None
    return float(pulp.value(problem.objective)) / 1_000_000


def timed_cbc(options: pd.DataFrame, rules: PlanRules, repeats: int) -> tuple[float, float | None]:
    """CBC's median time over ``repeats`` solves (one solve, no warm-up, when 1) and its value (None when it did
    not finish)."""
    found: list[float | None] = []

    def solve() -> None:
        found.append(cbc_value(options, rules))

    if repeats == 1:
        start = time.perf_counter()
        solve()
        return time.perf_counter() - start, found[-1]
    seconds = median_seconds(solve, repeats)
    return seconds, found[-1]


def row(label: str, ours: float, our_value: float, reference: tuple[float, float | None]) -> None:
    seconds, cbc = reference
    if cbc is None:
        times = f"{ours * 1000:9.0f} ms  CBC unfinished at {CBC_LIMIT_S} s  ratio < {ours / seconds:5.3f}"
        print(f"{label:<58} {times}  value {our_value:.4f} / CBC none proved", flush=True)
        return
    times = f"{ours * 1000:9.0f} ms  CBC {seconds * 1000:9.0f} ms  ratio {ours / seconds:5.2f}"
    print(f"{label:<58} {times}  values {our_value:.4f} / {cbc:.4f}", flush=True)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100]
    loaded = load_catalogue(Path(__file__).resolve().parent.parent / "data" / "interventions.toml")
    problem = build_problem(loaded.catalogue, loaded.sha256)
    scenario = default_scenario(problem)
    settings = PlanSettings(years=3, min_contract_years=2, stream_cuts={"pcc-funding": 1.0, "safer-streets-5": 1.0})
    result = build_plan(problem, scenario, settings)
    ours = median_seconds(lambda: build_plan(problem, scenario, settings), 3)
    options = scenario_options(problem, scenario)
    label = "shipped catalogue, 3 streams x 3 years, 2-year contracts"
    row(label, ours, result.plan.value, timed_cbc(options, result.plan.rules, 3))
    for n in (200, 1_000):
        problem, scenario, settings = catalogue_with_streams(n, 1)
        start = time.perf_counter()
        result = build_plan(problem, scenario, settings)
        ours = time.perf_counter() - start  # seconds per solve at these sizes: one run, no warm-up
        options = scenario_options(problem, scenario)
        label = f"synthetic catalogue, {n:,} interventions, 3 x 3"
        row(label, ours, result.plan.value, timed_cbc(options, result.plan.rules, 1))
    for n in sizes:
        options, rules = synthetic(n, 7)
        plan = plan_years(options, rules)
        ours = median_seconds(lambda: plan_years(options, rules), 1)  # noqa: B023 (called at once)
        row(f"unstructured random model, {n:,} interventions, 3 x 3", ours, plan.value, timed_cbc(options, rules, 1))


if __name__ == "__main__":
    main()
