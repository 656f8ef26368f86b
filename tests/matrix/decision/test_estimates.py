"""How much of a score rests on estimates, and which estimates could change the decision.

The shares are checked against contributions worked out cell by cell; the figures worth confirming are
checked against the whole pipeline run again (``evaluate`` and ``score``) on a problem whose value was
moved, at the two ends of its uncertainty and at points between them.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from matrix.catalogue import PROVENANCE_KEYWORDS
from matrix.decision import DecisionProblem, default_scenario, evaluate
from matrix.decision.estimates import (
    UNCERTAINTY_WIDTH_SD,
    confirm_first,
    confirm_first_lines,
    estimated_shares,
    figures_to_confirm,
    funded_estimated_share,
)
from matrix.decision.problem import NO_RATING, rests_on_estimate
from matrix.decision.scenario import Scenario
from scoring import CRITERIA, rank_scores, score


def test_rests_on_estimate_reads_every_part_of_a_provenance() -> None:
    assert rests_on_estimate("illustrative")
    assert rests_on_estimate("strategy2024; unconfirmed")
    assert rests_on_estimate("unconfirmed; tier rule")
    assert rests_on_estimate(NO_RATING)
    assert not rests_on_estimate("strategy2024")
    assert not rests_on_estimate("south-notts-plan; yef-toolkit")


def test_estimated_share_is_the_contributions_of_estimated_values_over_the_score(problem: DecisionProblem) -> None:
    weights = {"impact": 40, "reach": 10, "cost": 20, "risk": 30}
    result = score(problem.values, weights)
    shares = estimated_shares(problem, result)
    total = sum(weights.values())
    values: dict[str, dict[str, float]] = problem.values.to_dict("index")  # type: ignore[assignment]
    provenance: dict[str, dict[str, str]] = problem.provenance.to_dict("index")  # type: ignore[assignment]
    for ident in problem.values.index:
        by_hand = sum(
            weights[c] / total * values[ident][c]
            for c in CRITERIA
            if any(part.strip() in (*PROVENANCE_KEYWORDS, NO_RATING) for part in provenance[ident][c].split(";"))
        )
        assert shares[ident] == pytest.approx(by_hand / result.scores[ident])
    # The shipped catalogue has both: scores wholly on estimates and scores partly on sourced figures.
    assert shares.max() == pytest.approx(1.0)
    assert shares.min() < 0.9


def test_estimated_share_follows_the_weights(problem: DecisionProblem) -> None:
    """With all the weight on a criterion whose value is sourced, none of the score rests on estimates."""
    sourced = problem.estimated.index[~problem.estimated["reach"]]
    assert len(sourced) > 0
    only_reach = estimated_shares(problem, score(problem.values, {"impact": 0, "reach": 1, "cost": 0, "risk": 0}))
    assert (only_reach[sourced] == 0).all()
    assert (only_reach[~only_reach.index.isin(sourced)] == 1).all()


def test_a_zero_score_rests_on_nothing(problem: DecisionProblem) -> None:
    values = pd.DataFrame({c: [0.0, 50.0] for c in CRITERIA}, index=pd.Index(["a", "b"], name="id"))
    provenance = pd.DataFrame({c: ["illustrative", "plan"] for c in CRITERIA}, index=values.index)
    small = dataclasses.replace(problem, values=values, provenance=provenance)
    shares = estimated_shares(small, score(values, {"impact": 1, "reach": 1, "cost": 1, "risk": 1}))
    assert shares.tolist() == [0.0, 0.0]


def test_funded_share_is_over_the_funded_benefit(problem: DecisionProblem) -> None:
    evaluated = evaluate(problem, default_scenario(problem))
    chosen = evaluated.optimum.chosen
    weights = evaluated.scenario.weights.as_dict()
    weights["cost"] = 0  # the benefit leaves cost out by default
    total = sum(weights.values())
    estimated = benefit = 0.0
    flags: dict[str, dict[str, bool]] = problem.estimated.to_dict("index")  # type: ignore[assignment]
    option_flags: dict[str, dict[str, bool]] = problem.options.to_dict("index")  # type: ignore[assignment]
    for option, row in chosen.iterrows():
        intervention = str(row["intervention"])
        for c in CRITERIA:
            part = weights[c] / total * row[c]
            benefit += part
            level_source = option_flags[str(option)][f"estimated_{c}"]
            if level_source:
                estimated += part
            if c in ("impact", "risk"):  # shared by every level of an intervention
                assert level_source == flags[intervention][c]
    assert benefit == pytest.approx(float(chosen["benefit"].sum()))
    assert funded_estimated_share(evaluated) == pytest.approx(estimated / benefit)
    assert 0 < funded_estimated_share(evaluated) < 1


def _moved(problem: DecisionProblem, ident: str, criterion: str, target: float) -> DecisionProblem:
    """The problem with one intervention's value on a criterion moved to ``target`` (its estimated options too)."""
    values = problem.values.copy()
    shift = target - float(values.loc[ident, criterion])  # type: ignore[arg-type]
    values.loc[ident, criterion] = target
    options = problem.options.copy()
    mine = (options["intervention"] == ident) & options[f"estimated_{criterion}"]
    options.loc[mine, criterion] = (options.loc[mine, criterion] + shift).clip(0.0, 100.0)
    return dataclasses.replace(problem, values=values, options=options)


def _answers(problem: DecisionProblem, scenario: Scenario, k: int = 5) -> tuple[dict[str, str], frozenset[str]]:
    chosen = evaluate(problem, scenario).optimum.chosen
    funded = dict(zip(chosen["intervention"], chosen["level"], strict=True))
    weights = scenario.weights.as_dict()
    top = frozenset(rank_scores(score(problem.values, weights).scores).index[:k])
    return funded, top


@pytest.mark.parametrize(
    "tier_share",
    [None, {"tier_min_share": {"tertiary": 0.4}}],
    ids=["budget only", "tertiary at least 40%"],
)
def test_what_each_figure_could_change_matches_the_pipeline_run_again(
    problem: DecisionProblem, tier_share: dict[str, object] | None
) -> None:
    """At both ends of every figure's range (and at points between them for some), the funded set and the top
    five worked out again from scratch change exactly when the table says they can."""
    scenario = default_scenario(problem)
    if tier_share is not None:
        scenario = scenario.model_copy(update=tier_share)
    figures = figures_to_confirm(problem, scenario)
    assert len(figures) == int(problem.estimated.to_numpy().sum())
    funded_now, top_now = _answers(problem, scenario)
    rows = figures if tier_share is None else figures.head(12)
    interior = 0
    values: dict[str, dict[str, float]] = problem.values.to_dict("index")  # type: ignore[assignment]
    spread: dict[str, dict[str, float]] = problem.spread.to_dict("index")  # type: ignore[assignment]
    for row in rows.to_dict("records"):
        value, sd = values[row["id"]][row["criterion"]], spread[row["id"]][row["criterion"]]
        assert row["low"] == pytest.approx(max(0.0, value - UNCERTAINTY_WIDTH_SD * sd), abs=0.01)
        assert row["high"] == pytest.approx(min(100.0, value + UNCERTAINTY_WIDTH_SD * sd), abs=0.01)
        points = [row["low"], row["high"]]
        if row["changes_funded_set"] or interior < 10:
            points += list(np.linspace(row["low"], row["high"], 5)[1:-1])
            interior += 1
        changes_funded = changes_top = False
        for end, target in enumerate(points):
            funded, top = _answers(_moved(problem, row["id"], row["criterion"], float(target)), scenario)
            changes_funded |= funded != funded_now
            changes_top |= top != top_now
            if end < 2:
                said = row["if_lower"] if end == 0 else row["if_higher"]
                assert (funded != funded_now or top != top_now) == bool(said), (row["name"], row["criterion"], end)
        assert changes_funded == row["changes_funded_set"], (row["name"], row["criterion"])
        assert changes_top == row["changes_top_5"], (row["name"], row["criterion"])


def test_the_short_list_is_ranked_by_how_much_of_the_decision_could_move(problem: DecisionProblem) -> None:
    figures = figures_to_confirm(problem, default_scenario(problem))
    short = confirm_first(figures)
    assert 0 < len(short) <= 10
    assert (short["changes_funded_set"] | short["changes_top_5"]).all()
    keys = list(zip(short["funded_moves"], short["top_moves"], short["score_swing"], strict=True))
    assert keys == sorted(keys, reverse=True)
    # Nothing left off the list could move more of the decision than the last one on it.
    left = figures[(figures["changes_funded_set"] | figures["changes_top_5"])].iloc[len(short) :]
    if len(left):
        assert (left["funded_moves"] <= short["funded_moves"].iloc[-1]).all()
    lines = confirm_first_lines(figures)
    assert len(lines) == len(short)
    first = short.iloc[0]
    assert lines[0].startswith(f"{first['name']}, {first['figure']} ({first['kind']}).")
    assert "If lower," in lines[0] or "If higher," in lines[0]


def test_a_criterion_with_no_weight_changes_nothing(problem: DecisionProblem) -> None:
    scenario = default_scenario(problem)
    scenario = scenario.model_copy(update={"weights": scenario.weights.model_copy(update={"reach": 0})})
    figures = figures_to_confirm(problem, scenario)
    reach = figures[figures["criterion"] == "reach"]
    assert len(reach) > 0
    assert not reach["changes_funded_set"].any() and not reach["changes_top_5"].any()
    assert (reach["score_swing"] == 0).all()


def test_a_catalogue_with_no_estimates_has_nothing_to_confirm(problem: DecisionProblem) -> None:
    sourced = dataclasses.replace(
        problem,
        provenance=problem.provenance.map(lambda _: "strategy2024"),
        options=problem.options.assign(**{f"estimated_{c}": False for c in CRITERIA}),
    )
    scenario = default_scenario(sourced)
    assert figures_to_confirm(sourced, scenario).empty
    assert confirm_first_lines(figures_to_confirm(sourced, scenario)) == []
    assert funded_estimated_share(evaluate(sourced, scenario)) == 0.0
    assert (estimated_shares(sourced, score(sourced.values, scenario.weights.as_dict())) == 0).all()
