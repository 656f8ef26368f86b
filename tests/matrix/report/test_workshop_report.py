"""A workshop's decision as a board paper: a workshop run through the real store, closed, and its record made
by the facilitator's desk; the paper's participants, group weights, lowest and highest are the record's, in
Word and in PDF, and it names nobody."""

from __future__ import annotations

import datetime as dt
import io
import statistics
from pathlib import Path

import pytest
from docx import Document

from matrix.access import Desk, Forbidden, Principal, Role
from matrix.catalogue import Weights
from matrix.decision import DecisionProblem, Scenario, default_scenario, distinct_names, group_view
from matrix.persistence import DecisionRecord, Store, StoreError
from matrix.report import Report, board_report, to_docx, to_pdf
from scoring import CRITERIA
from tests.matrix.report.test_report import JARGON, SECTIONS, pdf_text

# (name, browser token, weights as typed on the sliders): names no word of the paper contains; two people
# type the same name; one resubmits (the later weights count).
SUBMISSIONS = [
    ("Zephyrine Quill", "zephyrine-browser-0001", Weights(impact=80, reach=10, cost=5, risk=5)),
    ("Barnaby Vex", "barnaby-browser-00001", Weights(impact=10, reach=60, cost=20, risk=10)),
    ("Ottoline Marsh", "ottoline-browser-0001", Weights(impact=30, reach=30, cost=30, risk=10)),
    ("Zephyrine Quill", "zephyrine-browser-0002", Weights(impact=50, reach=0, cost=25, risk=25)),
    ("Barnaby Vex", "barnaby-browser-00001", Weights(impact=20, reach=55, cost=15, risk=10)),
    ("Ignatius Pell", "ignatius-browser-0001", Weights(impact=2, reach=1, cost=1, risk=1)),
]
NAMES = ("Zephyrine", "Barnaby", "Ottoline", "Ignatius")


def person(name: str, *roles: Role) -> Principal:
    return Principal(name, f"{name.lower()}@city.gov.uk", frozenset(roles), signed_in=True)


def paper_text(report: Report) -> tuple[list[str], list[list[list[str]]], str]:
    """The paper as Word paragraphs and tables (python-docx) and as the PDF's text."""
    document = Document(io.BytesIO(to_docx(report)))
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return [p.text for p in document.paragraphs], tables, pdf_text(to_pdf(report))


def shares(weights: Weights) -> dict[str, float]:
    """One person's weights as percentages of their total (the sliders' proportions)."""
    total = sum(getattr(weights, c) for c in CRITERIA)
    return {c: getattr(weights, c) / total * 100 for c in CRITERIA}


def run_workshop(store: Store, problem: DecisionProblem) -> tuple[str, Scenario]:
    """A workshop with five participants (six submissions) closed by its facilitator: its code and the
    group's scenario the close saved."""
    desk = Desk(store, person("Fran", Role.FACILITATOR))
    created = desk.create_workshop("Partnership board workshop", dt.timedelta(days=1))
    for name, browser, weights in SUBMISSIONS:
        store.submit(created.participant_token, browser, name, weights)
    submitted = desk.submissions(created.code)
    entries = list(zip(distinct_names([s.participant for s in submitted]), [s.weights for s in submitted], strict=True))
    view = group_view(problem, default_scenario(problem, "Core grant 2027/28"), entries, created.name)
    _, saved = desk.close_workshop(created.code, view.scenario, problem.sha256)
    return created.code, store.load_scenario(saved.id)[0]


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory, problem: DecisionProblem) -> tuple[Store, str, Scenario, DecisionRecord]:
    """The closed workshop and the record its facilitator's desk makes of it, while the page shows another budget."""
    store = Store.open(data_dir=tmp_path_factory.mktemp("workshop-store"))
    code, closed_scenario = run_workshop(store, problem)
    later_page = default_scenario(problem).model_copy(update={"budget_gbp": 400_000.0})
    record = Desk(store, person("Fran", Role.FACILITATOR)).workshop_record(problem, code, later_page)
    return store, code, closed_scenario, record


def test_the_record_is_the_closed_workshops(workshop: tuple[Store, str, Scenario, DecisionRecord]) -> None:
    """The record holds the scenario saved at the close (not the page's later one) and every participant's
    latest weights, two people with one name kept apart."""
    _, _, closed_scenario, record = workshop
    assert record.scenario == closed_scenario
    assert record.scenario.budget_gbp != 400_000.0
    assert record.created_by == "Fran <fran@city.gov.uk>"
    latest = {browser: (name, weights) for name, browser, weights in SUBMISSIONS}
    assert [p.name for p in record.participants] == distinct_names([name for name, _ in latest.values()])
    assert [p.weights for p in record.participants] == [weights for _, weights in latest.values()]
    assert len(record.participants) == 5


def test_the_paper_says_the_records_workshop(
    problem: DecisionProblem, workshop: tuple[Store, str, Scenario, DecisionRecord]
) -> None:
    """Participants' count, the group's weight, the lowest and the highest for every criterion, and the
    criterion people disagreed most about: worked out here from the record's participants, found in both files."""
    _, _, _, record = workshop
    people = [shares(p.weights) for p in record.participants]
    expected = {
        c: (
            f"{statistics.fmean(p[c] for p in people):.0f}%",
            f"{min(p[c] for p in people):.0f}%",
            f"{max(p[c] for p in people):.0f}%",
        )
        for c in CRITERIA
    }
    used = shares(record.scenario.weights)  # the group's weights are the scenario's
    assert all(f"{used[c]:.0f}%" == expected[c][0] for c in CRITERIA)
    widest = max(CRITERIA, key=lambda c: statistics.pstdev(p[c] for p in people))
    count = len(record.participants)

    paragraphs, tables, pdf = paper_text(board_report(problem, record))
    [table] = [t for t in tables if t[0][:4] == ["criterion", "group's weight", "lowest", "highest"]]
    assert {row[0]: tuple(row[1:4]) for row in table[1:]} == expected
    assert f"a workshop of {count} participants" in " ".join(paragraphs)
    assert f"The workshop's weights ({count} participants)" in paragraphs
    said = next(p for p in paragraphs if p.startswith("People disagreed most about"))
    assert said.startswith(f"People disagreed most about {widest}: from {expected[widest][1]} to {expected[widest][2]}")
    assert [h for h in paragraphs if h in SECTIONS] == SECTIONS

    assert f"a workshop of {count} participants" in pdf
    assert f"People disagreed most about {widest}: from {expected[widest][1]} to {expected[widest][2]}" in pdf
    for criterion, figures in expected.items():
        assert " ".join((criterion, *figures)) in pdf
    for text in (" ".join(paragraphs + [c for t in tables for r in t for c in r]), pdf):
        assert not [name for name in NAMES if name in text]  # the paper names nobody
        assert not [word for word in JARGON if word in text]


def test_weights_erased_after_the_close_are_said(tmp_path: Path, problem: DecisionProblem) -> None:
    """After an admin erases a participant, the paper keeps the weights the workshop closed with, counts the
    participants left, and says why the two differ."""
    store = Store.open(data_dir=tmp_path)
    code, closed_scenario = run_workshop(store, problem)
    admin = Desk(store, person("Ada", Role.ADMIN))
    admin.erase_participant(code, admin.submissions(code)[0].key)
    record = admin.workshop_record(problem, code, default_scenario(problem))
    assert record.scenario == closed_scenario and len(record.participants) == 4
    paragraphs, _, pdf = paper_text(board_report(problem, record))
    note = "The weights used were fixed when the workshop closed and differ from the average of the participants"
    assert any(p.startswith(note) for p in paragraphs) and note in pdf
    assert "a workshop of 4 participants" in " ".join(paragraphs)


def test_only_facilitators_get_a_workshops_record(
    problem: DecisionProblem, workshop: tuple[Store, str, Scenario, DecisionRecord]
) -> None:
    """A viewer and a commissioner (who may export records but not run workshops) are refused by the desk
    itself, whatever a page would show them."""
    store, code, _, _ = workshop
    for who in (person("Vic", Role.VIEWER), person("Cara", Role.COMMISSIONER)):
        with pytest.raises(Forbidden, match="create, run and close workshops"):
            Desk(store, who).workshop_record(problem, code, default_scenario(problem))


def test_an_open_workshops_paper_uses_the_group_weights_so_far(tmp_path: Path, problem: DecisionProblem) -> None:
    """While a workshop is open its record is the page's scenario with the group's weights so far; with
    nobody in yet there is nothing to report, said in words."""
    store = Store.open(data_dir=tmp_path)
    desk = Desk(store, person("Fran", Role.FACILITATOR))
    created = desk.create_workshop("Early look", dt.timedelta(hours=2))
    with pytest.raises(StoreError, match="no participant has submitted weights to the workshop 'Early look' yet"):
        desk.workshop_record(problem, created.code, default_scenario(problem))
    name, browser, weights = SUBMISSIONS[0]
    store.submit(created.participant_token, browser, name, weights)
    view = group_view(problem, default_scenario(problem), [(name, weights)], created.name)
    record = desk.workshop_record(problem, created.code, view.scenario)
    assert record.scenario == view.scenario and [p.weights for p in record.participants] == [weights]
