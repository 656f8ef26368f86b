"""Sensitivity tab analyses at scale, each against the way it was done before, measured in the same run.

- The stability table's funded-set ranges: the walk from just left of each weight now (``stability_table``)
  against walking the whole range from 0% to 100% and taking the range that holds the weight now.
- Dominance: in blocks, each against only the rows whose values add up to at least its own
  (``dominators``), against comparing every pair at once (one n x n x criteria array).

Both check that the faster path gives the same answer. Not a test: run with `make bench`
(`python bench/bench_sensitivity.py 1000 10000` for other sizes; 1,000 by default).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_catalogue import synthetic_catalogue

from matrix.catalogue import load_catalogue, parse_catalogue
from matrix.decision import DecisionProblem, FundingSolver, build_problem, default_scenario, stability_table
from matrix.decision.analysis import funded_intervals
from scoring import containing, dominators, normalise_weights
from scoring.sensitivity import TOLERANCE

T = TypeVar("T")
ALL_PAIRS_LIMIT = 5_000  # every pair at once needs n x n x criteria bytes twice: 200 MB at 5,000


def timed(run: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    answer = run()
    return answer, time.perf_counter() - started


def whole_range(problem: DecisionProblem) -> list[tuple[float, float]]:
    """The funded set's range holding each weight now, from the whole range (the way before)."""
    scenario = default_scenario(problem)
    solver = FundingSolver.for_scenario(problem, scenario)
    normalised = normalise_weights(scenario.weights.as_dict(), problem.criteria)
    found = []
    for criterion in problem.criteria:
        here = containing(funded_intervals(problem, scenario, criterion, solver), float(normalised[criterion]))
        found.append((round(here.low * 100, 1), round(here.high * 100, 1)))
    return found


def every_pair(values: pd.DataFrame) -> np.ndarray:
    """How many dominate each row, comparing every pair at once (the way before)."""
    matrix = values.to_numpy(dtype=np.float64)
    geq = (matrix[None, :, :] >= matrix[:, None, :] - TOLERANCE).all(axis=2)
    gt = (matrix[None, :, :] > matrix[:, None, :] + TOLERANCE).any(axis=2)
    return (geq & gt).sum(axis=1)


def problem_of(n: int) -> DecisionProblem:
    if n == 0:
        loaded = load_catalogue(Path(__file__).resolve().parent.parent / "data" / "interventions.toml")
    else:
        os.environ.setdefault("MATRIX_MAX_CATALOGUE_MB", "20")
        loaded = parse_catalogue(synthetic_catalogue(n).encode("utf-8"), f"synthetic {n:,}")
    return build_problem(loaded.catalogue, loaded.sha256)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1_000]
    print("funded-set stability, default scenario: walk from the weight now vs the whole range (one run each)")
    print(f"{'case':<18}{'ours s':>9}{'whole s':>10}{'ours/whole':>12}  same ranges")
    for n in [0, *sizes]:
        problem = problem_of(n)
        name = "shipped" if n == 0 else f"synthetic {n:,}"
        table, ours = timed(lambda p=problem: stability_table(p, default_scenario(p), 5))
        mine = list(zip(table["funded set stable from %"], table["funded set stable to %"], strict=True))
        if n > 2_000:
            print(f"{name:<18}{ours:>9.2f}{'-':>10}{'-':>12}  (the whole range is not run: minutes)")
            continue
        reference, whole = timed(lambda p=problem: whole_range(p))
        print(f"{name:<18}{ours:>9.2f}{whole:>10.2f}{ours / whole:>12.2f}  {mine == reference}")
    print()
    print("dominance: in blocks, pruned by totals vs every pair at once (one run each)")
    print(f"{'case':<18}{'ours s':>9}{'pairs s':>10}{'ours/pairs':>12}  same counts")
    rng = np.random.default_rng(1)
    for n in (1_000, ALL_PAIRS_LIMIT, 10_000, 20_000):
        values = pd.DataFrame(rng.uniform(0, 100, (n, 4)).round(0), index=[f"i{j}" for j in range(n)])
        found, ours = timed(lambda v=values: dominators(v, 10))
        if n > ALL_PAIRS_LIMIT:
            print(f"{f'random {n:,}':<18}{ours:>9.2f}{'-':>10}{'-':>12}  (every pair at once: gigabytes)")
            continue
        counts, pairs = timed(lambda v=values: every_pair(v))
        mine = np.zeros(n, dtype=np.int64)
        mine[values.index.get_indexer(found["id"])] = found["count"]
        print(f"{f'random {n:,}':<18}{ours:>9.2f}{pairs:>10.2f}{ours / pairs:>12.2f}  {bool((mine == counts).all())}")
    print("targets: no analysis blocks the page over 1 s without a progress bar and a Stop button (the app gives")
    print("these three both); dominance, worked out once per catalogue, under 1 s at 10,000.")


if __name__ == "__main__":
    main()
