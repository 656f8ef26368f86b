"""The Sensitivity tab through AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest

from matrix.catalogue import SHIPPED_CATALOGUE, Weights
from matrix.decision import DecisionProblem, default_scenario, what_would_it_take
from tests.ui.test_app import start
from ui import sensitivity
from ui.text import plain


def test_sensitivity_tab_runs_and_explains(problem: DecisionProblem, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tab shows the stability table and answers 'what would it take' for the chosen intervention, with the
    library's own weight change for an intervention that raising one weight would fund (at once: the answers
    count as quick here, as they are on the shipped catalogue)."""
    monkeypatch.setattr(sensitivity, "QUICK_SECONDS", float("inf"))
    scenario = default_scenario(problem)
    target, expected = next(
        (i, said)
        for i in problem.info.index
        for said in what_would_it_take(problem, scenario, i, 5)
        if said.startswith("Funding: raising the")
    )
    at = start(tab="Sensitivity")
    assert not at.exception
    at.selectbox(key="sa_target").set_value(target).run()
    assert not at.exception
    answers = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert f"- {plain(expected)}" in answers
    stability = next(df.value for df in at.dataframe if "criterion" in df.value.columns)
    assert list(stability["criterion"]) == ["impact", "reach", "cost", "risk"]


def test_monte_carlo_toggle_shows_probabilities() -> None:
    """Turning on the Monte Carlo analysis shows each intervention's probabilities, with how far off they may be
    said as 'give or take' in percentage points (the largest standard error)."""
    at = start(tab="Sensitivity")
    at.number_input(key="mc_draws").set_value(500).run()
    at.toggle(key="mc_on").set_value(True).run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "chance of being funded" in df.value.columns)
    assert table["chance of being funded"].between(0, 1).all()
    [said] = [m.value for m in at.markdown if m.value.startswith("500 trials (starting number 20261121)")]
    chances = [float(v) for c in table.columns if c.startswith("chance of") for v in table[c].dropna()]
    worst = max((p * (1 - p) / 500) ** 0.5 for p in chances)  # every chance shown, ranking first included
    assert f"give or take at most {worst * 100:.1f} percentage points" in said


def test_a_weight_nudge_keeps_the_trials_until_asked_to_update() -> None:
    """After the trials have run, moving a weight does not run them again: the earlier table stays,
    marked as run for earlier weights, until 'Update the trials' runs them for the new weights."""
    at = start(tab="Sensitivity")
    at.number_input(key="mc_draws").set_value(300).run()
    at.toggle(key="mc_on").set_value(True).run()
    before = next(df.value for df in at.dataframe if "chance of being funded" in df.value.columns)
    assert len(at.session_state["mc_results"]) == 1
    at.slider(key="w_reach").set_value(60).run()
    assert not at.exception
    assert len(at.session_state["mc_results"]) == 1  # nothing was run for the nudge
    assert any("run for earlier weights" in i.value for i in at.info)
    kept = next(df.value for df in at.dataframe if "chance of being funded" in df.value.columns)
    assert kept.equals(before)
    at.button(key="mc_update").click().run()
    assert not at.exception and not any("run for earlier weights" in i.value for i in at.info)
    assert len(at.session_state["mc_results"]) == 2
    after = next(df.value for df in at.dataframe if "chance of being funded" in df.value.columns)
    assert not after.equals(before)
    at.slider(key="w_reach").set_value(20).run()  # back to the first weights: their trials are kept
    assert not any("run for earlier weights" in i.value for i in at.info)
    assert next(df.value for df in at.dataframe if "chance of being funded" in df.value.columns).equals(before)


def test_a_weight_nudge_keeps_the_stability_table_until_asked_to_update(monkeypatch: pytest.MonkeyPatch) -> None:
    """The funded set's stability (exact re-solves near each weight) is worked out when the tab first shows it;
    when that took longer than ``QUICK_SECONDS`` (here any time does), a weight nudge keeps that table, marked as
    for earlier weights, until 'Update' works it out again, and returning to the first weights shows their table
    without working anything out."""
    monkeypatch.setattr(sensitivity, "QUICK_SECONDS", 0.0)
    at = start(tab="Sensitivity")
    assert not at.exception
    before = next(df.value for df in at.dataframe if "criterion" in df.value.columns)
    assert len(at.session_state["sa_stability"]) == 1
    at.slider(key="w_impact").set_value(70).run()
    assert not at.exception
    assert len(at.session_state["sa_stability"]) == 1  # nothing was worked out for the nudge
    assert any("This table was worked out for earlier weights" in i.value for i in at.info)
    assert next(df.value for df in at.dataframe if "criterion" in df.value.columns).equals(before)
    assert any(h.value == "What would it take?" for h in at.header)  # the rest of the tab still shows
    at.button(key="sa_stability_update").click().run()
    assert not at.exception and not any("This table was worked out for earlier weights" in i.value for i in at.info)
    assert len(at.session_state["sa_stability"]) == 2
    after = next(df.value for df in at.dataframe if "criterion" in df.value.columns)
    assert not after.equals(before)
    at.slider(key="w_impact").set_value(40).run()  # back to the first weights: their table is kept
    assert not any("This table was worked out for earlier weights" in i.value for i in at.info)
    assert len(at.session_state["sa_stability"]) == 2
    assert next(df.value for df in at.dataframe if "criterion" in df.value.columns).equals(before)


def test_slow_answers_wait_for_a_request_and_quick_ones_do_not(problem: DecisionProblem, monkeypatch: pytest.MonkeyPatch) -> None:
    """When 'what would it take' took longer than ``QUICK_SECONDS`` (here any time does), choosing another
    intervention still answers at once (the choice is the request), but a weight nudge keeps those answers, said
    to be for earlier settings, until the update button works them out for the new weights; when it is quick
    (any time is), a weight nudge works the stability table out again at once, nothing said to be for earlier
    weights."""
    monkeypatch.setattr(sensitivity, "QUICK_SECONDS", 0.0)
    at = start(tab="Sensitivity")
    target = next(i for i in problem.info.index if i != at.selectbox(key="sa_target").value)
    at.selectbox(key="sa_target").set_value(target).run()
    assert not at.exception

    def answers() -> list[str]:
        return [m.value for m in at.markdown if m.value.startswith("- ")]

    for said in what_would_it_take(problem, default_scenario(problem), target, 5):
        assert f"- {plain(said)}" in answers()
    assert not any("These answers were worked out for earlier settings" in i.value for i in at.info)
    shown = answers()
    at.slider(key="w_impact").set_value(70).run()
    assert any("These answers were worked out for earlier settings" in i.value for i in at.info)
    assert answers() == shown
    at.button(key="sa_what_update").click().run()
    assert not any("These answers were worked out for earlier settings" in i.value for i in at.info)
    nudged = default_scenario(problem).model_copy(update={"weights": Weights(impact=70, reach=20, cost=20, risk=20)})
    for said in what_would_it_take(problem, nudged, target, 5):
        assert f"- {plain(said)}" in answers()

    monkeypatch.setattr(sensitivity, "QUICK_SECONDS", float("inf"))
    kept = len(at.session_state["sa_stability"])
    at.slider(key="w_impact").set_value(60).run()
    assert not at.exception
    assert len(at.session_state["sa_stability"]) == kept + 1  # worked out again for the nudge
    assert not any("worked out for earlier" in i.value for i in at.info)


def test_an_analysis_that_fails_is_not_run_again_unasked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault in an analysis withdraws its request: the next run of the page does not start it again (it waits
    for its button), and no Stop button is left on the page."""
    calls: list[int] = []

    def broken(*args: object, **kwargs: object) -> object:
        calls.append(1)
        raise RuntimeError("parametric analysis did not settle")

    monkeypatch.setattr(sensitivity, "QUICK_SECONDS", 0.0)
    at = start(tab="Sensitivity")
    monkeypatch.setattr(sensitivity, "stability_table", broken)
    at.slider(key="w_impact").set_value(70).run()  # waits for its button: nothing runs
    assert not calls
    at.button(key="sa_stability_update").click().run()
    assert calls == [1] and at.exception
    at.slider(key="w_impact").set_value(60).run()
    assert calls == [1]
    assert not any(b.key == "sa_stability_stop" for b in at.button)


def test_changing_top_k_moves_the_breakpoints() -> None:
    """A different k gives a different stable range in the caption."""
    at = start(tab="Sensitivity")
    first = [c.value for c in at.caption if "stays the same while" in c.value]
    at.number_input(key="sa_k").set_value(1).run()
    second = [c.value for c in at.caption if "stays the same while" in c.value]
    assert first and second and first != second


def test_trials_within_an_agreed_order_say_what_holds_whatever_the_weights(problem: DecisionProblem) -> None:
    """'We only agree on the order': the trials draw from that order, and the tab lists what holds for every
    weighting keeping it, as the library finds it."""
    from matrix.decision.robust import robust_findings, robust_lines
    from scoring import CRITERIA, WeightSpace

    at = start(tab="Sensitivity")
    at.number_input(key="mc_draws").set_value(300).run()
    at.radio(key="mc_mode").set_value("space").run()
    at.multiselect(key="mc_order").set_value(["impact", "risk", "reach"]).run()
    at.slider(key="mc_bounds_cost").set_value((0, 30)).run()
    at.toggle(key="mc_on").set_value(True).run()
    assert not at.exception
    assert next(df.value for df in at.dataframe if "chance of being funded" in df.value.columns) is not None
    space = WeightSpace.ranked(CRITERIA, ["impact", "risk", "reach"], upper={"cost": 0.3})
    lines = robust_lines(robust_findings(problem, default_scenario(problem), space, 5))
    shown = [m.value for m in at.markdown if m.value.startswith("- ")]
    for line in lines:
        assert f"- {plain(line)}" in shown
    # The trials kept the order and the bound: so do the mean weights under which each one ranks first.
    [result] = at.session_state["mc_results"].values()
    central = result.central_weights.dropna()
    assert len(central) > 0
    assert (central["impact"] >= central["risk"] - 1e-9).all() and (central["risk"] >= central["reach"] - 1e-9).all()
    assert (central["cost"] <= 0.3 + 1e-9).all()


def test_an_impossible_order_and_bounds_are_said_in_words() -> None:
    at = start(tab="Sensitivity")
    at.radio(key="mc_mode").set_value("space").run()
    at.multiselect(key="mc_order").set_value(["cost", "impact"]).run()
    at.slider(key="mc_bounds_cost").set_value((0, 10)).run()
    at.slider(key="mc_bounds_impact").set_value((20, 100)).run()
    at.toggle(key="mc_on").set_value(True).run()
    assert not at.exception
    assert any("no weighting keeps both the agreed order and the bounds" in e.value for e in at.error)


def test_swing_weighting_sets_the_sliders(problem: DecisionProblem) -> None:
    """Ordering the swings and rating them sets the four sliders to the library's swing weights (whole %)."""
    from matrix.decision import swings
    from scoring import swing_weights

    at = start(tab="Ranking")
    assert not any(m.key == "sw_order" for m in at.multiselect)  # folded, nothing inside is drawn
    at.session_state["sw_fold"] = True
    at.run()
    order = ["reach", "impact", "risk", "cost"]
    at.multiselect(key="sw_order").set_value(order).run()
    at.slider(key="sw_rate_impact").set_value(80)
    at.slider(key="sw_rate_risk").set_value(40)
    at.slider(key="sw_rate_cost").set_value(10).run()
    at.button(key="sw_apply").click().run()
    assert not at.exception
    ranges = {c: s.points for c, s in swings(problem).items()}
    expected = swing_weights(order, {"impact": 80, "risk": 40, "cost": 10}, ranges)
    assert [at.slider(key=f"w_{c}").value for c in ("impact", "reach", "cost", "risk")] == [
        round(expected[c] * 100) for c in ("impact", "reach", "cost", "risk")
    ]
    assert at.selectbox(key="preset").value == "custom"
    kept = at.session_state["elicited"]  # what a decision record made now keeps
    assert kept.method == "swing weighting" and list(kept.order) == order
    assert kept.weights.as_dict() == {c: float(round(expected[c] * 100)) for c in expected}
    at.slider(key="sw_rate_risk").set_value(90).run()  # above impact, which was put before it
    at.button(key="sw_apply").click().run()
    assert any("rated above the swing on impact" in e.value for e in at.error)


def test_the_weight_question_folds_keep_their_answers_while_folded() -> None:
    """Folded, the swing and trade-off folds draw nothing (a weight nudge does not redraw them), yet folding one
    and opening it again gives back the order, the ratings and the answers given."""
    from scoring import TradeOff

    at = start(tab="Matrix")
    at.session_state["sw_fold"] = True
    at.session_state["to_fold"] = True
    at.run()
    at.multiselect(key="sw_order").set_value(["risk", "impact", "reach", "cost"]).run()
    at.slider(key="sw_rate_cost").set_value(15).run()
    at.button(key="to_first").click().run()
    assert len(at.session_state["to_answers"]) == 1 and isinstance(at.session_state["to_answers"][0][0], TradeOff)
    at.session_state["sw_fold"] = False
    at.session_state["to_fold"] = False
    at.run()
    assert not [m for m in at.multiselect if m.key == "sw_order"] and not [b for b in at.button if b.key == "to_first"]
    at.slider(key="w_impact").set_value(60).run()  # a nudge while folded
    at.session_state["sw_fold"] = True
    at.session_state["to_fold"] = True
    at.run()
    assert not at.exception
    assert at.multiselect(key="sw_order").value == ["risk", "impact", "reach", "cost"]
    assert at.slider(key="sw_rate_cost").value == 15
    assert len(at.session_state["to_answers"]) == 1
    assert any(c.value.startswith("1 answered.") for c in at.caption)


def test_trade_off_questions_set_the_sliders(problem: DecisionProblem) -> None:
    """Answering the questions as someone with fixed weights would, until they stop, and using the weights sets
    the sliders to the library's derived weights, within 5 points of theirs."""
    from matrix.decision import swings
    from scoring import CRITERIA, next_trade_off, trade_off_weights

    truth = {"impact": 0.5, "reach": 0.1, "cost": 0.25, "risk": 0.15}
    sizes = {c: s.points for c, s in swings(problem).items()}
    at = start(tab="Ranking")
    at.session_state["to_fold"] = True
    at.run()
    for _ in range(40):
        question = next_trade_off(CRITERIA, at.session_state["to_answers"], sizes)  # the question the page shows
        if question is None:
            break
        first = truth[question.first] * question.first_points
        second = truth[question.second] * question.second_points
        key = "to_first" if first > second + 2e-3 else "to_second" if second > first + 2e-3 else "to_same"
        at.button(key=key).click().run()
        assert not at.exception
    assert any("Your answers pin the weights down." in m.value for m in at.markdown)
    at.button(key="to_apply").click().run()
    derived = trade_off_weights(CRITERIA, at.session_state["to_answers"])
    assert [at.slider(key=f"w_{c}").value for c in CRITERIA] == [round(derived[c] * 100) for c in CRITERIA]
    assert all(abs(derived[c] - truth[c]) <= 0.05 + 1e-3 for c in CRITERIA)


def test_contradicting_trade_off_answers_are_named_and_can_be_undone() -> None:
    from scoring import TradeOff

    at = start(tab="Ranking")
    at.session_state["to_fold"] = True
    at.session_state["to_answers"] = [
        (TradeOff("impact", 50, "reach", 50), "first"),
        (TradeOff("reach", 50, "cost", 50), "first"),
        (TradeOff("cost", 50, "impact", 50), "first"),
    ]
    at.run()
    assert not at.exception
    assert any("answers 1, 2, 3 contradict each other" in e.value for e in at.error)
    assert sum(m.value.startswith(("- 1.", "- 2.", "- 3.")) for m in at.markdown) == 3
    at.button(key="to_undo").click().run()
    assert len(at.session_state["to_answers"]) == 2 and not at.error


def test_criteria_labelled_alike_are_told_apart_in_the_agreed_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A catalogue giving two criteria one label: choosing reach then impact keeps both (the box handed back
    the last option of a label, so both became impact)."""
    catalogue = tmp_path / "alike.toml"
    catalogue.write_text(SHIPPED_CATALOGUE.read_text(encoding="utf-8").replace('label = "Reach"', 'label = "Impact"', 1))
    monkeypatch.setenv("MATRIX_CATALOGUE", str(catalogue))
    at = start(tab="Sensitivity")
    at.radio(key="mc_mode").set_value("space").run()
    assert len(set(at.multiselect(key="mc_order").options)) == 4
    at.multiselect(key="mc_order").set_value(["reach", "impact"]).run()
    assert not at.exception
    assert at.session_state["mc_order"] == ["reach", "impact"]
