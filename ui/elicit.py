"""Weights by questions: swing weighting and trade-off questions, for the sidebar's sliders and a workshop
participant's. Widgets only: the weights come from ``scoring``; ``target`` is the sliders' key prefix
("w_" in the sidebar, "p_" on a participant's page) and ``key`` this form's own prefix."""

from __future__ import annotations

import functools

import streamlit as st

from matrix.catalogue import Weights
from matrix.decision import DecisionProblem, Swing, number_word, swings
from matrix.persistence import Elicited, TradeOffAnswer
from scoring import (
    PINNED,
    Answer,
    InconsistentAnswers,
    Normalisation,
    TradeOff,
    WeightsError,
    next_trade_off,
    swing_weights,
    trade_off_weights,
    weight_ranges,
)
from ui.caching import cached
from ui.text import distinct_labels, plain
from ui.widgets import fold


@cached(max_entries=8)
def _swings(problem: DecisionProblem, normalisation: Normalisation) -> dict[str, Swing]:
    """``swings``, kept per catalogue and normalisation: the trade-off fold reads them on every run, folded too."""
    return swings(problem, normalisation)


def _trade_off_words(question: TradeOff, labels: dict[str, str], found: dict[str, Swing]) -> tuple[str, str]:
    """The two hypothetical interventions of a question, in words."""

    def side(criterion: str, points: float) -> str:
        swing = found[criterion]
        share = points / swing.points if swing.points else 0.0
        return (
            f"{labels[criterion]} goes {share:.0%} of the way from the worst to the best among the interventions "
            f"({swing.worst} to {swing.best})"
        )

    return side(question.first, question.first_points), side(question.second, question.second_points)


@functools.lru_cache(maxsize=512)
def _progress(
    answered: tuple[tuple[TradeOff, Answer], ...], sizes: tuple[tuple[str, float], ...]
) -> tuple[TradeOff | None, dict[str, tuple[float, float]]]:
    """The next question and each weight's range for these answers: a dozen small linear programmes, worked out
    once per set of answers rather than on every rerun of the page (a slider move redraws the sidebar)."""
    given = dict(sizes)
    criteria = tuple(given)  # the catalogue's criteria, in its order (the order picks between equal questions)
    return next_trade_off(criteria, answered, given), weight_ranges(criteria, answered, given)


def trade_off_questions(problem: DecisionProblem, normalisation: Normalisation, target: str, key: str) -> None:
    """'Which would you rather fund?' between two hypothetical interventions, until the weights are pinned down."""
    labels = problem.labels
    found = _swings(problem, normalisation)
    sizes = {c: s.points for c, s in found.items()}
    state = st.session_state
    # An answer weighs value points of the swings it was asked with: under another normalisation or
    # catalogue the same points mean something else, so those answers are not carried over.
    changed = bool(state.get(f"{key}_answers")) and state.get(f"{key}_sizes") != sizes
    if changed:
        state[f"{key}_answers"] = []
    state[f"{key}_sizes"] = sizes
    answered: list[tuple[TradeOff, Answer]] = state.setdefault(f"{key}_answers", [])
    folded = fold("Set the weights by trade-off questions", f"{key}_fold")
    if folded is None:
        return
    with folded:
        st.caption(
            "Two interventions, the same in every way but two. Which would you rather fund? Each answer narrows the "
            "weights that agree with all your answers; the questions stop when every weight is known to within "
            f"{PINNED:.0%}. A criterion on which every intervention scores the same gets no weight."
        )
        if changed:
            st.info("The swings have changed (another normalisation or catalogue), so the earlier answers were set aside.")
        try:
            question, ranges = _progress(tuple(answered), tuple(sizes.items()))
        except InconsistentAnswers as error:
            st.error(plain(error))
            for position in error.conflicting:
                first, second = _trade_off_words(answered[position][0], labels, found)
                choice = {"first": "A", "second": "B", "same": "about the same"}[answered[position][1]]
                st.markdown(f"- {position + 1}. A: {plain(first)}; B: {plain(second)}. You chose {choice}.")
            st.button("Undo the last answer", key=f"{key}_undo", on_click=_undo_trade_off, args=(key,))
            return
        except WeightsError as error:
            st.info(f"No trade-off questions to ask: {plain(error)}.")
            return
        st.caption(
            f"{len(answered)} answered. Weights that agree so far: "
            + ", ".join(f"{labels[c]} {low:.0%}-{high:.0%}" for c, (low, high) in ranges.items())
        )
        if question is not None:
            first, second = _trade_off_words(question, labels, found)
            st.markdown(f"**Intervention A**: {plain(first)}.")
            st.markdown(f"**Intervention B**: {plain(second)}.")
            columns = st.columns(3)
            for column, (answer, text) in zip(
                columns, (("first", "A"), ("second", "B"), ("same", "About the same")), strict=True
            ):
                column.button(text, key=f"{key}_{answer}", on_click=_answer_trade_off, args=(key, question, answer))
        else:
            st.markdown("Your answers pin the weights down.")
        if answered:
            st.button(
                "Use these weights", key=f"{key}_apply", on_click=_apply_trade_offs, args=(target, key, sizes), type="primary"
            )
            st.button("Undo the last answer", key=f"{key}_undo", on_click=_undo_trade_off, args=(key,))
            st.button("Start again", key=f"{key}_restart", on_click=_restart_trade_offs, args=(key,))


def _answer_trade_off(key: str, question: TradeOff, answer: Answer) -> None:
    st.session_state[f"{key}_answers"] = [*st.session_state.get(f"{key}_answers", []), (question, answer)]


def _undo_trade_off(key: str) -> None:
    st.session_state[f"{key}_answers"] = list(st.session_state.get(f"{key}_answers", []))[:-1]


def _restart_trade_offs(key: str) -> None:
    st.session_state[f"{key}_answers"] = []


def _apply_trade_offs(target: str, key: str, sizes: dict[str, float]) -> None:
    """Set the sliders to the weights in the middle of those agreeing with every answer (whole %)."""
    answered = list(st.session_state.get(f"{key}_answers", []))
    try:
        weights = trade_off_weights(tuple(sizes), answered, sizes)
    except WeightsError:
        return  # the fold says which answers clash
    whole = {c: round(w * 100) for c, w in weights.items()}
    for criterion, weight in whole.items():
        st.session_state[f"{target}{criterion}"] = weight
    if target == SIDEBAR:
        st.session_state[ELICITED] = Elicited(
            method="trade-off questions",
            answers=tuple(
                TradeOffAnswer(
                    first=q.first, first_points=q.first_points, second=q.second, second_points=q.second_points, answer=a
                )
                for q, a in answered
            ),
            weights=Weights(**whole),
        )


# The sidebar's sliders, whose answers a decision record keeps (a participant's stay on their phone).
SIDEBAR = "w_"
ELICITED = "elicited"


def current_elicited() -> Elicited | None:
    """The answers that last set the sidebar's sliders; ``build_record`` keeps them only while the sliders hold
    the weights they gave."""
    found = st.session_state.get(ELICITED)
    return found if isinstance(found, Elicited) else None


def swing_weighting(problem: DecisionProblem, normalisation: Normalisation, target: str, key: str) -> None:
    """Weights from swings: order them, rate each against the most important, and set the sliders."""
    folded = fold("Set the weights by swing weighting", f"{key}_fold")
    if folded is None:
        return
    with folded:
        labels = distinct_labels(problem.labels)
        found = _swings(problem, normalisation)
        st.caption(
            "Imagine an intervention at its worst on one criterion moving to the best among the interventions here, "
            "everything else the same. Which of these moves matters most? Put them in order, then say how much each "
            "of the others matters against the first (100)."
        )
        for criterion, swing in found.items():
            st.markdown(f"**{plain(labels[criterion])}**: {plain(swing.words)}")
        order = st.multiselect(
            "The swings, most important first",
            list(problem.criteria),
            format_func=lambda c: labels[str(c)],
            key=f"{key}_order",
            persist_state="page",
        )
        if len(order) < len(problem.criteria):
            st.caption(f"Pick all {number_word(len(problem.criteria))}, most important first, to rate them.")
            return
        st.caption(f"{plain(labels[order[0]])}: 100 (the most important swing)")
        for criterion in order[1:]:
            st.session_state.setdefault(f"{key}_rate_{criterion}", 50)
            st.slider(
                f"{plain(labels[criterion])}, against the first", 0, 100, key=f"{key}_rate_{criterion}", persist_state="page"
            )
        st.button("Use these weights", key=f"{key}_apply", on_click=_apply_swings, args=(found, list(order), target, key))
        error = st.session_state.get(f"{key}_error")
        if error:
            st.error(plain(error))


def _apply_swings(found: dict[str, Swing], order: list[str], target: str, key: str) -> None:
    """The button's callback: the swing weights, as whole percentages, onto the sliders (``target`` + criterion)."""
    state = st.session_state
    ratings = {c: float(state.get(f"{key}_rate_{c}", 50)) for c in order[1:]} | {order[0]: 100.0}
    try:
        weights = swing_weights(order, ratings, {c: s.points for c, s in found.items()})
    except WeightsError as error:
        state[f"{key}_error"] = str(error)
        return
    state.pop(f"{key}_error", None)
    whole = {c: round(w * 100) for c, w in weights.items()}
    for criterion, weight in whole.items():
        state[f"{target}{criterion}"] = weight
    if target == SIDEBAR:
        state[ELICITED] = Elicited(method="swing weighting", order=tuple(order), ratings=ratings, weights=Weights(**whole))
