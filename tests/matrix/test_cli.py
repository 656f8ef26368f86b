"""The command line: validate and score, with messages and exit codes, never tracebacks."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from matrix.catalogue import LoadedCatalogue, load_catalogue
from matrix.cli import main
from matrix.decision import DecisionProblem, default_scenario, evaluate
from scoring import money
from tests.conftest import ROOT, SHIPPED, Ran, run_cli
from tests.matrix.example import with_change


def run(*args: str) -> Ran:
    """The CLI called in process, as ``python -m matrix ARGS`` would call it."""
    return run_cli(list(args))


def test_validate_shipped_catalogue(shipped: LoadedCatalogue) -> None:
    """``python -m matrix validate`` (a real process: the entry point too) prints a one-line summary, exits 0."""
    done = subprocess.run([sys.executable, "-m", "matrix", "validate"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    catalogue = shipped.catalogue
    assert line.startswith(f"{SHIPPED}: valid: {len(catalogue.interventions)} interventions, {len(catalogue.sources)} sources, ")
    assert "illustrative and" in line and "unconfirmed values" in line


def test_validate_loads_only_what_it_needs() -> None:
    """``python -m matrix validate`` imports no NumPy, pandas, SciPy, Altair, SQLAlchemy or Streamlit (it needs none)."""
    script = (
        "import runpy, sys\n"
        "sys.argv = ['matrix', 'validate']\n"
        "try:\n"
        "    runpy.run_module('matrix', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        "print(' '.join(sorted({name.partition('.')[0] for name in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    summary, loaded = done.stdout.splitlines()
    assert ": valid: " in summary
    assert {"matrix", "scoring", "pydantic", "tomli"} <= set(loaded.split())
    assert not {"numpy", "pandas", "scipy", "highspy", "altair", "sqlalchemy", "streamlit"} & set(loaded.split())


def test_validate_lists_every_problem_and_exits_1(write_catalogue: Callable[[str | bytes], Path]) -> None:
    """A broken file: exit 1, each problem on its own line in the documented format, no traceback."""
    text = with_change("value = 50000,", "value = -1,")
    text = with_change('yef_strand = "mentoring"', 'yef_strand = "nope"', text)
    path = write_catalogue(text)
    done = run("validate", str(path))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[:2] == [
        f"{path}: interventions[0].annual_cost_gbp.value: must be greater than or equal to 0 (got -1)",
        f"{path}: interventions[0].yef_strand: unknown YEF strand; known strands: mentoring (got 'nope')",
    ]
    assert lines[-1] == "2 problem(s) found"
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00", b"a = [1,\n"])
def test_validate_unreadable_files_without_traceback(write_catalogue: Callable[[str | bytes], Path], content: bytes) -> None:
    """Empty, non-UTF-8 and malformed TOML files exit 1 with a message, not a traceback."""
    done = run("validate", str(write_catalogue(content)))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and done.stderr.strip()


def test_validate_folder_and_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder and a missing file each exit 1 with one line."""
    assert main(["validate", str(tmp_path)]) == 1
    assert main(["validate", str(tmp_path / "none.toml")]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path}: this is a folder, not a catalogue file" in err
    assert f"{tmp_path / 'none.toml'}: no such file" in err


def test_score_writes_ranked_csv_to_stdout() -> None:
    """score with weights writes the ranked CSV; reach-only weights put the best reach value first."""
    done = run("score", "--weights", "reach=1")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert float(rows[0]["reach"]) == max(float(r["reach"]) for r in rows)
    assert rows[0]["weight_reach"] == "100.0"


def test_score_with_preset_to_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], shipped: LoadedCatalogue) -> None:
    """--preset and --out write the file; the default preset gives the same order as its weights."""
    out = tmp_path / "shortlist.csv"
    assert main(["score", "--preset", "strategy_default", "--out", str(out)]) == 0
    assert main(["score", "--weights", "impact=40,reach=20,cost=20,risk=20", "--out", str(tmp_path / "w.csv")]) == 0
    assert out.read_bytes() == (tmp_path / "w.csv").read_bytes()
    assert f"wrote {len(shipped.catalogue.interventions)} ranked interventions" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--weights", "impact=0,reach=0"],
            "error: --weights: all weights are zero: give at least one criterion a weight above zero",
        ),
        (["--weights", "impct=3"], "error: --weights: unknown criterion 'impct'; the criteria are impact, reach, cost, risk"),
        (["--weights", "impact=lots"], "error: --weights: impact=lots is not a number"),
        (["--weights", "impact"], "error: --weights: 'impact' should look like criterion=number, e.g. impact=40"),
        (["--weights", "impact=-5"], "error: --weights: weights cannot be negative (impact)"),
        (
            ["--preset", "nope"],
            "error: --preset: no preset 'nope'; presets: strategy_default, evidence_first, reach_first, value_for_money, equal",
        ),
    ],
)
def test_score_bad_arguments(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad weights or presets exit 1 with a message in words."""
    assert main(["score", *args]) == 1
    assert capsys.readouterr().err.strip() == message


def test_shortlist_writes_funding_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str], problem: DecisionProblem) -> None:
    """shortlist writes every intervention with the score columns plus benefit, funded, level and cost, and
    its summary names the same funded set as the library's default scenario at that budget."""
    out = tmp_path / "funded.csv"
    assert main(["shortlist", "--budget", "880000", "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == len(problem.info)
    assert list(rows[0])[-6:] == ["benefit", "funded", "funded_level", "funded_cost_gbp", "change", "estimated_share"]
    funded = [r for r in rows if r["funded"] == "true"]
    assert sum(float(r["funded_cost_gbp"]) for r in funded) <= 880_000
    assert {r["funded"] for r in rows} == {"true", "false"}
    assert all(r["funded_level"] == "" and r["funded_cost_gbp"] == "0.0" for r in rows if r["funded"] == "false")
    optimum = evaluate(problem, default_scenario(problem).model_copy(update={"budget_gbp": 880_000.0})).optimum
    assert len(funded) == len(optimum.funded)
    summary = f"funded {len(optimum.funded)} of {len(rows)} interventions for {money(optimum.spend_gbp)}"
    assert summary in capsys.readouterr().err


def test_shortlist_constraints_change_the_set(capsys: pytest.CaptureFixture[str]) -> None:
    """--must, --exclude and --allow-harmful with --reason all shape the funded set."""
    args = ["shortlist", "--budget", "880000", "--must", "prison-mentoring", "--exclude", "cbt-community"]
    args += ["--allow-harmful", "prison-awareness-visits", "--reason", "evaluated pilot", "--must", "prison-awareness-visits"]
    assert main(args) == 0
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert rows["prison-mentoring"]["funded"] == "true"
    assert rows["cbt-community"]["funded"] == "false"
    assert rows["prison-awareness-visits"]["funded"] == "true"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--budget", "-5"], "error: --budget: must be zero or more (got -5)"),
        (["--budget", "1", "--must", "nope"], "error: must fund: no intervention has the id 'nope'"),
        (["--budget", "1", "--tier-min", "primary=1.5"], "error: --tier-min primary=1.5: the share must be between 0 and 1"),
        (
            ["--budget", "1", "--tier-max", "fourth=0.5"],
            "error: --tier-max fourth=0.5: write TIER=SHARE with TIER one of primary, secondary, tertiary, e.g. primary=0.3",
        ),
        (["--budget", "1", "--ringfence", "2"], "error: --ringfence: the share must be between 0 and 1 (got 2)"),
        (
            ["--budget", "1", "--allow-harmful", "prison-awareness-visits"],
            "error: --allow-harmful: give each one a --reason, in the same order",
        ),
        (
            ["--budget", "100000", "--must", "sports-diversion-mentoring", "--must", "ae-navigators-redthread"],
            "error: the constraints cannot all hold: must fund: £150,000 of commitments (at their cheapest levels) "
            "exceed the £100,000 budget",
        ),
    ],
)
def test_shortlist_bad_arguments(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad arguments and impossible constraints exit 1 with a message in words."""
    assert main(["shortlist", *args]) == 1
    assert capsys.readouterr().err.strip() == message


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["score", "--weights", "impact=1e308,reach=1e308"], "too large to add up"),
        (["score", "--weights", "impact=\u0663"], "is not a number"),
        (["score", "--weights", "impact=1_0"], "is not a number"),
        (["score", "--preset", ""], "no preset ''"),
        (
            ["shortlist", "--budget", "880000", "--tier-min", "primary=0.3", "--tier-min", "primary=0.5"],
            "primary is given more than once",
        ),
        (
            ["shortlist", "--budget", "880000", "--allow-harmful", "x", "--reason", "a", "--allow-harmful", "x", "--reason", "b"],
            "x is given more than once",
        ),
    ],
)
def test_hostile_arguments_are_refused_in_words(args: list[str], words: str) -> None:
    """Overflowing weights, non-ASCII digits, an empty preset and repeated options: exit 1 with a message."""
    done = run(*args)
    assert done.returncode == 1
    assert words in done.stderr


def test_roles_checks_a_file_and_shows_ones_roles(tmp_path: Path) -> None:
    """`roles` says whether a roles file is valid and which roles it gives a person; a broken file is refused in words."""
    example = ROOT / "roles.example.toml"
    ran = run_cli(["roles", str(example), "--email", "Someone@NottinghamCity.gov.uk"])
    assert ran.returncode == 0 and ran.stdout.splitlines()[-1] == "someone@nottinghamcity.gov.uk: commissioner, viewer"
    ran = run_cli(["roles", str(example), "--email", "x@y.org", "--group", "00000000-0000-0000-0000-000000000000"])
    assert ran.stdout.splitlines()[-1] == "x@y.org: facilitator"
    broken = tmp_path / "roles.toml"
    broken.write_text('default_role = "none"\n[[rule]]\ndomain = "b.org"\nroles = ["boss"]\n', encoding="utf-8")
    ran = run_cli(["roles", str(broken)])
    assert ran.returncode == 1 and "rule 1 roles 1: Input should be 'viewer'" in ran.stderr
    broken.write_text('default_role = "none"\n', encoding="utf-8")
    ran = run_cli(["roles", str(broken), "--email", "a@b.org"])
    assert ran.returncode == 0 and ran.stdout.splitlines()[-1] == "a@b.org: no role (refused)"


def test_montecarlo_writes_probabilities_with_standard_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """montecarlo writes, per intervention, P(rank 1), P(top K) and P(funded) with standard errors; the
    same seed gives the same file, and the rank-1 probabilities add up to one."""
    args = ["montecarlo", "--budget", "880000", "--tier-min", "primary=0.3", "--draws", "300", "--top", "3"]
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert main([*args, "--seed", "7", "--out", str(first)]) == 0
    assert main([*args, "--seed", "7", "--out", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    rows = list(csv.DictReader(first.open(encoding="utf-8")))
    assert len(rows) == len(load_catalogue(SHIPPED).catalogue.interventions)
    assert list(rows[0]) == ["id", "name", "p_rank_1", "se_rank_1", "p_top_3", "se_top_3", "p_funded", "se_funded"]
    assert sum(float(r["p_rank_1"]) for r in rows) == pytest.approx(1.0)
    assert sum(float(r["p_top_3"]) for r in rows) == pytest.approx(3.0)
    for r in rows:
        p = float(r["p_funded"])
        assert float(r["se_funded"]) == pytest.approx((p * (1 - p) / 300) ** 0.5)
    assert "300 draws, seed 7" in capsys.readouterr().err
    assert main([*args, "--seed", "8", "--out", str(second)]) == 0
    assert first.read_bytes() != second.read_bytes()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--draws", "0"], "--draws: give a number from 1 to 1,000,000 (got 0)"),
        (["--top", "400"], "--top: give a number from 1 to"),
        (["--seed", "-1"], "--seed: must be zero or more (got -1)"),
    ],
)
def test_montecarlo_bad_arguments(args: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["montecarlo", "--budget", "880000", *args]) == 1
    assert words in capsys.readouterr().err
