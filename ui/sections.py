"""Page sections. Widgets and layout only: every number comes from ``matrix`` or ``scoring``."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from matrix.access import Permission, Principal
from matrix.catalogue import DELIVERY_MODELS, IMPACT_BANDS, TARGET_GROUPS, TIERS, CatalogueError, stale_strands
from matrix.decision import (
    DecisionProblem,
    MatrixFilter,
    Scenario,
    describe_value_functions,
    estimated_shares,
    explain,
    filter_ids,
    number_word,
    provenance_marks,
    select_rows,
    shortlist_table,
    status_quo_notice,
    to_safe_csv,
)
from matrix.report import headline, near_ties
from scoring import (
    NORMALISATIONS,
    DecisionError,
    Normalisation,
    ScoreResult,
    WeightsError,
    score,
)
from ui import access, charts, data, elicit, funding, sensitivity, state, widgets, workshop
from ui.admin import admin_tab
from ui.caching import cached
from ui.text import distinct_labels, plain


def _words(value: str) -> str:
    return value.replace("_", " ")


def catalogue_problems(path: str, error: CatalogueError) -> None:
    st.title("Interventions matrix")
    st.error(f"The catalogue cannot be used: {len(error.problems)} problem(s) in {plain(path)}. Nothing has been changed.")
    st.code("\n".join(str(p) for p in error.problems), language=None, wrap_lines=True)
    st.caption("Fix the file and reload the page. `python -m matrix validate PATH` lists the same problems.")


def weights_sidebar(problem: DecisionProblem) -> tuple[dict[str, int], Normalisation]:
    """Sliders, presets and normalisation (drawn where the caller says: the sidebar); their values are set by
    ``state.prepare``."""
    catalogue = problem.catalogue
    presets = distinct_labels({p.id: p.label for p in catalogue.presets} | {state.CUSTOM: "Custom"})
    st.header("Weights")
    st.selectbox(
        "Preset",
        options=list(presets),
        format_func=presets.__getitem__,
        key="preset",
        on_change=state.apply_preset,
        help="Sets all the weight sliders at once. You can then move any slider; the box then says Custom.",
    )
    chosen = st.session_state["preset"]
    if chosen != state.CUSTOM:
        st.caption(plain(catalogue.preset(chosen).description))
    weights = {}
    for text in catalogue.defined_criteria:
        criterion = text.id
        weights[criterion] = int(
            st.slider(
                plain(text.label),
                min_value=0,
                max_value=100,
                step=1,
                help=plain(text.weight_help),
                **state.control(f"w_{criterion}"),
            )
        )
    total = sum(weights.values())
    if total > 0:
        st.caption(
            "As shares of the total: "
            + ", ".join(f"{plain(problem.criterion_words(c))} {w / total:.0%}" for c, w in weights.items())
        )
    labels = {
        "value_functions": "Fixed scales from the catalogue (default)",
        "minmax": "Relative to the other interventions (lowest 0, highest 100)",
    }
    chosen_normalisation = st.selectbox(
        "How values are put on the 0-100 scale",
        options=list(labels),
        format_func=labels.__getitem__,
        index=list(labels).index(st.session_state["normalisation"]),
        **state.control("normalisation", default=None),
        help="How criterion values are put on one 0-100 scale before weighting; it applies to the ranking, "
        "the funding benefit, the sensitivity analysis, the CSVs and the decision record.",
    )
    normalisation: Normalisation = "minmax" if chosen_normalisation == "minmax" else "value_functions"
    st.caption(plain(NORMALISATIONS[normalisation]))
    elicit.swing_weighting(problem, normalisation, target="w_", key="sw")
    elicit.trade_off_questions(problem, normalisation, target="w_", key="to")
    return weights, normalisation


# The filter's steps for the share of a score resting on estimates, in %.
ESTIMATE_LIMITS = (0, 25, 50, 75, 100)


def filters(problem: DecisionProblem) -> MatrixFilter:
    columns = st.columns([1, 1, 1, 1, 1.4])
    tiers = columns[0].multiselect("Prevention tier", TIERS, key="f_tiers")
    models = columns[1].multiselect("Delivery model", DELIVERY_MODELS, format_func=_words, key="f_models")
    groups = columns[2].multiselect("Target group", TARGET_GROUPS, format_func=_words, key="f_groups")
    bands = columns[3].multiselect("YEF impact band", (*IMPACT_BANDS, "unknown"), format_func=_words, key="f_bands")
    text = columns[4].text_input("Search", key="f_text", placeholder="name, area or YEF strand")
    unverified = st.checkbox("Only interventions with illustrative or unconfirmed values", key="f_unverified")
    most = st.columns([1, 1])[0].select_slider(
        "Score resting on estimates: at most",
        options=ESTIMATE_LIMITS,
        value=100,
        format_func=lambda p: "any share" if p == 100 else f"{p}%",
        key="f_estimated",
        help="Keep interventions whose score, at the current weights, rests on illustrative, unconfirmed or missing "
        "figures for at most this share",
    )
    return MatrixFilter(tiers, models, groups, bands, text, unverified, most / 100)


# The column, on the Matrix and Ranking tabs, of the share of each score resting on estimates.
ON_ESTIMATES = "score on estimates"


# The share of a score resting on estimates, as a bar from 0 to 100% with its figure.
ESTIMATE_COLUMN = st.column_config.ProgressColumn(
    ON_ESTIMATES,
    min_value=0,
    max_value=100,
    format="%.0f%%",
    help="How much of the score, at the current weights, rests on illustrative, unconfirmed or missing figures "
    "(the values marked * or ?)",
)


@cached(max_entries=32)
def _heatmap_base(problem: DecisionProblem, shown: str, _visible: tuple[str, ...]) -> charts.ChartView:
    """The heatmap for the interventions shown, kept while only the weights move (they change just its order).
    ``shown`` (a digest of their ids) is the cache's key, not ``_visible`` itself: hashing 10,000 ids one by one
    on every run took 0.14 s."""
    return charts.heatmap_base(problem, list(_visible))


@cached(max_entries=32)
def _matrix_table_base(problem: DecisionProblem, shown: str, _visible: tuple[str, ...]) -> pd.DataFrame:
    """The matrix table for the interventions shown, with its score and estimates columns left empty: the rest
    depends only on the catalogue, so it is kept while the weights move (building it was a third of a nudge's
    work on the Matrix tab). Keyed like ``_heatmap_base``."""
    info = problem.info.loc[list(_visible)]
    table = info[["name"]].copy()
    table["score"] = np.nan
    table[ON_ESTIMATES] = np.nan
    table["warning"] = info["harmful"].map({True: "HARMFUL (YEF): excluded from funding", False: ""})
    table["not confirmed"] = info["provenance_flags"].map(provenance_marks)
    table = table.join(
        info[["status", "prevention_tiers", "delivery_model", "target_group", "yef_strand", "yef_impact", "yef_evidence"]].map(
            lambda v: _words(str(v)) if isinstance(v, str) else v
        )
    )
    table["annual cost £"] = info["annual_cost_gbp"]
    table["reach a year"] = [f"{int(r):,}" if r == r and r is not None else "not known" for r in info["reach_per_year"]]
    table["audience (not scored)"] = info["audience"]
    table["funded today"] = info["funded_today"]
    checked = {s.name: s.checked for s in problem.catalogue.yef_strands}
    table["YEF checked"] = [checked.get(str(name)) for name in info["yef_strand"]]
    return table.reset_index(drop=True)


def matrix_tab(problem: DecisionProblem, result: ScoreResult, visible: list[str]) -> None:
    st.caption(
        f"Showing {len(visible)} of {len(problem.info)} interventions. Values are 0-100, 100 = best "
        f"({problem.best_words}). In a cell, * marks a value resting on an illustrative "
        "figure (our estimate) and ? one resting on an unconfirmed figure. Each value's raw input and source are in "
        "the chart's data table (and on hover)."
    )
    stale = stale_strands(problem.catalogue, dt.date.today())
    if stale:
        st.warning(
            "YEF ratings last checked more than twelve months ago: " + plain("; ".join(stale)) + ". Refresh them on the Data tab."
        )
    if not visible:
        st.info("No intervention matches these filters.")
        return
    shown = hashlib.sha256("\n".join(visible).encode("utf-8")).hexdigest()
    base = _heatmap_base(problem, shown, tuple(visible))
    widgets.chart_view(charts.heatmap_view(problem, visible, list(result.ranks.index), base), "heatmap")
    table = _matrix_table_base(problem, shown, tuple(visible))
    table["score"] = result.scores.reindex(visible).round(1).to_numpy()
    table[ON_ESTIMATES] = (estimated_shares(problem, result).reindex(visible) * 100).round(0).to_numpy()
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "annual cost £": st.column_config.NumberColumn(format="£%,.0f"),
            ON_ESTIMATES: ESTIMATE_COLUMN,
            "reach a year": st.column_config.TextColumn(
                help="People directly engaged a year; 'not known' where no figure exists"
            ),
            "audience (not scored)": st.column_config.TextColumn(
                help="How many saw or heard it (social-media reach, views): not people engaged, so never scored or counted"
            ),
            "not confirmed": st.column_config.TextColumn(
                help="Values that are our illustrative estimates or not confirmed by any source"
            ),
        },
    )


def ranking_tab(problem: DecisionProblem, result: ScoreResult, visible: list[str]) -> None:
    top = str(result.ranks.index[0])
    with st.container(key="top_ranked"):
        st.markdown(f"**Top ranked:** {plain(problem.info.at[top, 'name'])} (score {result.scores[top]:.1f})")
    weights_text = ", ".join(f"{c} {w * 100:.0f}%" for c, w in result.weights.items())
    st.caption(f"Weights as shares of their total: {weights_text}.")
    flagged = set(problem.info.index[problem.info["harmful"].astype(bool)])
    harmful = [i for i in visible if i in flagged]
    if harmful:
        names = "; ".join(str(problem.info.at[i, "name"]) for i in harmful)
        st.warning(f"Rated harmful by the YEF, and excluded from funding unless overridden with a reason: {plain(names)}")
    widgets.chart_view(charts.ranking_view(problem, result, visible), "ranking", png=("Download this chart (PNG)", "ranking.png"))
    st.caption(
        f"Each bar is the score: the sum of weight x value over the {number_word(len(problem.criteria))} criteria. "
        "Equal scores share "
        "a rank and are "
        "always listed in the same order. Values: " + plain(NORMALISATIONS[result.normalisation])
    )
    shown = charts.kept_in_order(result.ranks.index, visible)
    shares = estimated_shares(problem, result)
    st.dataframe(
        pd.DataFrame(
            {
                "rank": result.ranks.reindex(shown).to_numpy(),
                "intervention": [problem.names[i] for i in shown],
                "score": result.scores.reindex(shown).round(1).to_numpy(),
                ON_ESTIMATES: (shares.reindex(shown) * 100).round(0).to_numpy(),
            }
        ),
        hide_index=True,
        column_config={ON_ESTIMATES: ESTIMATE_COLUMN},
        key="ranking_estimates",
    )
    order = [str(i) for i in result.ranks.index]
    ties = [
        f"{problem.names[a]} and {problem.names[b]}"
        for a, b in near_ties(order, {str(i): float(v) for i, v in result.scores.items()})
    ]
    if ties:
        st.info(
            "Effectively tied (scores less than one point apart, closer than the estimated figures behind them can "
            "tell): " + plain("; ".join(ties)) + "."
        )
    st.header("How was this scored?")
    ordered = charts.kept_in_order(result.ranks.index, visible) or [str(i) for i in result.ranks.index]
    chosen = st.selectbox(
        "Intervention",
        options=ordered,
        format_func=lambda i: f"{result.ranks[i]}. {problem.names[i]}",
        key="explain_id",
        persist_state="page",
    )
    if chosen not in result.ranks.index:
        return
    explanation = explain(problem, result, str(chosen))
    st.dataframe(explanation.drop(columns="in words"), hide_index=True)
    for sentence in explanation["in words"]:
        st.markdown(f"- {plain(sentence)}")
    st.markdown(f"**Score {result.scores[chosen]:.1f}, rank {result.ranks[chosen]} of {len(result.ranks)}.**")
    share = float(shares[chosen])
    st.markdown(
        f"{share:.0%} of this score ({share * float(result.scores[chosen]):.1f} points) rests on illustrative, "
        "unconfirmed or missing figures."
    )


GLOSSARY = {
    "Value (0-100)": "How good an intervention is on one criterion: 100 is best (such as high impact or low cost).",
    "Weight": "How much a criterion counts. The four weights are divided by their total, so only their proportions matter.",
    "Score": "The weighted sum of an intervention's four values: what the ranking orders by.",
    "Benefit": "What funding an intervention adds: its score on impact, reach and risk (cost too if chosen), "
    "with the weights shared among those criteria. The budget already counts cost.",
    "Total benefit": "The benefits of the funded interventions added up. Compare it only between scenarios with the "
    "same weights.",
    "Recommended set": "The combination of interventions, within the budget and the rules, whose benefits add up to the most.",
    "Prevention tier": "Primary (everyone), secondary (people at risk) or tertiary (people already involved in violence).",
    "YEF Toolkit": "The Youth Endowment Fund's summary of the evidence on what works to prevent violence.",
    "Illustrative": "A figure we estimated for the example, marked *; to be replaced by a real one.",
    "Unconfirmed": "A figure no source confirms, marked ?.",
    "Chance of being funded": "How often an intervention is still funded when the decision is worked out again many times "
    "with the weights and the estimated figures varied within their uncertainty.",
    "Ring-fence": "A share of the budget kept aside for evaluation.",
}


def method_tab(problem: DecisionProblem, weights: dict[str, int]) -> None:
    st.markdown(
        "Each intervention gets a value from 0 to 100 on each criterion, 100 being best. The overall score is the "
        f"weighted sum of the {len(problem.criteria)} values, with the weights divided by their total so they add up to 100%."
    )
    descriptions = describe_value_functions(problem.catalogue)
    for text in problem.catalogue.defined_criteria:
        criterion = text.id
        st.markdown(f"**{plain(text.label)}** ({weights[criterion]} on the slider). {plain(text.question)}")
        st.markdown(f"- Weight: {plain(text.weight_help)}")
        st.markdown(f"- Value: {plain(descriptions[criterion])}")
    st.markdown(
        "**Provenance.** Every figure carries its source: a document in the catalogue's list, *illustrative* "
        "(our estimate, to be replaced) or *unconfirmed* (not found in any source). The matrix marks both."
    )
    with st.expander("Glossary: the words on these pages"):
        for term, meaning in GLOSSARY.items():
            st.markdown(f"**{term}.** {meaning}")
    budget = problem.catalogue.budget.annual_budget_gbp
    st.caption(
        f"Catalogue version (SHA-256) {problem.sha256}. Budget £{budget.value:,.0f} a year "
        f"({plain(budget.note or budget.source)})."
    )


def export_tab(problem: DecisionProblem, result: ScoreResult, visible: list[str]) -> None:
    scope = st.radio(
        "Rows",
        options=["all", "filtered", "top"],
        format_func={"all": "All interventions", "filtered": "Only those the filters show", "top": "Top N"}.get,
        horizontal=True,
        key="export_scope",
        persist_state="page",
    )
    top_n = int(
        st.number_input(
            "N",
            min_value=1,
            max_value=len(result.ranks),
            value=min(10, len(result.ranks)),
            key="export_top_n",
            persist_state="page",
        )
    )
    rows = select_rows(shortlist_table(problem, result), scope, visible, top_n)
    st.download_button(
        f"Download shortlist CSV ({len(rows)} rows)",
        data=lambda: to_safe_csv(rows),
        file_name="shortlist.csv",
        mime="text/csv",
        key="download_csv",
        on_click="ignore",
    )
    st.caption(
        "Columns are stable and listed in the README. Cells that a spreadsheet could run as a formula are prefixed with '."
    )
    st.dataframe(rows[["rank", "name", "score"]], hide_index=True)  # the CSV keeps the ids for spreadsheets


@cached(max_entries=8)
def _status_quo(problem: DecisionProblem) -> str | None:
    """``status_quo_notice``, kept per catalogue: it reads the catalogue alone (2 ms on every run)."""
    return status_quo_notice(problem)


def decision_headline(problem: DecisionProblem, scenario: Scenario | None) -> None:
    """The current decision in a sentence, first thing on the page, with where to look next."""
    with st.container(key="headline"):
        if scenario is None:
            return
        try:
            result = funding.evaluate_cached(problem, scenario)
        except DecisionError:
            st.info("The current scenario's rules cannot all be met: the Funding tab says which and why.")
            return
        st.markdown(
            plain(headline(result))
            + " The Funding tab lists it; Sensitivity shows how sure it is; the board report (on the Funding tab) "
            "explains it for a board."
        )
        notice = _status_quo(problem)
        if notice:
            st.info(plain(notice))


# Tab names, in order; Admin is added for those who may see the audit log.
TAB_NAMES = ("Matrix", "Ranking", "Funding", "Compare", "Sensitivity", "Workshop", "How scoring works", "Export", "Data")
# The tabs drawn by the fragment ``decision``, so a nudge runs only that part of the page: those whose work on a
# nudge is quick and never long. Not the others: a click in a fragment never cuts short the run under way
# (Streamlit queues it), so the Stop buttons of long analyses (the Sensitivity tab's, the Funding tab's trials)
# would not stop them, and a nudge would wait for slow work (the Funding tab's frontier and plan, the Compare
# tab's scenarios) that a whole run lets it cut short; the Workshop tab's view is a fragment of its own that
# updates itself; the Data and Admin tabs change the catalogue and the roles, which the whole page depends on.
PART_TABS = frozenset({"Matrix", "Ranking", "How scoring works"})
# In session state: False while a whole run is drawing the page, True once its weight-dependent part has started
# (so a later run of that part alone knows it is alone; see ``decision``).
PART_ALONE = "decision_part_alone"


def page(problem: DecisionProblem, path: str, person: Principal, unchanged: Callable[[], bool]) -> None:
    """The page. What the weights, the scenario's controls and the open tab's contents draw is ``decision``, a
    fragment on the tabs in PART_TABS (Matrix, Ranking, How scoring works): moving a slider or any control inside
    it runs that part again, not the whole page (the title, the sign-in, the filters and the tabs' headings stay as
    they are). ``unchanged`` says whether the catalogue and the person are still those this run found; when not,
    that part runs the whole page again."""
    st.title("Interventions matrix")
    st.caption(plain(problem.catalogue.title))
    data.working_banner(problem, path, person)
    side = st.sidebar.container()  # the weights, above who is signed in
    access.identity_sidebar(person)
    head = st.container()
    chosen = filters(problem)
    # Lazy tabs: only the open tab runs, so a slider move does not redraw every chart. The open
    # tab is kept in the link (?tab=...), so a reload reopens it.
    names = list(TAB_NAMES)
    if person.may(Permission.VIEW_AUDIT):
        names.append("Admin")
    tabs = st.tabs(names, key="tab", on_change="rerun", bind="query-params")
    st.session_state[PART_ALONE] = False
    part = any(tab.open for name, tab in zip(names, tabs, strict=True) if name in PART_TABS)
    (decision if part else decision_whole)(problem, path, person, unchanged, side, head, chosen, tabs)


def decision_whole(
    problem: DecisionProblem,
    path: str,
    person: Principal,
    unchanged: Callable[[], bool],
    side: DeltaGenerator,
    head: DeltaGenerator,
    chosen: MatrixFilter,
    tabs: Sequence[Any],
) -> None:
    """Everything the weights and the scenario move: the weights in the sidebar, the messages and the headline
    above the filters, and the open tab's contents. As ``decision`` (the tabs in PART_TABS) it runs within each
    whole run and again alone when one of its controls changes (Streamlit's fragment), with the arguments of the
    last whole run."""
    if st.session_state.get(PART_ALONE, True) and not unchanged():
        st.rerun(scope="app")  # the catalogue or the person changed since the whole page ran
    st.session_state[PART_ALONE] = True
    state.prepare(problem)
    with side:
        weights, normalisation = weights_sidebar(problem)
    scenario = _decision(problem, path, person, weights, normalisation, head, chosen, tabs)
    # A complete run: the link now holds this scenario, and the browser has every control drawn (an
    # interrupted run never gets here).
    state.sync_link(scenario, problem)
    state.finished_run()


# ``decision_whole`` as a fragment, for the tabs in PART_TABS.
decision = st.fragment(decision_whole)


def _decision(
    problem: DecisionProblem,
    path: str,
    person: Principal,
    weights: dict[str, int],
    normalisation: Normalisation,
    head: DeltaGenerator,
    chosen: MatrixFilter,
    tabs: Sequence[Any],
) -> Scenario | None:
    with head:
        messages = st.session_state.get(state.MESSAGES, [])
        if messages:
            with st.container(key="state_messages"):
                for message in messages:
                    st.warning(plain(message))
                st.button("Dismiss these messages", key="dismiss_messages", on_click=state.dismiss_messages)
        try:
            result = score(problem.values, weights, normalisation=normalisation)
        except WeightsError as error:
            st.error(f"Cannot rank: {plain(error)}.")
            # The open tab still gets a word: a fragment may write into a container made outside it only if it did
            # in the last whole run, so a tab left empty here broke every nudge until the next whole run.
            for tab in tabs:
                if tab.open:
                    with tab:
                        st.info("Nothing to show until a weight is above zero.")
            return None
        scenario, _ = state.current_scenario()
        decision_headline(problem, scenario)
    estimated = estimated_shares(problem, result)
    visible = filter_ids(problem, chosen, estimated)
    matrix, ranking, funded, compared, sensitive, meeting, method, export, maintain, *admin = tabs
    if matrix.open:
        with matrix:
            matrix_tab(problem, result, visible)
    if ranking.open:
        with ranking:
            ranking_tab(problem, result, visible)
    if funded.open:
        with funded:
            funding.funding_tab(problem, result, person)
    if compared.open:
        with compared:
            funding.compare_tab(problem)
    if sensitive.open:
        with sensitive:
            sensitivity.sensitivity_tab(problem, scenario, result, person)
    if meeting.open:
        with meeting:
            workshop.facilitator_tab(problem, scenario, person)
    if method.open:
        with method:
            method_tab(problem, weights)
    if export.open:
        with export:
            export_tab(problem, result, visible)
    if maintain.open:
        with maintain:
            data.data_tab(problem, path, person)
    if admin and admin[0].open:
        with admin[0]:
            admin_tab(person)
    # The tabs' controls may have changed the scenario (a loaded version, a budget typed in).
    return state.current_scenario()[0]
