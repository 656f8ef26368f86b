"""Funding scenario and comparison sections. Widgets only: the optimisation lives in matrix/scoring."""

from __future__ import annotations

import json
from contextlib import suppress

import pandas as pd
import streamlit as st

from matrix.access import Permission, Principal
from matrix.catalogue import TIERS
from matrix.decision import (
    MAX_BUDGET_GBP,
    MAX_COMPARED,
    MAX_RINGFENCE_PERCENT,
    DecisionProblem,
    Scenario,
    ScenarioResult,
    compare,
    evaluate,
    frontier_table,
    funded_estimated_share,
    funding_table,
    next_pound,
    to_safe_csv,
    unique_name,
)
from matrix.persistence import DecisionRecord, build_record
from matrix.report import Report, board_report
from scoring import DecisionError, InfeasibleError, ScoreResult, money
from ui import access, charts, elicit, library, plan, sensitivity, state, widgets
from ui.caching import cached
from ui.text import distinct_labels, plain

# The next-pound table's columns in words (the library's names carry units for the CSV and tests).
NEXT_POUND_WORDS = {
    "budget change £": "budget change",
    "budget £": "budget",
    "value change": "change in total benefit",
    "spend £": "spend",
    "added": "added",
    "removed": "dropped",
    "level changed": "level changed",
    "outcome": "why not",
}


@cached(max_entries=64)
def evaluate_cached(problem: DecisionProblem, scenario: Scenario) -> ScenarioResult:
    """The scenario evaluated on the problem (cached per catalogue and scenario). The cache hands out copies,
    so what every caller reads (the changes against today) is worked out before the result is kept."""
    result = evaluate(problem, scenario)
    _ = result.changes
    return result


@cached(max_entries=16, spinner="Finding the best value at 100 budgets...")
def _frontier_and_next_pound(problem: DecisionProblem, scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    return frontier_table(problem, scenario), next_pound(problem, scenario)


def scenario_controls(problem: DecisionProblem) -> None:
    """The scenario's widgets. Their values live in session state, so they persist while another tab is open."""
    names = distinct_labels({str(i): str(n) for i, n in problem.info["name"].items()})
    ids = list(names)
    harmful = [str(i) for i in problem.info.index[problem.info["harmful"].astype(bool)]]
    budget_source = problem.catalogue.budget.annual_budget_gbp
    top = st.columns([2, 1, 1])
    top[0].text_input("Scenario name", **state.control("sc_name"), max_chars=120, persist_state="page")
    top[1].number_input(
        "Budget (£ a year)",
        min_value=0,
        max_value=MAX_BUDGET_GBP,
        step=10_000,
        **state.control("sc_budget"),
        help=f"Default: £{budget_source.value:,.0f}, " + plain(budget_source.note or budget_source.source),
        persist_state="page",
    )
    top[2].slider(
        "Ring-fenced for evaluation (%)",
        0,
        MAX_RINGFENCE_PERCENT,
        **state.control("sc_ringfence"),
        help="Share of the budget kept aside for evaluation.",
        persist_state="page",
    )
    pick = st.columns(2)
    pick[0].multiselect(
        "Must fund", ids, format_func=names.__getitem__, **state.control("sc_must", "default"), persist_state="page"
    )
    pick[1].multiselect(
        "Must not fund", ids, format_func=names.__getitem__, **state.control("sc_exclude", "default"), persist_state="page"
    )
    st.caption(
        "Share of spend by prevention tier (minimum and maximum). "
        "A multi-tier intervention's cost is split equally between its tiers."
    )
    tier_columns = st.columns(3)
    for column, tier in zip(tier_columns, TIERS, strict=True):
        column.slider(f"{tier.capitalize()} (%)", 0, 100, **state.control(f"sc_tier_{tier}"), persist_state="page")
    # One under the other: side by side, the first label was cut off at 1,024 px.
    options = (st, st)
    options[0].checkbox(
        "Keep everything funded today (no disinvestment)",
        **state.control("sc_keep_today"),
        help="Unticked, the optimiser may stop current interventions; what that frees is shown.",
        persist_state="page",
    )
    options[1].checkbox(
        "Count cost in the benefit too",
        **state.control("sc_include_cost"),
        help="By default the benefit leaves cost out, because the budget already accounts for it.",
        persist_state="page",
    )
    if harmful:
        with st.expander("Override the exclusion of approaches the YEF rates harmful"):
            st.multiselect(
                "Allow",
                harmful,
                format_func=names.__getitem__,
                **state.control("sc_allow_harmful", "default"),
                persist_state="page",
            )
            st.text_input(
                "Reason (recorded with the scenario)", **state.control("sc_reason"), max_chars=500, persist_state="page"
            )
            if st.session_state["sc_allow_harmful"] and not st.session_state["sc_reason"].strip():
                st.warning("Give a reason to override the exclusion; until then these stay excluded.")


def changes_to_today(result: ScenarioResult) -> None:
    """What the funded set changes in what is funded today: stopped, reduced, increased, new, with the money."""
    changes = result.changes
    st.markdown("**Changes to what is funded today**")
    if changes.empty:
        st.caption("None: this set funds exactly what is funded today, at the same levels.")
        return
    lines = []
    for kind, words in (("stopped", "Stopped"), ("reduced", "Reduced"), ("increased", "Increased"), ("new", "New")):
        rows = changes[changes["change"] == kind]
        if rows.empty:
            continue
        items = "; ".join(
            f"{row['name']} ({row['level today']} to {row['level now']})"
            if row["level now"] and row["level today"]
            else str(row["name"])
            for row in rows.to_dict(orient="records")
        )
        total = float(rows["difference £"].sum())
        effect = f"frees {money(-total)}" if total < 0 else f"costs {money(total)}"
        lines.append(f"- **{words}** ({len(rows)}, {effect} a year): {plain(items)}")
    st.markdown("\n".join(lines))
    freed, added = result.freed_gbp, result.change_total("increased", "new")
    st.caption(f"In all, stopping and reducing frees {money(freed)} a year; increasing and starting costs {money(added)} a year.")
    st.dataframe(
        changes.drop(columns="id"),
        hide_index=True,
        key="changes_table",
        column_config={c: st.column_config.NumberColumn(format="£%,.0f") for c in ("cost today £", "cost now £", "difference £")},
    )


def headline_figures(problem: DecisionProblem, result: ScenarioResult) -> None:
    """The scenario's five figures. They sit in a row that wraps, each as wide as its figure, so no figure is ever
    cut off ("£1,4..."): five columns were too narrow at 1,024 px and for a £1.5m budget at 1,280 px."""
    optimum = result.optimum
    with st.container(horizontal=True, wrap=True, gap="medium", key="headline_figures"):
        st.metric(
            "Total benefit",
            f"{optimum.value:,.1f}",
            help="Each funded intervention's benefit (its weighted score, 0 to 100) added up. Higher is better; "
            "compare it only between scenarios with the same weights.",
            width="content",
        )
        st.metric("Spend", money(optimum.spend_gbp), width="content")
        st.metric("Money left", money(optimum.money_left_gbp), width="content")
        st.metric("Ring-fenced for evaluation", money(optimum.rules.ringfenced_gbp), width="content")
        st.metric("Funded", f"{len(optimum.chosen)} of {len(problem.info)}", width="content")


def show_result(problem: DecisionProblem, result: ScenarioResult) -> None:
    optimum, ratio = result.optimum, result.ratio
    widgets.skip_link("Skip the tables: go to the value-for-money chart", "value-for-money")
    with st.container(key="funded_summary"):
        st.markdown(
            f"**Funded:** {len(optimum.chosen)} interventions, reaching at least {optimum.reach:,.0f} people a year "
            "(interventions with unknown reach count as 0)."
        )
    st.caption(
        "Benefit is each intervention's weighted sum of "
        + plain(problem.benefit_words(result.scenario.include_cost))
        + ". The set is the best combination within the budget and the rules, worked out exactly (every combination "
        "is considered), not a list of the best value for money one by one. "
        f"{funded_estimated_share(result):.0%} of its total benefit rests on illustrative, unconfirmed or missing "
        "figures; the Sensitivity tab says which of them could change the set."
    )
    gap = optimum.value - ratio.value
    if gap > 1e-6:
        best, by_ratio = optimum.funded, ratio.funded  # each made afresh from a table: taken once
        in_best, in_ratio = set(best), set(by_ratio)
        only_best = [result.names[i] for i in best if i not in in_ratio]
        only_ratio = [result.names[i] for i in by_ratio if i not in in_best]
        st.info(
            f"Picking interventions one by one by benefit per pound would reach a total benefit of {ratio.value:,.1f}, "
            f"{gap:,.1f} less"
            + (f"; it would fund {plain('; '.join(only_ratio))}" if only_ratio else "")
            + (f" instead of {plain('; '.join(only_best))}" if only_best else "")
            + ". (Picking by benefit per pound also ignores the tier shares.)"
        )
    else:
        st.caption(
            f"Picking interventions one by one by benefit per pound happens to reach the same total benefit here "
            f"({ratio.value:,.1f})."
        )
    if optimum.binding:
        st.markdown("**Constraints with no room to spare:** " + plain("; ".join(optimum.binding)))
    changes_to_today(result)
    if result.harmful_excluded:
        excluded = "; ".join(result.names[i] for i in result.harmful_excluded)
        st.caption(f"Excluded because the YEF rates the approach harmful: {plain(excluded)}.")
    for ident, reason in result.scenario.harmful_overrides.items():
        st.warning(f"Harmful-rated approach allowed by override: {plain(result.names[ident])}. Recorded reason: {plain(reason)}")
    st.dataframe(
        result.funded_table().drop(columns="id"),
        hide_index=True,
        column_config={"annual cost £": st.column_config.NumberColumn(format="£%,.0f")},
        key="funded_table",
    )
    tiers = optimum.spend_by_tier.to_frame("spend £").rename_axis("prevention tier")
    tiers["share of spend"] = (optimum.share_by_tier * 100).round(1).astype(str) + "%"
    st.markdown("**Spend by prevention tier**")
    st.dataframe(tiers, column_config={"spend £": st.column_config.NumberColumn(format="£%,.0f")})
    st.header("Value for money", anchor="value-for-money")
    st.markdown("Benefit against cost for every way of funding each intervention; size is reach.")
    label = widgets.decision_label(problem, result.scenario.name)
    widgets.chart_view(
        charts.value_for_money_view(result.options, list(optimum.chosen.index), dict(result.names), label),
        "vfm",
        png=("Download this chart (PNG)", "value-for-money.png"),
    )


def funding_tab(problem: DecisionProblem, scored: ScoreResult, person: Principal) -> None:
    """The scenario page: controls, the funded set, charts, frontier and next pound, saving for comparison."""
    scenario_controls(problem)
    scenario, problem_text = state.current_scenario()
    if scenario is None:
        st.error(plain(problem_text))
        return
    try:
        result = evaluate_cached(problem, scenario)
    except InfeasibleError as error:
        st.error("These constraints cannot all be met:\n\n" + "\n".join(f"- {plain(reason)}" for reason in error.reasons))
        return
    except DecisionError as error:
        st.error(f"This scenario cannot be evaluated: {plain(error)}")
        return
    headline_figures(problem, result)
    scenario_actions(problem, scored, scenario, result, person)
    show_result(problem, result)
    if st.toggle(
        "Show the best total benefit at every budget, and what a budget change would do",
        key="sc_show_frontier",
        persist_state="page",
    ):
        table, pounds = _frontier_and_next_pound(problem, scenario)
        widgets.chart_view(
            charts.frontier_view(table, scenario.budget_gbp, widgets.decision_label(problem, scenario.name)),
            "frontier",
            png=("Download the frontier chart (PNG)", "frontier.png"),
        )
        st.caption("Best value at each budget from £0 to the cost of everything; the dashed rule is this scenario's budget.")
        st.markdown("**What a budget change would do**")
        st.dataframe(
            pounds.rename(columns=NEXT_POUND_WORDS),
            hide_index=True,
            key="next_pound_table",
            column_config={c: st.column_config.NumberColumn(format="£%,.0f") for c in ("budget change", "budget", "spend")},
        )
    sensitivity.init_state()
    if st.toggle(
        "Show each intervention's chance of being funded (from the trials; settings on the Sensitivity tab)",
        key="sc_show_probability",
        persist_state="page",
        on_change=sensitivity.request_trials,
    ):
        mc = sensitivity.monte_carlo(problem, scenario, person)
        if mc is not None:
            st.caption(
                f"{mc.draws:,} trials (starting number {mc.seed}) with the weights and the estimated figures varied "
                f"within their uncertainty; every chance is give or take at most {mc.max_standard_error * 100:.1f} "
                "percentage points."
            )
            st.dataframe(sensitivity.probability_table(problem, mc), hide_index=True, key="funded_probability_table")
    # Worked out only while open: folded, the plan's controls, the saved scenarios (a database read) and the
    # record's buttons were drawn on every weight nudge.
    if (folded := widgets.fold("Over several years and the funding streams", "fold_plan")) is not None:
        with folded:
            plan.plan_section(problem, scenario, person)
    if (folded := widgets.fold("Saved scenarios (kept in the database, every version)", "fold_library")) is not None:
        with folded:
            library.library_section(problem, scenario, access.desk(person))
    if (folded := widgets.fold("Decision record: download, or import to restore", "fold_record")) is not None:
        with folded:
            library.record_section(problem, scenario, access.desk(person) if person.may(Permission.EXPORT_RECORDS) else None)


def scenario_actions(
    problem: DecisionProblem, scored: ScoreResult, scenario: Scenario, result: ScenarioResult, person: Principal
) -> None:
    """Save for comparison, the shortlist CSV and the board report, straight after the figures: a keyboard user
    reaches them a few Tab presses after the scenario's controls, not past every table and chart."""
    actions = st.columns(2)
    saved = state.compared()
    if actions[0].button("Save for comparison", key="sc_save", disabled=len(saved) >= MAX_COMPARED):
        named = scenario.model_copy(update={"name": unique_name(scenario.name, [s.name for s in saved])})
        saved.append(named)
        # Said on the page, not in a toast: a toast vanishes on its own (too fast for some readers) and
        # Streamlit's toast is a dialog without a name.
        actions[0].success(
            f"Saved '{plain(named.name)}' for comparison ({len(saved)} of {MAX_COMPARED}); the page's link keeps it."
        )
    if len(saved) >= MAX_COMPARED:
        actions[0].caption(f"{MAX_COMPARED} scenarios are saved; remove one on the Compare tab to save another.")
    actions[1].download_button(
        "Download funding shortlist CSV",
        data=lambda: to_safe_csv(funding_table(problem, scored, result)),
        file_name="funding-shortlist.csv",
        mime="text/csv",
        key="download_funding_csv",
        on_click="ignore",
    )
    board_report_downloads(problem, scenario, person)
    st.caption("The page's address now holds this scenario and the weights: copy it to share or to come back to it.")


def board_report_downloads(problem: DecisionProblem, scenario: Scenario, person: Principal) -> None:
    """The board paper for this scenario (and the scenarios saved for comparison), as Word and PDF, and its
    decision record for those who may export records. Built when clicked; signed with the person's identity."""
    others = [s for s in state.compared() if s != scenario][: MAX_COMPARED - 1]
    signed = person.actor
    elicited = elicit.current_elicited()  # bound now: the record is built when a button is clicked

    def paper(record: DecisionRecord) -> Report:
        records = []
        for other in others:
            with suppress(DecisionError):  # a saved scenario whose constraints cannot hold is left out of the comparison
                records.append(build_record(problem, other, signed))
        return board_report(problem, record, records)

    inputs = json.dumps(
        [
            problem.sha256,
            scenario.model_dump_json(),
            [o.model_dump_json() for o in others],
            signed,
            elicited.model_dump_json() if elicited else None,
        ]
    )
    st.markdown("**Board paper**" + (f" (compared with {len(others)} saved scenario(s))" if others else ""))
    widgets.report_downloads(
        lambda: build_record(problem, scenario, signed, elicited=elicited),
        paper,
        "Download the board report",
        "board-report",
        "download_report",
        inputs,
        person,
    )


def compare_tab(problem: DecisionProblem) -> None:
    saved = state.compared()
    if saved:
        _compare_scenarios(problem, saved)
    else:
        st.info("Save up to four scenarios on the Funding tab to compare them here.")
    plan.compared_plans(problem)


def _compare_scenarios(problem: DecisionProblem, saved: list[Scenario]) -> None:
    results, failed = [], []
    for scenario in saved:
        try:
            results.append(evaluate_cached(problem, scenario))
        except DecisionError as error:
            failed.append(f"{scenario.name}: {error}")
    for message in failed:
        st.warning(plain(message))
    if results:
        membership, totals = compare(results)
        st.markdown("**Totals**")
        st.dataframe(
            totals[["scenario", "budget £", "spend £", "value", "reach a year", "funded"]].rename(
                columns={"value": "total benefit", "funded": "interventions funded"}
            ),
            hide_index=True,
            column_config={c: st.column_config.NumberColumn(format="£%,.0f") for c in ("budget £", "spend £")}
            | {"total benefit": st.column_config.NumberColumn(format="%,.1f")},
            key="compare_totals",
        )
        widgets.chart_view(
            charts.tier_spend_view(totals, widgets.decision_label(problem, "the saved scenarios compared")), "tier_spend"
        )
        st.markdown("**What each funds** (the level funded, or blank)")
        st.dataframe(membership.reset_index(drop=True), hide_index=True, key="compare_membership")
    remove = st.selectbox(
        "Remove a saved scenario",
        options=list(range(len(saved))),
        format_func=lambda k: f"{k + 1}. {saved[k].name}",
        index=None,
        key="compare_remove",
        persist_state="page",
    )
    if remove is not None and st.button("Remove", key="compare_remove_button"):
        saved.pop(remove)
        st.rerun()
