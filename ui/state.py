"""The one place the scenario meets the widgets: session state <-> Scenario <-> the page's link.

Every control's value lives in session state under a key below. ``prepare`` runs at the top of every
run, before any widget is drawn: on a session's first run it fills every key from the link (or the
catalogue's defaults), and on later runs it refills any key Streamlit dropped (a run cut short by an
early click), again from the link, which always holds the last complete run's scenario. Every run
then re-asserts each value, so the browser always draws the server's value (a run that took over from
an interrupted first run would otherwise draw the sliders at their default, 0). So no click can leave
the sliders at zero. A scenario from a saved version or an imported record is queued with
``queue`` and applied by ``prepare`` before the widgets exist, with a message for anything the
controls cannot hold.

The plan over several years (the Funding tab's fold) keeps its controls here too (``pl_*``): the link
and a saved scenario carry its settings while "Work out the plan" is on, and the plans saved for the
Compare tab ride in the link.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

from matrix.catalogue import TIERS, Weights
from matrix.decision import (
    DecisionProblem,
    LinkParams,
    PlanSettings,
    Scenario,
    default_scenario,
    fit_plan,
    fit_scenario,
    plan_stream_ids,
    read_link,
    read_link_plans,
    write_link,
)
from scoring import CRITERIA, DecisionError

CUSTOM = "custom"
# Messages for the user, shown above the tabs so they are seen whichever tab is open.
MESSAGES = "state_messages"
COMPARED = "saved_scenarios"
# The catalogue's criteria for this run (a catalogue may define its own), set by ``prepare``.
CRITERIA_NOW = "criteria_now"
# Plans saved for the Compare tab: (scenario JSON, plan settings JSON), at most MAX_COMPARED.
SAVED_PLANS = "saved_plans"
# The plan's controls: "does not end" in a stream's end box; the id of the new money the page's box adds (see
# ``new_money_id``).
NEVER = 0
NEW_MONEY = "new-money"
# A plan's settings no control shows (a first financial year, contracts already running, early stops, first
# years, other new streams), kept as a saved scenario or a link gave them so nothing is lost.
PLAN_EXTRA = "pl_extra"


def _widget_values(scenario: Scenario) -> dict[str, Any]:
    values: dict[str, Any] = {f"w_{c}": round(w) for c, w in scenario.weights.as_dict().items()}
    values |= {
        "normalisation": scenario.normalisation,
        "sc_name": scenario.name,
        "sc_budget": round(scenario.budget_gbp),
        "sc_ringfence": round(scenario.ringfence_share * 100),
        "sc_must": list(scenario.must_fund),
        "sc_exclude": list(scenario.must_not_fund),
        "sc_allow_harmful": list(scenario.harmful_overrides),
        "sc_reason": next(iter(scenario.harmful_overrides.values()), ""),
        "sc_keep_today": scenario.keep_status_quo,
        "sc_include_cost": scenario.include_cost,
    }
    for tier in TIERS:
        values[f"sc_tier_{tier}"] = (
            round({str(t): v for t, v in scenario.tier_min_share.items()}.get(tier, 0.0) * 100),
            round({str(t): v for t, v in scenario.tier_max_share.items()}.get(tier, 1.0) * 100),
        )
    return values


def _from_link(problem: DecisionProblem) -> tuple[Scenario, list[Scenario], list[str]]:
    return read_link(dict(st.query_params.to_dict()), problem, default_scenario(problem))


def new_money_id(problem: DecisionProblem) -> str:
    """The id of the new money the page's box adds: NEW_MONEY, or NEW_MONEY-2, -3... when a stream has that id."""
    taken = {ident for ident, _ in plan_stream_ids(problem.catalogue)}
    ident, number = NEW_MONEY, 1
    while ident in taken:
        number += 1
        ident = f"{NEW_MONEY}-{number}"
    return ident


def _plan_values(settings: PlanSettings | None, problem: DecisionProblem, source: str = "") -> tuple[dict[str, Any], list[str]]:
    """The plan controls' values for ``settings`` (None: the controls' defaults, the plan not worked out), with a
    message for each value a control cannot hold exactly (a stream's cut in whole percents)."""
    shown = settings or PlanSettings()
    new = new_money_id(problem)
    others = {k: v for k, v in shown.new_streams.items() if k != new}
    values: dict[str, Any] = {
        "pl_on": settings is not None,
        "pl_years": shown.years,
        "pl_inflation": round(shown.inflation * 100, 10),
        "pl_contract": shown.min_contract_years,
        "pl_new": float(shown.new_streams.get(new, 0.0)),
        PLAN_EXTRA: shown.model_dump(include={"start_year", "committed_years", "early_stop", "not_before"}, exclude_defaults=True)
        | ({"new_streams": others} if others else {}),
    }
    messages: list[str] = []
    for ident, name in plan_stream_ids(problem.catalogue):
        values[f"pl_end_{ident}"] = shown.stream_ends.get(ident, NEVER)
        cut = shown.stream_cuts.get(ident, 0.0) * 100
        values[f"pl_cut_{ident}"] = whole = round(cut)
        if abs(whole - cut) > 1e-9:
            messages.append(f"The {source}'s cut of {name} by {cut:g}% is shown as {whole}%: the cut box takes whole percents.")
    return values, messages


def plan_settings(problem: DecisionProblem) -> PlanSettings:
    """The plan's settings from its controls (and what a saved plan or link gave that no control shows);
    raises ValueError (pydantic's ValidationError) for settings a plan cannot have."""
    state = st.session_state
    years = int(state.get("pl_years", 3))
    ends = {}
    cuts = {}
    for ident, _ in plan_stream_ids(problem.catalogue):
        end = int(state.get(f"pl_end_{ident}", NEVER))
        if end != NEVER and end <= years:
            ends[ident] = end
        cut = int(state.get(f"pl_cut_{ident}", 0))
        if cut:
            cuts[ident] = cut / 100
    extra: dict[str, Any] = dict(state.get(PLAN_EXTRA) or {})
    new = float(state.get("pl_new", 0.0))
    new_streams = dict(extra.pop("new_streams", {})) | ({new_money_id(problem): new} if new > 0 else {})
    return PlanSettings.model_validate(
        {
            "years": years,
            "inflation": round(float(state.get("pl_inflation", 0)) / 100, 12),
            "min_contract_years": int(state.get("pl_contract", 1)),
            "stream_ends": ends,
            "stream_cuts": cuts,
            "new_streams": new_streams,
        }
        | extra,
        strict=False,
    )


def current_plan(problem: DecisionProblem) -> PlanSettings | None:
    """The plan's settings while "Work out the plan" is on and they can be used; else None."""
    if not st.session_state.get("pl_on"):
        return None
    try:
        return plan_settings(problem)
    except ValueError:
        return None


def saved_plans() -> list[tuple[str, str]]:
    """The plans saved for the Compare tab, as (scenario JSON, settings JSON)."""
    saved: list[tuple[str, str]] = st.session_state.setdefault(SAVED_PLANS, [])
    return saved


def _apply_plan(settings: PlanSettings | None, problem: DecisionProblem, source: str) -> list[str]:
    """Set the plan's controls to ``settings`` fitted to the catalogue (None: the defaults, not worked out)."""
    messages: list[str] = []
    if settings is not None:
        settings, messages = fit_plan(settings, problem, source)
    values, held = _plan_values(settings, problem, source)
    st.session_state.update(values)
    return messages + held


def prepare(problem: DecisionProblem) -> None:
    """Before any widget: every control's value set, from the link on a first run, and any queued
    scenario applied."""
    state = st.session_state
    state[CRITERIA_NOW] = problem.criteria
    if "state_ready" not in state:
        scenario, compared, messages = _from_link(problem)
        state.update(_widget_values(scenario))
        state[COMPARED] = compared
        plan, plans, plan_messages = read_link_plans(dict(st.query_params.to_dict()), problem)
        if plan is not None:
            values, held = _plan_values(plan, problem, "link's plan")
            state.update(values)
            plan_messages += held
        state[SAVED_PLANS] = [(s.model_dump_json(), p.model_dump_json()) for s, p in plans]
        state[MESSAGES] = messages + plan_messages
        state["state_ready"] = True
    elif any(key not in state for key in _widget_values(default_scenario(problem))):
        scenario, _, _ = _from_link(problem)
        for key, value in _widget_values(scenario).items():
            state.setdefault(key, value)
    # Each control the browser may not have yet is drawn with the server's value (the link's weights when
    # a click comes before the first run's sliders were shown), and none the browser is moving is pushed back.
    moved = reassert(_widget_values(default_scenario(problem)))
    _keep_known_choices(problem)
    _apply_picked_preset(problem, moved)
    pending = state.pop("pending_scenario", None)
    if pending is not None:
        data, source, plan = pending
        try:
            scenario, messages = fit_scenario(data, problem, source)
        except (DecisionError, ValueError) as error:  # pydantic's ValidationError is a ValueError
            state[MESSAGES] = [f"The {source} could not be applied: {error}"]
        else:
            state.update(_widget_values(scenario))
            state[MESSAGES] = messages + _apply_plan(plan, problem, f"{source}'s plan")
    state["preset"] = shown = matching_preset(problem)
    history: list[str] = state.get(PRESETS_SHOWN, [])
    if not history or history[-1] != shown:
        state[PRESETS_SHOWN] = [*history, shown][-3:]


def _keep_known_choices(problem: DecisionProblem) -> None:
    """Drop from the lists of interventions chosen (must fund, must not fund, harmful allowed) those the
    catalogue no longer has, or no longer rates harmful, saying so: an edited catalogue otherwise left a
    choice the box cannot show, and the Funding tab stopped."""
    state = st.session_state
    known = {str(i) for i in problem.info.index}
    harmful = {str(i) for i in problem.info.index[problem.info["harmful"].astype(bool)]}
    for key, allowed, words in (
        ("sc_must", known, "Must fund"),
        ("sc_exclude", known, "Must not fund"),
        ("sc_allow_harmful", harmful, "Allowed despite a harmful rating"),
    ):
        chosen = list(state.get(key, []))
        kept = [i for i in chosen if i in allowed]
        if kept != chosen:
            state[key] = kept
            dropped = ", ".join(i for i in chosen if i not in allowed)
            state[MESSAGES] = [
                *state.get(MESSAGES, []),
                f"{words} no longer lists {dropped}: the catalogue has no such intervention"
                + (" rated harmful" if key == "sc_allow_harmful" else "")
                + ".",
            ]


# The controls the browser changed for this run (their ``on_change``), those drawn so far in this run, and
# those drawn in the last run that finished; see ``reassert``.
MOVED = "state_moved"
DRAWING = "state_drawing"
DRAWN = "state_drawn"


def moved(key: str) -> None:
    """``on_change`` of a control whose value ``reassert`` keeps: the browser holds its newest value."""
    st.session_state.setdefault(MOVED, set()).add(key)


def control(key: str, default: str | None = "value") -> dict[str, Any]:
    """A control's ``key``, the ``on_change`` that tells ``reassert`` the browser moved it, and its default (the
    widget's ``default`` parameter: ``value``, or ``default`` for a multiselect) set to the server's value; noted as
    drawn.

    The default is what a browser drawing the control afresh from a run that did not push its value shows, and
    then reports back: with none, a slider came back as 0 when a click came before the first run had finished.
    """
    state = st.session_state
    state.setdefault(DRAWING, set()).add(key)
    found: dict[str, Any] = {"key": key, "on_change": moved, "args": (key,)}
    if default is not None and key in state:
        found[default] = state[key]
    return found


def finished_run() -> None:
    """At the end of a run: the browser will have every control drawn in it (see ``reassert``)."""
    st.session_state[DRAWN] = st.session_state.pop(DRAWING, set())


def reassert(keys: Iterable[str]) -> set[str]:
    """Before the controls are drawn: set the value of each one the browser may not have to itself, so it is
    drawn with the server's value; returns the controls the browser moved for this run.

    A run that took over from an interrupted one otherwise drew a control the browser had not yet shown
    with its default while the server held another value (the link's weights came back as 0). A value set
    this way is also pushed to the browser, so only the controls not drawn in the last run that finished
    are set (what the browser reports of those is not to be trusted yet): pushing every run put back a
    slider being moved with the arrow keys as each run arrived (12 quick presses moved a weight by 10).
    """
    state = st.session_state
    changed: set[str] = state.pop(MOVED, set())
    shown: set[str] = state.get(DRAWN, set())
    state[DRAWING] = set()
    for key in keys:
        if key not in shown:
            state[key] = state[key]
    return changed


def queue(
    scenario: Scenario | dict[str, Any], source: str, loaded_id: int | None = None, plan: PlanSettings | None = None
) -> None:
    """Apply a scenario (and the plan's settings saved with it, or none: the plan's controls go back to their
    defaults) on the next run, before the widgets are drawn (callbacks and imports use this)."""
    data = scenario.model_dump() if isinstance(scenario, Scenario) else scenario
    st.session_state["pending_scenario"] = (data, source, plan)
    st.session_state["loaded_scenario_id"] = loaded_id


def dismiss_messages() -> None:
    st.session_state.pop(MESSAGES, None)


def criteria() -> tuple[str, ...]:
    """The catalogue's criteria, as ``prepare`` found them for this run."""
    found: tuple[str, ...] = st.session_state.get(CRITERIA_NOW, CRITERIA)
    return found


def weights() -> dict[str, int]:
    return {c: int(st.session_state[f"w_{c}"]) for c in criteria()}


def matching_preset(problem: DecisionProblem) -> str:
    """The id of the preset the sliders match, or CUSTOM."""
    current = {c: float(w) for c, w in weights().items()}
    return next((p.id for p in problem.catalogue.presets if p.weights.as_dict() == current), CUSTOM)


# The preset chosen in the box, set by its callback for ``prepare`` to apply; the last presets the box was set
# to by the server, newest last.
PRESET_PICKED = "preset_picked"
PRESETS_SHOWN = "presets_shown"


def apply_preset() -> None:
    """The preset box's callback: ``prepare`` sets the four sliders to the chosen preset."""
    st.session_state[PRESET_PICKED] = st.session_state["preset"]


def _apply_picked_preset(problem: DecisionProblem, moved: set[str]) -> None:
    """Set the sliders to the preset chosen for this run, unless a slider moved in it too and the box had shown
    that preset before (a preset never shown, chosen quickly after another, is a choice).

    The box is set to the preset the sliders match (Custom after a slider moves), and the browser learns
    of it only when that run's page arrives. A run asked for meanwhile, by the next key press on the
    slider, still reports the earlier preset, which looks like a choice of it. Applying it put the
    preset's weights back as each run arrived; nobody chooses a preset and moves a slider in one go.
    """
    state = st.session_state
    chosen = state.pop(PRESET_PICKED, CUSTOM)
    shown_before = state.get(PRESETS_SHOWN, [])[:-1]  # a stale report can only be of a preset the box showed
    if chosen == CUSTOM or (chosen in shown_before and any(key.startswith("w_") for key in moved)):
        return
    for criterion, weight in problem.catalogue.preset(chosen).weights.as_dict().items():
        state[f"w_{criterion}"] = round(weight)


def current_scenario() -> tuple[Scenario | None, str]:
    """The scenario the controls describe, or why there is none (in words)."""
    state = st.session_state
    reason = str(state["sc_reason"]).strip()
    overrides = dict.fromkeys(state["sc_allow_harmful"], reason) if reason else {}
    tier_min = {t: state[f"sc_tier_{t}"][0] / 100 for t in TIERS if state[f"sc_tier_{t}"][0] > 0}
    tier_max = {t: state[f"sc_tier_{t}"][1] / 100 for t in TIERS if state[f"sc_tier_{t}"][1] < 100}
    raw = weights()
    if sum(raw.values()) <= 0:
        return None, "all weights are zero: give at least one criterion a weight above zero"
    try:
        scenario = Scenario(
            name=str(state["sc_name"]).strip() or "Scenario",
            weights=Weights(**{c: float(w) for c, w in raw.items()}),
            normalisation=state["normalisation"],
            budget_gbp=float(state["sc_budget"]),
            must_fund=tuple(state["sc_must"]),
            must_not_fund=tuple(state["sc_exclude"]),
            harmful_overrides=overrides,
            tier_min_share=tier_min,
            tier_max_share=tier_max,
            ringfence_share=state["sc_ringfence"] / 100,
            keep_status_quo=bool(state["sc_keep_today"]),
            include_cost=bool(state["sc_include_cost"]),
        )
    except ValueError as error:  # pydantic's ValidationError: a control holds something the scenario cannot
        return None, f"This scenario cannot be used: {error}"
    return scenario, ""


def compared() -> list[Scenario]:
    saved: list[Scenario] = st.session_state.setdefault(COMPARED, [])
    return saved


def sync_link(scenario: Scenario | None, problem: DecisionProblem) -> None:
    """Write the scenario, the saved comparisons, the plan (while it is worked out) and the saved plans into
    the page's link (only after a complete run)."""
    if scenario is None:
        return
    plans = [(Scenario.model_validate_json(a), PlanSettings.model_validate_json(b)) for a, b in saved_plans()]
    # Key by key, never from_dict: the open tab's parameter belongs to the tabs widget and must stay.
    query = write_link(scenario, compared(), current_plan(problem), plans)
    params = st.query_params
    for key in set(LinkParams.model_fields) - set(query):
        if key in params:
            del params[key]
    for key, value in query.items():
        if params.get(key) != value:
            params[key] = value


def who() -> str:
    """The name a save or a record is signed with (the sidebar's name)."""
    return str(st.session_state.get("user_name", "")).strip()
