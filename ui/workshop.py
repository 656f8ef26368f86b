"""Workshops: the participant's page (their own weights) and the facilitator's live view. Widgets only."""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from matrix.catalogue import Weights
from matrix.decision import DecisionProblem, Scenario, group_summary, group_view, to_safe_csv, weights_table
from matrix.persistence import Store, StoreError, StoreUnavailable
from scoring import CRITERIA, DecisionError
from ui import charts, library, state
from ui.text import plain

REFRESH_SECONDS = 3


def participant_link(code: str) -> str:
    """This app's address with ``?workshop=CODE``."""
    try:
        parts = urlsplit(str(st.context.url))
        base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    except (AttributeError, ValueError, TypeError):
        base = ""
    return f"{base}?workshop={code}"


def participant_page(problem: DecisionProblem, code: str) -> None:
    """What a participant sees from the workshop link: their name, four sliders and Submit."""
    store = library.store_or_message()
    if store is None:
        return
    try:
        workshop = store.workshop(code)
    except StoreUnavailable as error:
        st.error(f"The workshop cannot be opened just now: {plain(error)}.")
        return
    except StoreError as error:
        st.error(f"{plain(error)}. Check the code with the facilitator.")
        return
    st.title(plain(workshop.name))
    if not workshop.is_open:
        st.info("This workshop is closed. Thank you for taking part.")
        return
    st.markdown("Set how much each criterion should count for you, then submit. You can change and resubmit; the latest counts.")
    st.text_input("Your name", key="p_name", max_chars=80)
    for criterion in CRITERIA:
        text = getattr(problem.catalogue.scoring, criterion)
        st.session_state.setdefault(f"p_{criterion}", 25)
        st.slider(plain(text.label), 0, 100, key=f"p_{criterion}", help=plain(text.weight_help))
    raw = {c: float(st.session_state[f"p_{c}"]) for c in CRITERIA}
    total = sum(raw.values())
    if total > 0:
        st.caption("Your weights as shares: " + ", ".join(f"{c} {w / total:.0%}" for c, w in raw.items()))
    if st.button("Submit my weights", key="p_submit", type="primary"):
        if total <= 0:
            st.error("All your weights are zero: give at least one criterion a weight above zero.")
            return
        try:
            store.submit(code, st.session_state["p_name"], Weights(**raw))
        except StoreError as error:
            st.error(f"Not submitted: {plain(error)}")
            return
        st.session_state["p_submitted"] = st.session_state["p_name"].strip()
    if st.session_state.get("p_submitted"):
        st.success(f"Thank you, {plain(st.session_state['p_submitted'])}: your weights are in. You can resubmit at any time.")


def facilitator_tab(problem: DecisionProblem, scenario: Scenario | None) -> None:
    store = library.store_or_message()
    if store is None:
        return
    st.markdown("Run a workshop: partners give their own weights from their own devices, and you see the group's view live.")
    columns = st.columns([2, 1])
    columns[0].text_input("Workshop name", key="ws_name", max_chars=120, persist_state="page")
    if columns[1].button("Create a workshop", key="ws_create"):
        try:
            workshop = store.create_workshop(st.session_state.get("ws_name", ""), state.who())
        except StoreError as error:
            st.error(f"Not created: {plain(error)}" + (" (type your name in the sidebar)" if "your name" in str(error) else ""))
        else:
            st.session_state["ws_code"] = workshop.code
    st.text_input("Or open a workshop by its code", key="ws_code", max_chars=12, persist_state="page")
    code = str(st.session_state.get("ws_code", "")).strip().upper()
    if not code:
        return
    try:
        workshop = store.workshop(code)
    except StoreError as error:
        st.error(plain(error))
        return
    st.markdown(f"**{plain(workshop.name)}**, code **{workshop.code}** ({'open' if workshop.is_open else 'closed'}).")
    st.markdown("Participants open this link, or this page's address with `?workshop=" + workshop.code + "` added:")
    st.code(participant_link(workshop.code), language=None)
    if scenario is None:
        st.info("Set up a valid scenario on the Funding tab to see what the group's weights fund.")
        return
    live_view(store, problem, scenario, workshop.code)


@st.fragment(run_every=REFRESH_SECONDS)
def live_view(store: Store, problem: DecisionProblem, scenario: Scenario, code: str) -> None:
    """Refreshes by itself every few seconds while the facilitator watches."""
    try:
        workshop = store.workshop(code)
        entries = [(s.participant, s.weights) for s in store.latest_submissions(code)]
    except StoreError as error:
        st.error(plain(error))
        return
    st.markdown(f"**{len(entries)} participant(s) have submitted.**")
    if not entries:
        st.caption(f"Waiting for participants; this view refreshes every {REFRESH_SECONDS} seconds.")
        return
    table = weights_table(entries).round(1)
    st.dataframe(table, key="ws_weights")
    st.download_button(
        "Download participants' weights CSV",
        data=lambda: to_safe_csv(table.reset_index()),
        file_name=f"workshop-{code}-weights.csv",
        mime="text/csv",
        key="ws_weights_csv",
        on_click="ignore",
    )
    summary = group_summary(entries)
    st.markdown("**The group's weights and where people disagree** (spread: standard deviation in percentage points)")
    st.dataframe(summary, key="ws_summary")
    st.altair_chart(charts.weight_spread_chart(table), width="stretch")
    try:
        view = group_view(problem, scenario, entries, workshop.name)
    except DecisionError as error:
        st.error(f"The scenario's constraints cannot be met: {plain(error)}")
        return
    st.markdown("**Top five under the group's mean weights:** " + plain("; ".join(view.top_five)))
    st.dataframe(
        view.funding,
        key="ws_funded",
        column_config={"share of participants whose weights fund it (%)": st.column_config.NumberColumn(format="%d%%")},
    )
    if workshop.is_open and st.button("Close the workshop and save the group's scenario", key="ws_close"):
        try:
            saved = store.save_scenario(view.scenario, state.who(), problem.sha256)
        except StoreError as error:
            st.error(
                f"Not closed and not saved: {plain(error)}"
                + (" (type your name in the sidebar)" if "your name" in str(error) else "")
            )
            return
        try:
            store.close_workshop(code, saved.id)
        except StoreError as error:
            st.error(f"The group's scenario is saved as scenario {saved.id}, but the workshop is still open: {plain(error)}")
            return
        st.success(f"Closed. The group's scenario is saved as scenario {saved.id}.")
    library.record_section(problem, view.scenario, list(entries), allow_import=False)
