"""Pure Altair chart builders: data in, ``alt.Chart`` out. Tested through ``chart.to_dict()``.

Channels are always explicit objects (``alt.Tooltip("name:N")``), never bare shorthand
strings: Altair rebuilds a schema lookup table for each bare string, which cost about 5 ms
a string and most of a rerun's time.

Every chart the page shows comes as a ``ChartView``: the chart with its title, a summary of what it
shows in words generated from the same data (said under it, and the chart's accessible name unless it changes
with every weight nudge: see ``said_below``), and
the data as a table. Colours are colour-blind safe (Okabe-Ito, or one hue from light to dark) and
never the only carrier of meaning: values are printed, shapes, dashes and labels tell groups apart.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from matrix.decision import DecisionProblem, number_word
from matrix.report import (
    SPEND_TITLE,
    SPEND_X,
    STATUS,
    TIER_COLOURS,
    TIER_LEGEND,
    TIERS,
    VALUE_TITLE,
    VALUE_X,
    VALUE_Y,
    value_spec,
)
from scoring import ScoreResult, money

# Okabe-Ito: told apart with the commonest colour blindness (red-green) and in greyscale by lightness.
CRITERION_COLOURS = {"impact": "#0072B2", "reach": "#E69F00", "cost": "#009E73", "risk": "#CC79A7"}
# A catalogue's own criteria take the rest of Okabe-Ito's colours (but its yellow, too light on white), then greys.
_MORE_COLOURS = ("#D55E00", "#56B4E9", "#000000", "#767676", "#4D4D4D", "#A6A6A6", "#262626", "#8C8C8C")
GREY = "#767676"  # the lightest grey with 4.5:1 on white
# The frontier's two lines: the exact optimum, and ratio ranking (options by benefit per pound), in words.
FRONTIER_LINES = ("best combination", "by benefit per pound")
HEATMAP_SCHEME: Any = "blues"  # one hue, light (0) to dark (100): readable with any colour vision and in greyscale
HEATMAP_DARK_FROM = 55  # cells at or above this value are dark enough to need white text
# Charts go to the page as specifications (``to_dict``), whose data Altair would otherwise refuse past 5,000
# rows (the heatmap has four a row: a catalogue of 1,251 interventions). Set once for the process.
alt.data_transformers.disable_max_rows()


@dataclass(frozen=True)
class ChartView:
    """A chart with what makes it accessible: its title, a summary in words and its data as a table.
    ``chart`` is an Altair chart or a Vega-Lite specification (a dict, shared with the board report)."""

    chart: Any
    title: str
    summary: str
    table: pd.DataFrame


def _titled(chart: Any, title: str, summary: str, subtitle: str | None = None) -> Any:
    """The chart with a title (and subtitle) drawn on it, and the summary as its description
    (the accessible name Vega gives the drawing)."""
    heading = alt.Title(title, subtitle=subtitle, anchor="start") if subtitle else alt.Title(title, anchor="start")
    return chart.properties(title=heading, description=summary)


def _names_list(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def criterion_colours(criteria: Sequence[str]) -> dict[str, str]:
    """A colour for each criterion: the shipped four keep theirs; others take the next free one in turn."""
    spare = iter(
        c for c in (*CRITERION_COLOURS.values(), *_MORE_COLOURS) if c not in {CRITERION_COLOURS.get(k) for k in criteria}
    )
    return {c: CRITERION_COLOURS[c] if c in CRITERION_COLOURS else next(spare, GREY) for c in criteria}


def _criterion_scale(criteria: Sequence[str]) -> alt.Scale:
    colours = criterion_colours(criteria)
    return alt.Scale(domain=list(criteria), range=[colours[c] for c in criteria])


ROW_HEIGHT_PX = 24
# Charts redrawn on every weight nudge give their data a name that does not change with what they hold, and
# keep their order in the data: the specification the browser sees stays exactly as it was, and the browser
# updates the drawn chart instead of building it again (which took a tenth of a second a chart).
HEATMAP_DATA = "heatmap"
RANKING_DATA = "ranking"


def said_below(title: str) -> str:
    """The accessible description of a chart whose summary changes with every weight nudge: its title, and where
    the summary is (a changing description would make the browser build the chart again on every nudge)."""
    return f"{title}. What it shows is said in words just below it, and its data are in the table under that."


def kept_in_order(order: Iterable[Any], keep: Iterable[Any]) -> list[str]:
    """The members of ``order`` that are in ``keep``, in ``order``'s order, as strings (one look-up each: with a
    10,000-intervention catalogue, building the set once per member took most of a minute)."""
    wanted = set(keep)
    return [str(i) for i in order if i in wanted]


PROVENANCE_MARKS = {"unconfirmed": "?", "illustrative": "*"}


def provenance_mark(provenance: str) -> str:
    """'?' when a cell rests on an unconfirmed input, '*' when on an illustrative one, else ''."""
    for keyword, mark in PROVENANCE_MARKS.items():
        if keyword in provenance:
            return mark
    return ""


def marked_names(problem: DecisionProblem) -> dict[str, str]:
    """Intervention names, with harmful ones marked so no chart can hide it."""
    info = problem.info
    return {
        str(i): ("HARMFUL: " if harmful else "") + str(name)
        for i, name, harmful in zip(info.index, info["name"], info["harmful"], strict=True)
    }


def heatmap_chart(problem: DecisionProblem, ids: list[str], order: list[str]) -> alt.Chart:
    """Interventions (rows, in ``order``) by criteria (columns), coloured by 0-100 value."""
    shown = kept_in_order(order, ids)
    columns = list(problem.criteria)
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
    long["position"] = np.repeat(np.arange(len(shown)), len(columns))
    # The rows' order is data (each cell's position), not part of the specification: a new order then changes
    # only the data, and the browser updates the drawn chart instead of building it again.
    base = alt.Chart(long).encode(
        x=alt.X("criterion:N", sort=columns, title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y(
            "name:N",
            sort=alt.EncodingSortField("position", op="min"),
            title=None,
            axis=alt.Axis(labelLimit=360, labelOverlap=False),
        ),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color("value:Q", scale=alt.Scale(domain=[0, 100], scheme=HEATMAP_SCHEME), title="value (100 = best)"),
        tooltip=[
            alt.Tooltip("name:N"),
            alt.Tooltip("criterion:N"),
            alt.Tooltip("value:Q", format=".1f"),
            alt.Tooltip("raw input:N"),
            alt.Tooltip("provenance:N"),
        ],
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("label:N"),
        color=alt.condition(
            alt.datum.value >= HEATMAP_DARK_FROM, alt.value("white"), alt.value("#0b0c0c")
        ),  # dark text on light cells, white on dark: the printed value always reads
    )
    return (cells + text).properties(height=max(120, ROW_HEIGHT_PX * len(shown)))


def ranking_rows(problem: DecisionProblem, result: ScoreResult, ids: list[str]) -> list[dict[str, Any]]:
    """The ranking chart's data: one row per bar and criterion (criterion by criterion, bars best first) with the
    intervention's id, marked name, rank, score, the criterion's place (``order``) and the bar's (``position``);
    plain Python values, as Altair would give them."""
    shown = kept_in_order(result.ranks.index, ids)
    labels = marked_names(problem)
    criteria = [str(c) for c in result.contributions.columns]
    parts = result.contributions.reindex(shown).to_numpy(dtype=float)
    ranks = [int(r) for r in result.ranks.reindex(shown)]
    scores = [float(v) for v in result.scores.reindex(shown)]
    return [
        {
            "id": ident,
            "criterion": criterion,
            "contribution": float(parts[position, order]),
            "name": labels[ident],
            "rank": ranks[position],
            "score": scores[position],
            "order": order,
            "position": position,
        }
        for order, criterion in enumerate(criteria)
        for position, ident in enumerate(shown)
    ]


def _ranking_bars(data: pd.DataFrame, criteria: Sequence[str], count: int) -> alt.Chart:
    """Stacked bars of ``data`` (``ranking_rows``) for ``count`` interventions."""
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "contribution:Q", stack="zero", title="score (0 to 100): each criterion's part", scale=alt.Scale(domain=[0, 100])
            ),
            y=alt.Y(
                "name:N",
                sort=alt.EncodingSortField("position", op="min"),
                title=None,
                axis=alt.Axis(labelLimit=360, labelOverlap=False),
            ),
            color=alt.Color("criterion:N", scale=_criterion_scale(criteria), sort=list(criteria)),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("rank:Q"),
                alt.Tooltip("name:N"),
                alt.Tooltip("criterion:N"),
                alt.Tooltip("contribution:Q", format=".1f"),
                alt.Tooltip("score:Q", format=".1f"),
            ],
        )
        .properties(height=max(120, ROW_HEIGHT_PX * count))
    )


def ranking_chart(problem: DecisionProblem, result: ScoreResult, ids: list[str]) -> alt.Chart:
    """Stacked bars of each criterion's contribution to the score, best first. The order is data (each bar's
    ``position``), not part of the specification, as in the heatmap."""
    rows = ranking_rows(problem, result, ids)
    criteria = [str(c) for c in result.contributions.columns]
    return _ranking_bars(pd.DataFrame(rows, columns=RANKING_COLUMNS), criteria, len(kept_in_order(result.ranks.index, ids)))


RANKING_COLUMNS = ("id", "criterion", "contribution", "name", "rank", "score", "order", "position")
RANKING_TITLE = "Score of each intervention, by criterion"


@functools.lru_cache(maxsize=64)
def ranking_spec(criteria: tuple[str, ...], count: int) -> dict[str, Any]:
    """The ranking chart's specification for ``count`` bars, its data (under RANKING_DATA) left empty: the same
    for every weighting, so it is made once for each set of criteria and number of bars (making it with Altair
    was half the Ranking tab's work on a nudge). Shared: add the data to a copy."""
    empty = pd.DataFrame({column: [] for column in RANKING_COLUMNS})
    spec = _titled(_ranking_bars(empty, criteria, count), RANKING_TITLE, said_below(RANKING_TITLE)).to_dict(validate=False)
    return _named_data(spec, RANKING_DATA) | {"datasets": {RANKING_DATA: []}}


def value_for_money_frame(options: pd.DataFrame, funded_options: list[str], names: dict[str, str]) -> pd.DataFrame:
    """One row per funding option (every level of every intervention): name, cost, benefit, reach, tiers, funded."""
    chosen = set(funded_options)
    return pd.DataFrame(
        {
            "option": options.index.astype(str),
            "name": [
                names[i] + ("" if lv == "full" else f" ({lb})")
                for i, lv, lb in zip(options["intervention"], options["level"], options["level_label"], strict=True)
            ],
            "cost": options["annual_cost_gbp"].to_numpy(dtype=float),
            "benefit": options["benefit"].round(1).to_numpy(dtype=float),
            "reach": options["reach_per_year"].fillna(0).to_numpy(dtype=float),
            "tiers": [
                " + ".join(t for t, on in zip(TIERS, row, strict=True) if on)
                for row in (options[[f"share_{t}" for t in TIERS]].to_numpy(dtype=float) > 0).tolist()
            ],
            "status": [STATUS[0] if o in chosen else STATUS[1] for o in options.index],
        }
    )


def value_for_money_chart(
    options: pd.DataFrame, funded_options: list[str], names: dict[str, str], label: str = "", frame: pd.DataFrame | None = None
) -> dict[str, Any]:
    """Benefit against annual cost for every funding option, as the board report draws it (one builder,
    ``matrix.report.value_spec``): funded blue circles named where the name fits, the others grey
    triangles, reach as size; ``label`` (scenario, date, catalogue version) is the subtitle. ``frame`` is
    ``value_for_money_frame`` of the same, when the caller has it."""
    if frame is None:
        frame = value_for_money_frame(options, funded_options, names)
    rows = [
        {str(k): v for k, v in r.items()} for r in frame[["name", "cost", "benefit", "status", "reach"]].to_dict(orient="records")
    ]
    return value_spec(rows, label, width=620, height=420)


def frontier_chart(table: pd.DataFrame, budget_gbp: float) -> alt.Chart:
    """Best value at every budget (exact) and what picking by benefit per pound reaches, with today's budget marked."""
    long = table.melt(id_vars="budget_gbp", value_vars=["optimal_value", "ratio_value"], var_name="method", value_name="value")
    long["method"] = long["method"].map(dict(zip(("optimal_value", "ratio_value"), FRONTIER_LINES, strict=True)))
    lines = (
        alt.Chart(long)
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("budget_gbp:Q", title="budget (£)", axis=alt.Axis(format="~s")),
            y=alt.Y("value:Q", title="total benefit"),
            color=alt.Color("method:N", title=None, scale=alt.Scale(domain=list(FRONTIER_LINES), range=["#0072B2", "#D55E00"])),
            strokeDash=alt.StrokeDash(
                "method:N", title=None, scale=alt.Scale(domain=list(FRONTIER_LINES), range=[[1, 0], [6, 3]])
            ),
            tooltip=[
                alt.Tooltip("method:N"),
                alt.Tooltip("budget_gbp:Q", format=",.0f", title="budget (£)"),
                alt.Tooltip("value:Q", format=".1f", title="total benefit"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"budget_gbp": [budget_gbp]}))
        .mark_rule(strokeDash=[4, 4])
        .encode(x=alt.X("budget_gbp:Q", title="budget (£)"))
    )
    return (lines + rule).properties(height=320)


def tier_spend_chart(totals: pd.DataFrame) -> alt.Chart:
    """Spend by prevention tier for each compared scenario, as stacked bars."""
    columns = [f"{t} spend £" for t in ("primary", "secondary", "tertiary")]
    long = totals[["scenario", *columns]].melt(id_vars="scenario", var_name="tier", value_name="tier spend £")
    long["tier"] = long["tier"].str.removesuffix(" spend £")
    long["tier order"] = long["tier"].map({t: n for n, t in enumerate(TIERS)})
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("tier spend £:Q", stack="zero", title=SPEND_X, axis=alt.Axis(format="~s")),
            y=alt.Y("scenario:N", title=None, axis=alt.Axis(labelLimit=300)),
            color=alt.Color(
                "tier:N", title=TIER_LEGEND, sort=list(TIERS), scale=alt.Scale(domain=list(TIERS), range=list(TIER_COLOURS))
            ),
            order=alt.Order("tier order:Q"),
            tooltip=[alt.Tooltip("scenario:N"), alt.Tooltip("tier:N"), alt.Tooltip("tier spend £:Q", format=",.0f")],
        )
        .properties(height=max(80, 40 * len(totals)))
    )


def weight_lines_chart(lines: pd.DataFrame, current_pct: float, breakpoints_pct: list[float], top_now: list[str]) -> alt.Chart:
    """Every intervention's score as one weight runs 0-100%: straight lines, the current weight and the
    weights where the top places change marked."""
    top, changes = top_words(len(top_now))
    frame = lines.copy()
    now = set(top_now)
    frame["now"] = [f"in the {top} now" if i in now else f"not in the {top}" for i in frame["id"]]
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
                scale=alt.Scale(domain=[f"in the {top} now", f"not in the {top}"], range=["#0072B2", GREY]),
            ),
            strokeWidth=alt.StrokeWidth(
                "now:N", legend=None, scale=alt.Scale(domain=[f"in the {top} now", f"not in the {top}"], range=[2.5, 1])
            ),
            tooltip=[alt.Tooltip("name:N"), alt.Tooltip("weight %:Q", format=".0f"), alt.Tooltip("score:Q", format=".1f")],
        )
    )
    marks = pd.DataFrame(
        {"weight %": [current_pct, *breakpoints_pct], "mark": ["current weight"] + [changes] * len(breakpoints_pct)}
    )
    rules = (
        alt.Chart(marks)
        .mark_rule()
        .encode(
            x=alt.X("weight %:Q"),
            strokeDash=alt.StrokeDash(
                "mark:N", title=None, scale=alt.Scale(domain=["current weight", changes], range=[[1, 0], [4, 4]])
            ),
            tooltip=[alt.Tooltip("mark:N"), alt.Tooltip("weight %:Q", format=".1f")],
        )
    )
    return (paths + rules).properties(height=380)


def top_words(k: int) -> tuple[str, str]:
    """'top 5' and 'the top 5 changes': the plain words for the top places (never 'top k')."""
    return f"top {k}", f"the top {k} changes"


def plain_stability(stability: pd.DataFrame, k: int) -> pd.DataFrame:
    """The stability table with 'top-k' in its column names said as 'top 5' (for k = 5)."""
    return stability.rename(columns=lambda c: str(c).replace("top-k", f"top {k}"))


def tornado_chart(stability: pd.DataFrame, k: int = 5) -> alt.Chart:
    """How many percentage points each weight can move before the decision changes (shorter = more sensitive)."""
    top = f"the {top_words(k)[0]}"
    long = stability.melt(
        id_vars="criterion",
        value_vars=["room before top-k changes (points)", "room before funded set changes (points)"],
        var_name="decision",
        value_name="room (points)",
    )
    long["decision"] = long["decision"].map(
        {"room before top-k changes (points)": top, "room before funded set changes (points)": "the funded set"}
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
            color=alt.Color(
                "decision:N", title=None, scale=alt.Scale(domain=[top, "the funded set"], range=["#0072B2", "#E69F00"])
            ),
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
    criteria = [str(c) for c in table.columns]
    ticks = (
        alt.Chart(long)
        .mark_tick(thickness=2, size=18)
        .encode(
            y=alt.Y("criterion:N", sort=criteria, title=None),
            x=alt.X("weight %:Q", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("criterion:N", scale=_criterion_scale(criteria), legend=None),
            tooltip=[alt.Tooltip("participant:N"), alt.Tooltip("criterion:N"), alt.Tooltip("weight %:Q", format=".1f")],
        )
    )
    mean = (
        alt.Chart(means)
        .mark_point(shape="diamond", size=120, filled=True, color="black")
        .encode(
            y=alt.Y("criterion:N", sort=criteria),
            x=alt.X("weight %:Q"),
            tooltip=[alt.Tooltip("criterion:N"), alt.Tooltip("weight %:Q", format=".1f", title="mean %")],
        )
    )
    return (ticks + mean).properties(height=160)


def chart_png(chart: Any, scale: float = 2.0) -> bytes:
    """The chart (Altair, or a Vega-Lite dict) as a PNG image for board papers, rendered offline by vl-convert."""
    import vl_convert

    spec = chart if isinstance(chart, dict) else chart.to_dict()
    return bytes(vl_convert.vegalite_to_png(spec, scale=scale))


# Views: each chart with its title, a summary generated from its data, and the data as a table.


def heatmap_base(problem: DecisionProblem, ids: list[str]) -> ChartView:
    """The matrix heatmap of ``ids`` in the catalogue's order, as a Vega-Lite specification (validated once),
    with its summary and table; ``heatmap_view`` puts its rows in rank order. Only the order changes with the
    weights, so the page keeps this per set of interventions shown: building and validating the chart was
    most of a weight nudge's time on the Matrix tab. Its data go by the name ``HEATMAP_DATA`` whatever they
    hold, so that a new order leaves the specification the browser sees exactly as it was."""
    shown = kept_in_order(problem.info.index, ids)
    labels = marked_names(problem)
    table = pd.DataFrame({"intervention": [labels[i] for i in shown]}, index=pd.Index(shown, name="id"))
    criteria = list(problem.criteria)
    for criterion in criteria:
        table[f"{criterion} value"] = problem.values.loc[shown, criterion].round(0).astype(int).to_numpy()
        table[f"{criterion} raw input"] = problem.inputs.loc[shown, criterion].astype(str).to_numpy()
        table[f"{criterion} source"] = problem.provenance.loc[shown, criterion].astype(str).to_numpy()
    title = f"Values on the {number_word(len(criteria))} criteria (0 to 100, 100 = best)"
    if not shown:
        return ChartView(heatmap_chart(problem, ids, shown).to_dict(), title, "No intervention is shown.", table)
    values = problem.values.loc[shown, criteria]
    means = values.mean()
    best = {c: labels[str(values[c].idxmax())] for c in criteria[:2]}
    summary = (
        f"{len(shown)} interventions (rows, best-ranked first) by {number_word(len(criteria))} criteria (columns); "
        "each cell prints its value. Average values: "
        + ", ".join(f"{c} {means[c]:.0f}" for c in criteria)
        + ". "
        + "; ".join(f"Highest on {c}: {name}" if n == 0 else f"on {c}: {name}" for n, (c, name) in enumerate(best.items()))
        + "."
    )
    spec = _titled(heatmap_chart(problem, ids, shown), title, summary).to_dict()
    return ChartView(_named_data(spec, HEATMAP_DATA), title, summary, table)


def _named_data(spec: dict[str, Any], name: str) -> dict[str, Any]:
    """``spec`` (an Altair chart's, with one dataset) with its dataset called ``name`` (Altair names it by a hash
    of what it holds)."""
    [(old, rows)] = spec["datasets"].items()
    renamed = _renamed_data({key: value for key, value in spec.items() if key != "datasets"}, old, name)
    return dict(renamed) | {"datasets": {name: rows}}


def _renamed_data(spec: Any, old: str, new: str) -> Any:
    """A copy of ``spec`` with every reference to the data named ``old`` made to ``new`` instead."""
    if isinstance(spec, list):
        return [_renamed_data(item, old, new) for item in spec]
    if not isinstance(spec, dict):
        return spec
    if spec.get("name") == old and set(spec) == {"name"}:
        return {"name": new}
    return {key: _renamed_data(value, old, new) for key, value in spec.items()}


def heatmap_view(problem: DecisionProblem, ids: list[str], order: list[str], base: ChartView | None = None) -> ChartView:
    """The matrix heatmap, rows in ``order`` (best-ranked first); its table gives every value with its raw input
    and source (no hover needed). ``base`` is ``heatmap_base(problem, ids)``, made again when not given; it is
    left as it was. Only the cells' positions differ from the base: the specification is the same."""
    base = heatmap_base(problem, ids) if base is None else base
    shown = kept_in_order(order, base.table.index)
    table = base.table.loc[shown].reset_index(drop=True)
    if not isinstance(base.chart, dict) or HEATMAP_DATA not in base.chart.get("datasets", {}):
        return ChartView(base.chart, base.title, base.summary, table)  # nothing shown: no data to order
    position = {i: n for n, i in enumerate(shown)}
    rows = [row | {"position": position.get(row["id"], len(shown))} for row in base.chart["datasets"][HEATMAP_DATA]]
    return ChartView(base.chart | {"datasets": {HEATMAP_DATA: rows}}, base.title, base.summary, table)


def ranking_view(problem: DecisionProblem, result: ScoreResult, ids: list[str]) -> ChartView:
    """The ranking bars; the table lists rank, score and each criterion's part."""
    shown = kept_in_order(result.ranks.index, ids)
    labels = marked_names(problem)
    table = result.contributions.loc[shown].round(1).reset_index(drop=True)
    table.insert(0, "score", result.scores.loc[shown].round(1).to_numpy())
    table.insert(0, "intervention", [labels[str(i)] for i in shown])
    table.insert(0, "rank", result.ranks.loc[shown].to_numpy())
    title = RANKING_TITLE
    if shown:
        top = [f"{labels[str(i)]} ({result.scores[i]:.1f})" for i in shown[:3]]
        largest = result.contributions.loc[shown].sum().idxmax()
        summary = (
            f"{len(shown)} interventions, best first; each bar is the score, split into the "
            f"{number_word(len(problem.criteria))} criteria's parts. "
            f"Highest: {_names_list(top)}. Across them, {largest} adds the most to the scores."
        )
    else:
        summary = "No intervention is shown."
    if not shown:
        return ChartView(_titled(ranking_chart(problem, result, ids), title, summary), title, summary, table)
    spec = ranking_spec(tuple(str(c) for c in result.contributions.columns), len(shown))
    return ChartView(spec | {"datasets": {RANKING_DATA: ranking_rows(problem, result, shown)}}, title, summary, table)


def value_for_money_view(options: pd.DataFrame, funded_options: list[str], names: dict[str, str], label: str) -> ChartView:
    """The benefit-against-cost chart the board report draws (same title, axes, legend, labels)."""
    frame = value_for_money_frame(options, funded_options, names)
    funded = frame[frame["status"] == STATUS[0]]
    if funded.empty:
        summary = f"No option is funded; {len(frame)} options are shown as grey triangles."
    else:
        ratio = funded["benefit"] / funded["cost"].where(funded["cost"] > 0)
        best = funded.iloc[int(np.nanargmax(ratio.to_numpy()))] if ratio.notna().any() else funded.iloc[0]
        summary = (
            f"{len(frame)} ways of funding the interventions: further right costs more, higher gives more benefit, "
            f"bigger reaches more people. The {len(funded)} funded options (blue circles) cost {money(funded['cost'].sum())} "
            f"in total; the highest benefit for the money is {best['name']} ({best['benefit']:.0f} for {money(best['cost'])} "
            "a year). The others are grey triangles."
        )
    spec = value_for_money_chart(options, funded_options, names, label, frame) | {"description": said_below(VALUE_TITLE)}
    table = frame.drop(columns="option").rename(
        columns={"cost": VALUE_X, "benefit": VALUE_Y, "reach": "reach a year", "tiers": TIER_LEGEND, "status": "funded"}
    )
    return ChartView(spec, VALUE_TITLE, summary, table)


def frontier_view(frontier: pd.DataFrame, budget_gbp: float, label: str) -> ChartView:
    """The efficient frontier; the summary compares the best combination and picking by benefit per pound at this budget."""
    title = "Best total benefit at every budget"
    at_budget = frontier[frontier["budget_gbp"] <= budget_gbp]
    row = at_budget.iloc[-1] if not at_budget.empty else frontier.iloc[0]
    everything = frontier.iloc[-1]
    summary = (
        f"Total benefit the best combination reaches at each budget from £0 to {money(everything['budget_gbp'])} "
        f"(solid line) and what ranking by benefit per pound reaches (dashed). At this scenario's budget of "
        f"{money(budget_gbp)} (the dashed rule) the best is {row['optimal_value']:.1f} and picking by benefit per pound "
        f"{row['ratio_value']:.1f}; funding everything reaches {everything['optimal_value']:.1f}."
    )
    words = {
        "budget_gbp": "budget (£)",
        "optimal_value": f"total benefit, {FRONTIER_LINES[0]}",
        "optimal_spend_gbp": f"spend, {FRONTIER_LINES[0]} (£)",
        "funded_count": "interventions funded",
        "ratio_value": f"total benefit, {FRONTIER_LINES[1]}",
    }
    table = frontier[[c for c in words if c in frontier.columns]].rename(columns=words).round(1)
    chart = _titled(frontier_chart(frontier, budget_gbp), title, summary, label or None)
    return ChartView(chart, title, summary, table)


def tier_spend_view(totals: pd.DataFrame, label: str) -> ChartView:
    """Spend by prevention tier for each compared scenario."""
    columns = [f"{t} spend £" for t in TIERS]
    table = totals[["scenario", *columns]].rename(columns={f"{t} spend £": f"{t} (£)" for t in TIERS})
    parts = [
        f"{row['scenario']}: " + ", ".join(f"{t} {money(float(row[f'{t} spend £']))}" for t in TIERS)
        for row in totals.to_dict(orient="records")
    ]
    summary = "Spend a year by prevention tier in each saved scenario. " + "; ".join(parts) + "."
    return ChartView(_titled(tier_spend_chart(totals), SPEND_TITLE, summary, label or None), SPEND_TITLE, summary, table)


def weight_lines_view(
    lines: pd.DataFrame, current_pct: float, breakpoints_pct: list[float], top_now: list[str], criterion: str
) -> ChartView:
    """Scores as one weight runs 0-100%; the table lists the weights where the top places change."""
    top, _ = top_words(len(top_now))
    title = f"Scores as the {criterion} weight runs from 0% to 100%"
    where = ", ".join(f"{b:.1f}%" for b in breakpoints_pct)
    summary = (
        f"One line per intervention; the {len(top_now)} in the {top} now are blue and thicker. The solid rule is the "
        f"current weight ({current_pct:.1f}%); "
        + (f"the dashed rules are where the {top} changes: {where}." if breakpoints_pct else f"the {top} never changes.")
    )
    table = pd.DataFrame(
        {
            "weight (%)": [current_pct, *breakpoints_pct],
            "what happens there": ["the current weight"] + [f"the {top} changes"] * len(breakpoints_pct),
        }
    ).round(1)
    chart = _titled(weight_lines_chart(lines, current_pct, breakpoints_pct, top_now), title, summary)
    return ChartView(chart, title, summary, table)


def tornado_view(stability: pd.DataFrame, k: int) -> ChartView:
    """How far each weight can move before the decision changes."""
    top = f"the {top_words(k)[0]}"
    title = "How far each weight can move before the decision changes"
    rooms = stability.set_index("criterion")
    top_room = rooms["room before top-k changes (points)"].astype(float)
    funded_room = rooms["room before funded set changes (points)"].astype(float)
    first, funded = str(top_room.idxmin()), str(funded_room.idxmin())
    summary = (
        f"Two bars per criterion, in percentage points: how far its weight can move before {top} changes, and before "
        f"the funded set changes. Shorter means more sensitive: {top} moves first with the {first} weight "
        f"({top_room.min():.1f} points), the funded set with the {funded} "
        f"weight ({funded_room.min():.1f} points)."
    )
    table = plain_stability(stability, k)
    return ChartView(_titled(tornado_chart(stability, k), title, summary), title, summary, table)


def rank_probability_view(rank_probability: pd.DataFrame, names: dict[str, str], top: int = 15) -> ChartView:
    """The chance of each rank; the summary names who is most often first."""
    title = "Chance of each rank"
    first = rank_probability[rank_probability.columns[0]]
    leader = str(first.idxmax())
    summary = (
        f"Rows are interventions (most likely best first), columns ranks 1 to {min(top, len(rank_probability.columns))}; "
        f"darker is likelier. {names[leader]} ranks first most often ({first[leader]:.0%} of the trials)."
    )
    table = (rank_probability.round(3) * 100).rename(columns=lambda r: f"rank {r} (%)").rename_axis("id").reset_index()
    table.insert(0, "intervention", table["id"].map(names))
    table = table.drop(columns="id")
    chart = _titled(rank_probability_chart(rank_probability, names, top), title, summary)
    return ChartView(chart, title, summary, table)


def weight_spread_view(weights: pd.DataFrame) -> ChartView:
    """Each participant's weights as ticks, the group's mean as a diamond."""
    title = "Each participant's weights, and the group's mean"
    means = weights.mean()
    spread = weights.std(ddof=0).fillna(0)
    widest = str(spread.idxmax())
    summary = (
        f"{len(weights)} participant(s): one tick per participant on each criterion, the black diamond the mean. "
        "Means: " + ", ".join(f"{c} {means[c]:.0f}%" for c in weights.columns) + f". People disagree most on {widest}."
    )
    return ChartView(_titled(weight_spread_chart(weights), title, summary), title, summary, weights.round(1).reset_index())
