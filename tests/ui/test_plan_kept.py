"""The plan over several years kept beyond the session: in the page's link (the plan and the saved plans), in the
store with a saved scenario (save, load, a version without one), in an imported decision record, and the settings
no control shows kept and named."""

from __future__ import annotations

from typing import Any

from matrix.catalogue import Weights
from matrix.decision import DecisionProblem, PlanSettings, Scenario, build_plan, default_scenario, write_link
from matrix.persistence import build_record
from matrix.persistence.store import Store
from tests.ui.test_app import FUNDING_FOLDS, start
from ui.text import plain

EIYF = "early-intervention-youth-fund"
PLAN = PlanSettings(years=3, inflation=0.02, min_contract_years=2, stream_ends={EIYF: 2}, stream_cuts={"pcc-funding": 0.5})


def _plan_lines(at: object) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("- ")]  # type: ignore[attr-defined]


def _controls(at: object) -> tuple[object, ...]:
    return (
        at.number_input(key="pl_years").value,  # type: ignore[attr-defined]
        at.number_input(key="pl_inflation").value,  # type: ignore[attr-defined]
        at.number_input(key="pl_contract").value,  # type: ignore[attr-defined]
        at.selectbox(key=f"pl_end_{EIYF}").value,  # type: ignore[attr-defined]
        at.slider(key="pl_cut_pcc-funding").value,  # type: ignore[attr-defined]
        at.toggle(key="pl_on").value,  # type: ignore[attr-defined]
    )


def _work_out_plan(at: Any) -> None:
    """Set the plan's controls to ``PLAN`` (its fold open) and turn "Work out the plan" on."""
    at.number_input(key="pl_years").set_value(3)
    at.number_input(key="pl_inflation").set_value(2.0)
    at.number_input(key="pl_contract").set_value(2)
    at.selectbox(key=f"pl_end_{EIYF}").set_value(2)
    at.slider(key="pl_cut_pcc-funding").set_value(50)
    at.toggle(key="pl_on").set_value(True).run()


def test_the_link_carries_the_plan_and_opens_it(problem: DecisionProblem) -> None:
    """A plan worked out puts its settings in the link; that link, opened afresh, sets the controls and shows
    the same plan, in the library's words."""
    at = start(tab="Funding", folds=FUNDING_FOLDS)
    _work_out_plan(at)
    assert not at.exception
    query = dict(at.query_params)
    assert "plan" in query
    again = start({k: v[0] if isinstance(v, list) else v for k, v in query.items()}, tab="Funding", folds=FUNDING_FOLDS)
    assert not again.exception
    assert _controls(again) == (3, 2.0, 2, 2, 50, True)
    expected = build_plan(problem, default_scenario(problem), PLAN)
    shown = _plan_lines(again)
    for line in expected.in_words():
        assert f"- {plain(line.strip())}" in shown
    # Turning the plan off takes it out of the link.
    again.toggle(key="pl_on").set_value(False).run()
    assert "plan" not in dict(again.query_params)


def test_a_link_plan_for_streams_this_catalogue_lacks_is_fitted_with_messages(problem: DecisionProblem) -> None:
    plan = PlanSettings(years=2, stream_ends={"eiyf": 2, EIYF: 4}, stream_cuts={"pcc-funding": 0.25})
    at = start(write_link(default_scenario(problem), plan=plan), tab="Funding", folds=FUNDING_FOLDS)
    assert not at.exception
    messages = " ".join(w.value for w in at.warning) + " ".join(i.value for i in at.info)
    assert "eiyf" in messages and "stream ends" in messages
    assert plain("runs 2 year(s)") in messages
    assert at.slider(key="pl_cut_pcc-funding").value == 25 and at.selectbox(key=f"pl_end_{EIYF}").value == 0


def test_a_link_plan_that_cannot_be_read_is_said_and_the_rest_kept() -> None:
    at = start({"plan": "not-a-packed-plan", "budget": "700000"}, tab="Funding", folds=FUNDING_FOLDS)
    assert not at.exception
    messages = " ".join(w.value for w in at.warning) + " ".join(i.value for i in at.info)
    assert "plan over several years cannot be read" in messages
    assert at.number_input(key="sc_budget").value == 700_000 and at.toggle(key="pl_on").value is False


def test_saved_plans_ride_in_the_link_to_the_compare_tab(problem: DecisionProblem) -> None:
    at = start(tab="Funding", folds=FUNDING_FOLDS)
    at.selectbox(key=f"pl_end_{EIYF}").set_value(2)
    at.toggle(key="pl_on").set_value(True).run()
    at.button(key="pl_save").click().run()
    assert not at.exception
    query = {k: v[0] if isinstance(v, list) else v for k, v in dict(at.query_params).items()}
    assert "plans" in query
    fresh = start(query, tab="Compare")
    assert not fresh.exception
    table = next(df.value for df in fresh.dataframe if "first to run out" in df.value.columns)
    expected = build_plan(problem, default_scenario(problem), PlanSettings(years=3, stream_ends={EIYF: 2}))
    assert len(table) == 1 and table["value"].iloc[0] == round(expected.plan.value, 1)
    assert "ends in year 2" in table["what if"].iloc[0]


def test_a_saved_scenario_keeps_its_plan_and_loading_sets_it_again(problem: DecisionProblem) -> None:
    at = start(tab="Funding", folds=FUNDING_FOLDS)
    at.text_input(key="user_name").set_value("Ann")
    at.number_input(key="pl_contract").set_value(2)
    at.selectbox(key=f"pl_end_{EIYF}").set_value(2)
    at.toggle(key="pl_on").set_value(True).run()
    at.button(key="lib_save_new").click().run()
    assert not at.exception
    assert any("with the 3-year plan's settings" in s.value for s in at.success)
    # The plan is turned off and saved again as a new version: that version has no plan.
    at.toggle(key="pl_on").set_value(False).run()
    at.button(key="lib_save_version").click().run()
    assert not at.exception
    history = next(df.value for df in at.dataframe if "saved by" in df.value.columns)
    assert history["plan"].tolist() == ["3 years", ""]
    fresh = start(tab="Funding", folds=FUNDING_FOLDS)
    fresh.button(key="lib_load").click().run()
    assert not fresh.exception and fresh.toggle(key="pl_on").value is False
    # Version 1, with the plan, loaded through the store as the Load button does.
    store = Store.open(None)
    _, first = store.load_scenario(1, 1)
    assert first.plan == PlanSettings(years=3, min_contract_years=2, stream_ends={EIYF: 2})
    store.save_scenario(default_scenario(problem), "Bob", problem.sha256, 1, plan=first.plan)
    fresh.button(key="lib_load").click().run()
    assert not fresh.exception
    assert _controls(fresh)[2:4] == (2, 2) and fresh.toggle(key="pl_on").value is True
    expected = build_plan(problem, default_scenario(problem), first.plan)
    assert f"- {plain(expected.in_words()[-1].strip())}" in _plan_lines(fresh)
    options = fresh.selectbox(key="lib_choice").options
    assert any("with a 3-year plan" in o for o in options)


def test_an_imported_record_with_a_plan_restores_it(problem: DecisionProblem) -> None:
    scenario = default_scenario(problem).model_copy(update={"weights": Weights(impact=10, reach=60, cost=10, risk=20)})
    record = build_record(problem, scenario, "Ann", plan=PLAN)
    at = start(tab="Funding", folds=FUNDING_FOLDS)
    at.session_state["pending_scenario"] = (scenario.model_dump(), "record", record.plan.settings if record.plan else None)
    at.run()
    assert not at.exception
    assert at.slider(key="w_reach").value == 60
    assert _controls(at) == (3, 2.0, 2, 2, 50, True)


def test_settings_no_control_shows_are_kept_named_and_can_be_left_out(problem: DecisionProblem) -> None:
    """Contracts already running, an early stop and another new stream, from a link, hold in the plan, are named
    under the controls, and go when left out; the page's own new money adds a stream."""
    plan = PlanSettings(
        years=2,
        committed_years={"cbt-community": 2},
        early_stop=("ae-navigators-redthread",),
        new_streams={"council-top-up": 50_000},
        not_before={"youth-centre-prevention": 2},
    )
    at = start(write_link(default_scenario(problem), plan=plan), tab="Funding", folds=FUNDING_FOLDS)
    assert not at.exception
    caption = next(c.value for c in at.caption if "settings the boxes above do not show" in c.value)
    names = problem.names
    assert plain(f"contracts already running: {names['cbt-community']} for 2 year(s)") in caption
    assert plain(f"may stop early: {names['ae-navigators-redthread']}") in caption
    assert plain("new streams: council-top-up £50,000 a year") in caption
    assert plain(f"not funded before: {names['youth-centre-prevention']} year 2") in caption
    assert plain("council-top-up") in " ".join(_plan_lines(at))
    expected = build_plan(problem, default_scenario(problem), plan)
    assert f"- {plain(expected.in_words()[-1].strip())}" in _plan_lines(at)
    at.number_input(key="pl_new").set_value(200_000).run()
    assert plain("new-money") in " ".join(_plan_lines(at)) and plain("council-top-up") in " ".join(_plan_lines(at))
    at.button(key="pl_extra_clear").click().run()
    assert not at.exception
    assert not any("settings the boxes above do not show" in c.value for c in at.caption)
    lines = " ".join(_plan_lines(at))
    assert plain("council-top-up") not in lines and plain("new-money") in lines


def test_a_loaded_scenario_without_a_plan_puts_the_plan_controls_back(problem: DecisionProblem) -> None:
    at = start(write_link(default_scenario(problem), plan=PLAN), tab="Funding", folds=FUNDING_FOLDS)
    assert _controls(at)[-1] is True
    at.session_state["pending_scenario"] = (
        Scenario.model_validate(default_scenario(problem).model_dump()).model_dump(),
        "record",
        None,
    )
    at.run()
    assert not at.exception
    assert _controls(at) == (3, 0.0, 1, 0, 0, False)


def test_a_stream_ended_from_year_one_in_a_link_is_shown_and_kept(problem: DecisionProblem) -> None:
    """An end in year 1 (the stream pays nothing) is one of the box's choices, so a link with it is not dropped."""
    plan = PlanSettings(years=3, stream_ends={EIYF: 1}, stream_cuts={"pcc-funding": 0.33})
    at = start(write_link(default_scenario(problem), plan=plan), tab="Funding", folds=FUNDING_FOLDS)
    assert not at.exception
    assert at.selectbox(key=f"pl_end_{EIYF}").value == 1 and at.slider(key="pl_cut_pcc-funding").value == 33
    expected = build_plan(problem, default_scenario(problem), plan)
    assert [f"- {plain(line)}" for line in expected.changes_in_words if line.startswith("What if")] == [
        m.value for m in at.markdown if m.value.startswith("- What if")
    ]
    assert any("ends in year 1" in line for line in expected.changes_in_words)


def test_a_plan_set_and_folded_away_is_kept_in_the_link_the_save_and_the_controls(problem: DecisionProblem) -> None:
    """The plan's fold is drawn only while open. A plan worked out and then folded away stays in the link through
    weight nudges, the saved scenarios' fold says it is saved with a scenario, and the controls come back as set;
    a link's plan opened with the fold closed is there when the fold opens."""
    at = start(tab="Funding", folds=("fold_plan",))
    _work_out_plan(at)
    linked = dict(at.query_params)["plan"]
    at.session_state["fold_plan"] = False
    at.session_state["fold_library"] = True
    at.run()
    assert not at.exception and not [n for n in at.number_input if n.key == "pl_years"]
    at.slider(key="w_impact").set_value(55).run()  # a nudge while folded
    assert dict(at.query_params)["plan"] == linked
    assert any("The 3-year plan's settings" in c.value for c in at.caption)
    at.session_state["fold_plan"] = True
    at.run()
    assert _controls(at) == (3, 2.0, 2, 2, 50, True)
    fresh = start({"plan": linked}, tab="Funding")
    assert not [n for n in fresh.number_input if n.key == "pl_years"]
    fresh.session_state["fold_plan"] = True
    fresh.run()
    assert not fresh.exception
    assert _controls(fresh) == (3, 2.0, 2, 2, 50, True)
    expected = build_plan(problem, default_scenario(problem), PLAN)
    assert all(f"- {plain(line.strip())}" in _plan_lines(fresh) for line in expected.in_words())
