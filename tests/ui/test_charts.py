"""Chart builders, checked through their Vega-Lite specs."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest

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
    """Bars are sorted best first (each bar's position is its place in the ranking) and their contributions add up
    to each score."""
    result = score(problem.values, {"impact": 40, "reach": 20, "cost": 20, "risk": 20})
    spec = charts.ranking_chart(problem, result, list(problem.info.index)).to_dict()
    assert spec["encoding"]["y"]["sort"] == {"field": "position", "op": "min"}
    rows = dataset(spec)
    assert {(r["id"], r["position"]) for r in rows} == {(str(i), n) for n, i in enumerate(result.ranks.index)}
    top = str(result.ranks.index[0])
    total = sum(r["contribution"] for r in rows if r["id"] == top)
    assert abs(total - result.scores[top]) < 1e-9


@pytest.mark.parametrize("kept", [None, 5, 1])
def test_the_ranking_view_made_without_altair_is_what_altair_makes(problem: DecisionProblem, kept: int | None) -> None:
    """The Ranking tab's chart is its specification made once (``ranking_spec``) with the data added by hand; it is
    exactly what Altair makes from the same data (the specification and every row, value and type), for all the
    interventions, a few, one, and weightings with ties and zeros."""
    ids = list(problem.info.index)[:kept] if kept else list(problem.info.index)
    for weights in ({"impact": 40, "reach": 20, "cost": 20, "risk": 20}, {"impact": 1}, {"reach": 3, "risk": 0}):
        result = score(problem.values, weights)
        fast = charts.ranking_view(problem, result, ids).chart
        title = charts.RANKING_TITLE
        made = charts._titled(charts.ranking_chart(problem, result, ids), title, charts.said_below(title)).to_dict()
        slow = charts._named_data(made, charts.RANKING_DATA)
        assert json.dumps(fast, sort_keys=True) == json.dumps(slow, sort_keys=True)
        assert [type(v) for v in fast["datasets"][charts.RANKING_DATA][0].values()] == [
            type(v) for v in slow["datasets"][charts.RANKING_DATA][0].values()
        ]


def test_ranking_and_value_charts_keep_their_specification_as_the_weights_move(problem: DecisionProblem) -> None:
    """The two charts drawn again on every weight nudge keep everything but their data the same (fixed data names,
    the order in the data, a description that does not change), so the browser updates the drawn chart instead of
    building it again; the data follow the weights, and the summary said under the chart changes with them."""
    import vl_convert
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    from matrix.decision import default_scenario, evaluate
    from matrix.report import VALUE_TITLE

    ids = list(problem.info.index)
    ranking: list[charts.ChartView] = []
    value: list[charts.ChartView] = []
    for weights in ({"impact": 40, "reach": 20, "cost": 20, "risk": 20}, {"impact": 5, "reach": 60, "cost": 5, "risk": 30}):
        result = score(problem.values, weights)
        ranking.append(charts.ranking_view(problem, result, ids))
        scenario = default_scenario(problem).model_copy(
            update={"weights": default_scenario(problem).weights.model_copy(update=weights)}
        )
        funded = evaluate(problem, scenario)
        value.append(charts.value_for_money_view(funded.options, list(funded.optimum.chosen.index), dict(funded.names), "X"))
    for views, title in ((ranking, "Score of each intervention, by criterion"), (value, VALUE_TITLE)):
        outside = [{key: item for key, item in view.chart.items() if key != "datasets"} for view in views]
        assert outside[0] == outside[1]
        assert outside[0]["description"] == charts.said_below(title) and title in outside[0]["description"]
        assert views[0].chart["datasets"] != views[1].chart["datasets"] and views[0].summary != views[1].summary
    assert list(ranking[0].chart["datasets"]) == [charts.RANKING_DATA]
    rows = ranking[1].chart["datasets"][charts.RANKING_DATA]
    best = min(rows, key=lambda r: r["position"])
    assert best["rank"] == 1 and best["score"] == max(r["score"] for r in rows)
    # Valid Vega-Lite (the page sends them unvalidated), drawn by Vega itself: bars best first, funded points named.
    for view in (*ranking, *value):
        validate_jsonschema(view.chart, load_schema())
    svg = vl_convert.vegalite_to_svg(ranking[1].chart)
    names = charts.marked_names(problem)
    first = sorted({r["id"]: r["position"] for r in rows}.items(), key=lambda item: item[1])[:3]
    positions = [svg.find(f">{names[i]}<") for i, _ in first]
    assert all(p > 0 for p in positions) and positions == sorted(positions)
    assert ">" + value[0].table.loc[value[0].table["funded"] == "funded", "name"].iloc[0][:10] in vl_convert.vegalite_to_svg(
        value[0].chart
    )


def test_value_for_money_chart_marks_funded_options(problem: DecisionProblem) -> None:
    """Every funding option is a point; funded ones are marked, the level is named, reach sets the size."""
    from matrix.decision import default_scenario, evaluate

    result = evaluate(problem, default_scenario(problem))
    spec = charts.value_for_money_chart(result.options, list(result.optimum.chosen.index), dict(result.names), "A")
    points = spec["layer"][0]
    rows = spec["datasets"][points["data"]["name"]]
    assert len(rows) == len(problem.options)
    assert sum(r["status"] == "funded" for r in rows) == len(result.optimum.chosen)
    frame = charts.value_for_money_frame(result.options, list(result.optimum.chosen.index), dict(result.names))
    pilot = frame.set_index("option").loc["sports-diversion-mentoring/pilot"]
    assert pilot["name"] == "Sports diversion programmes with mentoring (Pilot in one hotspot area)"
    assert pilot["tiers"] == "secondary + tertiary"
    assert points["encoding"]["size"]["field"] == "reach"


def test_page_and_report_value_charts_share_title_axes_legend_and_labels(
    problem: DecisionProblem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's benefit-against-cost chart (and so its PNG) carries the board report's title, subtitle (scenario,
    date, catalogue version), axis titles, legend, colours, shapes and labelled funded points."""
    from matrix.decision import default_scenario, evaluate
    from matrix.report import chart_label
    from matrix.report.charts import value_chart

    result = evaluate(problem, default_scenario(problem, "Core grant"))
    label = chart_label("Core grant", "22 November 2026", problem.sha256)
    page = charts.value_for_money_chart(result.options, list(result.optimum.chosen.index), dict(result.names), label)
    captured: list[dict[str, Any]] = []
    monkeypatch.setattr("matrix.report.charts._png", lambda spec: captured.append(spec) or b"")
    value_chart(problem, result, label)
    [report] = captured
    assert page["title"] == report["title"] == {"text": "Benefit against cost", "subtitle": label, "anchor": "start"}
    assert label.startswith("Core grant, 22 November 2026, catalogue " + problem.sha256[:12])
    for channel in ("x", "y", "color", "shape"):
        assert page["layer"][0]["encoding"][channel]["title"] == report["layer"][0]["encoding"][channel]["title"]
    for channel in ("color", "shape"):
        assert page["layer"][0]["encoding"][channel]["scale"] == report["layer"][0]["encoding"][channel]["scale"]
    assert [layer["mark"]["type"] for layer in page["layer"]] == ["point", "text", "text"]
    labelled = page["datasets"][page["layer"][1]["data"]["name"]] + page["datasets"][page["layer"][2]["data"]["name"]]
    assert labelled and len(labelled) <= len(result.optimum.chosen)


def test_other_page_charts_use_the_reports_words(problem: DecisionProblem) -> None:
    """The Compare tab's spend chart has the report's title, axis, legend title and tier colours."""
    from matrix.report import SPEND_TITLE, SPEND_X, TIER_COLOURS, TIER_LEGEND

    totals = pd.DataFrame(
        {"scenario": ["1. A"], "spend £": [10.0], "primary spend £": [6.0], "secondary spend £": [4.0], "tertiary spend £": [0.0]}
    )
    view = charts.tier_spend_view(totals, "the saved scenarios compared, 22 November 2026, catalogue abc")
    spec = view.chart.to_dict()
    assert spec["title"]["text"] == SPEND_TITLE and spec["title"]["subtitle"].startswith("the saved scenarios compared")
    assert spec["encoding"]["x"]["title"] == SPEND_X
    assert spec["encoding"]["color"]["title"] == TIER_LEGEND
    assert spec["encoding"]["color"]["scale"]["range"] == list(TIER_COLOURS)


def test_frontier_chart_has_both_curves_and_the_budget(problem: DecisionProblem) -> None:
    """The frontier chart draws the exact and ratio curves and a rule at the budget."""
    table = pd.DataFrame({"budget_gbp": [0.0, 50.0], "optimal_value": [0.0, 220.0], "ratio_value": [0.0, 160.0]})
    spec = charts.frontier_chart(table, 50.0).to_dict()
    methods = {r["method"] for r in spec["datasets"][spec["layer"][0]["data"]["name"]]}
    assert methods == {"best combination", "by benefit per pound"}
    assert spec["datasets"][spec["layer"][1]["data"]["name"]] == [{"budget_gbp": 50.0}]


def test_tier_spend_chart(problem: DecisionProblem) -> None:
    """Compared scenarios' spend is split into one bar segment per tier."""
    totals = pd.DataFrame(
        {"scenario": ["1. A"], "spend £": [10.0], "primary spend £": [6.0], "secondary spend £": [4.0], "tertiary spend £": [0.0]}
    )
    rows = dataset(charts.tier_spend_chart(totals).to_dict())
    assert [(r["tier"], r["tier spend £"]) for r in rows] == [("primary", 6.0), ("secondary", 4.0), ("tertiary", 0.0)]


def test_every_view_has_a_title_a_summary_as_or_in_its_description_and_a_table(problem: DecisionProblem) -> None:
    """Each chart the page shows carries its title, a generated summary (also the drawing's description, its
    accessible name) and its data as a table."""
    from matrix.decision import default_scenario, evaluate, stability_table, weight_sweep

    ids = list(problem.info.index)
    result = score(problem.values, {"impact": 40, "reach": 20, "cost": 20, "risk": 20})
    scenario = default_scenario(problem)
    funded = evaluate(problem, scenario)
    sweep = weight_sweep(problem, dict(result.weights), "impact", 5, result.normalisation)
    frontier = pd.DataFrame({"budget_gbp": [0.0, 50.0], "optimal_value": [0.0, 220.0], "ratio_value": [0.0, 160.0]})
    ranks = pd.DataFrame({1: [0.7, 0.3], 2: [0.3, 0.7]}, index=["a", "b"])
    views = [
        charts.heatmap_view(problem, ids, list(result.ranks.index)),
        charts.ranking_view(problem, result, ids),
        charts.value_for_money_view(funded.options, list(funded.optimum.chosen.index), dict(funded.names), "X"),
        charts.frontier_view(frontier, 50.0, "X"),
        charts.weight_lines_view(sweep.lines, 40.0, [b * 100 for b in sweep.breakpoints], list(sweep.top_now), "impact"),
        charts.tornado_view(stability_table(problem, scenario, 5), 5),
        charts.rank_probability_view(ranks, {"a": "Alpha", "b": "Beta"}),
        charts.weight_spread_view(pd.DataFrame({"impact": [40.0, 60.0], "reach": [60.0, 40.0]}, index=["Ann", "Bo"])),
    ]
    for view in views:
        spec = view.chart if isinstance(view.chart, dict) else view.chart.to_dict()
        assert view.title and len(view.summary) > 40 and not view.table.empty
        # Charts redrawn on every nudge point to the summary said just under them (see the test above).
        assert spec["description"] in (view.summary, charts.said_below(view.title))
        assert "top k" not in view.summary and "top-k" not in " ".join(map(str, view.table.columns))


def test_summaries_say_what_the_data_says(problem: DecisionProblem) -> None:
    """Golden cases: the frontier at budget 50 (best 220, ratio 160, the knapsack trap), and the ranking's leader."""
    frontier = pd.DataFrame({"budget_gbp": [0.0, 50.0], "optimal_value": [0.0, 220.0], "ratio_value": [0.0, 160.0]})
    summary = charts.frontier_view(frontier, 50.0, "").summary
    assert "budget of £50 (the dashed rule) the best is 220.0 and picking by benefit per pound 160.0" in summary
    result = score(problem.values, {"reach": 1})
    top = str(result.ranks.index[0])
    assert (
        f"Highest: {charts.marked_names(problem)[top]} ({result.scores[top]:.1f})"
        in charts.ranking_view(problem, result, list(problem.info.index)).summary
    )
    ranks = pd.DataFrame({1: [0.25, 0.75], 2: [0.75, 0.25]}, index=["a", "b"])
    summary = charts.rank_probability_view(ranks, {"a": "A", "b": "Beta"}).summary
    assert "Beta ranks first most often (75% of the trials)" in summary


def test_heatmap_is_colour_blind_safe_and_prints_every_value(problem: DecisionProblem) -> None:
    """No red-to-green scale: one hue from light to dark; every cell prints its value, in white on dark cells;
    the table gives each value's raw input and source, so nothing needs a hover."""
    spec = charts.heatmap_chart(problem, ["cbt-community"], list(problem.info.index)).to_dict()
    assert spec["layer"][0]["encoding"]["color"]["scale"]["scheme"] == "blues"
    text = spec["layer"][1]["encoding"]
    assert text["text"]["field"] == "label" and text["color"]["value"] == "#0b0c0c"
    table = charts.heatmap_view(problem, ["cbt-community"], list(problem.info.index)).table
    assert {"impact value", "impact raw input", "impact source"} <= set(table.columns)


def test_sensitivity_charts_say_top_5_not_top_k() -> None:
    """The weight-lines legend and the stability table say 'top 5', never 'top k'."""
    lines = pd.DataFrame({"id": ["a", "a"], "name": ["A", "A"], "weight %": [0.0, 100.0], "score": [10.0, 90.0]})
    spec = charts.weight_lines_chart(lines, 40.0, [50.0], ["a", "b", "c", "d", "e"]).to_dict()
    assert "top k" not in str(spec) and "in the top 5 now" in str(spec) and "the top 5 changes" in str(spec)
    stability = pd.DataFrame({"criterion": ["impact"], "room before top-k changes (points)": [3.0]})
    assert list(charts.plain_stability(stability, 5).columns) == ["criterion", "room before top 5 changes (points)"]


def test_charts_render_to_png_offline(problem: DecisionProblem) -> None:
    """A chart renders to PNG bytes without any network (vl-convert bundles the renderer)."""
    result = score(problem.values, {"impact": 1})
    png = charts.chart_png(charts.ranking_chart(problem, result, list(problem.info.index)[:5]))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    spec = charts.value_for_money_chart(problem.options.assign(benefit=50.0), [], dict(problem.names), "A")
    assert charts.chart_png(spec).startswith(b"\x89PNG")


def test_heatmap_rows_follow_the_ranking_from_one_base(problem: DecisionProblem) -> None:
    """The page builds the heatmap once for the interventions shown and only reorders it as the weights move:
    each cell's position and the table follow the order given, the rows are sorted by that position, the
    specification outside the data is the same for every order (so the browser updates the chart instead of
    building it again), and a base shared between two orders is left as it was."""
    ids = list(problem.info.index)[:6]
    base = charts.heatmap_base(problem, ids)
    before = repr(base.chart)
    names = charts.marked_names(problem)
    outside: list[dict[str, Any]] = []
    for order in (ids, ids[::-1], [ids[2], ids[0], ids[5], ids[1], ids[4], ids[3]]):
        view = charts.heatmap_view(problem, ids, order, base)
        rows = [names[i] for i in order]
        cells = dataset(view.chart)
        assert len(cells) == 4 * len(ids)
        assert {(cell["id"], cell["position"]) for cell in cells} == {(i, n) for n, i in enumerate(order)}
        sorts = [layer["encoding"]["y"]["sort"] for layer in view.chart["layer"]]
        assert sorts == [{"field": "position", "op": "min"}] * 2
        assert view.chart["data"] == {"name": charts.HEATMAP_DATA} and list(view.chart["datasets"]) == [charts.HEATMAP_DATA]
        assert list(view.table["intervention"]) == rows
        fresh = charts.heatmap_view(problem, ids, order)  # without a base: the same view
        assert fresh.chart == view.chart and fresh.table.equals(view.table) and fresh.summary == view.summary
        outside.append({key: value for key, value in view.chart.items() if key != "datasets"})
    assert outside[0] == outside[1] == outside[2]
    assert repr(base.chart) == before


def test_heatmap_draws_its_rows_in_the_order_given(problem: DecisionProblem) -> None:
    """Drawn by Vega itself (to SVG), the row labels come out top to bottom in the order given."""
    import vl_convert

    ids = list(problem.info.index)[:5]
    names = charts.marked_names(problem)
    for order in (ids, [ids[3], ids[1], ids[4], ids[0], ids[2]]):
        svg = vl_convert.vegalite_to_svg(charts.heatmap_view(problem, ids, order).chart)
        positions = {i: svg.find(f">{names[i]}<") for i in ids}
        assert all(p > 0 for p in positions.values()), positions
        assert sorted(ids, key=positions.__getitem__) == order
