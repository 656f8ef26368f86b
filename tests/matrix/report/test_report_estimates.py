"""The board report's caveats: how much of the decision rests on estimates and which figures to confirm first,
equal to the library's figures for the record's scenario, in the Word and the PDF files."""

from __future__ import annotations

import io

import pytest
from docx import Document

from matrix.decision import (
    DecisionProblem,
    confirm_first_lines,
    default_scenario,
    estimated_shares,
    evaluate,
    figures_to_confirm,
    funded_estimated_share,
    status_quo_notice,
)
from matrix.persistence import DecisionRecord, build_record
from matrix.report import Report, Section, Table, board_report, to_docx, to_pdf
from scoring import score
from tests.matrix.report.test_report import pdf_text


@pytest.fixture(scope="module")
def record(problem: DecisionProblem) -> DecisionRecord:
    scenario = default_scenario(problem, "Estimates check")
    scenario = scenario.model_copy(update={"weights": scenario.weights.model_copy(update={"reach": 35})})
    return build_record(problem, scenario, "Cara Commissioner <cara@city.gov.uk>")


@pytest.fixture(scope="module")
def report(problem: DecisionProblem, record: DecisionRecord) -> Report:
    return board_report(problem, record)


def _caveats(report: Report) -> Section:
    return next(s for s in report.sections if s.heading == "Caveats")


def test_the_caveats_give_the_funded_sets_share_and_each_interventions(
    problem: DecisionProblem, record: DecisionRecord, report: Report
) -> None:
    caveats = _caveats(report)
    share = funded_estimated_share(evaluate(problem, record.scenario))
    assert any(f"{share:.0%} of the recommended set's total benefit rests on" in b for b in caveats.blocks if isinstance(b, str))
    table = next(b for b in caveats.blocks if isinstance(b, Table) and "share of its score" in b.columns)
    shares = estimated_shares(problem, score(problem.values, record.scenario.weights.as_dict()))
    funded = [row.id for row in record.results.funded]
    assert [r[0] for r in table.rows] == [problem.names[i] for i in funded]
    assert [r[1] for r in table.rows] == [f"{float(shares[i]):.0%}" for i in funded]
    notice = status_quo_notice(problem)
    assert notice and notice in caveats.blocks


def test_the_caveats_list_the_figures_to_confirm_first(problem: DecisionProblem, record: DecisionRecord, report: Report) -> None:
    lines = confirm_first_lines(figures_to_confirm(problem, record.scenario))
    assert lines
    blocks = list(_caveats(report).blocks)
    start = next(n for n, b in enumerate(blocks) if isinstance(b, str) and b.startswith("Confirm these figures first."))
    assert blocks[start + 1 : start + 1 + len(lines)] == lines


def test_word_and_pdf_carry_the_list_in_plain_words(problem: DecisionProblem, record: DecisionRecord, report: Report) -> None:
    lines = confirm_first_lines(figures_to_confirm(problem, record.scenario))
    paragraphs = [p.text for p in Document(io.BytesIO(to_docx(report))).paragraphs]
    for line in lines:
        assert line in paragraphs
    pdf = " ".join(pdf_text(to_pdf(report)).split())
    assert " ".join(lines[0].split()) in pdf
    for word in ("standard deviation", "estimated_share", "figures_to_confirm"):
        assert word not in " ".join(paragraphs)
