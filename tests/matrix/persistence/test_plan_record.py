"""A plan in the decision record, the replay that checks it, the board report's plan section (Word and PDF) and
``python -m matrix plan --report``: the same plan, year by year and stream by stream, on every surface."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from docx import Document

from matrix.decision import DecisionProblem, PlanResult, PlanSettings, build_plan, default_scenario
from matrix.persistence import DecisionRecord, build_record, read_record, record_json, replay
from matrix.report import Table, board_report, to_docx, to_pdf
from matrix.report.content import PLAN_HEADING
from tests.conftest import run_cli
from tests.matrix.report.test_report import pdf_text

SETTINGS = PlanSettings(years=3, stream_ends={"early-intervention-youth-fund": 2}, inflation=0.02)


@pytest.fixture(scope="module")
def planned(problem: DecisionProblem) -> tuple[DecisionRecord, PlanResult]:
    scenario = default_scenario(problem, "Three years")
    return build_record(problem, scenario, "Cara", plan=SETTINGS), build_plan(problem, scenario, SETTINGS)


def test_the_record_keeps_the_plan_year_by_year(planned: tuple[DecisionRecord, PlanResult]) -> None:
    record, result = planned
    kept = record.plan
    assert kept is not None
    plan = result.plan
    assert kept.settings == SETTINGS
    assert kept.value == pytest.approx(plan.value) and kept.cost_gbp == pytest.approx(plan.cost_gbp, abs=0.01)
    assert {(r.year, r.id, r.level) for r in kept.funded} == {
        (int(y), str(i), str(lv))
        for y, i, lv in zip(plan.chosen["year"], plan.chosen["intervention"], plan.chosen["level"], strict=True)
    }
    assert sum(r.amount_gbp for r in kept.payments) == pytest.approx(float(plan.payments["amount_gbp"].sum()), abs=1.0)
    assert not [r for r in kept.payments if r.stream == "early-intervention-youth-fund" and r.year >= 2]


def test_the_record_round_trips_and_replays_identically(planned: tuple[DecisionRecord, PlanResult]) -> None:
    record, _ = planned
    again = read_record(record_json(record))
    assert again.plan == record.plan
    differences, _ = replay(again)
    assert differences == []


def test_replay_names_every_way_an_altered_plan_differs(planned: tuple[DecisionRecord, PlanResult]) -> None:
    record, _ = planned
    data = json.loads(record_json(record))
    first = data["plan"]["funded"][0]
    first["level"] = "pilot-that-never-was"
    data["plan"]["value"] += 5
    data["plan"]["payments"][0]["amount_gbp"] += 1000
    differences, _ = replay(read_record(json.dumps(data).encode("utf-8")))
    year = first["year"]
    assert f"plan, year {year}: {first['id']} (pilot-that-never-was) was funded and is not now" in differences
    assert any(d.startswith("plan value: ") for d in differences)
    payment = data["plan"]["payments"][0]
    assert any(d.startswith(f"plan, year {payment['year']}: {payment['stream']} paid ") for d in differences)


def test_the_board_report_has_the_plan_section_with_the_records_payments(
    problem: DecisionProblem, planned: tuple[DecisionRecord, PlanResult]
) -> None:
    record, result = planned
    report = board_report(problem, record)
    section = next(s for s in report.sections if s.heading == PLAN_HEADING)
    table = next(b for b in section.blocks if isinstance(b, Table))
    totals: dict[tuple[int, str], float] = {}
    assert record.plan is not None
    for row in record.plan.payments:
        totals[(row.year, row.stream)] = totals.get((row.year, row.stream), 0.0) + row.amount_gbp
    names = result.stream_names
    assert [(r[1], r[2]) for r in table.rows] == [(names[s], f"£{a:,.0f}") for (_, s), a in sorted(totals.items())]
    for line in result.in_words():
        assert line.strip() in section.blocks
    paragraphs = [p.text for p in Document(io.BytesIO(to_docx(report))).paragraphs]
    assert PLAN_HEADING in paragraphs
    assert PLAN_HEADING in pdf_text(to_pdf(report))
    without = board_report(problem, build_record(problem, record.scenario, "Cara"))
    assert PLAN_HEADING not in [s.heading for s in without.sections]


def test_the_plan_command_writes_the_report_and_a_record_that_replays(tmp_path: Path) -> None:
    out = tmp_path / "plan.csv"
    paper = tmp_path / "board.docx"
    ran = run_cli(["plan", "--years", "2", "--stream-cut", "police-surge-funding=0.5", "--out", str(out), "--report", str(paper)])
    assert ran.returncode == 0, ran.stderr
    record = read_record((tmp_path / "board.record.json").read_bytes())
    assert record.plan is not None and record.plan.settings.stream_cuts == {"police-surge-funding": 0.5}
    assert replay(record)[0] == []
    assert PLAN_HEADING in [p.text for p in Document(str(paper)).paragraphs]
    refused = run_cli(["plan", "--years", "2", "--report", str(tmp_path / "board.txt")])
    assert refused.returncode == 1 and "--report: give a file ending .docx (Word) or .pdf" in refused.stderr
