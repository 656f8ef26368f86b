"""The scenario library (the database) and decision records, on the Funding tab. Widgets only."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from matrix import DecisionProblem
from matrix.record import RecordError, build_record, read_record, record_json
from matrix.scenario import Scenario
from matrix.schema import TIERS, Weights
from matrix.store import Store, StoreError
from ui.text import plain

MAX_RECORD_BYTES = 10 * 1024 * 1024


@st.cache_resource(show_spinner="Opening the scenario store...")
def open_store(url: str | None, data_dir: str | None) -> Store | str:
    """One store per location and app process (sessions share its connection pool), or why there is none."""
    try:
        return Store.open(url, Path(data_dir) if data_dir else None)
    except StoreError as error:
        return str(error)


def store_or_message() -> Store | None:
    store = open_store(os.environ.get("DATABASE_URL"), os.environ.get("MATRIX_DATA_DIR"))
    if isinstance(store, str):
        st.warning(f"Saved scenarios and workshops are unavailable: {plain(store)}")
        return None
    return store


def apply_scenario(scenario: Scenario, problem: DecisionProblem, saved_id: int | None = None) -> None:
    """Put a scenario into the widgets' state (weights and every funding control)."""
    state = st.session_state
    for criterion, weight in scenario.weights.as_dict().items():
        state[f"w_{criterion}"] = round(weight)
    state["sc_name"] = scenario.name
    state["sc_budget"] = round(scenario.budget_gbp)
    state["sc_ringfence"] = round(scenario.ringfence_share * 100)
    known = set(problem.info.index)
    state["sc_must"] = [i for i in scenario.must_fund if i in known]
    state["sc_exclude"] = [i for i in scenario.must_not_fund if i in known]
    state["sc_allow_harmful"] = [i for i in scenario.harmful_overrides if i in known]
    state["sc_reason"] = next(iter(scenario.harmful_overrides.values()), "")
    for tier in TIERS:
        state[f"sc_tier_{tier}"] = (
            round(scenario.tier_min_share.get(tier, 0.0) * 100),
            round(scenario.tier_max_share.get(tier, 1.0) * 100),
        )
    state["sc_keep_today"] = scenario.keep_status_quo
    state["sc_include_cost"] = scenario.include_cost
    state["loaded_scenario_id"] = saved_id


def apply_pending(problem: DecisionProblem) -> None:
    """Apply a scenario queued by an import (widgets can only be set before they are drawn)."""
    pending = st.session_state.pop("pending_scenario", None)
    if pending is not None:
        apply_scenario(Scenario.model_validate_json(pending), problem)


def _who() -> str:
    return str(st.session_state.get("user_name", "")).strip()


def library_section(problem: DecisionProblem, scenario: Scenario) -> None:
    store = store_or_message()
    if store is None:
        return
    if store.notice:
        st.warning(plain(store.notice))
    st.caption("Saves keep every earlier version. Your name (in the sidebar) is recorded with each save.")
    loaded = st.session_state.get("loaded_scenario_id")
    columns = st.columns(2)
    if columns[0].button("Save as a new scenario", key="lib_save_new"):
        _save(store, problem, scenario, None)
    if loaded is not None and columns[1].button(f"Save as a new version of scenario {loaded}", key="lib_save_version"):
        _save(store, problem, scenario, int(loaded))
    saved = store.list_scenarios()
    if not saved:
        st.caption("No saved scenarios yet.")
        return
    by_id = {s.id: s for s in saved}
    chosen = st.selectbox(
        "Saved scenarios",
        options=list(by_id),
        format_func=lambda i: (
            f"{i}. {by_id[i].name} (version {by_id[i].version}, {by_id[i].saved_by}, {by_id[i].saved_at:%d %b %Y %H:%M})"
        ),
        key="lib_choice",
        persist_state="page",
    )
    if chosen is None:
        return
    actions = st.columns(3)
    actions[0].button("Load", key="lib_load", on_click=_load, args=(store, problem, int(chosen)))
    new_name = actions[1].text_input("New name", key="lib_new_name", label_visibility="collapsed", placeholder="new name")
    if actions[1].button("Rename", key="lib_rename"):
        _guarded(lambda: store.rename(int(chosen), new_name, _who()), "Renamed (a new version with the new name).")
    if actions[2].button("Delete", key="lib_delete"):
        _guarded(lambda: store.delete(int(chosen), _who()), "Deleted from the list; its versions stay in the database.")
    history = store.history(int(chosen))
    st.dataframe(
        [
            {
                "version": v.version,
                "name": v.name,
                "saved by": v.saved_by,
                "saved at": v.saved_at,
                "catalogue": v.catalogue_sha256[:12],
            }
            for v in history
        ],
        hide_index=True,
        key="lib_history",
    )
    if history[-1].catalogue_sha256 != problem.sha256:
        st.caption("This scenario was saved with a different catalogue version; loading it applies it to the current catalogue.")


def _guarded(action: object, done: str) -> None:
    try:
        action()  # type: ignore[operator]
    except StoreError as error:
        st.error(plain(error))
    else:
        st.success(done)
        st.rerun()


def _save(store: Store, problem: DecisionProblem, scenario: Scenario, scenario_id: int | None) -> None:
    try:
        saved = store.save_scenario(scenario, _who(), problem.sha256, scenario_id)
    except StoreError as error:
        st.error(
            f"Not saved: {plain(error)}. Type your name in the sidebar."
            if "your name" in str(error)
            else f"Not saved: {plain(error)}"
        )
        return
    st.session_state["loaded_scenario_id"] = saved.id
    st.success(f"Saved as scenario {saved.id}, version {saved.version}.")


def _load(store: Store, problem: DecisionProblem, scenario_id: int) -> None:
    try:
        scenario, _ = store.load_scenario(scenario_id)
    except StoreError as error:
        st.session_state["lib_message"] = str(error)
        return
    apply_scenario(scenario, problem, scenario_id)


def record_section(
    problem: DecisionProblem,
    scenario: Scenario,
    participants: list[tuple[str, Weights]] | None = None,
    allow_import: bool = True,
) -> None:
    """Download a decision record of the current scenario, or import one to restore its scenario."""
    state = st.session_state
    monte_carlo = None
    if state.get("mc_on"):
        monte_carlo = {
            "draws": int(state["mc_draws"]),
            "seed": int(state["mc_seed"]),
            "mode": str(state["mc_mode"]),
            "concentration": float(state["mc_concentration"]),
            "top_k": int(state["sa_k"]),
        }

    def record() -> bytes:
        return record_json(build_record(problem, scenario, _who(), participants, monte_carlo))

    st.download_button(
        "Download the decision record (JSON)",
        data=record,
        file_name="decision-record.json",
        mime="application/json",
        key="download_record",
        on_click="ignore",
        help="Inputs, weights, method, seed, catalogue and results: `python -m matrix replay FILE` re-runs it.",
    )
    if not allow_import:
        return
    upload = st.file_uploader(
        "Import a decision record to restore its scenario", type=["json"], key="record_upload", max_upload_size=10
    )
    if upload is not None and state.get("record_upload_done") != upload.file_id:
        try:
            imported = read_record(upload.getvalue(), upload.name)
        except RecordError as error:
            st.error(plain(error))
            return
        state["record_upload_done"] = upload.file_id
        state["pending_scenario"] = imported.scenario.model_dump_json()
        if imported.catalogue.sha256 != problem.sha256:
            state["record_notice"] = (
                "The record was made with a different catalogue version; its scenario is applied to the current one."
            )
        st.rerun()
    if state.get("record_notice"):
        st.info(plain(state.pop("record_notice")))
