"""Exports: the ranked shortlist as a table and as CSV bytes that are safe to open in Excel."""

from __future__ import annotations

import pandas as pd

from matrix.catalogue import FULL_LEVEL
from matrix.decision.estimates import estimated_shares
from matrix.decision.problem import DecisionProblem
from matrix.decision.scenario import ScenarioResult
from scoring import CRITERIA, ScoreResult

# The score CSV's columns, in order. They are part of the public interface: the README lists
# them and later exports only ever add columns at the end (of both CSVs). A catalogue's own criteria
# take the place of the four: a value, a contribution and a weight column each, in its order.
_DESCRIBING: tuple[str, ...] = (
    "prevention_tiers",
    "delivery_model",
    "target_group",
    "annual_cost_gbp",
    "reach_per_year",
    "yef_strand",
    "yef_impact",
    "yef_evidence",
    "harmful",
    "provenance_flags",
    "catalogue_sha256",
    "normalisation",
)


def _first_score_columns(criteria: tuple[str, ...]) -> tuple[str, ...]:
    return (
        "rank",
        "id",
        "name",
        "score",
        *criteria,
        *(f"contribution_{c}" for c in criteria),
        *(f"weight_{c}" for c in criteria),
        *_DESCRIBING,
    )


def score_columns(criteria: tuple[str, ...] = CRITERIA) -> tuple[str, ...]:
    """The score CSV's columns for these criteria. Added later: the share 0-1 of the score resting on
    illustrative, unconfirmed or missing figures."""
    return (*_first_score_columns(criteria), "estimated_share")


def funding_columns(criteria: tuple[str, ...] = CRITERIA) -> tuple[str, ...]:
    """The funding shortlist's columns: the score columns, then what the scenario funds."""
    return (*_first_score_columns(criteria), "benefit", "funded", "funded_level", "funded_cost_gbp", "change", "estimated_share")


# The columns for the four criteria of the shipped catalogue.
SCORE_COLUMNS: tuple[str, ...] = score_columns()
FUNDING_COLUMNS: tuple[str, ...] = funding_columns()

# OWASP: a cell starting with one of these can be read by a spreadsheet as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """Prefix a text cell that a spreadsheet could run as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def shortlist_table(problem: DecisionProblem, result: ScoreResult) -> pd.DataFrame:
    """The ranked shortlist with the stable SCORE_COLUMNS, best first."""
    order = result.ranks.index
    table = result.table().round(4)
    for criterion in problem.criteria:
        table[f"weight_{criterion}"] = round(float(result.weights[criterion]) * 100, 4)
    info = problem.info.loc[order]
    table = table.join(info)
    table["harmful"] = info["harmful"].map({True: "true", False: "false"})
    table["reach_per_year"] = info["reach_per_year"].astype("Int64")
    table["catalogue_sha256"] = problem.sha256
    table["normalisation"] = result.normalisation
    table["estimated_share"] = estimated_shares(problem, result).reindex(order).round(4)
    return table.reset_index(names="id")[list(score_columns(problem.criteria))]


def funding_table(problem: DecisionProblem, result: ScoreResult, evaluated: ScenarioResult) -> pd.DataFrame:
    """The ranked shortlist with FUNDING_COLUMNS: each intervention's benefit, whether, at which level
    and at what cost the scenario funds it, and how that changes what is funded today. Benefit is the
    funded level's, else the full level's."""
    if result.normalisation != evaluated.scenario.normalisation:
        raise ValueError("the ranking and the funding scenario use different normalisations")
    table = shortlist_table(problem, result)
    chosen = evaluated.optimum.chosen
    options = evaluated.options
    full = options[options["level"] == FULL_LEVEL]
    benefit = dict(zip(full["intervention"], full["benefit"], strict=True)) | dict(
        zip(chosen["intervention"], chosen["benefit"], strict=True)
    )
    level = dict(zip(chosen["intervention"], chosen["level"], strict=True))
    cost = dict(zip(chosen["intervention"], chosen["annual_cost_gbp"], strict=True))
    table["benefit"] = [round(float(benefit[i]), 4) for i in table["id"]]
    table["funded"] = ["true" if i in level else "false" for i in table["id"]]
    table["funded_level"] = [str(level.get(i, "")) for i in table["id"]]
    table["funded_cost_gbp"] = [float(cost.get(i, 0.0)) for i in table["id"]]
    table["change"] = [evaluated.change_of(str(i)) for i in table["id"]]
    return table[list(funding_columns(problem.criteria))]


def to_safe_csv(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV, header first, with every formula-like text cell neutralised.

    The CLI and the app both write CSV through this one function.
    """
    safe = table.copy()
    safe.columns = [str(neutralise_cell(str(c))) for c in safe.columns]
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_bool_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_cell)
    return safe.to_csv(index=False, lineterminator="\n").encode("utf-8")
