"""The shortlist CSV: stable columns, safe cells, one writer for CLI and app."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from matrix.catalogue import load_catalogue
from matrix.decision import SCORE_COLUMNS, DecisionProblem, build_problem, neutralise_cell, shortlist_table, to_safe_csv
from scoring import score
from tests.matrix.example import with_change


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 115", "'+44 115"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("Safe spaces", "Safe spaces"),
        ("", ""),
        (-5.0, -5.0),
        (None, None),
    ],
)
def test_neutralise_cell(cell: object, expected: object) -> None:
    """Text starting with = + - @ tab or CR gets a leading quote; other text and numbers are unchanged."""
    assert neutralise_cell(cell) == expected


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_columns_are_the_documented_ones(problem: DecisionProblem) -> None:
    """The header is exactly the README's columns, in order, and every intervention is a row."""
    result = score(problem.values, {"impact": 40, "reach": 20, "cost": 20, "risk": 20})
    data = to_safe_csv(shortlist_table(problem, result))
    header = data.decode("utf-8").splitlines()[0]
    assert header.split(",") == list(SCORE_COLUMNS)
    rows = read_csv(data)
    assert len(rows) == len(problem.values)
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    for column in SCORE_COLUMNS:
        assert f"`{column}`" in readme or column in {
            "impact",
            "reach",
            "cost",
            "risk",
            "contribution_reach",
            "contribution_cost",
            "weight_reach",
            "weight_cost",
        }


def test_rows_carry_ranks_scores_and_weights(problem: DecisionProblem) -> None:
    """Rows are in rank order; weights are normalised %; contributions add up to the score; hash is the file's."""
    result = score(problem.values, {"impact": 1, "reach": 1, "cost": 1, "risk": 1})
    rows = read_csv(to_safe_csv(shortlist_table(problem, result)))
    assert [int(r["rank"]) for r in rows] == sorted(int(r["rank"]) for r in rows)
    first = rows[0]
    assert first["weight_impact"] == "25.0"
    total = sum(float(first[f"contribution_{c}"]) for c in ("impact", "reach", "cost", "risk"))
    assert total == pytest.approx(float(first["score"]), abs=1e-3)
    assert {r["catalogue_sha256"] for r in rows} == {problem.sha256}
    harmful = [r["id"] for r in rows if r["harmful"] == "true"]
    assert harmful == ["prison-awareness-visits"]


def test_estimated_share_column_is_the_share_of_each_row_s_score(problem: DecisionProblem) -> None:
    """Each row's estimated_share is the contributions of its estimated values over its score, last in the row."""
    result = score(problem.values, {"impact": 30, "reach": 30, "cost": 10, "risk": 30})
    rows = read_csv(to_safe_csv(shortlist_table(problem, result)))
    flags: dict[str, dict[str, bool]] = problem.estimated.to_dict("index")  # type: ignore[assignment]
    for row in rows:
        estimated = sum(float(row[f"contribution_{c}"]) for c, on in flags[row["id"]].items() if on)
        assert float(row["estimated_share"]) == pytest.approx(estimated / float(row["score"]), abs=1e-3)
    assert list(rows[0])[-1] == "estimated_share"
    assert {float(r["estimated_share"]) < 1 for r in rows} == {True, False}


def test_formula_in_a_name_is_neutralised_end_to_end(write_catalogue: Callable[[str | bytes], Path]) -> None:
    """A catalogue name that is a spreadsheet formula reaches the CSV as text, prefixed with '."""
    text = with_change('name = "Peer mentoring"', 'name = "=HYPERLINK(\\"http://example.invalid\\",\\"click\\")"')
    loaded = load_catalogue(write_catalogue(text))
    problem = build_problem(loaded.catalogue, loaded.sha256)
    rows = read_csv(to_safe_csv(shortlist_table(problem, score(problem.values, {"impact": 1}))))
    assert rows[0]["name"] == '\'=HYPERLINK("http://example.invalid","click")'


def test_no_comment_lines_and_utf8() -> None:
    """The CSV is UTF-8 with the header on the first line and no comment lines."""
    data = to_safe_csv(pd.DataFrame({"name": ["Café £5", "#not a comment"], "n": [1, 2]}))
    lines = data.decode("utf-8").splitlines()
    assert lines == ["name,n", "Café £5,1", "#not a comment,2"]
