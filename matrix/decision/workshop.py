"""Workshop analysis: the group's weights, where participants disagree, and what each one's weights fund."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matrix.catalogue import Weights
from matrix.decision.analysis import FundingSolver
from matrix.decision.problem import DecisionProblem
from matrix.decision.scenario import Scenario, evaluate
from scoring import score

Entry = tuple[str, Weights]

# Letters from other scripts drawn like Latin ones, and digits read as letters (a short list of the
# commonest confusables in names; see Unicode's confusables data for the full table).
_CONFUSABLE = str.maketrans(
    {
        **dict.fromkeys("аɑα", "a"), "в": "b", **dict.fromkeys("сϲ", "c"), "ԁ": "d", **dict.fromkeys("еε", "e"),
        "һ": "h", **dict.fromkeys("іι", "i"), **dict.fromkeys("ӏ1|", "l"), "ј": "j", "κ": "k", "м": "m", "η": "n",
        **dict.fromkeys("оο0", "o"), **dict.fromkeys("рρ", "p"), "ԛ": "q", "г": "r", "ѕ": "s", "т": "t",
        **dict.fromkeys("υ", "u"), **dict.fromkeys("νѵ", "v"), "ԝ": "w", **dict.fromkeys("хχ", "x"), "у": "y",
    }
)  # fmt: skip


def name_skeleton(name: str) -> str:
    """What a name looks like, for spotting two people who typed look-alike names: case, accents,
    spacing, punctuation, invisible characters and common confusable letters are all set aside."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if unicodedata.category(c)[0] not in {"M", "C", "Z", "P"} and not c.isspace())
    # A capital I and a small l are drawn alike in most fonts, as are "rn" and "m".
    return text.replace("I", "l").casefold().translate(_CONFUSABLE).replace("rn", "m")


def distinct_names(names: Sequence[str]) -> list[str]:
    """The names with a number added to the second and later of any that are the same ("Ann", "Ann (2)"),
    so two people who typed one name stay two rows."""
    seen: dict[str, int] = {}
    shown = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        shown.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return shown


def look_alike_names(names: Iterable[str]) -> list[tuple[str, ...]]:
    """Groups of two or more participants' names that look the same (each group in first-seen order)."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name_skeleton(name), []).append(name)
    return [tuple(group) for group in groups.values() if len(group) > 1]


def weights_table(entries: Sequence[Entry], criteria: Sequence[str] | None = None) -> pd.DataFrame:
    """Each participant's weights normalised to %, one row each, a column per criterion (``criteria``, or
    every criterion the entries weigh, in first-seen order; a criterion someone did not weigh counts 0)."""
    if criteria is None:
        criteria = list(dict.fromkeys(c for _, weights in entries for c in weights.as_dict()))
    rows = {}
    for name, weights in entries:
        raw = np.array([weights[c] for c in criteria], dtype=np.float64)
        rows[name] = raw / raw.sum() * 100 if raw.sum() > 0 else raw
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(criteria)).rename_axis("participant")


def group_summary(entries: Sequence[Entry], decimals: int | None = 1, criteria: Sequence[str] | None = None) -> pd.DataFrame:
    """Per criterion: mean, median, lowest, highest and standard deviation of the participants' weights (%),
    rounded to ``decimals`` (None: not rounded, for text that rounds once itself)."""
    table = weights_table(entries, criteria)
    summary = pd.DataFrame(
        {
            "mean %": table.mean(),
            "median %": table.median(),
            "lowest %": table.min(),
            "highest %": table.max(),
            "spread (sd, points)": table.std(ddof=0),
        }
    )
    return summary if decimals is None else summary.round(decimals)


def group_weights(entries: Sequence[Entry], how: str = "mean") -> Weights:
    """The group's weights: the mean (or median) of the participants' normalised weights."""
    table = weights_table(entries)
    central = table.median() if how == "median" else table.mean()
    return Weights(**{str(c): round(float(central[c]), 4) for c in table.columns})


def funded_share(problem: DecisionProblem, scenario: Scenario, entries: Sequence[Entry]) -> pd.Series:
    """For every intervention, the share of participants whose own weights (with the scenario's budget
    and constraints) fund it. Each participant's problem is solved exactly."""
    solver = FundingSolver.for_scenario(problem, scenario)
    picked = solver.funded(weights_table(entries, problem.criteria).to_numpy() / 100)
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
