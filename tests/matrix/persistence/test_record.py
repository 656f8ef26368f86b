"""Decision records: replay identity, differences named exactly, stale and malformed records refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matrix.catalogue import Weights
from matrix.cli import main
from matrix.decision import DecisionProblem, default_scenario
from matrix.persistence import RecordError, build_record, read_record, record_json, replay
from matrix.persistence.record import METHOD, MODEL_VERSION
from tests.conftest import SHIPPED


def make_record(problem: DecisionProblem, **changes: object) -> bytes:
    scenario = default_scenario(problem).model_copy(update={"budget_gbp": 600_000, "must_fund": ("prison-mentoring",), **changes})
    participants = [
        ("Ann", Weights(impact=50, reach=20, cost=10, risk=20)),
        ("Bob", Weights(impact=20, reach=50, cost=10, risk=20)),
    ]
    settings = {"draws": 2000, "seed": 7, "mode": "around", "concentration": 50, "top_k": 5}
    return record_json(build_record(problem, scenario, "Fran", participants, settings))


def test_replay_is_identical(problem: DecisionProblem) -> None:
    """A record replays to the same ranking and funded set, from its own copy and from the shipped file."""
    record = read_record(make_record(problem))
    assert record.catalogue.sha256 == problem.sha256
    assert [p.name for p in record.participants] == ["Ann", "Bob"]
    assert replay(record)[0] == []
    assert replay(record, SHIPPED.read_bytes(), "shipped")[0] == []


def test_replay_names_catalogue_changes(problem: DecisionProblem) -> None:
    """Against an edited catalogue the replay says the hash differs and lists what changed in the results."""
    record = read_record(make_record(problem))
    edited = SHIPPED.read_text(encoding="utf-8").replace(
        'value = 45000, source = "illustrative", note = "consistent with the £ band"', 'value = 95000, source = "illustrative"'
    )
    differences, _ = replay(record, edited.encode("utf-8"), "edited.toml")
    assert differences[0].startswith(f"catalogue: the record was made with sha256 {problem.sha256[:12]}")
    assert "funded set: cbt-community (full) was funded and is not now" in differences
    assert any(d.startswith("ranking: cbt-community was rank 1") for d in differences)


def test_replay_names_method_changes(problem: DecisionProblem) -> None:
    """A record from another model version or method is reported as different."""
    data = json.loads(make_record(problem))
    data["model_version"] = "0"
    data["method"]["ties"] = "first come, first served"
    differences, _ = replay(read_record(json.dumps(data).encode()))
    assert f"method: the record was made with model version 0; this app has {MODEL_VERSION}" in differences
    assert f"method (ties): the record says 'first come, first served'; this app does '{METHOD['ties']}'" in differences


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "the record is not valid JSON (line 1, column 2"),
        (b"[1, 2]", "the record is not a decision record (expected a JSON object)"),
        (b'{"record_format": 2}', "the record has record format 2; this version of the app reads format 1"),
        (b'{"record_format": 1}', "the record is not a valid decision record: app_version: Field required"),
        (b"\xff\xfe", "the record is not UTF-8 text"),
    ],
)
def test_malformed_and_stale_records_are_refused(raw: bytes, message: str) -> None:
    """Records that are not JSON, not objects, from another format or incomplete are refused in words."""
    with pytest.raises(RecordError) as caught:
        read_record(raw)
    assert str(caught.value).startswith(message)


def test_replay_command(problem: DecisionProblem, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """python -m matrix replay: exit 0 and 'identical' for a faithful record, exit 1 listing differences otherwise."""
    path = tmp_path / "record.json"
    path.write_bytes(make_record(problem))
    assert main(["replay", str(path)]) == 0
    assert f"identical: {len(problem.info)} interventions ranked the same" in capsys.readouterr().out
    edited = tmp_path / "edited.toml"
    edited.write_text(SHIPPED.read_text(encoding="utf-8").replace("value = 190000,", "value = 290000,"), encoding="utf-8")
    assert main(["replay", str(path), "--catalogue", str(edited)]) == 1
    out = capsys.readouterr().out
    assert "the replay differs from the record in" in out and "catalogue: the record was made with sha256" in out
    assert main(["replay", str(tmp_path / "missing.json")]) == 1
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'missing.json'}: no such file"
