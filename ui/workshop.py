"""Workshops: the participant's page (their own weights) and the facilitator's live view. Widgets only."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from urllib.parse import urlsplit

import streamlit as st

from matrix.access import Desk, Permission, Principal, TooManyAttempts
from matrix.catalogue import Weights
from matrix.decision import (
    DecisionProblem,
    Scenario,
    distinct_names,
    group_summary,
    group_view,
    look_alike_names,
    name_skeleton,
    to_safe_csv,
    weights_table,
)
from matrix.persistence import Store, StoreError, StoreUnavailable, Submission, Workshop
from matrix.report import board_report
from scoring import DecisionError
from ui import access, charts, elicit, library, state, widgets
from ui.text import distinct_labels, plain

REFRESH_SECONDS = 3


PRIVACY_NOTICE = (
    "Privacy: your name and weights are personal data. The partnership uses them only for this workshop: the "
    "facilitator sees them, and the group's weights are kept with the decision. After the workshop closes, your "
    "name is replaced by a pseudonym once the retention period ends; you can ask the facilitator to erase your "
    "weights at any time. Nothing else about you or your device is kept."
)


def participant_link(token: str) -> str:
    """This app's address with ``?workshop=TOKEN`` (the participants' link, never the facilitator's code)."""
    try:
        parts = urlsplit(str(st.context.url))
        base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    except (AttributeError, ValueError, TypeError):
        base = ""
    return f"{base}?workshop={token}"


def _new_browser_token() -> str:
    token = secrets.token_urlsafe(16)
    st.session_state["p_me"] = token
    st.session_state["p_me_from_link"] = False
    st.query_params["me"] = token
    return token


def _browser_token() -> str:
    """This browser's participant token: made once per session and kept in the page's link (``&me=``),
    so a reload keeps it. A token taken from a link (a reload, or a copied address) is adopted only
    for the name it was used with; see ``_token_for``."""
    state = st.session_state
    if "p_me" not in state:
        token = str(st.query_params.get("me", "")).strip()
        if not 16 <= len(token) <= 64 or not token.replace("-", "").replace("_", "").isalnum():
            return _new_browser_token()
        state["p_me"] = token
        state["p_me_from_link"] = True
    return str(state["p_me"])


def _token_for(store: Store, workshop_token: str, name: str) -> str:
    """The token to submit ``name`` with. A token that arrived in a copied address and was last used with
    a name that does not look like this one is someone else's: this person gets a token of their own,
    so they are counted separately instead of replacing that participant."""
    me = _browser_token()
    if st.session_state.get("p_me_from_link"):
        used = store.participant_name(workshop_token, me)
        if used is not None and name_skeleton(used) != name_skeleton(name):
            return _new_browser_token()
        st.session_state["p_me_from_link"] = False  # this session has made the token its own
    return me


def participant_page(problem: DecisionProblem, token: str) -> None:
    """What a participant sees from the workshop link: their name, four sliders and Submit. No account needed;
    unknown links are rate-limited per client; a closed or expired workshop shows and accepts nothing."""
    store = library.store_or_message()
    if store is None:
        return
    client = access.client_key()
    limiter = access.link_limiter()
    try:
        if st.session_state.get("p_opened") != token:  # a participant already in is never slowed by guessers
            limiter.check(client)
        workshop = store.workshop_for_participant(token)
    except TooManyAttempts as error:
        st.error(f"{plain(error)}.")
        return
    except StoreUnavailable as error:
        st.error(f"The workshop cannot be opened just now: {plain(error)}.")
        return
    except StoreError as error:
        limiter.failed(client)
        st.error(f"{plain(error)}. Check the link with the facilitator.")
        return
    st.session_state["p_opened"] = token
    if not workshop.is_open:
        st.title("Workshop")
        st.info("This workshop is closed. Thank you for taking part.")
        return
    st.title(plain(workshop.name))
    _browser_token()
    st.markdown(
        "Set how much each criterion should count for you, with the sliders or by answering the questions under them, "
        "then submit. You can change and resubmit from this page; the latest counts."
    )
    st.text_input("Your name", key="p_name", max_chars=80)
    criteria = problem.catalogue.defined_criteria
    sliders = [f"p_{criterion.id}" for criterion in criteria]
    for key in sliders:
        st.session_state.setdefault(key, 25)
    # As the sidebar's (``state.prepare``): pushed to the browser only until drawn, so a run never undoes key
    # presses made while it was on its way; drawn afresh with the server's value, never at 0.
    state.reassert(sliders)
    for text, key in zip(criteria, sliders, strict=True):
        st.slider(plain(text.label), 0, 100, help=plain(text.weight_help), **state.control(key))
    # Or answer questions instead: either sets the sliders above, then Submit sends them.
    elicit.swing_weighting(problem, "value_functions", target="p_", key="p_sw")
    elicit.trade_off_questions(problem, "value_functions", target="p_", key="p_to")
    raw = {c: float(st.session_state[f"p_{c}"]) for c in problem.criteria}
    total = sum(raw.values())
    if total > 0:
        st.caption(
            "Your weights as shares: " + ", ".join(f"{plain(problem.criterion_words(c))} {w / total:.0%}" for c, w in raw.items())
        )
    if st.button("Submit my weights", key="p_submit", type="primary"):
        if total <= 0:
            st.error("All your weights are zero: give at least one criterion a weight above zero.")
            return
        try:
            name = str(st.session_state["p_name"])
            store.submit(token, _token_for(store, token, name), name, Weights(**raw))
        except StoreError as error:
            st.error(f"Not submitted: {plain(error)}")
            return
        st.session_state["p_submitted"] = " ".join(str(st.session_state["p_name"]).split())
    if st.session_state.get("p_submitted"):
        st.success(f"Thank you, {plain(st.session_state['p_submitted'])}: your weights are in. You can resubmit at any time.")
    st.caption(PRIVACY_NOTICE)


LIFETIMES = {
    "2 hours": dt.timedelta(hours=2),
    "1 day": dt.timedelta(days=1),
    "2 days": dt.timedelta(days=2),
    "1 week": dt.timedelta(days=7),
}


def facilitator_tab(problem: DecisionProblem, scenario: Scenario | None, person: Principal) -> None:
    if not person.may(Permission.RUN_WORKSHOPS):
        st.info("Workshops are run by facilitators. Ask an admin for the facilitator role if you run them.")
        return
    desk = access.desk(person)
    if desk is None:
        return
    st.markdown("Run a workshop: partners give their own weights from their own devices, and you see the group's view live.")
    columns = st.columns([2, 1, 1])
    columns[0].text_input("Workshop name", key="ws_name", max_chars=120, persist_state="page")
    columns[1].selectbox(
        "Accepts weights for",
        options=list(LIFETIMES),
        index=1,
        key="ws_lifetime",
        help="After this the link accepts nothing.",
        persist_state="page",
    )
    if columns[2].button("Create a workshop", key="ws_create"):
        try:
            workshop = desk.create_workshop(st.session_state.get("ws_name", ""), LIFETIMES[st.session_state["ws_lifetime"]])
        except StoreError as error:
            st.error(f"Not created: {plain(error)}")
        else:
            st.session_state["ws_code"] = workshop.code
    try:
        known = {w.code: w for w in desk.workshops()}
    except StoreError as error:
        st.error(f"The workshops cannot be listed just now: {plain(error)}")
        return
    if not known:
        st.caption("No workshops yet.")
        return
    if st.session_state.get("ws_code") not in known:
        st.session_state["ws_code"] = next(iter(known))
    labels = distinct_labels(
        {c: f"{w.name} ({w.state}, made {w.created_at:%d %b %Y %H:%M} by {w.created_by})" for c, w in known.items()}
    )
    code = st.selectbox("Workshop", options=list(known), format_func=labels.__getitem__, key="ws_code")
    workshop = known[str(code)]
    ends = f"accepts weights until {workshop.expires_at:%d %b %Y %H:%M} UTC" if workshop.expires_at else "no expiry"
    st.markdown(f"**{plain(workshop.name)}**: {workshop.state}, {ends}.")
    if workshop.is_open:
        st.markdown("Participants open this link (it is the only way in; keep it to the workshop):")
        st.code(participant_link(workshop.participant_token), language=None)
    if scenario is None:
        st.info("Set up a valid scenario on the Funding tab to see what the group's weights fund.")
        return
    # WCAG 2.2.2: content that updates by itself can be paused.
    if st.toggle(f"Update this view every {REFRESH_SECONDS} seconds", value=True, key="ws_live"):
        live_view(problem, scenario, workshop.code)
    else:
        st.caption("Updates paused: turn them back on to see new submissions.")
        workshop_view(problem, scenario, workshop.code)


def workshop_view(problem: DecisionProblem, scenario: Scenario, code: str) -> None:
    """The group's submissions and what they fund. The person and their roles are read again on every
    run, so a facilitator whose role is removed stops seeing names at once."""
    person = access.principal()
    if not person.may(Permission.RUN_WORKSHOPS):
        st.info("Workshops are run by facilitators. Ask an admin for the facilitator role if you run them.")
        return
    desk = access.desk(person)
    if desk is None:
        return
    try:
        workshop = desk.workshop(code)
        submitted = desk.submissions(code)
    except StoreError as error:
        st.error(plain(error))
        return
    st.markdown(f"**{len(submitted)} participant(s) have submitted.**")
    if not submitted:
        st.caption("Waiting for participants.")
        return
    names = distinct_names([s.participant for s in submitted])
    for group in look_alike_names([s.participant for s in submitted]):
        st.warning(
            f"{len(group)} participants typed names that look alike ({plain(', '.join(repr(n) for n in group))}). "
            "They are counted as different people (each submitted from their own device); check with the room."
        )
    entries = [(name, s.weights) for name, s in zip(names, submitted, strict=True)]
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
    if desk.principal.may(Permission.ERASE_PERSONAL_DATA):
        _erase(desk, code, dict(zip(names, (s.key for s in submitted), strict=True)))
    summary = group_summary(entries)
    st.markdown("**The group's weights and where people disagree** (spread: standard deviation in percentage points)")
    st.dataframe(summary.rename_axis("criterion"), key="ws_summary")
    widgets.chart_view(charts.weight_spread_view(table), "weight_spread")
    try:
        view = group_view(problem, scenario, entries, workshop.name)
    except DecisionError as error:
        st.error(f"The scenario's constraints cannot be met: {plain(error)}")
        return
    st.markdown("**Top five under the group's mean weights:** " + plain("; ".join(view.top_five)))
    # The share is the column the facilitator reads, so it comes straight after the name and its header is short
    # enough to keep it on screen at 1,280 px (and on a projector at 1,024 px).
    st.dataframe(
        view.funding,
        key="ws_funded",
        hide_index=True,
        column_order=("name", "share of participants whose weights fund it (%)", "funded under the group's weights"),
        column_config={
            "name": st.column_config.TextColumn("intervention"),
            "share of participants whose weights fund it (%)": st.column_config.NumberColumn(
                "share of participants funding it",
                format="%d%%",
                help="The share of participants whose own weights fund it (%)",
            ),
            "funded under the group's weights": st.column_config.CheckboxColumn(
                "funded (group's mean)", help="Funded under the group's mean weights"
            ),
        },
    )
    if workshop.is_open and st.button("Close the workshop and save the group's scenario", key="ws_close"):
        try:
            workshop, saved = desk.close_workshop(code, view.scenario, problem.sha256)
        except StoreError as error:
            st.error(f"Not closed: {plain(error)}")
            return
        st.success(f"Closed. The group's scenario is saved as scenario {saved.id}.")
    _board_paper(problem, desk, workshop, submitted, view.scenario)


def _board_paper(
    problem: DecisionProblem, desk: Desk, workshop: Workshop, submitted: list[Submission], group_scenario: Scenario
) -> None:
    """The workshop's decision as a board paper (Word and PDF): the group's weights, the lowest and highest anyone
    gave and where people disagreed, no names. Only facilitators reach this view, and the desk checks the role
    again when the paper is built. Its decision record, every participant's weights by name, is the workshop's
    record: offered beside the paper only to those who may export records."""
    if workshop.scenario_id is not None:
        which = f"the group's scenario saved when the workshop closed (scenario {workshop.scenario_id})"
    else:
        which = "the group's weights so far, with the Funding tab's budget and rules"
    st.markdown("**Board paper of this workshop's decision**")
    exports = desk.principal.may(Permission.EXPORT_RECORDS)
    st.caption(
        f"Built from {plain(which)}: the group's weights, the lowest and highest anyone gave and where people "
        "disagreed. It names no participant. "
        + (
            "Its decision record holds every participant's weights by name."
            if exports
            else "Its decision record, which names the participants, is downloaded by commissioners."
        )
    )
    code = workshop.code
    inputs = json.dumps(
        [
            problem.sha256,
            code,
            workshop.scenario_id,
            group_scenario.model_dump_json(),
            [(s.key, s.participant, s.submitted_at.isoformat()) for s in submitted],
            desk.principal.actor,
        ]
    )
    widgets.report_downloads(
        lambda: desk.workshop_record(problem, code, group_scenario),
        lambda record: board_report(problem, record),
        "Download the workshop's board paper",
        f"board-report-workshop-{code}",
        "ws_report",
        inputs,
        desk.principal,
    )


def _erase(desk: Desk, code: str, keys: dict[str, str]) -> None:
    """The admin's erasure of one participant's weights (a right under UK GDPR)."""
    with st.expander("Erase a participant's weights (admin)"):
        st.caption(
            "Deletes every submission of that participant from this workshop. The group's scenario already saved, and "
            "decision records already downloaded, keep the weights as they were: say so to the person who asked."
        )
        chosen = st.selectbox("Participant", options=list(keys), key="ws_erase_who")
        if st.button("Erase their weights", key="ws_erase") and chosen is not None:
            try:
                count = desk.erase_participant(code, keys[str(chosen)])
            except StoreError as error:
                st.error(f"Not erased: {plain(error)}")
            else:
                st.success(f"Erased {count} submission(s).")


# The same view, run again by itself every few seconds while the facilitator watches.
live_view = st.fragment(run_every=REFRESH_SECONDS)(workshop_view)
