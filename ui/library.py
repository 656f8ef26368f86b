"""The scenario library (the database) and decision records, on the Funding tab. Widgets only."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import streamlit as st

from matrix.access import Desk, Permission
from matrix.catalogue import Weights
from matrix.decision import DecisionProblem, PlanSettings, Scenario, fit_plan
from matrix.persistence import (
    DecisionRecord,
    RecordError,
    SavedScenario,
    Store,
    StoreError,
    build_record,
    max_record_bytes,
    read_record,
)
from matrix.report import board_report
from scoring import DecisionError
from ui import elicit, state, widgets
from ui.plan import worked_plan
from ui.text import plain

MAX_RETENTION_DAYS = 36_500  # a hundred years: "keep for ever"


@st.cache_resource(show_spinner="Opening the scenario store...")
def _opened_store(url: str | None, data_dir: str | None) -> Store:
    """One store per location and app process (sessions share it). A failure raises, and Streamlit
    caches only what returns, so a store that could not be opened is tried again on the next run."""
    store = Store.open(url, Path(data_dir) if data_dir else None)
    with suppress(StoreError):  # the rule runs again at the next start; a busy store must not stop this one
        store.apply_retention(retention_days())
    return store


def retention_days() -> int:
    """How long closed workshops keep participants' names (MATRIX_RETENTION_DAYS, 90 by default)."""
    try:
        return min(MAX_RETENTION_DAYS, max(0, int(os.environ.get("MATRIX_RETENTION_DAYS", "90"))))
    except ValueError:
        return 90


def open_store(url: str | None, data_dir: str | None) -> Store | str:
    """The store at this location, or why there is none just now (tried again on every run until it opens)."""
    try:
        return _opened_store(url, data_dir)
    except StoreError as error:
        return str(error)


def store_or_message() -> Store | None:
    store = open_store(os.environ.get("DATABASE_URL"), os.environ.get("MATRIX_DATA_DIR"))
    if isinstance(store, str):
        st.warning(f"Saved scenarios and workshops are unavailable just now: {plain(store)}")
        return None
    return store


def library_section(problem: DecisionProblem, scenario: Scenario, desk: Desk | None) -> None:
    if desk is None:
        return
    store = desk.store
    if store.notice:
        st.warning(plain(store.notice))
    may_save = desk.principal.may(Permission.SAVE_SCENARIOS)
    if may_save:
        signed = "your sign-in" if desk.principal.signed_in else "your name (in the sidebar)"
        plan = state.current_plan(problem)
        with_plan = (
            f" The {plan.years}-year plan's settings (over the funding streams, above) are saved with it."
            if plan is not None
            else ' A plan over several years is saved with it while its "Work out the plan" is on.'
        )
        st.caption(f"Saves keep every earlier version. Each save is signed with {signed} and kept in the audit log.{with_plan}")
        loaded = st.session_state.get("loaded_scenario_id")
        columns = st.columns(2)
        if columns[0].button("Save as a new scenario", key="lib_save_new"):
            _save(desk, problem, scenario, None, plan)
        if loaded is not None and columns[1].button(f"Save as a new version of scenario {loaded}", key="lib_save_version"):
            _save(desk, problem, scenario, int(loaded), plan)
    else:
        st.caption("You can load and compare saved scenarios; saving them needs the commissioner role.")
    try:
        saved = store.list_scenarios()
    except StoreError as error:
        st.error(f"The saved scenarios cannot be shown: {plain(error)}")
        return
    if not saved:
        st.caption("No saved scenarios yet.")
        return
    by_id = {s.id: s for s in saved}
    chosen = st.selectbox(
        "Saved scenarios",
        options=list(by_id),
        format_func=lambda i: _listed(by_id[i]),
        key="lib_choice",
        persist_state="page",
    )
    if chosen is None:
        return
    actions = st.columns(3)
    actions[0].button("Load", key="lib_load", on_click=_load, args=(store, problem, int(chosen)))
    if may_save:
        new_name = actions[1].text_input("New name", key="lib_new_name", label_visibility="collapsed", placeholder="new name")
        if actions[1].button("Rename", key="lib_rename"):
            _guarded(lambda: desk.rename(int(chosen), new_name), "Renamed (a new version with the new name).")
    if desk.principal.may(Permission.DELETE_SCENARIOS) and actions[2].button("Delete", key="lib_delete"):
        _guarded(lambda: desk.delete(int(chosen)), "Deleted from the list; its versions stay in the database.")
    try:
        history = store.history(int(chosen))
    except StoreError as error:
        st.error(f"The versions of scenario {int(chosen)} cannot be shown: {plain(error)}")
        return
    _saved_report(problem, desk, history[-1])
    st.dataframe(
        [
            {
                "version": v.version,
                "name": v.name,
                "saved by": v.saved_by,
                "saved at": v.saved_at,
                "plan": f"{v.plan.years} years" if v.plan is not None else "",
                "catalogue": v.catalogue_sha256[:12],
            }
            for v in history
        ],
        hide_index=True,
        key="lib_history",
    )
    if history[-1].catalogue_sha256 != problem.sha256:
        st.caption("This scenario was saved with a different catalogue version; loading it applies it to the current catalogue.")


def _listed(saved: SavedScenario) -> str:
    """A saved scenario in the library's box: number, name, version, who and when, and its plan if it has one."""
    plan = f"; with a {saved.plan.years}-year plan" if saved.plan is not None else ""
    return f"{saved.id}. {saved.name} (version {saved.version}, {saved.saved_by}, {saved.saved_at:%d %b %Y %H:%M}{plan})"


def _record_download(
    problem: DecisionProblem, scenario: Scenario, desk: Desk, participants: list[tuple[str, Weights]] | None
) -> None:
    session = st.session_state
    monte_carlo = None
    if session.get("mc_on"):
        monte_carlo = {
            "draws": int(session["mc_draws"]),
            "seed": int(session["mc_seed"]),
            "mode": str(session["mc_mode"]),
            "concentration": float(session["mc_concentration"]),
            "top_k": int(session["sa_k"]),
        }
        if monte_carlo["mode"] == "space":
            bounds = {c: tuple(session.get(f"mc_bounds_{c}", (0, 100))) for c in problem.criteria}
            monte_carlo |= {
                "order": tuple(str(c) for c in session.get("mc_order", [])),
                "lower": {c: b[0] / 100 for c, b in bounds.items() if b[0] > 0},
                "upper": {c: b[1] / 100 for c, b in bounds.items() if b[1] < 100},
            }
    elicited = elicit.current_elicited()

    def record() -> bytes:  # runs outside the session: everything it needs is bound now, the desk included
        return desk.record(problem, scenario, participants, monte_carlo, elicited)

    st.download_button(
        "Download the decision record (JSON)",
        data=record,
        file_name="decision-record.json",
        mime="application/json",
        key="download_record",
        on_click="ignore",
        help="Inputs, weights, method, seed, catalogue and results: `python -m matrix replay FILE` re-runs it.",
    )


def _saved_report(problem: DecisionProblem, desk: Desk, saved: SavedScenario) -> None:
    """One click: the board paper of a saved scenario's latest version, as Word or PDF (and its record), with its
    plan when it has one that can be worked out on this catalogue (else the paper leaves the plan out, said here)."""
    signed = desk.principal.actor
    plan = saved.plan
    if plan is not None:
        plan, dropped = fit_plan(plan, problem, f"saved scenario {saved.id}'s plan")
        try:
            scenario, _ = desk.store.load_scenario(saved.id, saved.version)
            worked_plan(problem, scenario, plan)
        except DecisionError as error:
            st.caption(plain(f"This version's plan cannot be worked out ({error}); its board report leaves the plan out."))
            plan = None
        else:
            for message in dropped:
                st.caption(plain(message))
    kept = plan

    def record() -> DecisionRecord:
        scenario, _ = desk.store.load_scenario(saved.id, saved.version)
        return build_record(problem, scenario, signed, plan=kept)

    widgets.report_downloads(
        record,
        lambda made: board_report(problem, made),
        "Board report of this scenario",
        f"board-report-scenario-{saved.id}",
        "lib_report",
        json.dumps([problem.sha256, saved.id, saved.version, signed, None if kept is None else kept.model_dump_json()]),
        desk.principal,
    )


def _guarded(action: Callable[[], object], done: str) -> None:
    """Run a store change; say it is done only if it returned, else say why not."""
    try:
        action()
    except StoreError as error:
        st.error(f"Not done: {plain(error)}")
    else:
        st.success(done)
        st.rerun()


def _save(desk: Desk, problem: DecisionProblem, scenario: Scenario, scenario_id: int | None, plan: PlanSettings | None) -> None:
    try:
        saved = desk.save_scenario(scenario, problem.sha256, scenario_id, plan)
    except StoreError as error:
        st.error(
            f"Not saved: {plain(error)}. Type your name in the sidebar."
            if "your name" in str(error)
            else f"Not saved: {plain(error)}"
        )
        return
    st.session_state["loaded_scenario_id"] = saved.id
    st.success(
        f"Saved as scenario {saved.id}, version {saved.version}"
        + (f", with the {plan.years}-year plan's settings." if plan is not None else ".")
    )


def _load(store: Store, problem: DecisionProblem, scenario_id: int) -> None:
    try:
        scenario, saved = store.load_scenario(scenario_id)
    except StoreError as error:
        st.session_state[state.MESSAGES] = [f"The saved scenario could not be loaded: {error}"]
        return
    state.queue(scenario, f"saved scenario {scenario_id}", scenario_id, saved.plan)


def record_section(
    problem: DecisionProblem,
    scenario: Scenario,
    desk: Desk | None,
    participants: list[tuple[str, Weights]] | None = None,
    allow_import: bool = True,
) -> None:
    """Download a decision record of the current scenario (commissioners), or import one to restore its scenario."""
    session = st.session_state
    if desk is not None and desk.principal.may(Permission.EXPORT_RECORDS):
        _record_download(problem, scenario, desk, participants)
    else:
        st.caption("Decision records are downloaded by commissioners.")
    if not allow_import:
        return
    upload = st.file_uploader(
        "Import a decision record to restore its scenario",
        type=["json"],
        key="record_upload",
        max_upload_size=max(1, math.ceil(max_record_bytes() / (1024 * 1024))),
    )
    if upload is not None and session.get("record_upload_done") != upload.file_id:
        try:
            imported = read_record(upload.getvalue(), upload.name)
        except RecordError as error:
            st.error(plain(error))
            return
        session["record_upload_done"] = upload.file_id
        state.queue(imported.scenario, "record", plan=imported.plan.settings if imported.plan is not None else None)
        if imported.catalogue.sha256 != problem.sha256:
            session["record_notice"] = (
                "The record was made with a different catalogue version; its scenario is applied to the current one."
            )
        st.rerun()
    if session.get("record_notice"):
        st.info(plain(session.pop("record_notice")))
