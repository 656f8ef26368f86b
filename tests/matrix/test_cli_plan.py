"""``python -m matrix plan``: the year-by-stream CSV, stream questions in words, and refusals in words."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from matrix.decision import DecisionProblem
from tests.conftest import SHIPPED, Ran, run_cli

HEADER = ["year", "financial_year", "stream", "stream_name", "id", "name", "level", "change", "paid_gbp", "cost_gbp"]


def run(*args: str) -> Ran:
    return run_cli(list(args))


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def without_streams(tmp_path: Path) -> str:
    """The shipped catalogue with its funding streams cut off (they come last in the file)."""
    text = Path(SHIPPED).read_text(encoding="utf-8")
    path = tmp_path / "no-streams.toml"
    path.write_text(text[: text.index("# ---------------------------------------------------------------- funding streams")])
    return str(path)


def test_one_year_without_streams_funds_the_shortlist(tmp_path: Path) -> None:
    """On a catalogue without streams, a one-year plan at £880,000 funds what the shortlist funds, all from the budget."""
    catalogue = without_streams(tmp_path)
    planned = run("plan", "--years", "1", "--budget", "880000", "--catalogue", catalogue)
    listed = run("shortlist", "--budget", "880000", "--catalogue", catalogue)
    assert planned.returncode == 0 and listed.returncode == 0, planned.stderr + listed.stderr
    plan = rows(planned.stdout)
    assert list(plan[0]) == HEADER
    funded = {r["id"]: float(r["funded_cost_gbp"]) for r in rows(listed.stdout) if r["funded"] == "true"}
    assert {r["stream"] for r in plan} == {"budget"}
    assert {r["id"]: float(r["cost_gbp"]) for r in plan} == funded
    assert all(r["paid_gbp"] == r["cost_gbp"] for r in plan)


def test_eiyf_ending_in_year_two(tmp_path: Path) -> None:
    """ "What if the EIYF ends in year two": the words say so, and the CSV has no EIYF money after year 1."""
    out = tmp_path / "plan.csv"
    ran = run("plan", "--years", "3", "--stream-end", "early-intervention-youth-fund=2", "--out", str(out))
    assert ran.returncode == 0, ran.stderr
    lines = ran.stderr.splitlines()
    assert "What if Early Intervention Youth Fund ends in year 2 (2021/22): it pays in year 1 only." in lines
    assert lines[-1] == f"wrote the 3-year plan, year by stream to {out}"
    plan = rows(out.read_text(encoding="utf-8"))
    eiyf_years = {r["year"] for r in plan if r["stream"] == "early-intervention-youth-fund"}
    assert eiyf_years == {"1"}
    assert {r["financial_year"] for r in plan} == {"2020/21", "2021/22", "2022/23"}
    surge = [r for r in plan if r["stream"] == "police-surge-funding"]
    assert surge and {r["year"] for r in surge} == {"1"}


def test_refusals_in_words() -> None:
    """Six years, an unknown stream, a cut above 1 and a must-fund no stream may pay for are refused with reasons."""
    six = run("plan", "--years", "6")
    assert six.returncode == 1 and "--years: must be less than or equal to 5" in six.stderr
    unknown = run("plan", "--years", "1", "--stream-end", "eiyf=2")
    assert unknown.returncode == 1 and "stream end: no funding stream has the id 'eiyf'" in unknown.stderr
    cut = run("plan", "--years", "1", "--stream-cut", "pcc-funding=1.5")
    assert cut.returncode == 1 and "--stream-cut pcc-funding: must be less than or equal to 1" in cut.stderr
    nobody = run("plan", "--years", "1", "--must", "cctv-lighting-upgrades", "--stream-cut", "home-office-core-grant=1")
    assert nobody.returncode == 1
    assert nobody.stderr == (
        "error: the plan cannot meet every rule: year 1: must fund CCTV and lighting upgrades, "
        "but no stream that may pay for it has money that year\n"
    )


def test_a_scenario_file_gives_the_same_plan_as_the_flags(tmp_path: Path) -> None:
    """The app's plan file (JSON) and a hand-written TOML one give the plan the flags give, byte for byte."""
    from matrix.catalogue import Weights
    from matrix.decision import PlanSettings, Scenario, plan_file_text

    flags = run("plan", "--weights", "impact=40,reach=20,cost=20,risk=20", "--must", "cbt-community", "--years", "3",
                "--stream-end", "early-intervention-youth-fund=2", "--stream-cut", "home-office-core-grant=0.25")  # fmt: skip
    assert flags.returncode == 0, flags.stderr
    scenario = Scenario(
        name="Command line plan",
        weights=Weights(impact=40, reach=20, cost=20, risk=20),
        budget_gbp=880_000,
        must_fund=("cbt-community",),
    )
    settings = PlanSettings(
        years=3, stream_ends={"early-intervention-youth-fund": 2}, stream_cuts={"home-office-core-grant": 0.25}
    )
    as_json = tmp_path / "plan.json"
    as_json.write_text(plan_file_text(scenario, settings), encoding="utf-8")
    as_toml = tmp_path / "plan.toml"
    as_toml.write_text(
        "[scenario]\nweights = { impact = 40, reach = 20, cost = 20, risk = 20 }\nbudget_gbp = 880000\n"
        'must_fund = ["cbt-community"]\n\n[plan]\nyears = 3\n'
        "stream_ends = { early-intervention-youth-fund = 2 }\nstream_cuts = { home-office-core-grant = 0.25 }\n",
        encoding="utf-8",
    )
    for path in (as_json, as_toml):
        found = run("plan", "--scenario", str(path))
        assert found.returncode == 0, found.stderr
        assert found.stdout == flags.stdout
        assert "What if Early Intervention Youth Fund ends in year 2" in found.stderr


def test_a_bad_scenario_file_is_refused_in_words(tmp_path: Path) -> None:
    """Each problem named with the file and its place; flags beside a file refused; a missing file said so."""
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "[scenario]\nweights = { impact = 1, reach = 0, cost = 0, risk = 0 }\nbudget_gbp = -5\n[plan]\nyears = 9\nfoo = 1\n"
    )
    found = run("plan", "--scenario", str(bad))
    assert found.returncode != 0 and "Traceback" not in found.stderr
    assert f"{bad}: scenario.budget_gbp: must be greater than or equal to 0" in found.stderr
    assert f"{bad}: plan.years: must be less than or equal to 5" in found.stderr
    assert f"{bad}: plan.foo: is not a setting a plan file can have" in found.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text("[scenario\n")
    found = run("plan", "--scenario", str(broken))
    assert found.returncode != 0 and "line 1" in found.stderr and str(broken) in found.stderr
    unknown = tmp_path / "unknown.json"
    unknown.write_text('{"scenario": {"weights": {"impact": 1, "reach": 1, "cost": 1, "risk": 1}, "budget_gbp": 1,'
                       ' "must_fund": ["nope"]}}')  # fmt: skip
    found = run("plan", "--scenario", str(unknown))
    assert found.returncode != 0 and "no intervention has the id 'nope'" in found.stderr
    found = run("plan", "--scenario", str(bad), "--years", "2", "--must", "cbt-community")
    assert found.returncode != 0 and "leave out --must, --years" in found.stderr
    found = run("plan", "--scenario", str(tmp_path / "none.json"))
    assert found.returncode != 0 and "cannot read" in found.stderr and "No such file" in found.stderr


def test_a_service_not_ready_before_year_two(tmp_path: Path, problem: DecisionProblem) -> None:
    """``--not-before ID=YEAR`` keeps an intervention out of the years before, says so, and matches the library; the
    flag's own mistakes are refused in words."""
    from matrix.decision import PlanSettings, build_plan, default_scenario

    scenario = default_scenario(problem)
    base = build_plan(problem, scenario, PlanSettings(years=3))
    ident = str(base.plan.chosen.loc[base.plan.chosen["year"] == 1, "intervention"].iloc[0])
    out = tmp_path / "plan.csv"
    ran = run("plan", "--years", "3", "--not-before", f"{ident}=2", "--out", str(out))
    assert ran.returncode == 0, ran.stderr
    assert f"Not funded before year 2 (2021/22): {problem.names[ident]}." in ran.stderr.splitlines()
    plan = rows(out.read_text(encoding="utf-8"))
    assert ident not in {r["id"] for r in plan if r["year"] == "1"}
    expected = build_plan(problem, scenario, PlanSettings(years=3, not_before={ident: 2}))
    assert len(plan) == len(expected.table)
    late = run("plan", "--years", "2", "--not-before", f"{ident}=3")
    assert late.returncode == 0, late.stderr
    assert f"Not funded in this plan (not ready before year 3): {problem.names[ident]}." in late.stderr.splitlines()
    assert ident not in {r["id"] for r in rows(late.stdout)}
    word = run("plan", "--years", "2", "--not-before", f"{ident}=soon")
    assert word.returncode == 1 and f"--not-before {ident}=soon: write ID=YEAR with a whole number" in word.stderr
