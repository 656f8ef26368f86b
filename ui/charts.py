"""Pure Altair chart builders: data in, ``alt.Chart`` out. Tested through ``chart.to_dict()``.

Channels are always explicit objects (``alt.Tooltip("name:N")``), never bare shorthand
strings: Altair rebuilds a schema lookup table for each bare string, which cost about 5 ms
a string and most of a rerun's time.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from matrix.decision import DecisionProblem
from scoring import CRITERIA, ScoreResult

CRITERION_COLOURS = {"impact": "#1b7837", "reach": "#2166ac", "cost": "#b35806", "risk": "#762a83"}


def _criterion_scale() -> alt.Scale:
    return alt.Scale(domain=list(CRITERIA), range=[CRITERION_COLOURS[c] for c in CRITERIA])


ROW_HEIGHT_PX = 24
PROVENANCE_MARKS = {"unconfirmed": "?", "illustrative": "*"}


def provenance_mark(provenance: str) -> str:
    """'?' when a cell rests on an unconfirmed input, '*' when on an illustrative one, else ''."""
    for keyword, mark in PROVENANCE_MARKS.items():
        if keyword in provenance:
            return mark
    return ""


def marked_names(problem: DecisionProblem) -> dict[str, str]:
    """Intervention names, with harmful ones marked so no chart can hide it."""
    return {
        str(i): ("HARMFUL: " if problem.info.at[i, "harmful"] else "") + str(problem.info.at[i, "name"])
        for i in problem.info.index
    }


def heatmap_chart(problem: DecisionProblem, ids: list[str], order: list[str]) -> alt.Chart:
    """Interventions (rows, in ``order``) by criteria (columns), coloured by 0-100 value."""
    shown = [i for i in order if i in set(ids)]
    columns = list(CRITERIA)
    long = pd.DataFrame(
        {
            "id": np.repeat(shown, len(columns)),
            "criterion": np.tile(columns, len(shown)),
            "value": problem.values.loc[shown, columns].to_numpy().ravel(),
            "raw input": problem.inputs.loc[shown, columns].to_numpy().ravel(),
            "provenance": problem.provenance.loc[shown, columns].to_numpy().ravel(),
        }
    )
    labels = marked_names(problem)
    long["name"] = long["id"].map(labels)
    long["label"] = long["value"].round(0).astype(int).astype(str) + long["provenance"].map(provenance_mark)
    names = [labels[i] for i in shown]
    base = alt.Chart(long).encode(
        x=alt.X("criterion:N", sort=list(CRITERIA), title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("name:N", sort=names, title=None, axis=alt.Axis(labelLimit=360, labelOverlap=False)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("value:Q", scale=alt.Scale(domain=[0, 100], scheme="redyellowgreen"), title="value (100 = best)"),
        tooltip=[
            alt.Tooltip("name:N"),
            alt.Tooltip("criterion:N"),
            alt.Tooltip("value:Q", format=".1f"),
            alt.Tooltip("raw input:N"),
            alt.Tooltip("provenance:N"),
        ],
    )
    text = base.mark_text(fontSize=11).encode(text=alt.Text("label:N"))
    return (cells + text).properties(height=max(120, ROW_HEIGHT_PX * len(shown)))


def ranking_chart(problem: DecisionProblem, result: ScoreResult, ids: list[str]) -> alt.Chart:
    """Stacked bars of each criterion's contribution to the score, best first."""
    shown = [i for i in result.ranks.index if i in set(ids)]
    long = (
        result.contributions.loc[shown]
        .rename_axis("id")
        .reset_index()
        .melt(id_vars="id", var_name="criterion", value_name="contribution")
    )
    labels = marked_names(problem)
    long["name"] = long["id"].map(labels)
    long["rank"] = long["id"].map(result.ranks)
    long["score"] = long["id"].map(result.scores)
    long["order"] = long["criterion"].map({c: n for n, c in enumerate(CRITERIA)})
    names = [labels[i] for i in shown]
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X(
                "contribution:Q", stack="zero", title="score (sum of contributions, 0-100)", scale=alt.Scale(domain=[0, 100])
            ),
            y=alt.Y("name:N", sort=names, title=None, axis=alt.Axis(labelLimit=360, labelOverlap=False)),
            color=alt.Color("criterion:N", scale=_criterion_scale(), sort=list(CRITERIA)),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("rank:Q"),
                alt.Tooltip("name:N"),
                alt.Tooltip("criterion:N"),
                alt.Tooltip("contribution:Q", format=".1f"),
                alt.Tooltip("score:Q", format=".1f"),
            ],
        )
        .properties(height=max(120, ROW_HEIGHT_PX * len(shown)))
    )


def value_for_money_chart(options: pd.DataFrame, funded_options: list[str], names: dict[str, str]) -> alt.Chart:
    """Benefit against annual cost for every funding option: reach as size, tier as colour, funded filled."""
    frame = pd.DataFrame(
        {
            "option": options.index.astype(str),
            "name": [
                names[i] + ("" if lv == "full" else f" ({lb})")
                for i, lv, lb in zip(options["intervention"], options["level"], options["level_label"], strict=True)
            ],
            "annual cost £": options["annual_cost_gbp"].to_numpy(),
            "benefit": options["benefit"].round(2).to_numpy(),
            "reach a year": options["reach_per_year"].fillna(0).to_numpy(),
            "tiers": [
                " + ".join(t for t in ("primary", "secondary", "tertiary") if row[f"share_{t}"] > 0)
                for _, row in options.iterrows()
            ],
            "funded": ["funded" if o in set(funded_options) else "not funded" for o in options.index],
        }
    )
    return (
        alt.Chart(frame)
        .mark_point(filled=True, opacity=0.8)
        .encode(
            x=alt.X("annual cost £:Q", title="annual cost (£)", axis=alt.Axis(format="~s")),
            y=alt.Y("benefit:Q", title="benefit (0-100)"),
            size=alt.Size("reach a year:Q", title="reach a year", scale=alt.Scale(type="sqrt", range=[30, 900])),
            color=alt.Color("tiers:N", title="prevention tiers"),
            shape=alt.Shape(
                "funded:N", title=None, scale=alt.Scale(domain=["funded", "not funded"], range=["circle", "triangle"])
            ),
            tooltip=[
                alt.Tooltip("name:N"),
                alt.Tooltip("annual cost £:Q", format=",.0f"),
                alt.Tooltip("benefit:Q", format=".1f"),
                alt.Tooltip("reach a year:Q", format=",.0f"),
                alt.Tooltip("tiers:N"),
                alt.Tooltip("funded:N"),
            ],
        )
        .properties(height=420)
    )


def frontier_chart(table: pd.DataFrame, budget_gbp: float) -> alt.Chart:
    """Best value at every budget (exact) and what ratio ranking reaches, with today's budget marked."""
    long = table.melt(id_vars="budget_gbp", value_vars=["optimal_value", "ratio_value"], var_name="method", value_name="value")
    long["method"] = long["method"].map({"optimal_value": "exact optimum", "ratio_value": "ratio ranking"})
    lines = (
        alt.Chart(long)
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("budget_gbp:Q", title="budget (£)", axis=alt.Axis(format="~s")),
            y=alt.Y("value:Q", title="value (sum of benefits)"),
            color=alt.Color("method:N", title=None),
            strokeDash=alt.StrokeDash("method:N", legend=None),
            tooltip=[alt.Tooltip("method:N"), alt.Tooltip("budget_gbp:Q", format=",.0f"), alt.Tooltip("value:Q", format=".1f")],
        )
    )
    rule = alt.Chart(pd.DataFrame({"budget_gbp": [budget_gbp]})).mark_rule(strokeDash=[4, 4]).encode(x=alt.X("budget_gbp:Q"))
    return (lines + rule).properties(height=320)


def tier_spend_chart(totals: pd.DataFrame) -> alt.Chart:
    """Spend by prevention tier for each compared scenario, as stacked bars."""
    columns = [f"{t} spend £" for t in ("primary", "secondary", "tertiary")]
    long = totals[["scenario", *columns]].melt(id_vars="scenario", var_name="tier", value_name="tier spend £")
    long["tier"] = long["tier"].str.removesuffix(" spend £")
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("tier spend £:Q", stack="zero", title="spend (£)", axis=alt.Axis(format="~s")),
            y=alt.Y("scenario:N", title=None, axis=alt.Axis(labelLimit=300)),
            color=alt.Color("tier:N", sort=["primary", "secondary", "tertiary"]),
            tooltip=[alt.Tooltip("scenario:N"), alt.Tooltip("tier:N"), alt.Tooltip("tier spend £:Q", format=",.0f")],
        )
        .properties(height=max(80, 40 * len(totals)))
    )


def weight_lines_chart(lines: pd.DataFrame, current_pct: float, breakpoints_pct: list[float], top_now: list[str]) -> alt.Chart:
    """Every intervention's score as one weight runs 0-100%: straight lines, the current weight and the
    weights where the top-k set changes marked."""
    frame = lines.copy()
    frame["now"] = ["in the top k now" if i in set(top_now) else "not in the top k" for i in frame["id"]]
    paths = (
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=alt.X("weight %:Q", title="this criterion's weight (%)", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("score:Q", title="score"),
            detail=alt.Detail("id:N"),
            color=alt.Color(
                "now:N",
                title=None,
                scale=alt.Scale(domain=["in the top k now", "not in the top k"], range=["#1b7837", "#bbbbbb"]),
            ),
            tooltip=[alt.Tooltip("name:N"), alt.Tooltip("weight %:Q", format=".0f"), alt.Tooltip("score:Q", format=".1f")],
        )
    )
    marks = pd.DataFrame(
        {"weight %": [current_pct, *breakpoints_pct], "mark": ["current weight"] + ["top-k set changes"] * len(breakpoints_pct)}
    )
    rules = (
        alt.Chart(marks)
        .mark_rule()
        .encode(
            x=alt.X("weight %:Q"),
            strokeDash=alt.StrokeDash(
                "mark:N", title=None, scale=alt.Scale(domain=["current weight", "top-k set changes"], range=[[1, 0], [4, 4]])
            ),
            tooltip=[alt.Tooltip("mark:N"), alt.Tooltip("weight %:Q", format=".1f")],
        )
    )
    return (paths + rules).properties(height=380)


def tornado_chart(stability: pd.DataFrame) -> alt.Chart:
    """How many percentage points each weight can move before the decision changes (shorter = more sensitive)."""
    long = stability.melt(
        id_vars="criterion",
        value_vars=["room before top-k changes (points)", "room before funded set changes (points)"],
        var_name="decision",
        value_name="room (points)",
    )
    long["decision"] = long["decision"].map(
        {"room before top-k changes (points)": "top-k set", "room before funded set changes (points)": "funded set"}
    )
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("criterion:N", sort="x", title=None),
            x=alt.X(
                "room (points):Q",
                title="how far the weight can move before the decision changes (points)",
                scale=alt.Scale(domain=[0, 100]),
            ),
            yOffset=alt.YOffset("decision:N"),
            color=alt.Color("decision:N", title=None),
            tooltip=[alt.Tooltip("criterion:N"), alt.Tooltip("decision:N"), alt.Tooltip("room (points):Q", format=".1f")],
        )
        .properties(height=220)
    )


def rank_probability_chart(rank_probability: pd.DataFrame, names: dict[str, str], top: int = 15) -> alt.Chart:
    """Probability of each rank (columns) for each intervention (rows, by expected rank), as a heatmap."""
    table = rank_probability.copy()
    ranks = np.asarray(table.columns, dtype=float)
    expected = table.to_numpy() @ ranks
    order = [str(i) for i in table.index[np.argsort(expected)]]
    shown_ranks = [r for r in table.columns if int(r) <= top]
    long = (
        table.loc[order, shown_ranks]
        .rename_axis("id")
        .reset_index()
        .melt(id_vars="id", var_name="rank", value_name="probability")
    )
    long["name"] = long["id"].map(names)
    return (
        alt.Chart(long)
        .mark_rect()
        .encode(
            x=alt.X("rank:O", title="rank"),
            y=alt.Y("name:N", sort=[names[i] for i in order], title=None, axis=alt.Axis(labelLimit=320, labelOverlap=False)),
            color=alt.Color("probability:Q", scale=alt.Scale(scheme="blues", domain=[0, 1])),
            tooltip=[alt.Tooltip("name:N"), alt.Tooltip("rank:O"), alt.Tooltip("probability:Q", format=".3f")],
        )
        .properties(height=max(120, ROW_HEIGHT_PX * len(order)))
    )


def weight_spread_chart(table: pd.DataFrame) -> alt.Chart:
    """Each participant's weight (%) on each criterion as a tick, with the group's mean as a bar."""
    long = table.rename_axis("participant").reset_index().melt(id_vars="participant", var_name="criterion", value_name="weight %")
    means = long.groupby("criterion", as_index=False)["weight %"].mean()
    ticks = (
        alt.Chart(long)
        .mark_tick(thickness=2, size=18)
        .encode(
            y=alt.Y("criterion:N", sort=list(CRITERIA), title=None),
            x=alt.X("weight %:Q", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("criterion:N", scale=_criterion_scale(), legend=None),
            tooltip=[alt.Tooltip("participant:N"), alt.Tooltip("criterion:N"), alt.Tooltip("weight %:Q", format=".1f")],
        )
    )
    mean = (
        alt.Chart(means)
        .mark_point(shape="diamond", size=120, filled=True, color="black")
        .encode(
            y=alt.Y("criterion:N", sort=list(CRITERIA)),
            x=alt.X("weight %:Q"),
            tooltip=[alt.Tooltip("criterion:N"), alt.Tooltip("weight %:Q", format=".1f", title="mean %")],
        )
    )
    return (ticks + mean).properties(height=160)


def chart_png(chart: alt.Chart | alt.LayerChart, scale: float = 2.0) -> bytes:
    """The chart as a PNG image for board papers, rendered offline by vl-convert."""
    import vl_convert

    return bytes(vl_convert.vegalite_to_png(chart.to_dict(), scale=scale))
