"""The hostile corpus (``tests/hostile.py``) through the CLI, the app's upload check, record replay and
the link reader: every case gets its words, never a traceback, a hang or a wrong acceptance."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from matrix.catalogue import CatalogueError, LoadedCatalogue, check_upload, interventions_frame
from matrix.decision import DecisionProblem, default_scenario, read_link
from matrix.persistence import build_record, record_json
from tests.conftest import SHIPPED, run_cli
from tests.hostile import Case, csv_cases, link_cases, record_cases, toml_cases


def _shipped_table() -> tuple[list[str], list[list[str]]]:
    from matrix.catalogue import load_catalogue

    frame = interventions_frame(load_catalogue(SHIPPED).catalogue)
    for column in frame.columns:  # lists are written as the upload reads them: "a; b"
        frame[column] = frame[column].map(lambda v: "; ".join(v) if isinstance(v, list | tuple) else v)
    text = io.StringIO()
    frame.to_csv(text, index=False)
    header, *rows = list(csv.reader(io.StringIO(text.getvalue())))
    return header, rows


def _shipped_record() -> bytes:
    from matrix.catalogue import load_catalogue
    from matrix.decision import build_problem

    loaded = load_catalogue(SHIPPED)
    problem = build_problem(loaded.catalogue, loaded.sha256, loaded.text)
    return record_json(build_record(problem, default_scenario(problem), "Corpus"))


TOML = toml_cases()
CSV = csv_cases(*_shipped_table())
RECORDS = record_cases(_shipped_record())
LINKS = link_cases()


def test_the_corpus_is_large_and_names_are_unique() -> None:
    """At least 300 cases over the four surfaces, each named once."""
    cases = TOML + CSV + RECORDS + LINKS
    assert len(cases) >= 300
    assert {c.surface for c in cases} == {"toml", "csv", "record", "link"}
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]


def _has_words(text: str, case: Case) -> None:
    assert "Traceback" not in text
    for words in case.words:
        assert words in text, f"{case.id}: expected {words!r} in:\n{text[:2000]}"


@pytest.mark.parametrize("case", TOML, ids=lambda c: c.name)
def test_toml_case(case: Case, shipped: LoadedCatalogue, tmp_path: Path) -> None:
    """validate exits 1 with the words; the app's upload check refuses it with the same words."""
    path = tmp_path / "catalogue.toml"
    path.write_bytes(case.payload)
    done = run_cli(["validate", str(path)])
    assert done.returncode == 1, f"{case.id} was accepted: {done.stdout}"
    _has_words(done.stderr, case)
    with pytest.raises(CatalogueError) as caught:
        check_upload(shipped.catalogue, "upload.toml", case.payload)
    _has_words("\n".join(caught.value.messages), case)


@pytest.mark.parametrize("case", CSV, ids=lambda c: c.name)
def test_csv_case(case: Case, shipped: LoadedCatalogue) -> None:
    """The app's upload check refuses the interventions CSV with the words, located by line."""
    with pytest.raises(CatalogueError) as caught:
        check_upload(shipped.catalogue, "upload.csv", case.payload)
    _has_words("\n".join(caught.value.messages), case)


@pytest.mark.parametrize("case", RECORDS, ids=lambda c: c.name)
def test_record_case(case: Case, tmp_path: Path) -> None:
    """replay exits 1 with the words (0 and "identical" only for a faithful record with a byte order mark)."""
    path = tmp_path / "record.json"
    path.write_bytes(case.payload)
    done = run_cli(["replay", str(path)])
    assert done.returncode == (0 if "identical" in case.words else 1), done.stdout + done.stderr
    _has_words(done.stdout + done.stderr, case)


@pytest.mark.parametrize("case", LINKS, ids=lambda c: c.name)
def test_link_case(case: Case, problem: DecisionProblem) -> None:
    """The link gives a usable scenario and a message with the words for what it could not use."""
    base = default_scenario(problem)
    scenario, _compared, messages = read_link(case.payload, problem, base)
    _has_words("\n".join(messages), case)
    assert 0 <= scenario.budget_gbp <= 1e10 and sum(scenario.weights.as_dict().values()) > 0
    assert len(scenario.name) <= 120
