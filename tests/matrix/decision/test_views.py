"""Filters, export row selection and weights restored from a link."""

from __future__ import annotations

import pandas as pd

from matrix.decision import (
    DecisionProblem,
    MatrixFilter,
    filter_ids,
    provenance_marks,
    select_rows,
    shortlist_table,
)
from scoring import score


def test_no_filter_keeps_everything(problem: DecisionProblem) -> None:
    """An empty filter shows every intervention in catalogue order."""
    assert filter_ids(problem, MatrixFilter()) == list(problem.info.index)


def test_tier_filter_matches_any_listed_tier(problem: DecisionProblem) -> None:
    """Filtering on tertiary keeps interventions listing tertiary among several tiers."""
    ids = filter_ids(problem, MatrixFilter(tiers=["tertiary"]))
    assert "sports-diversion-mentoring" in ids  # secondary and tertiary
    assert "healthy-relationships-schools" not in ids


def test_filters_combine(problem: DecisionProblem) -> None:
    """Delivery model, target group and impact band filters all apply together."""
    ids = filter_ids(problem, MatrixFilter(delivery_models=["therapeutic"], target_groups=["known_risk"], impact_bands=["high"]))
    assert ids == ["cbt-community"]


def test_text_filter_ignores_case_and_searches_strands(problem: DecisionProblem) -> None:
    """Text matches names, overviews, areas and YEF strand names, whatever the case."""
    assert "ae-navigators-redthread" in filter_ids(problem, MatrixFilter(text="QUEEN'S medical"))
    assert set(filter_ids(problem, MatrixFilter(text="parenting programmes"))) >= {"graduated-parenting-offer", "nvr-parenting"}
    assert filter_ids(problem, MatrixFilter(text="no such words anywhere")) == []


def test_unverified_filter(problem: DecisionProblem) -> None:
    """'Only unverified' keeps interventions with at least one illustrative or unconfirmed value."""
    ids = filter_ids(problem, MatrixFilter(only_unverified=True))
    flagged = problem.info[(problem.info["illustrative_count"] + problem.info["unconfirmed_count"]) > 0].index
    assert ids == list(flagged)


def test_provenance_marks_groups_by_kind() -> None:
    """Flags are grouped into readable text by kind."""
    assert provenance_marks("annual_cost_gbp:illustrative;reach_per_year:unconfirmed;status:illustrative") == (
        "illustrative: annual cost gbp, status | unconfirmed: reach per year"
    )
    assert provenance_marks("") == ""


def test_select_rows(problem: DecisionProblem) -> None:
    """Export scopes: all rows, only the visible ids, or the first n by rank."""
    table = shortlist_table(problem, score(problem.values, {"impact": 1}))
    assert len(select_rows(table, "all", [], 5)) == len(table)
    assert select_rows(table, "filtered", ["cbt-community"], 5)["id"].tolist() == ["cbt-community"]
    pd.testing.assert_frame_equal(select_rows(table, "top", [], 3), table.head(3))
