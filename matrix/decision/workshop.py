"""Workshop analysis: the group's weights, where participants disagree, and what each one's weights fund."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matrix.catalogue import Weights
from matrix.decision.analysis import FundingSolver
from matrix.decision.problem import DecisionProblem
from matrix.decision.scenario import Scenario, evaluate
from scoring import CRITERIA, score

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
    picked = solver.funded(weights_table(entries).to_numpy() / 100)
    group = problem.values.index.get_indexer(pd.Index(solver.options["intervention"]))
    funded = np.zeros((len(entries), len(problem.values)), dtype=bool)
    rows, cols = np.nonzero(picked)
    funded[rows, group[cols]] = True
    return pd.Series(funded.mean(axis=0), index=problem.values.index, name="share of participants funding it")


@dataclass(frozen=True)
class GroupView:
    """What the facilitator sees: the group's scenario, its top five, and for every intervention
    whether the group's weights fund it and the share of participants whose own weights do."""

    scenario: Scenario
    top_five: tuple[str, ...]
    funding: pd.DataFrame


def group_view(problem: DecisionProblem, scenario: Scenario, entries: Sequence[Entry], title: str) -> GroupView:
    """The group's scenario (the scenario with the participants' mean weights) and what it funds.

    Raises the scenario's DecisionError when its constraints cannot be met.
    """
    group = scenario.model_copy(update={"weights": group_weights(entries), "name": f"{title}: group weights"[:120]})
    ranked = score(problem.values, group.weights.as_dict(), normalisation=group.normalisation)
    funded = evaluate(problem, group).optimum.funded
    share = funded_share(problem, scenario, entries)
    table = pd.DataFrame(
        {
            "name": problem.info["name"],
            "funded under the group's weights": problem.info.index.isin(funded),
            "share of participants whose weights fund it (%)": (share * 100).round(0),
        }
    ).sort_values("share of participants whose weights fund it (%)", ascending=False, kind="stable")
    return GroupView(group, tuple(problem.names[str(i)] for i in ranked.ranks.index[:5]), table)
