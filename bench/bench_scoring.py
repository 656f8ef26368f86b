"""Scoring speed: score, rank and explain, against pymcdm's weighted sum on the same matrix.

Prints the median of repeated runs and the ratio to pymcdm measured in the same run.
Not a test: run with `make bench`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from pymcdm.helpers import rankdata
from pymcdm.methods import WSM

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import median_seconds

from matrix.catalogue import load_catalogue
from matrix.decision import build_problem
from scoring import CRITERIA, score

WEIGHTS = {"impact": 40.0, "reach": 20.0, "cost": 20.0, "risk": 20.0}


def synthetic(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        rng.uniform(0, 100, size=(n, len(CRITERIA))), columns=list(CRITERIA), index=[f"int-{i:05d}" for i in range(n)]
    )


def ours(values: pd.DataFrame) -> Callable[[], object]:
    return lambda: score(values, WEIGHTS).table()


def peer(values: pd.DataFrame, with_ranks: bool = True) -> Callable[[], object]:
    matrix = values.to_numpy()
    weights = np.array([WEIGHTS[c] for c in CRITERIA]) / sum(WEIGHTS.values())
    method = WSM(normalization_function=lambda column, cost: column / 100.0)
    types = np.ones(len(CRITERIA))
    if not with_ranks:
        return lambda: method(matrix, weights, types)
    return lambda: rankdata(method(matrix, weights, types), reverse=True)


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    loaded = load_catalogue(root / "data" / "interventions.toml")
    cases = {
        "shipped catalogue (31)": build_problem(loaded.catalogue, loaded.sha256).values,
        "synthetic 1,000": synthetic(1_000, seed=1),
        "synthetic 10,000": synthetic(10_000, seed=2),
    }
    print("score + rank + explain (tidy table) vs pymcdm WSM + rankdata, median of 50 runs")
    print(f"{'case':<26}{'ours ms':>10}{'pymcdm ms':>12}{'ours/pymcdm':>14}{'WSM alone ms':>15}")
    for name, values in cases.items():
        mine = median_seconds(ours(values), 50)
        theirs = median_seconds(peer(values), 50)
        bare = median_seconds(peer(values, with_ranks=False), 50)
        print(f"{name:<26}{mine * 1e3:>10.3f}{theirs * 1e3:>12.3f}{mine / theirs:>14.2f}{bare * 1e3:>15.3f}")
    print("target: 10,000 interventions under 10 ms and faster than the peer (ratio below 1).")
    print("'WSM alone' is pymcdm's weighted sum without ranking or contributions, for scale.")


if __name__ == "__main__":
    main()
