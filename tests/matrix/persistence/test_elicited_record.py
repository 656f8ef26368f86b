"""How the weights were elicited, kept in the decision record: the answers, the weights they gave, replayed on
the catalogue and said in the board report; answers whose weights were moved since are not kept."""

from __future__ import annotations

import json

from matrix.catalogue import Weights
from matrix.decision import DecisionProblem, default_scenario, swings
from matrix.persistence import Elicited, TradeOffAnswer, build_record, read_record, record_json, replay
from matrix.report import board_report
from scoring import CRITERIA, swing_weights


def _swung(problem: DecisionProblem) -> tuple[Elicited, Weights]:
    order = ("reach", "impact", "risk", "cost")
    ratings = {"reach": 100.0, "impact": 80.0, "risk": 40.0, "cost": 10.0}
    weights = swing_weights(list(order), ratings, {c: s.points for c, s in swings(problem).items()})
    whole = Weights(**{c: round(w * 100) for c, w in weights.items()})
    return Elicited(method="swing weighting", order=order, ratings=ratings, weights=whole), whole


def test_swing_answers_are_kept_replayed_and_said(problem: DecisionProblem) -> None:
    elicited, whole = _swung(problem)
    scenario = default_scenario(problem).model_copy(update={"weights": whole})
    record = read_record(record_json(build_record(problem, scenario, "Cara", elicited=elicited)))
    assert record.elicited == elicited
    assert replay(record)[0] == []
    report = board_report(problem, record)
    weights = next(s for s in report.sections if s.heading == "The weights and where they came from")
    assert any("Cara set these weights by swing weighting" in str(b) and "Reach 100" in str(b) for b in weights.blocks)


def test_answers_that_no_longer_give_the_weights_are_named_by_replay(problem: DecisionProblem) -> None:
    elicited, whole = _swung(problem)
    scenario = default_scenario(problem).model_copy(update={"weights": whole})
    data = json.loads(record_json(build_record(problem, scenario, "Cara", elicited=elicited)))
    data["elicited"]["ratings"]["impact"] = 60.0  # altered after the fact (still above risk, so it gives weights)
    differences, _ = replay(read_record(json.dumps(data).encode("utf-8")))
    assert any(d.startswith("weights (swing weighting): the answers gave ") for d in differences)
    data["elicited"]["ratings"]["impact"] = 20.0  # now below risk, which was put after it: no weights at all
    differences, _ = replay(read_record(json.dumps(data).encode("utf-8")))
    assert any("the answers no longer give weights: the swing on risk is rated above" in d for d in differences)


def test_answers_whose_weights_were_moved_since_are_left_out(problem: DecisionProblem) -> None:
    elicited, _ = _swung(problem)
    record = build_record(problem, default_scenario(problem), "Cara", elicited=elicited)  # the default weights
    assert record.elicited is None


def test_trade_off_answers_replay(problem: DecisionProblem) -> None:
    from scoring import TradeOff, trade_off_weights

    answers = (
        TradeOffAnswer(first="impact", first_points=50, second="reach", second_points=50, answer="first"),
        TradeOffAnswer(first="reach", first_points=50, second="cost", second_points=50, answer="first"),
        TradeOffAnswer(first="cost", first_points=50, second="risk", second_points=50, answer="same"),
    )
    derived = trade_off_weights(
        CRITERIA, [(TradeOff(a.first, a.first_points, a.second, a.second_points), a.answer) for a in answers]
    )
    whole = Weights(**{c: round(w * 100) for c, w in derived.items()})
    elicited = Elicited(method="trade-off questions", answers=answers, weights=whole)
    scenario = default_scenario(problem).model_copy(update={"weights": whole})
    record = read_record(record_json(build_record(problem, scenario, "Cara", elicited=elicited)))
    assert record.elicited == elicited and replay(record)[0] == []
    said = [str(b) for s in board_report(problem, record).sections for b in s.blocks]
    assert any("answering 3 trade-off questions" in b for b in said)


def test_a_record_of_trials_within_an_agreed_order_reads_back(problem: DecisionProblem) -> None:
    settings = {"draws": 300, "seed": 1, "mode": "space", "concentration": 50.0, "top_k": 5, "order": ("impact", "risk")}
    record = read_record(record_json(build_record(problem, default_scenario(problem), "Cara", monte_carlo=settings)))
    assert record.monte_carlo is not None and record.monte_carlo.mode == "space"
    assert record.monte_carlo.order == ("impact", "risk")
