"""What holds whatever the weights, within an agreed order and bounds (robust portfolio modelling's question).

For a weight space (``scoring.WeightSpace``):

- **ranking**: a score difference is linear in the weights, so it is smallest and largest at the
  space's corners. An intervention is *in the top k whatever the weights* when fewer than k others
  can outscore it at any corner; *never in the top k* when at least k others score at least as
  high at every corner and higher at one. Both are exact.
- **funding**: the funded set is worked out at every corner and at uniform draws across the
  space; an intervention funded in all of them is "funded whatever the weights" as far as those
  weightings show, and said so (the set is not linear in the weights, so corners alone do not
  settle it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from matrix.decision.analysis import DEFAULT_SEED, FundingSolver
from matrix.decision.problem import DecisionProblem
from matrix.decision.scenario import Scenario
from scoring import WeightSpace

ROBUST_DRAWS = 2_000


@dataclass(frozen=True)
class RobustResult:
    """Per intervention: in the top k at every weighting, never, or depending; funded in every weighting tried,
    none, or a share of them; with the corners and draws it rests on."""

    table: pd.DataFrame
    corners: int
    draws: int
    k: int
    cost_only_corners: int


def robust_findings(
    problem: DecisionProblem,
    scenario: Scenario,
    space: WeightSpace,
    k: int = 5,
    draws: int = ROBUST_DRAWS,
    seed: int = DEFAULT_SEED,
) -> RobustResult:
    """What holds for every weighting in ``space`` (over the catalogue's criteria), for the scenario's interventions."""
    if tuple(space.criteria) != tuple(problem.criteria):
        raise ValueError("the weight space must be over the catalogue's criteria, in order")
    corners = space.corners()
    values = problem.criterion_values(scenario.normalisation)[list(problem.criteria)].to_numpy(dtype=np.float64)
    scores = values @ corners.T  # interventions x corners
    n = len(values)
    diff = scores[None, :, :] - scores[:, None, :]  # diff[i, j, c] = score_j - score_i at corner c
    could_beat = ((diff > 1e-9).any(axis=2)).sum(axis=1)  # others that outscore i somewhere
    always_ahead = ((diff >= -1e-9).all(axis=2) & (diff > 1e-9).any(axis=2)).sum(axis=1)
    certainly_top = could_beat < k
    never_top = always_ahead >= k
    solver = FundingSolver.for_scenario(problem, scenario)
    sampled = space.sample(draws, np.random.default_rng(seed))
    weights = np.vstack([corners, sampled])
    cost = problem.cost_position
    usable = np.ones(len(weights), dtype=bool)
    if not scenario.include_cost and cost is not None:
        # With cost out of the benefit, a weighting of cost alone leaves nothing to choose by.
        usable = np.delete(weights, cost, axis=1).sum(axis=1) > 1e-12
    funded_count = np.zeros(n, dtype=np.int64)
    group = problem.values.index.get_indexer(pd.Index(solver.options["intervention"]))
    if usable.any():
        picked = solver.funded(weights[usable])
        for row in picked:
            funded = np.zeros(n, dtype=bool)
            funded[group[row]] = True
            funded_count += funded
    tried = int(usable.sum())
    table = pd.DataFrame(
        {
            "id": problem.values.index,
            "name": [problem.names[str(i)] for i in problem.values.index],
            f"top {k}": np.where(certainly_top, "whatever the weights", np.where(never_top, "never", "depends on the weights")),
            "others that can outscore it": could_beat,
            "others ahead whatever the weights": always_ahead,
            "funded": np.where(
                funded_count == tried, "in every weighting tried", np.where(funded_count == 0, "in none", "in some")
            )
            if tried
            else "not worked out",
            "share of weightings that fund it": funded_count / tried if tried else np.nan,
        }
    )
    return RobustResult(table, len(corners), int(usable[len(corners) :].sum()), k, int((~usable[: len(corners)]).sum()))


def robust_lines(result: RobustResult) -> list[str]:
    """The findings in sentences, for the page and the report."""
    table, k = result.table, result.k
    top = table.loc[table[f"top {k}"] == "whatever the weights", "name"].tolist()
    never = table.loc[table[f"top {k}"] == "never", "name"].tolist()
    lines = [
        (
            f"In the top {k} whatever the weights: {'; '.join(top)}."
            if top
            else f"No intervention is in the top {k} whatever the weights."
        )
        + f" Never in the top {k}, at any of these weightings: {len(never)} interventions."
    ]
    if result.draws + result.corners - result.cost_only_corners > 0:
        always = table.loc[table["funded"] == "in every weighting tried", "name"].tolist()
        some = table.loc[table["funded"] == "in some", "name"].tolist()
        lines.append(
            f"Funded at every one of the {result.corners - result.cost_only_corners} corners of these weights and in "
            f"all {result.draws:,} weightings drawn across them: "
            + ("; ".join(always) if always else "none")
            + f". Funded at some of them only, so the weights decide: {'; '.join(some) if some else 'none'}."
        )
    if result.cost_only_corners:
        lines.append(
            "A corner that puts all the weight on cost is left out of the funding check: with cost not counted in the "
            "benefit, nothing would tell the options apart."
        )
    return lines
