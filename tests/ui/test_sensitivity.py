"""The Sensitivity tab through AppTest."""

from __future__ import annotations

from matrix.decision import DecisionProblem, default_scenario, what_would_it_take
from tests.ui.test_app import start
from ui.text import plain


def test_sensitivity_tab_runs_and_explains(problem: DecisionProblem) -> None:
    """The tab shows the stability table and answers 'what would it take' for the chosen intervention, with the
    library's own weight change for an intervention that raising one weight would fund."""
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


def test_changing_top_k_moves_the_breakpoints() -> None:
    """A different k gives a different stable range in the caption."""
    at = start(tab="Sensitivity")
    first = [c.value for c in at.caption if "stays the same while" in c.value]
    at.number_input(key="sa_k").set_value(1).run()
    second = [c.value for c in at.caption if "stays the same while" in c.value]
    assert first and second and first != second
