"""Attacks on the surfaces added with plans, imprecise weights, elicitation and the data-quality view: plan
records and the plan command, trade-off questions on a catalogue where a criterion does not vary, answers
carried across a change of normalisation. Each test pins a defect that was found and fixed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from matrix.decision import DecisionProblem
from scoring import CRITERIA, Answer, TradeOff, next_trade_off, trade_off_weights, weight_ranges
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
    for _ in range(3):
        question = next_trade_off(CRITERIA, at.session_state["to_answers"], sizes)
        assert question is not None
        at.button(key=f"to_{_truthful(truth, question)}").click().run()
    assert len(at.session_state["to_answers"]) == 3
    at.selectbox(key="normalisation").set_value("minmax").run()
    assert not at.exception
    assert at.session_state["to_answers"] == []
    assert any("the earlier answers were set aside" in i.value for i in at.info)
