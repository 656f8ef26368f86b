"""Chart builders, checked through their Vega-Lite specs."""

from __future__ import annotations

from typing import Any

from matrix import DecisionProblem
from scoring import score
from ui import charts


def dataset(spec: dict[str, Any]) -> list[dict[str, Any]]:
    [rows] = spec["datasets"].values()
    return list(rows)


def test_heatmap_has_a_cell_per_intervention_and_criterion(problem: DecisionProblem) -> None:
    """The heatmap holds 4 cells for each shown intervention, with provenance marks in the labels."""
    ids = ["hashtagng-campaign", "cbt-community"]
    spec = charts.heatmap_chart(problem, ids, list(problem.info.index)).to_dict()
    rows = dataset(spec)
    assert len(rows) == 8
    cost = next(r for r in rows if r["id"] == "hashtagng-campaign" and r["criterion"] == "cost")
    reach = next(r for r in rows if r["id"] == "hashtagng-campaign" and r["criterion"] == "reach")
    assert cost["label"].endswith("*")  # illustrative cost
    assert reach["label"] == "98"  # sourced reach, no mark
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == [0, 100]


def test_harmful_names_are_marked_in_charts(problem: DecisionProblem) -> None:
    """A harmful approach's name carries HARMFUL: in the ranking chart."""
    result = score(problem.values, {"impact": 1})
    rows = dataset(charts.ranking_chart(problem, result, list(problem.info.index)).to_dict())
    names = {r["name"] for r in rows if r["id"] == "prison-awareness-visits"}
    assert names == {"HARMFUL: Prison awareness visits (long-list option)"}


def test_ranking_chart_stacks_contributions_in_rank_order(problem: DecisionProblem) -> None:
    """Bars are sorted best first and their contributions add up to each score."""
    result = score(problem.values, {"impact": 40, "reach": 20, "cost": 20, "risk": 20})
    spec = charts.ranking_chart(problem, result, list(problem.info.index)).to_dict()
    top = str(result.ranks.index[0])
    assert spec["encoding"]["y"]["sort"][0] == problem.info.at[top, "name"]
    total = sum(r["contribution"] for r in dataset(spec) if r["id"] == top)
    assert abs(total - result.scores[top]) < 1e-9
