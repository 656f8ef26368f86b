"""Pure Altair chart builders: data in, ``alt.Chart`` out. Tested through ``chart.to_dict()``.

Channels are always explicit objects (``alt.Tooltip("name:N")``), never bare shorthand
strings: Altair rebuilds a schema lookup table for each bare string, which cost about 5 ms
a string and most of a rerun's time.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from matrix.problem import DecisionProblem
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
