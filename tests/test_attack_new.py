"""Attacks on the surfaces added with plans, imprecise weights, elicitation and the data-quality view: plan
records and the plan command, trade-off questions on a catalogue where a criterion does not vary, answers
carried across a change of normalisation. Each test pins a defect that was found and fixed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from matrix.decision import DecisionProblem
from scoring import CRITERIA, Answer, TradeOff, next_trade_off, trade_off_weights, weight_ranges
from tests.conftest import SHIPPED, run_cli
from tests.matrix.example import readme_example
from tests.ui.test_app import start

# Two criteria that every intervention shares (impact and risk: one YEF strand, one delivery risk) and two
# that differ (reach and cost).
FLAT_SIZES = {"impact": 0.0, "reach": 40.0, "cost": 60.0, "risk": 0.0}


def _truthful(truth: dict[str, float], question: TradeOff) -> Answer:
    """The answer of someone with these weights, indifferent within 2e-3 (as the library's own tests answer)."""
    first = truth[question.first] * question.first_points
    second = truth[question.second] * question.second_points
    return "first" if first > second + 2e-3 else "second" if second > first + 2e-3 else "same"


def flat_catalogue() -> str:
    """The README's example with three interventions on one YEF strand and one delivery risk: they differ on
    reach and cost only, so the impact and risk swings are 0."""
    base = readme_example()
    head, block = base[: base.index("[[interventions]]")], base[base.index("[[interventions]]") :]
    out = head
    for k, (cost, reach) in enumerate(((50000, 100), (20000, 1000), (100000, 5000))):
        item = block.replace('id = "peer-mentoring"', f'id = "p{k}"').replace("Peer mentoring", f"Peer mentoring {k}")
        item = item.replace("annual_cost_gbp = { value = 50000", f"annual_cost_gbp = {{ value = {cost}")
        reach_line = f'reach_per_year = {{ value = {reach}, source = "plan" }}'
        item = item.replace('reach_per_year = { source = "unconfirmed" }', reach_line)
        out += item + "\n"
    return out


def test_a_criterion_that_does_not_vary_gets_no_weight_from_trade_offs() -> None:
    """Swings of 0 on impact and risk: the questions ask about reach and cost only, and when they stop the
    weights are pinned, impact and risk at 0 (as swing weighting gives a swing that changes nothing), not left
    anywhere from 0% to 94% with "Use these weights" putting 47% on impact."""
    truth = {"impact": 0.0, "reach": 0.5, "cost": 0.5, "risk": 0.0}
    answered: list[tuple[TradeOff, Answer]] = []
    for _ in range(60):
        question = next_trade_off(CRITERIA, answered, FLAT_SIZES)
        if question is None:
            break
        assert {question.first, question.second} == {"reach", "cost"}
        answered.append((question, _truthful(truth, question)))
    assert question is None
    ranges = weight_ranges(CRITERIA, answered, FLAT_SIZES)
    assert ranges["impact"] == pytest.approx((0.0, 0.0)) and ranges["risk"] == pytest.approx((0.0, 0.0))
    assert all(high - low <= 0.05 for low, high in ranges.values())
    weights = trade_off_weights(CRITERIA, answered, FLAT_SIZES)
    assert weights["impact"] == pytest.approx(0.0) and weights["risk"] == pytest.approx(0.0)
    assert weights["reach"] == pytest.approx(0.5, abs=0.05) and weights["cost"] == pytest.approx(0.5, abs=0.05)


def test_trade_offs_on_a_catalogue_where_nothing_varies_say_so() -> None:
    """Every swing 0 (one intervention, say): no question, and words instead of 'answers  contradict'."""
    from scoring import WeightsError

    with pytest.raises(WeightsError, match="every option scores the same on every criterion"):
        weight_ranges(CRITERIA, [], dict.fromkeys(CRITERIA, 0.0))


def test_the_sidebar_trade_offs_on_a_flat_catalogue_put_no_weight_where_nothing_varies(
    write_catalogue: Callable[[str | bytes], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the page: answering until the questions stop, then "Use these weights", leaves the impact and
    risk sliders at 0 (every intervention scores the same on them)."""
    from matrix.catalogue import load_catalogue
    from matrix.decision import build_problem, swings

    path = write_catalogue(flat_catalogue())
    monkeypatch.setenv("MATRIX_CATALOGUE", str(path))
    loaded = load_catalogue(path)
    sizes = {c: s.points for c, s in swings(build_problem(loaded.catalogue, loaded.sha256)).items()}
    assert sizes["impact"] == 0 and sizes["risk"] == 0 and sizes["reach"] > 0 and sizes["cost"] > 0
    truth = {"impact": 0.0, "reach": 0.3, "cost": 0.7, "risk": 0.0}
    at = start(tab="Ranking")
    at.session_state["to_fold"] = True
    at.run()
    for _ in range(40):
        question = next_trade_off(CRITERIA, at.session_state["to_answers"], sizes)
        if question is None:
            break
        at.button(key=f"to_{_truthful(truth, question)}").click().run()
        assert not at.exception
    assert any("Your answers pin the weights down." in m.value for m in at.markdown)
    at.button(key="to_apply").click().run()
    assert not at.exception
    assert at.slider(key="w_impact").value == 0 and at.slider(key="w_risk").value == 0


def test_trade_off_answers_are_not_carried_to_another_normalisation(problem: DecisionProblem) -> None:
    """An answer weighs value points of the swings it was asked with; after switching to min-max (every swing
    100 points) the same points mean another trade-off, so the page sets the answers aside and says so, rather
    than turning them into weights for the new scale."""
    from matrix.decision import swings

    sizes = {c: s.points for c, s in swings(problem).items()}
    truth = {"impact": 0.5, "reach": 0.1, "cost": 0.25, "risk": 0.15}
    at = start(tab="Ranking")
    at.session_state["to_fold"] = True
    at.run()
    for _ in range(3):
        question = next_trade_off(CRITERIA, at.session_state["to_answers"], sizes)
        assert question is not None
        at.button(key=f"to_{_truthful(truth, question)}").click().run()
    assert len(at.session_state["to_answers"]) == 3
    at.selectbox(key="normalisation").set_value("minmax").run()
    assert not at.exception
    assert at.session_state["to_answers"] == []
    assert any("the earlier answers were set aside" in i.value for i in at.info)


# Plans in decision records and the plan command --------------------------------------------------------------


@pytest.fixture(scope="module")
def plan_record() -> dict[str, object]:
    """A faithful record of the shipped catalogue's default scenario with a two-year plan, as JSON."""
    from matrix.catalogue import load_catalogue
    from matrix.decision import PlanSettings, build_problem, default_scenario
    from matrix.persistence import build_record, record_json

    loaded = load_catalogue(SHIPPED)
    problem = build_problem(loaded.catalogue, loaded.sha256, loaded.text)
    data: dict[str, object] = json.loads(
        record_json(build_record(problem, default_scenario(problem), "Attack", plan=PlanSettings(years=2)))
    )
    return data


@pytest.mark.parametrize(
    ("row", "field", "value", "words"),
    [
        ("payments", "amount_gbp", -1e308, "plan.payments.0.amount_gbp: must be greater than or equal to 0"),
        ("payments", "year", 10**20, "plan.payments.0.year: must be less than or equal to 5"),
        ("funded", "cost_gbp", -1, "plan.funded.0.cost_gbp: must be greater than or equal to 0"),
        ("funded", "year", 99, "plan.funded.0.year: must be less than or equal to 5"),
    ],
)
def test_a_record_whose_plan_pays_negative_money_or_runs_past_five_years_is_refused(
    plan_record: dict[str, object], tmp_path: Path, row: str, field: str, value: float, words: str
) -> None:
    """No plan the app makes pays less than nothing or has a year 99: such a record is refused as not valid, in
    words, instead of being replayed into "pcc-funding paid £-100,000,000,...,000 then" (a 300-digit amount)."""
    import copy

    data = copy.deepcopy(plan_record)
    plan = data["plan"]
    assert isinstance(plan, dict)
    plan[row][0][field] = value
    path = tmp_path / "record.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    done = run_cli(["replay", str(path)])
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "is not a valid decision record" in done.stderr and words in done.stderr


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--contract-years", "0"], "--contract-years: must be greater than or equal to 1"),
        (["--stream-end", "pcc-funding=0"], "--stream-end pcc-funding: must be greater than or equal to 1"),
        (["--inflation", "-1"], "--inflation: must be greater than or equal to 0"),
        (["--stream-new", "extra=-5"], "--stream-new extra: must be greater than or equal to 0"),
        (["--stream-cut", "PCC=0.5"], "--stream-cut PCC: must be an id"),
        (["--weights", "impact=0,reach=0,cost=0,risk=0"], "--weights: all weights are zero"),
        (["--ringfence", "0.9"], "--ringfence: must be less than or equal to 0.5"),
    ],
)
def test_plan_refusals_name_the_flag_typed(flags: list[str], words: str) -> None:
    """A refused setting is named by the flag the user typed, in plain words: not "min_contract_years: Input
    should be ...", "stream_ends.pcc-funding" or ": Value error, all weights are zero"."""
    done = run_cli(["plan", "--catalogue", str(SHIPPED), *flags])
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert words in done.stderr, done.stderr
    assert "Input should be" not in done.stderr and "Value error" not in done.stderr


def test_a_report_path_that_cannot_be_written_is_refused_before_any_file(tmp_path: Path) -> None:
    """--report naming a folder (board.docx/) or a missing folder is refused at once, by that flag's name, and
    leaves no decision record behind without its report (it used to write board.record.json, work out the plan
    and then fail with "--out: cannot write ...: Is a directory")."""
    folder = tmp_path / "board.docx"
    folder.mkdir()
    for target, words in ((folder, "it is a folder"), (tmp_path / "missing" / "board.pdf", "there is no folder")):
        done = run_cli(["plan", "--catalogue", str(SHIPPED), "--years", "1", "--report", str(target)])
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert f"--report: cannot write {target}: {words}" in done.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["board.docx"]
