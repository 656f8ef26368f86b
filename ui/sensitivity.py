"""Sensitivity tab: what would change the decision, and how sure we can be. Widgets only."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import numpy as np
import pandas as pd
import streamlit as st

from matrix.access import Desk, Permission, Principal
from matrix.catalogue import Weights
from matrix.decision import (
    DEFAULT_SEED,
    DecisionProblem,
    FundingSolver,
    Scenario,
    confirm_first_lines,
    describe_uncertainty,
    dominance_table,
    figures_to_confirm,
    robust_findings,
    robust_lines,
    run_monte_carlo,
    stability_table,
    weight_sweep,
    weights_table,
    what_would_it_take,
)
from matrix.persistence import Store, StoreError, StoreUnavailable
from scoring import DecisionError, MonteCarloResult, ScoreResult, WeightsError, WeightSpace
from ui import charts, library, widgets
from ui import state as ui_state
from ui.caching import cached
from ui.text import distinct_labels, plain


@cached(max_entries=4, spinner="Finding dominated interventions...")
def _dominance(problem: DecisionProblem) -> pd.DataFrame:
    return dominance_table(problem)  # the catalogue's alone: kept per catalogue, not worked out on every change


def confirm_first_section(problem: DecisionProblem, scenario: Scenario, k: int) -> None:
    """Which illustrative or unconfirmed figures could change the funded set or the top k, most first."""
    st.header("Which estimates to confirm first")
    figures = on_request(
        "sa_figures",
        json.dumps([problem.sha256, scenario.model_dump_json(), k]),
        lambda show: figures_to_confirm(problem, scenario, k, show),
        Words(
            "Testing each estimated figure at both ends of its uncertainty",
            "This list was worked out for earlier weights or settings; it is not updated on every change.",
            "Work out which estimates to confirm first",
            "Update the list for the current settings",
            "Stop testing the estimates",
        ),
    )
    if figures is None:
        return
    st.caption(
        "Each value that rests on an illustrative, unconfirmed or missing figure is moved, one at a time, to the two "
        "ends of the range it could plausibly take (the trials below draw about 95% of their values from it), and the funded set "
        f"and the top {k} are worked out again. Between the two ends nothing else can happen, so the answer is exact "
        "for one figure at a time; the trials below vary them all together."
    )
    lines = confirm_first_lines(figures)
    if not len(figures):
        st.markdown("No value rests on an estimate.")
    elif not lines:
        st.markdown(
            f"None of the {len(figures)} estimated values could change the funded set or the top {k} on its own: "
            "confirming them would not change this decision."
        )
    else:
        moving = int((figures["changes_funded_set"] | figures[f"changes_top_{k}"]).sum())
        st.markdown(
            f"**Confirm these figures first.** {moving} of the {len(figures)} estimated values could change the "
            f"decision on their own; the {len(lines)} that could move most of it:"
        )
        for line in lines:
            st.markdown(f"- {plain(line)}")
    if len(figures):
        with st.expander(f"Every estimated value ({len(figures)})"):
            table = pd.DataFrame(
                {
                    "intervention": figures["name"],
                    "figure": figures["figure"],
                    "kind": figures["kind"],
                    "value now": figures["value"],
                    "lowest": figures["low"],
                    "highest": figures["high"],
                    "could change the funded set": figures["changes_funded_set"].map({True: "yes", False: "no"}),
                    f"could change the top {k}": figures[f"changes_top_{k}"].map({True: "yes", False: "no"}),
                    "if lower": figures["if_lower"],
                    "if higher": figures["if_higher"],
                }
            )
            st.dataframe(table, hide_index=True, key="estimates_table")


MAX_KEPT_TRIALS = 8  # Monte Carlo results kept per session, one per scenario and settings


def request_trials() -> None:
    st.session_state["mc_request"] = True


T = TypeVar("T")
Progress = Callable[[int, int], None]
MAX_KEPT_ANALYSES = 8  # results kept per session for each analysis below, one per scenario and settings
QUICK_SECONDS = 0.1  # an analysis whose last run took less is worked out again at once on any change


@dataclass(frozen=True)
class Words:
    """What an analysis worked out on request says: while it runs, when the result shown is for earlier
    settings, on its button with nothing kept and with something kept, and on its Stop button."""

    running: str
    earlier: str
    first: str
    update: str
    stop: str


def _request(name: str) -> None:
    st.session_state[f"{name}_request"] = True


def _stop(name: str) -> None:
    st.session_state[f"{name}_request"] = False
    st.session_state[f"{name}_seconds"] = float("inf")  # stopped: not worked out again without a request


def on_request(name: str, key: str, work: Callable[[Progress], T], words: Words) -> T | None:
    """The analysis ``work(progress)`` for ``key``, kept per session under ``name`` (the latest
    ``MAX_KEPT_ANALYSES``).

    It is worked out at once when it has not been yet, or when its last run took under ``QUICK_SECONDS``;
    otherwise only on request, and until then the page shows the latest result, said to be for earlier
    settings, with a button to update it. So a slow analysis is never worked out again on a weight nudge,
    and one that is that quick always is. While it runs: a progress bar and a Stop button. A request stands
    until the work finishes, fails or is stopped, so a run cut short by another interaction starts again.
    Raises what ``work`` raises (a DecisionError), after withdrawing the request (Streamlit's own interruptions
    are not Exceptions, so a run they cut short keeps it).
    """
    state = st.session_state
    kept: dict[str, T] = state.setdefault(name, {})
    requested = f"{name}_request"
    last = state.get(f"{name}_seconds")  # how long its last run took; None before the first
    if key not in kept and (state.get(requested) or last is None or last < QUICK_SECONDS):
        state[requested] = True
        slot = st.empty()
        with slot.container():
            st.button(words.stop, key=f"{name}_stop", on_click=_stop, args=(name,))
            bar = st.progress(0.0, text=f"{words.running}...")

        def show(done: int, total: int) -> None:
            bar.progress(done / total, text=f"{words.running}: {done} of {total} parts done")

        started = time.perf_counter()
        try:
            kept[key] = work(show)
        except Exception:  # a DecisionError the caller explains, or a fault: either way not run again unasked
            state[requested] = False
            slot.empty()
            raise
        state[f"{name}_seconds"] = time.perf_counter() - started
        state[requested] = False
        slot.empty()
        for old in list(kept)[:-MAX_KEPT_ANALYSES]:
            del kept[old]
    return _kept_or_earlier(kept, key, name, words.earlier, (words.first, words.update), partial(_request, name))


def stability(problem: DecisionProblem, scenario: Scenario, k: int) -> pd.DataFrame | None:
    """The funded set's stability (exact breakpoints for each weight), worked out as ``on_request`` says:
    an exact re-solve at each breakpoint near the weights now (0.2 s on the shipped catalogue, seconds on one
    of thousands of interventions). Raises DecisionError as ``stability_table``."""
    return on_request(
        "sa_stability",
        json.dumps([problem.sha256, scenario.model_dump_json(), k]),
        lambda show: stability_table(problem, scenario, k, show),
        Words(
            "Finding the exact breakpoints",
            "This table was worked out for earlier weights or settings; it is not updated on every change.",
            "Work out the table for the current settings",
            "Update the table for the current settings",
            "Stop finding the breakpoints",
        ),
    )


def _kept_or_earlier(
    kept: dict[str, T], key: str, name: str, earlier: str, labels: tuple[str, str], request: Callable[[], None]
) -> T | None:
    """What is kept for ``key`` (it becomes the latest, under ``{name}_latest``); else the latest kept, said to be
    ``earlier``, with a button (``{name}_update``) to work it out for the current settings; else only that button
    (``labels``: its words with nothing kept, and with something kept), and None."""
    state = st.session_state
    if key in kept:
        state[f"{name}_latest"] = key
        return kept[key]
    latest = state.get(f"{name}_latest")
    shown = kept.get(latest) if isinstance(latest, str) else None
    if shown is not None:
        st.info(earlier)
    st.button(labels[shown is not None], key=f"{name}_update", on_click=request, type="primary")
    return shown


def _stop_trials() -> None:
    st.session_state["mc_request"] = False


def participants_pool(person: Principal) -> tuple[tuple[float, ...], ...] | None:
    """The open workshop's participants' weights (as shares), if a facilitator has one open."""
    code = str(st.session_state.get("ws_code", "")).strip()
    if not code or not person.may(Permission.RUN_WORKSHOPS):
        return None
    store = library.open_store(os.environ.get("DATABASE_URL"), os.environ.get("MATRIX_DATA_DIR"))
    if not isinstance(store, Store):
        return None
    try:
        entries = [(str(i), s.weights) for i, s in enumerate(Desk(store, person).submissions(code))]
    except StoreUnavailable as error:
        st.warning(f"The workshop participants' weights cannot be read just now, so they cannot be drawn from: {plain(error)}")
        return None
    except StoreError:  # no workshop with that code: nothing to draw from
        return None
    if not entries:
        return None
    table = weights_table(entries, ui_state.criteria()) / 100
    return tuple(tuple(float(v) for v in row) for row in table.to_numpy())


def init_state() -> None:
    st.session_state.setdefault("sa_k", 5)
    st.session_state.setdefault("mc_draws", 2000)
    st.session_state.setdefault("mc_seed", DEFAULT_SEED)
    st.session_state.setdefault("mc_mode", "around")
    st.session_state.setdefault("mc_concentration", 50)
    st.session_state.setdefault("mc_order", [])
    for criterion in ui_state.criteria():
        st.session_state.setdefault(f"mc_bounds_{criterion}", (0, 100))


def monte_carlo_controls(problem: DecisionProblem, person: Principal) -> None:
    columns = st.columns(4)
    columns[0].number_input("Number of trials", min_value=100, max_value=20_000, step=500, key="mc_draws", persist_state="page")
    columns[1].number_input(
        "Starting number (seed)",
        min_value=0,
        max_value=2**31 - 1,
        step=1,
        key="mc_seed",
        persist_state="page",
        help="The same starting number always gives the same trials, so a result can be checked.",
    )
    modes = ["around", "uniform", "space"] + (["pool"] if participants_pool(person) else [])
    if st.session_state["mc_mode"] not in modes:
        st.session_state["mc_mode"] = "around"
    columns[2].radio(
        "Weights",
        modes,
        format_func={
            "around": "Around the chosen weights",
            "uniform": "Any weighting (uniform)",
            "pool": "The workshop participants' own weights",
            "space": "Within an agreed order and bounds",
        }.get,
        key="mc_mode",
        persist_state="page",
        help="Around the chosen weights: trial weights close to the sliders'. Any weighting: every mix of weights "
        "equally likely. Agreed order and bounds: every mix that keeps the order and bounds set below, equally "
        "likely. Workshop: each trial uses one participant's weights.",
    )
    columns[3].slider(
        "How closely the trials keep to the chosen weights",
        5,
        500,
        key="mc_concentration",
        persist_state="page",
        disabled=st.session_state["mc_mode"] != "around",
        help="Higher keeps each trial's weights closer to the sliders' (the concentration of the draws).",
    )
    if st.session_state["mc_mode"] == "space":
        space_controls(problem)


def space_controls(problem: DecisionProblem) -> None:
    """The agreed order (criteria picked most important first) and each criterion's lowest and highest weight."""
    labels = distinct_labels(problem.labels)
    st.multiselect(
        "Agreed order: pick the criteria from most to least important (leave out any the group does not agree on)",
        list(problem.criteria),
        format_func=lambda c: labels[str(c)],
        key="mc_order",
        persist_state="page",
    )
    columns = st.columns(len(problem.criteria))
    for column, criterion in zip(columns, problem.criteria, strict=True):
        column.slider(
            f"{labels[criterion]}: weight between (%)",
            0,
            100,
            key=f"mc_bounds_{criterion}",
            persist_state="page",
        )


def weight_space(criteria: tuple[str, ...]) -> WeightSpace:
    """The agreed order and bounds over ``criteria`` as a weight space; WeightsError, in words, when no
    weighting fits them."""
    session = st.session_state
    bounds = {c: tuple(session.get(f"mc_bounds_{c}", (0, 100))) for c in criteria}
    space = WeightSpace.ranked(
        criteria,
        [str(c) for c in session.get("mc_order", []) if c in criteria],
        {c: b[0] / 100 for c, b in bounds.items() if b[0] > 0},
        {c: b[1] / 100 for c, b in bounds.items() if b[1] < 100},
    )
    space.check()
    return space


def monte_carlo(problem: DecisionProblem, scenario: Scenario, person: Principal) -> MonteCarloResult | None:
    """The trials for the current scenario and settings, run only on request and kept per scenario.

    A weight nudge never starts them: the page keeps showing the last trials, says they were run
    for other settings and offers to update them. While they run, a progress bar and a Stop button.
    """
    state = st.session_state
    draws, seed, k = int(state["mc_draws"]), int(state["mc_seed"]), int(state["sa_k"])
    mode, concentration = str(state["mc_mode"]), float(state["mc_concentration"])
    pool = participants_pool(person) if mode == "pool" else None
    space = None
    if mode == "space":
        try:
            space = weight_space(problem.criteria)
        except WeightsError as error:
            st.error(f"These weights cannot be drawn from: {plain(error)}.")
            return None
    shape = [space.order, sorted(space.lower.items()), sorted(space.upper.items())] if space else None
    key = json.dumps([problem.sha256, scenario.model_dump_json(), draws, seed, k, mode, concentration, pool, shape])
    kept: dict[str, MonteCarloResult] = state.setdefault("mc_results", {})
    if key not in kept and state.get("mc_request"):
        # The request stands until the trials finish or Stop is pressed: a run cut short by another
        # interaction starts them again.
        st.button("Stop the trials", key="mc_stop", on_click=_stop_trials)
        bar = st.progress(0.0, text=f"Running {draws:,} trials...")

        def show(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Running {draws:,} trials: {done} of {total} parts done")

        try:
            kept[key] = run_monte_carlo(
                problem,
                scenario,
                draws,
                seed,
                top_k=k,
                mode=mode,  # type: ignore[arg-type]
                concentration=concentration,
                pool=np.array(pool) if pool else None,
                space=space,
                progress=show,
            )
        except DecisionError as error:
            state["mc_request"] = False
            bar.empty()
            st.error(f"The Monte Carlo analysis cannot run for this scenario: {plain(error)}")
            return None
        state["mc_request"] = False
        bar.empty()
        for old in list(kept)[:-MAX_KEPT_TRIALS]:
            del kept[old]
    return _kept_or_earlier(
        kept,
        key,
        "mc",
        "These trials were run for earlier weights or settings; they are not updated on every change.",
        ("Run the trials for the current settings", "Update the trials for the current settings"),
        request_trials,
    )


def probability_table(problem: DecisionProblem, result: MonteCarloResult) -> pd.DataFrame:
    names = problem.info["name"]
    se = MonteCarloResult.standard_error
    table = pd.DataFrame(
        {
            "name": names,
            "chance of ranking first": result.rank_probability[1],
            f"chance of the top {result.top_k}": result.top_k_probability,
            f"give or take (top {result.top_k})": se(result.top_k_probability, result.draws),
        }
    )
    if result.funded_probability is not None:
        table["chance of being funded"] = result.funded_probability
        table["give or take (funded)"] = se(result.funded_probability, result.draws)
    order = [c for c in ("chance of being funded", f"chance of the top {result.top_k}") if c in table.columns]
    return table.sort_values(order, ascending=False).round(3)


def sensitivity_tab(problem: DecisionProblem, scenario: Scenario | None, result: ScoreResult, person: Principal) -> None:
    """Breakpoints, stability, what it would take, dominance and the Monte Carlo, for the ranking shown."""
    init_state()
    names = problem.names
    k = int(
        st.number_input(
            "How many top places to test",
            min_value=1,
            max_value=max(1, len(names) - 1),
            key="sa_k",
            persist_state="page",
            help="5 means: would the same interventions still make the top 5?",
        )
    )
    weights = {str(c): float(w) for c, w in result.weights.items()}

    st.header("How far can a weight move?")
    if st.session_state.get("sa_criterion") not in problem.criteria:
        st.session_state.pop("sa_criterion", None)
    criterion = st.selectbox(
        "Weight to vary",
        list(problem.criteria),
        format_func=distinct_labels(problem.labels).__getitem__,
        key="sa_criterion",
        persist_state="page",
    )
    sweep = weight_sweep(problem, weights, criterion, k, result.normalisation)
    widgets.chart_view(
        charts.weight_lines_view(
            sweep.lines, sweep.now * 100, [b * 100 for b in sweep.breakpoints], list(sweep.top_now), criterion
        ),
        "weight_lines",
    )
    st.caption(
        f"Each line is one intervention's score as the {criterion} weight runs from 0% to 100% with the other weights "
        f"in proportion. The top {k} stays the same while the {criterion} weight is between {sweep.stable.low * 100:.1f}% "
        f"and {sweep.stable.high * 100:.1f}% (now {sweep.now * 100:.1f}%). "
        "Breakpoints are exact (where lines cross), not sampled."
    )
    if scenario is None:
        st.info("Set up a valid scenario on the Funding tab to see the funded set's stability.")
        return
    try:
        table = stability(problem, scenario, k)
    except DecisionError as error:
        st.error(f"The funded set's stability cannot be worked out for this scenario: {plain(error)}")
        return
    if table is not None:
        st.dataframe(charts.plain_stability(table, k), hide_index=True, key="stability_table")
        if not scenario.include_cost:
            st.caption("Cost is left out of the benefit, so the cost weight cannot change the funded set (room 100).")
        st.markdown("**Which weight moves the decision most** (shorter bar: a smaller change alters the decision)")
        widgets.chart_view(charts.tornado_view(table, k), "tornado")

    st.header("What would it take?")
    target = st.selectbox(
        "Intervention",
        options=[str(i) for i in result.ranks.index],
        format_func=lambda i: f"{result.ranks[i]}. {names[i]}",
        key="sa_target",
        persist_state="page",
        on_change=partial(_request, "sa_what"),  # choosing an intervention asks for its answers, however long
    )
    answers = on_request(
        "sa_what",
        json.dumps([problem.sha256, scenario.model_dump_json(), target, k]),
        lambda show: what_would_it_take(problem, scenario, target, k, show),
        Words(
            "Working out what it would take",
            "These answers were worked out for earlier settings (another intervention, other weights or another "
            "scenario); they are not updated on every change.",
            "Work out what it would take",
            "Update the answers for the current settings",
            "Stop working it out",
        ),
    )
    for statement in answers or []:
        st.markdown(f"- {plain(statement)}")
    st.caption("Each answer changes one thing at a time and keeps everything else as it is.")

    st.header("Dominated interventions")
    dominated = _dominance(problem)
    if dominated.empty:
        st.caption("No intervention is dominated.")
    else:
        st.caption("Worse or equal on every criterion (cost included) than each listed intervention, and worse on at least one.")
        st.dataframe(
            dominated.drop(columns="id").rename(columns={"count": "how many dominate it"}),
            hide_index=True,
            key="dominance_table",
        )

    confirm_first_section(problem, scenario, k)

    st.header("How sure can we be?")
    st.caption(
        "The decision is worked out again many times (2,000 by default), with the weights and the estimated figures "
        "varied within their uncertainty: how often each intervention ranks first, makes the top places or is funded. "
        "The defaults need no changing."
    )
    with st.expander("Advanced settings: number of trials, seed, how the weights vary"):
        monte_carlo_controls(problem, person)
        solver = FundingSolver.for_scenario(problem, scenario)
        st.caption(plain(describe_uncertainty(problem)) + f" The funded set of every draw is found with the {solver.method}.")
    if st.toggle("Run the trials", key="mc_on", persist_state="page", on_change=request_trials):
        mc = monte_carlo(problem, scenario, person)
        if mc is None:
            return
        st.markdown(
            f"{mc.draws:,} trials (starting number {mc.seed}): every chance below is give or take at most "
            f"{mc.max_standard_error * 100:.1f} percentage points"
            + (" — more trials would narrow it." if mc.max_standard_error > 0.01 else ".")
        )
        st.dataframe(probability_table(problem, mc), hide_index=True, key="mc_table")
        st.markdown("**Chance of each rank**")
        widgets.chart_view(charts.rank_probability_view(mc.rank_probability, names), "rank_probability")
        st.markdown("**Central weights**: the average weights under which each intervention ranks first")
        central = (mc.central_weights * 100).round(1).dropna()
        central.insert(0, "name", [names[str(i)] for i in central.index])
        st.dataframe(central, hide_index=True, key="central_weights")
        if st.session_state["mc_mode"] == "space":
            robust_section(problem, scenario, k)


@cached(max_entries=16, spinner="Checking every corner of the agreed weights...")
def _robust(problem: DecisionProblem, scenario: Scenario, order: str, lower: str, upper: str, k: int) -> list[str]:
    space = WeightSpace(problem.criteria, tuple(tuple(p) for p in json.loads(order)), json.loads(lower), json.loads(upper))
    return robust_lines(robust_findings(problem, scenario, space, k))


def robust_section(problem: DecisionProblem, scenario: Scenario, k: int) -> None:
    """What holds for every weighting within the agreed order and bounds, in words."""
    st.markdown("**What holds whatever the weights** (within the agreed order and bounds)")
    try:
        space = weight_space(problem.criteria)
    except WeightsError:
        return  # said above, where the trials are set up
    # The findings do not depend on the sliders' weights: keep them out of the cache key.
    neutral = scenario.model_copy(update={"weights": Weights(**dict.fromkeys(problem.criteria, 1))})
    lines = _robust(
        problem,
        neutral,
        json.dumps(space.order),
        json.dumps(dict(space.lower), sort_keys=True),
        json.dumps(dict(space.upper), sort_keys=True),
        k,
    )
    for line in lines:
        st.markdown(f"- {plain(line)}")
