"""The board report: its numbers are the decision record's, every section is there, the PDF's pages
render, no jargon, and user text is shown as typed (never run as a formula, markup or a link)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from matrix.catalogue import Weights
from matrix.decision import DecisionProblem, Scenario, default_scenario, evaluate
from matrix.persistence import DecisionRecord, build_record, read_record
from matrix.report import Report, Table, board_report, record_identity, to_docx, to_pdf
from scoring import money
from tests.conftest import run_cli

SECTIONS = [
    "Summary",
    "The weights and where they came from",
    "What is funded, and how sure we are",
    "Changes to what is funded today",
    "What limits the decision",
    "Caveats",
    "Charts",
    "Appendix: how this was worked out, and how to check it",
]
# Words a board member should never meet in the paper.
JARGON = [
    "HiGHS",
    "integer programme",
    "top k",
    "top-k",
    "Dirichlet",
    "P(rank",
    "± SE",
    "concentration",
    "normalisation",
    "value_functions",
    "minmax",
    "None",
    "nan",
    "_gbp",
    "benefit points",
    "ratio ranking",
    "exact optimum",
    "efficient frontier",
    "standard error",
    "Monte Carlo",
]
# Words of the list that are plain English in another case ("None: nothing changes").
CASE_SENSITIVE = {"None", "nan"}


def jargon_in(texts: list[str]) -> list[str]:
    """The words of the jargon list found in these texts: whole words, in any case but for ``CASE_SENSITIVE``."""
    import re

    return sorted(
        {
            word
            for word in JARGON
            for text in texts
            if re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text, 0 if word in CASE_SENSITIVE else re.IGNORECASE)
        }
    )


@pytest.fixture(scope="module")
def record(problem: DecisionProblem) -> DecisionRecord:
    return build_record(problem, default_scenario(problem, "Core grant 2027/28"), "Cara Commissioner <cara@city.gov.uk>")


@pytest.fixture(scope="module")
def report(problem: DecisionProblem, record: DecisionRecord) -> Report:
    return board_report(problem, record)


@pytest.fixture(scope="module")
def docx_text(report: Report) -> tuple[list[str], list[list[list[str]]]]:
    document = Document(io.BytesIO(to_docx(report)))
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return [p.text for p in document.paragraphs], tables


@pytest.fixture(scope="module")
def pdf_bytes(report: Report) -> bytes:
    return to_pdf(report)


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_the_word_reports_numbers_are_the_records(
    problem: DecisionProblem, record: DecisionRecord, docx_text: tuple[list[str], list[list[list[str]]]]
) -> None:
    paragraphs, tables = docx_text
    summary = paragraphs[paragraphs.index("Summary") + 1]
    results = record.results
    assert f"funds {len(results.funded)} interventions for {money(results.spend_gbp)}" in summary
    funded_table = next(t for t in tables if t[0][0] == "intervention" and t[0][2] == "cost a year")
    assert [row[0] for row in funded_table[1:]] == [problem.names[f.id] for f in results.funded]
    assert [row[2] for row in funded_table[1:]] == [money(f.annual_cost_gbp) for f in results.funded]
    changes = next(t for t in tables if t[0] == ["intervention", "change", "funded today", "recommended", "money a year"])
    assert paragraphs.index("Each change, with its level and cost a year today and as recommended") > paragraphs.index(
        "Changes to what is funded today"
    )
    assert sorted((row[0], row[1], row[4]) for row in changes[1:]) == sorted(
        (
            problem.names[c.id],
            c.change,
            f"frees {money(-c.difference_gbp)}" if c.difference_gbp < 0 else f"costs {money(c.difference_gbp)}",
        )
        for c in results.changes
    )
    freed = -sum(c.difference_gbp for c in results.changes if c.change in ("stopped", "reduced"))
    added = sum(c.difference_gbp for c in results.changes if c.change in ("increased", "new"))
    assert f"{money(freed)} freed and {money(added)} newly committed" in summary
    stopped = [c for c in results.changes if c.change == "stopped"]
    assert f"stops {len(stopped)} interventions (freeing {money(-sum(c.difference_gbp for c in stopped))} a year)" in summary
    assert [h for h in paragraphs if h in SECTIONS] == SECTIONS
    assert any(record_identity(record) in p for p in paragraphs)
    assert any(problem.sha256 in p for p in paragraphs)


def test_the_pdf_says_the_same(problem: DecisionProblem, record: DecisionRecord, pdf_bytes: bytes) -> None:
    text = pdf_text(pdf_bytes)
    assert f"funds {len(record.results.funded)} interventions for {money(record.results.spend_gbp)}" in text
    for heading in SECTIONS:
        assert heading in text
    assert record_identity(record)[:32] in text.replace(" ", "")
    assert "Core grant 2027/28: funding recommendation" in text
    for funded in record.results.funded:  # a cost is never broken over two lines of its cell
        assert f" {money(funded.annual_cost_gbp)} " in text


def test_the_pdf_pages_render(pdf_bytes: bytes, tmp_path: Path) -> None:
    """Every page turns into an A4 image (poppler's pdftoppm): the file is a PDF a viewer can draw."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: apt-get install poppler-utils (.ci/run installs it)")
    path = tmp_path / "board.pdf"
    path.write_bytes(pdf_bytes)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(PdfReader(io.BytesIO(pdf_bytes)).pages) >= 3
    from PIL import Image

    for page in pages:
        with Image.open(page) as image:
            width, height = image.size
            assert abs(height / width - 297 / 210) < 0.02  # A4 portrait
            assert image.convert("L").getextrema()[0] < 100  # something dark is drawn: not a blank page


def test_no_jargon(report: Report, docx_text: tuple[list[str], list[list[list[str]]]], pdf_bytes: bytes) -> None:
    paragraphs, tables = docx_text
    texts = {
        "report": report.text(),
        "docx": "\n".join(paragraphs + [c for t in tables for r in t for c in r]),
        "pdf": pdf_text(pdf_bytes),
    }
    for where, text in texts.items():
        assert jargon_in([text]) == [], where


def test_user_text_is_shown_as_typed_never_run(problem: DecisionProblem) -> None:
    """A scenario name and an override reason full of formulas, markup and links appear literally in both
    formats; table cells a spreadsheet would run are neutralised."""
    harmful = next(str(i) for i in problem.info.index if problem.info.at[i, "harmful"])
    scenario = Scenario(
        name='=HYPERLINK("http://evil.example")',
        weights=Weights(impact=40, reach=20, cost=20, risk=20),
        budget_gbp=880_000,
        harmful_overrides={harmful: "<script>alert(1)</script> **bold** [link](http://evil.example) $x^2$"},
    )
    record = build_record(problem, scenario, "+SUM(A1) <b>Mallory</b>")
    report = board_report(problem, record)
    text = report.text()
    assert '=HYPERLINK("http://evil.example"): funding recommendation' in text
    assert "<script>alert(1)</script> **bold** [link](http://evil.example) $x^2$" in text
    for section in report.sections:
        for block in section.blocks:
            if isinstance(block, Table):
                assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in block.rows for cell in row)
    document = Document(io.BytesIO(to_docx(report)))
    assert any("<script>alert(1)</script>" in p.text for p in document.paragraphs)
    pdf = pdf_text(to_pdf(report))
    assert "<script>alert(1)</script>" in pdf and "+SUM(A1) <b>Mallory</b>" in pdf


def test_a_report_from_another_catalogue_is_refused(problem: DecisionProblem, record: DecisionRecord) -> None:
    from scoring import DecisionError

    other = record.model_copy(update={"catalogue": record.catalogue.model_copy(update={"sha256": "0" * 64})})
    with pytest.raises(DecisionError, match="different catalogue"):
        board_report(problem, other)


def test_the_command_line_writes_the_report_and_a_record_that_replays(tmp_path: Path, problem: DecisionProblem) -> None:
    """The report command says what it funded (the library's answer at that budget) and its record replays."""
    first = tmp_path / "first.pdf"
    ran = run_cli(["report", "--budget", "880000", "--name", "Core grant", "--by", "Cara", "--out", str(first)])
    assert ran.returncode == 0, ran.stderr
    optimum = evaluate(problem, default_scenario(problem).model_copy(update={"budget_gbp": 880_000.0})).optimum
    assert f"wrote the board report ({len(optimum.funded)} funded for {money(optimum.spend_gbp)})" in ran.stderr
    record_path = tmp_path / "first.record.json"
    assert read_record(record_path.read_bytes()).created_by == "Cara"
    replayed = run_cli(["replay", str(record_path)])
    assert replayed.returncode == 0 and "identical" in replayed.stdout
    second = tmp_path / "second.docx"
    ran = run_cli(
        ["report", "--budget", "600000", "--tier-min", "secondary=0.3", "--compare", str(record_path), "--out", str(second)]
    )
    assert ran.returncode == 0, ran.stderr
    document = Document(str(second))
    assert "Scenarios compared" in [p.text for p in document.paragraphs]
    ran = run_cli(["report", "--budget", "600000", "--out", str(tmp_path / "board.txt")])
    assert ran.returncode == 1 and "give a file ending .docx (Word) or .pdf" in ran.stderr


def test_near_ties_are_neighbours_less_than_a_point_apart() -> None:
    from matrix.report import near_ties

    scores = {"a": 90.0, "b": 89.5, "c": 80.0, "d": 79.2, "e": 79.1}
    assert near_ties(["a", "b", "c", "d", "e"], scores) == [("a", "b"), ("c", "d"), ("d", "e")]
    assert near_ties(["a", "b", "c", "d", "e"], scores, places=3) == [("a", "b")]


def test_how_sure_in_the_summary_counts_the_funded_tables_words(docx_text: tuple[list[str], list[list[list[str]]]]) -> None:
    """The summary's count of firm funded interventions and close calls is the funded table's."""
    paragraphs, tables = docx_text
    summary = paragraphs[paragraphs.index("Summary") + 1]
    funded = next(t for t in tables if t[0][0] == "intervention" and t[0][2] == "cost a year")
    sure = [row[-1] for row in funded[1:]]
    firm, close = sum(s.endswith(": firm") for s in sure), sum(s.endswith(": a close call") for s in sure)
    assert f"{firm} of them are funded 90% of the time or more (firm) and {close} less than 60% of the time" in summary
    assert 0 < firm < len(sure)  # the default scenario has both, so the count is not vacuous


def test_what_the_next_and_last_50k_would_do(problem: DecisionProblem, record: DecisionRecord, report: Report) -> None:
    """The limits section names what £50,000 more would add and £50,000 less would drop, as the library's
    funded sets at those budgets differ from this one, with the spend at each."""
    [limits] = [s for s in report.sections if s.heading == "What limits the decision"]
    said = " ".join(b for b in limits.blocks if isinstance(b, str))
    base = set(evaluate(problem, record.scenario).optimum.funded)
    for step, word in ((50_000, "more"), (-50_000, "less")):
        budget = record.scenario.budget_gbp + step
        other = evaluate(problem, record.scenario.model_copy(update={"budget_gbp": budget})).optimum
        opening = f"With £50,000 {word} (a budget of {money(budget)})"
        [sentence] = [b for b in limits.blocks if isinstance(b, str) and b.startswith(opening)]
        for ident in set(other.funded) - base:
            assert problem.names[ident] in sentence.split(" drop ")[0]
        for ident in base - set(other.funded):
            assert problem.names[ident] in sentence.split(" drop ")[1]
        assert sentence.endswith(f"spending {money(other.spend_gbp)}.")
    assert "What stops more being funded: budget" in said


def test_few_changes_are_named_and_none_is_said(problem: DecisionProblem) -> None:
    """Keeping everything funded today at exactly its cost changes nothing, said in the summary and in the changes
    section without a table; £5,000 more starts what the library adds, named in the summary with its money."""
    today = problem.info.index[problem.info["funded_today"].astype(bool)]
    cost_today = float(problem.info.loc[today, "annual_cost_gbp"].sum())
    standstill = Scenario.model_validate(
        default_scenario(problem, "Standstill").model_dump() | {"budget_gbp": cost_today, "keep_status_quo": True}
    )
    record = build_record(problem, standstill, "Cara")
    assert record.results.changes == ()
    sections = {s.heading: s.blocks for s in board_report(problem, record).sections}
    [summary] = sections["Summary"]
    assert isinstance(summary, str) and summary.endswith("It funds exactly what is funded today, at the same levels.")
    assert sections["Changes to what is funded today"] == (
        "The recommended set funds exactly what is funded today, at the same levels.",
    )

    record = build_record(problem, standstill.model_copy(update={"budget_gbp": cost_today + 5_000}), "Cara")
    [new] = record.results.changes
    assert new.change == "new"
    sections = {s.heading: s.blocks for s in board_report(problem, record).sections}
    [summary] = sections["Summary"]
    assert isinstance(summary, str)
    assert f"it starts {problem.names[new.id]} (costing {money(new.difference_gbp)} a year)" in summary
    [table] = sections["Changes to what is funded today"]
    assert isinstance(table, Table) and table.rows == (
        (problem.names[new.id], "new", "not funded", f"Full, {money(new.difference_gbp)}", f"costs {money(new.difference_gbp)}"),
    )


def test_the_appendix_says_how_to_reproduce_the_paper(record: DecisionRecord, report: Report) -> None:
    """The method says the benefit leaves cost out (this scenario does), the trials' number and starting number,
    and the record's identity and how to replay it."""
    [appendix] = [s for s in report.sections if s.heading.startswith("Appendix")]
    method, *_, identity = [b for b in appendix.blocks if isinstance(b, str)]
    assert not record.scenario.include_cost and "impact, reach and risk only (cost is left out" in method
    assert "500 trials (starting number 20261122" in method
    assert identity.startswith(f"Decision record (SHA-256): {record_identity(record)}, made ")
    assert "python -m matrix replay RECORD.json" in identity


def test_pdf_columns_fit_their_longest_word_and_share_the_rest() -> None:
    """A column is at least as wide as its longest word and a margin (so "£190,000" stays whole), long text
    earns more room up to a cap, and a short column takes little."""
    from matrix.report.writers import WIDEST, WORD_MARGIN, column_widths

    table = Table("t", ("intervention", "tier", "cost", "x"), (("A very long name " * 8, "new", "£190,000", "y"),))
    name, tier, cost, short = column_widths(table)
    assert name == WIDEST
    assert cost == len("£190,000") + WORD_MARGIN
    assert tier == len("tier") + WORD_MARGIN + 2  # the bold heading's word is the longest
    assert short == len("x") + WORD_MARGIN + 2 < cost
