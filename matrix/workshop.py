"""Workshop analysis: the group's weights, where participants disagree, and what each one's weights fund."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from matrix.analysis import FundingSolver, benefit_weight_rows
from matrix.problem import DecisionProblem
from matrix.scenario import Scenario
from matrix.schema import Weights
from scoring import CRITERIA

Entry = tuple[str, Weights]


def weights_table(entries: Sequence[Entry]) -> pd.DataFrame:
    """Each participant's weights normalised to %, one row each."""
    rows = {}
    for name, weights in entries:
        raw = np.array([getattr(weights, c) for c in CRITERIA], dtype=np.float64)
        rows[name] = raw / raw.sum() * 100
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(CRITERIA)).rename_axis("participant")


def group_summary(entries: Sequence[Entry]) -> pd.DataFrame:
    """Per criterion: mean, median, lowest, highest and standard deviation of the participants' weights (%)."""
    table = weights_table(entries)
    return pd.DataFrame(
        {
            "mean %": table.mean(),
            "median %": table.median(),
            "lowest %": table.min(),
            "highest %": table.max(),
            "spread (sd, points)": table.std(ddof=0),
        }
    ).round(1)


def group_weights(entries: Sequence[Entry], how: str = "mean") -> Weights:
    """The group's weights: the mean (or median) of the participants' normalised weights."""
    table = weights_table(entries)
    central = table.median() if how == "median" else table.mean()
    return Weights(**{c: round(float(central[c]), 4) for c in CRITERIA})


def funded_share(problem: DecisionProblem, scenario: Scenario, entries: Sequence[Entry]) -> pd.Series:
    """For every intervention, the share of participants whose own weights (with the scenario's budget
    and constraints) fund it. Each participant's problem is solved exactly."""
    solver = FundingSolver.for_scenario(problem, scenario)
    weights = weights_table(entries).to_numpy() / 100
    benefits = benefit_weight_rows(weights, scenario.include_cost) @ solver.options[list(CRITERIA)].to_numpy().T
    picked = solver.solve(benefits)
    group = problem.values.index.get_indexer(pd.Index(solver.options["intervention"]))
    funded = np.zeros((len(entries), len(problem.values)), dtype=bool)
    rows, cols = np.nonzero(picked)
    funded[rows, group[cols]] = True
    return pd.Series(funded.mean(axis=0), index=problem.values.index, name="share of participants funding it")
