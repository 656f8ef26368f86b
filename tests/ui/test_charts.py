"""Chart builders, checked through their Vega-Lite specs."""

from __future__ import annotations

from typing import Any

import pandas as pd

from matrix.decision import DecisionProblem
from scoring import score
from ui import charts


def dataset(spec: dict[str, Any]) -> list[dict[str, Any]]:
    [rows] = spec["datasets"].values()
    return list(rows)


def test_heatmap_has_a_cell_per_intervention_and_criterion(problem: DecisionProblem) -> None:
    """The heatmap holds 4 cells for each shown intervention, with provenance marks in the labels."""
    ids = ["transform-tlc-programme", "cbt-community"]
    spec = charts.heatmap_chart(problem, ids, list(problem.info.index)).to_dict()
    rows = dataset(spec)
    assert len(rows) == 8
    cost = next(r for r in rows if r["id"] == "transform-tlc-programme" and r["criterion"] == "cost")
    reach = next(r for r in rows if r["id"] == "transform-tlc-programme" and r["criterion"] == "reach")
    assert cost["label"].endswith("*")  # illustrative cost
    assert reach["label"] == f"{problem.values.at['transform-tlc-programme', 'reach']:.0f}"  # sourced reach (16), no mark
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


def test_value_for_money_chart_marks_funded_options(problem: DecisionProblem) -> None:
    """Every funding option is a point; funded ones are marked, tiers are named, reach sets the size."""
    from matrix.decision import default_scenario, evaluate

    result = evaluate(problem, default_scenario(problem))
    spec = charts.value_for_money_chart(result.options, list(result.optimum.chosen.index), dict(result.names)).to_dict()
    rows = dataset(spec)
    assert len(rows) == len(problem.options)
    assert sum(r["funded"] == "funded" for r in rows) == len(result.optimum.chosen)
    pilot = next(r for r in rows if r["option"] == "sports-diversion-mentoring/pilot")
    assert pilot["name"] == "Sports diversion programmes with mentoring (Pilot in one hotspot area)"
    assert pilot["tiers"] == "secondary + tertiary"
    assert spec["encoding"]["size"]["field"] == "reach a year"


def test_frontier_chart_has_both_curves_and_the_budget(problem: DecisionProblem) -> None:
    """The frontier chart draws the exact and ratio curves and a rule at the budget."""
    table = pd.DataFrame({"budget_gbp": [0.0, 50.0], "optimal_value": [0.0, 220.0], "ratio_value": [0.0, 160.0]})
    spec = charts.frontier_chart(table, 50.0).to_dict()
    methods = {r["method"] for r in spec["datasets"][spec["layer"][0]["data"]["name"]]}
    assert methods == {"exact optimum", "ratio ranking"}
    assert spec["datasets"][spec["layer"][1]["data"]["name"]] == [{"budget_gbp": 50.0}]


def test_tier_spend_chart(problem: DecisionProblem) -> None:
    """Compared scenarios' spend is split into one bar segment per tier."""
    totals = pd.DataFrame(
        {"scenario": ["1. A"], "spend £": [10.0], "primary spend £": [6.0], "secondary spend £": [4.0], "tertiary spend £": [0.0]}
    )
    rows = dataset(charts.tier_spend_chart(totals).to_dict())
    assert [(r["tier"], r["tier spend £"]) for r in rows] == [("primary", 6.0), ("secondary", 4.0), ("tertiary", 0.0)]


def test_charts_render_to_png_offline(problem: DecisionProblem) -> None:
    """A chart renders to PNG bytes without any network (vl-convert bundles the renderer)."""
    result = score(problem.values, {"impact": 1})
    png = charts.chart_png(charts.ranking_chart(problem, result, list(problem.info.index)[:5]))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
