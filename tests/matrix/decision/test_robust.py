"""What holds whatever the weights in an agreed space, checked against the ranking and the funded set worked
out again at weightings drawn independently across the space and at its corners."""

from __future__ import annotations

import numpy as np
import pytest

from matrix.catalogue import Weights
from matrix.decision import DecisionProblem, default_scenario, evaluate
from matrix.decision.robust import robust_findings, robust_lines
from scoring import CRITERIA, WeightSpace, rank_scores, score

TIGHT = WeightSpace(
    CRITERIA,
    (("impact", "reach"),),
    {"impact": 0.35, "reach": 0.15, "cost": 0.15, "risk": 0.15},
    {"impact": 0.45, "reach": 0.25, "cost": 0.25, "risk": 0.25},
)


def _top(problem: DecisionProblem, weights: np.ndarray, k: int) -> set[str]:
    result = score(problem.values, dict(zip(CRITERIA, weights, strict=True)))
    return {str(i) for i in rank_scores(result.scores).index[:k]}


@pytest.mark.parametrize(
    "space", [TIGHT, WeightSpace.ranked(CRITERIA, ["impact", "risk", "reach", "cost"])], ids=["tight", "order"]
)
def test_top_k_whatever_the_weights_holds_at_independent_draws(problem: DecisionProblem, space: WeightSpace) -> None:
    found = robust_findings(problem, default_scenario(problem), space, k=5, draws=200)
    table = found.table.set_index("id")
    certain = set(table.index[table["top 5"] == "whatever the weights"])
    never = set(table.index[table["top 5"] == "never"])
    assert never, "some interventions can never reach the top five"
    for weights in space.sample(300, np.random.default_rng(99)):
        top = _top(problem, weights, 5)
        assert certain <= top
        assert not (never & top)
    if space is TIGHT:
        assert certain, "a tight space keeps some interventions in the top five"


def test_funding_findings_match_the_funded_set_at_every_corner(problem: DecisionProblem) -> None:
    scenario = default_scenario(problem)
    found = robust_findings(problem, scenario, TIGHT, draws=100)
    table = found.table.set_index("id")
    always = set(table.index[table["funded"] == "in every weighting tried"])
    none = set(table.index[table["funded"] == "in none"])
    assert always and none
    for corner in TIGHT.corners():
        weights = Weights(**{c: float(w) for c, w in zip(CRITERIA, corner, strict=True)})
        funded = set(evaluate(problem, scenario.model_copy(update={"weights": weights})).optimum.funded)
        assert always <= funded
        assert not (none & funded)
    assert found.corners == len(TIGHT.corners()) and found.draws == 100


def test_a_cost_only_corner_is_left_out_of_the_funding_check_and_said(problem: DecisionProblem) -> None:
    found = robust_findings(problem, default_scenario(problem), WeightSpace(CRITERIA), draws=50)
    assert found.cost_only_corners == 1
    lines = robust_lines(found)
    assert any("all the weight on cost is left out" in line for line in lines)
    assert any(line.startswith("Funded at every one of the 3 corners") for line in lines)
