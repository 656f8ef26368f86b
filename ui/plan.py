"""The Funding tab's plan over several years and the catalogue's funding streams. Widgets only: the plan is
``matrix.decision.build_plan``'s, worked out on request and kept per scenario and settings."""

from __future__ import annotations

import json
from typing import Any

import altair as alt
import streamlit as st

from matrix.access import Principal
from matrix.decision import (
    MAX_COMPARED,
    DecisionProblem,
    PlanResult,
    PlanSettings,
    Scenario,
    build_plan,
    compare_plans,
    plan_file_text,
    plan_stream_ids,
    to_safe_csv,
)
from matrix.persistence import build_record
from matrix.report import board_report
from scoring import MAX_YEARS, DecisionError, InfeasibleError, money
from ui import elicit, state, widgets
from ui.caching import cached
from ui.charts import ChartView
from ui.state import NEVER, PLAN_EXTRA
from ui.text import plain

MAX_PLANS = MAX_COMPARED  # plans saved for the Compare tab (they ride in the link, like saved scenarios)


@cached(max_entries=8, spinner="Working out the best plan over the years...")
def worked_plan(problem: DecisionProblem, scenario: Scenario, settings: PlanSettings) -> PlanResult:
    return build_plan(problem, scenario, settings)


def _spend_view(result: PlanResult) -> ChartView:
    """Spend each year, stacked by the stream that pays it, with its data as a table."""
    table = result.table
    frame = (
        table.groupby(["year", "stream_name"], as_index=False)["paid_gbp"]
        .sum()
        .assign(year=lambda f: [result.year_label(int(y)) for y in f["year"]])
        .rename(columns={"stream_name": "stream", "paid_gbp": "paid (£)"})
    )
    title = "Spend each year, by the stream that pays it"
    totals = frame.groupby("year", sort=False)["paid (£)"].sum()
    summary = (
        "; ".join(f"{year}: {money(float(total))}" for year, total in totals.items()) + "."
        if len(totals)
        else "Nothing is funded in any year."
    )
    chart = (
        alt.Chart(frame, title=alt.Title(title, subtitle=summary))
        .mark_bar()
        .encode(
            x=alt.X("year:N", title="plan year", sort=None),
            y=alt.Y("paid (£):Q", title="paid (£ a year)", axis=alt.Axis(format=",.0f")),
            color=alt.Color("stream:N", title="funding stream", scale=alt.Scale(scheme="category10")),
            tooltip=["year", "stream", alt.Tooltip("paid (£):Q", format=",.0f")],
        )
        .properties(height=260, description=f"{title}. {summary}")
    )
    return ChartView(chart, title, summary, frame)


def plan_section(problem: DecisionProblem, scenario: Scenario, person: Principal) -> None:
    """Controls, then (on request) the plan in words, its year-by-stream table, a chart and its CSV."""
    streams = problem.catalogue.funding_streams
    st.caption(
        "The best plan over one to five years, with the money as it arrives: each funding stream's amount, years "
        "and what it may pay for (from the catalogue), contracts that run for a minimum length, and costs rising "
        "with inflation. The scenario's rules (must fund, must not fund, tier shares, ring-fence) hold every year."
        + ("" if streams else " This catalogue names no funding streams, so its annual budget pays for everything.")
    )
    columns = st.columns(3)
    kept: dict[str, Any] = {"persist_state": "page"}  # kept while another tab is open, like the scenario's controls
    columns[0].number_input("Years", min_value=1, max_value=MAX_YEARS, value=3, key="pl_years", **kept)
    columns[1].number_input(
        "Inflation (% a year)", min_value=0.0, max_value=50.0, value=0.0, step=0.5, key="pl_inflation", **kept
    )
    columns[2].number_input("Minimum contract (years)", min_value=1, max_value=MAX_YEARS, value=1, key="pl_contract", **kept)
    years = int(st.session_state["pl_years"])
    for ident, name in plan_stream_ids(problem.catalogue):
        left, right = st.columns(2)
        left.selectbox(
            f"{name}: ends",
            [NEVER, *range(1, years + 1)],
            format_func=lambda y: "does not end" if y == NEVER else f"before year {y} (pays nothing from year {y})",
            key=f"pl_end_{ident}",
            persist_state="page",
        )
        right.slider(f"{name}: cut by (%)", 0, 100, 0, step=5, key=f"pl_cut_{ident}", persist_state="page")
    st.number_input(
        "New money that may pay for anything (£ a year, every year of the plan)",
        min_value=0.0,
        max_value=1e10,
        value=0.0,
        step=10_000.0,
        format="%.0f",
        key="pl_new",
        help="What if a new stream arrives: its amount each year. 0: no new money.",
        **kept,
    )
    _extra_settings(problem.names)
    try:
        settings = state.plan_settings(problem)
    except ValueError as error:  # pydantic's ValidationError
        st.error(f"These plan settings cannot be used: {plain(error)}")
        return
    if not st.toggle("Work out the plan", key="pl_on", persist_state="page"):
        return
    try:
        result = worked_plan(problem, scenario, settings)
    except InfeasibleError as error:
        st.error("No plan meets every rule:\n\n" + "\n".join(f"- {plain(reason)}" for reason in error.reasons))
        return
    except DecisionError as error:
        st.error(f"No plan can be worked out: {plain(error)}")
        return
    for line in result.in_words():
        st.markdown(f"- {plain(line.strip())}")
    widgets.chart_view(_spend_view(result), "plan_spend")
    table = result.table.rename(
        columns={
            "financial_year": "financial year",
            "stream_name": "paid by",
            "paid_gbp": "paid £",
            "cost_gbp": "cost that year £",
        }
    ).drop(columns=["stream", "id"])
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "paid £": st.column_config.NumberColumn(format="£%,.0f"),
            "cost that year £": st.column_config.NumberColumn(format="£%,.0f"),
        },
        key="plan_table",
    )
    st.download_button(
        "Download the plan (CSV)",
        to_safe_csv(result.table),
        file_name="plan.csv",
        mime="text/csv",
        key="download_plan_csv",
        on_click="ignore",
    )
    st.download_button(
        "This plan as a file (JSON)",
        plan_file_text(scenario, settings),
        file_name="plan-scenario.json",
        mime="application/json",
        key="download_plan_file",
        on_click="ignore",
        help="The scenario and the plan's settings: python -m matrix plan --scenario FILE works the same plan out again.",
    )
    _save_button(scenario, settings)
    signed = person.actor
    elicited = elicit.current_elicited()  # bound now: the record is built when a button is clicked
    widgets.report_downloads(
        lambda: build_record(problem, scenario, signed, plan=settings, elicited=elicited),
        lambda record: board_report(problem, record),
        "Download the board report with this plan",
        "board-report-plan",
        "download_plan_report",
        json.dumps(
            [
                problem.sha256,
                scenario.model_dump_json(),
                settings.model_dump_json(),
                signed,
                elicited.model_dump_json() if elicited else None,
            ]
        ),
        person,
    )


def _extra_settings(names: dict[str, str]) -> None:
    """What a loaded plan (a saved scenario's, a link's, a record's) holds that no control shows, said in words,
    with a way to leave it out."""
    extra = st.session_state.get(PLAN_EXTRA) or {}
    if not extra:
        return
    parts = []
    if extra.get("start_year"):
        parts.append(f"the plan starts in {extra['start_year']}")
    if extra.get("committed_years"):
        parts.append(
            "contracts already running: "
            + ", ".join(f"{names.get(ident, ident)} for {years} year(s)" for ident, years in extra["committed_years"].items())
        )
    if extra.get("early_stop"):
        parts.append("may stop early: " + ", ".join(names.get(ident, ident) for ident in extra["early_stop"]))
    if extra.get("not_before"):
        starts = extra["not_before"].items()
        parts.append("not funded before: " + ", ".join(f"{names.get(ident, ident)} year {year}" for ident, year in starts))
    if extra.get("new_streams"):
        streams = extra["new_streams"].items()
        parts.append("new streams: " + ", ".join(f"{ident} {money(float(amount))} a year" for ident, amount in streams))
    st.caption(plain("The loaded plan also holds settings the boxes above do not show: " + "; ".join(parts) + "."))
    if st.button("Leave these settings out", key="pl_extra_clear"):
        st.session_state[PLAN_EXTRA] = {}
        st.rerun()


def _save_button(scenario: Scenario, settings: PlanSettings) -> None:
    """Keep this plan (its scenario and settings) for the Compare tab."""
    saved = state.saved_plans()
    entry = (scenario.model_dump_json(), settings.model_dump_json())
    if entry in saved:
        st.caption(f"This plan is kept for comparison ({saved.index(entry) + 1} of {MAX_PLANS}); see the Compare tab.")
        return
    if st.button("Save this plan for comparison", key="pl_save", disabled=len(saved) >= MAX_PLANS):
        saved.append(entry)
        st.rerun()
    if len(saved) >= MAX_PLANS:
        st.caption(f"{MAX_PLANS} plans are kept already: remove one on the Compare tab to keep this one.")


def _label(k: int, scenario: Scenario, settings: PlanSettings) -> str:
    return f"{k}. {scenario.name}, {settings.years} year{'s' if settings.years > 1 else ''}"


def compared_plans(problem: DecisionProblem) -> None:
    """The Compare tab's plans side by side: the what-ifs, value and cost, each year's spend, each stream's
    payments, what is owed later and which stream runs out first; a safe CSV; and a way to remove one."""
    saved = state.saved_plans()
    st.markdown("**Plans over several years compared**")
    if not saved:
        st.caption("Work out a plan on the Funding tab and save it for comparison to see it here, beside others.")
        return
    entries = [(Scenario.model_validate_json(a), PlanSettings.model_validate_json(b)) for a, b in saved]
    labels = [_label(k, scenario, settings) for k, (scenario, settings) in enumerate(entries, start=1)]
    plans, failed = [], []
    for label, (scenario, settings) in zip(labels, entries, strict=True):
        try:
            plans.append((label, worked_plan(problem, scenario, settings)))
        except InfeasibleError as error:
            failed.append(f"{label}: no plan meets every rule ({'; '.join(error.reasons)})")
        except DecisionError as error:
            failed.append(f"{label}: no plan can be worked out ({error})")
    for message in failed:
        st.warning(plain(message))
    if plans:
        table = compare_plans(plans)
        money_columns = [c for c in table.columns if c.endswith("£")]
        st.dataframe(
            table,
            hide_index=True,
            column_config={c: st.column_config.NumberColumn(format="£%,.0f") for c in money_columns}
            | {"value": st.column_config.NumberColumn("total benefit", format="%,.1f")},
            key="compare_plans",
        )
        st.download_button(
            "Download the plans compared (CSV)",
            to_safe_csv(table),
            file_name="plans-compared.csv",
            mime="text/csv",
            key="download_compare_plans",
            on_click="ignore",
        )
    remove = st.selectbox(
        "Remove a saved plan",
        options=list(range(len(saved))),
        format_func=labels.__getitem__,
        index=None,
        key="compare_plan_remove",
    )
    if remove is not None and st.button("Remove", key="compare_plan_remove_button"):
        saved.pop(remove)
        st.rerun()
