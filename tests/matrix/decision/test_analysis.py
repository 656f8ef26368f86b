"""Sensitivity and Monte Carlo on the shipped catalogue."""

from __future__ import annotations

import re

import numpy as np
import pytest

from matrix.catalogue import Weights
from matrix.decision import DecisionProblem, analysis, default_scenario, evaluate
from matrix.decision.analysis import (
    FundingSolver,
    describe_uncertainty,
    dominance_table,
    funded_intervals,
    run_monte_carlo,
    stability_table,
    what_would_it_take,
)
from scoring import benefit_units, normalise_weights, sample_weights
from scoring.funding import FundingModel
from scoring.sensitivity import containing, one_way_weights


def scenario_at(problem: DecisionProblem, criterion: str, t: float):  # type: ignore[no-untyped-def]
    weights = one_way_weights(normalise_weights(default_scenario(problem).weights.as_dict()), criterion, t) * 100
    return default_scenario(problem).model_copy(update={"weights": Weights(**weights.to_dict())})


@pytest.mark.parametrize("criterion", ["impact", "reach", "risk"])
def test_funded_intervals_match_a_sweep(problem: DecisionProblem, criterion: str) -> None:
    """The exact funded-set intervals agree with re-optimising at 41 evenly spaced weights."""
    scenario = default_scenario(problem)
    intervals = funded_intervals(problem, scenario, criterion)
    for t in np.linspace(0, 0.97, 41):
        here = containing(intervals, t)
        if min(abs(t - here.low), abs(t - here.high)) < 1e-4:
            continue
        chosen = evaluate(problem, scenario_at(problem, criterion, t)).optimum.chosen
        assert set(chosen.index) == set(here.members), t


@pytest.mark.parametrize("weights", [None, (1, 1, 1, 1), (5, 1, 0, 2), (1, 6, 3, 1)])
def test_searches_from_the_weight_now_agree_with_the_whole_range(
    problem: DecisionProblem, weights: tuple[int, ...] | None
) -> None:
    """For every criterion, the stability table's range (searched outward from the weight now) is the whole range's
    interval holding it, and the nearest range funding each intervention (a walk stopped at the first one on each
    side) is as near as the whole range's nearest."""
    scenario = default_scenario(problem)
    if weights is not None:
        scenario = scenario.model_copy(update={"weights": Weights(**dict(zip(problem.criteria, weights, strict=True)))})
    solver = FundingSolver.for_scenario(problem, scenario)
    normalised = normalise_weights(scenario.weights.as_dict(), problem.criteria)
    for criterion in problem.criteria:
        now = float(normalised[criterion])
        whole = funded_intervals(problem, scenario, criterion, solver)
        here = analysis.funded_interval(problem, scenario, criterion, solver)
        want = containing(whole, now)
        assert here.members == want.members
        assert here.low == pytest.approx(want.low, abs=1e-6) and here.high == pytest.approx(want.high, abs=1e-6)
        for intervention in problem.names:
            wanted = lambda iv, i=intervention: any(m.startswith(f"{i}/") for m in iv.members)  # noqa: E731
            near = analysis._nearest(analysis._nearest_funded(problem, scenario, criterion, solver, wanted), now, wanted)
            far = analysis._nearest(whole, now, wanted)
            assert (near is None) == (far is None), (criterion, intervention)
            if near is not None and far is not None:
                assert near == pytest.approx(far, abs=1e-6), (criterion, intervention)


def test_cost_weight_cannot_change_the_funded_set(problem: DecisionProblem) -> None:
    """With cost left out of the benefit, the funded set is one interval over the whole cost weight range."""
    [interval] = funded_intervals(problem, default_scenario(problem), "cost")
    assert (interval.low, interval.high) == (0.0, 1.0)


def test_stability_table_contains_the_current_weights(problem: DecisionProblem) -> None:
    """Every criterion's current weight lies inside both of its stable ranges."""
    table = stability_table(problem, default_scenario(problem), 5)
    assert list(table["criterion"]) == ["impact", "reach", "cost", "risk"]
    for _, row in table.iterrows():
        assert row["top-k stable from %"] <= row["weight now %"] <= row["top-k stable to %"]
        assert row["funded set stable from %"] <= row["weight now %"] <= row["funded set stable to %"]


def test_what_would_it_take_is_true(problem: DecisionProblem) -> None:
    """Every weight change it suggests for an unfunded intervention does fund it (a little past the breakpoint)."""
    scenario = default_scenario(problem)
    funded = set(evaluate(problem, scenario).optimum.funded)
    checked = 0
    for ident in (i for i in problem.info.index if i not in funded):
        statements = what_would_it_take(problem, scenario, ident, 5)
        weights = [s for s in statements if s.startswith("Funding:") and "weight from" in s]
        for weight in weights:
            found = re.search(r"(raising|lowering) the (\w+) weight from [\d.]+% to about ([\d.]+)%", weight)
            assert found
            direction, criterion, target = found.group(1), found.group(2), float(found.group(3)) / 100
            nudge = 0.002 if direction == "raising" else -0.002
            assert ident in evaluate(problem, scenario_at(problem, criterion, target + nudge)).optimum.funded
            checked += 1
    assert checked >= 1


def test_what_would_it_take_for_funded_and_harmful(problem: DecisionProblem) -> None:
    """A funded intervention is said to be funded; a harmful one is said to need an override."""
    scenario = default_scenario(problem)
    assert "Funding: Cognitive behavioural therapy in the community is funded in this scenario." in what_would_it_take(
        problem, scenario, "cbt-community", 5
    )
    harmful = what_would_it_take(problem, scenario, "prison-awareness-visits", 5)
    assert any("only an override with a reason can fund it" in s for s in harmful)


def test_dominance_table_names_dominators(problem: DecisionProblem) -> None:
    """Dominated interventions are listed with their dominators, by name: for weapon amnesties, exactly those at
    least as good on every criterion and better on one (Safe spaces and Ask for Angela among them)."""
    table = dominance_table(problem)
    row = table[table["id"] == "weapon-amnesties"].iloc[0]
    mine = problem.values.loc["weapon-amnesties"]
    better = [i for i, v in problem.values.iterrows() if (v >= mine).all() and (v > mine).any()]
    assert "safe-spaces-ask-angela" in better
    assert set(row["dominated by"].split("; ")) == {problem.names[i] for i in better}


def test_dominance_table_counts_dominators_past_those_it_names(problem: DecisionProblem, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``DOMINATORS_NAMED`` names the table counts the rest: at one name, weapon amnesties list the first of
    their dominators in the catalogue's order and how many more, and the count stays the full number."""
    monkeypatch.setattr(analysis, "DOMINATORS_NAMED", 1)
    row = dominance_table(problem).set_index("id").loc["weapon-amnesties"]
    mine = problem.values.loc["weapon-amnesties"]
    better = [i for i, v in problem.values.iterrows() if (v >= mine).all() and (v > mine).any()]
    assert len(better) >= 2
    assert row["dominated by"] == f"{problem.names[better[0]]} and {len(better) - 1} more"
    assert row["count"] == len(better)


def test_monte_carlo_is_reproducible_and_respects_rules(problem: DecisionProblem) -> None:
    """Same seed, same numbers; must-funds are always funded; the harmful option never is."""
    scenario = default_scenario(problem).model_copy(update={"must_fund": ("prison-mentoring",)})
    first = run_monte_carlo(problem, scenario, 500, seed=11)
    again = run_monte_carlo(problem, scenario, 500, seed=11)
    assert first.funded_probability is not None and again.funded_probability is not None
    assert first.funded_probability.equals(again.funded_probability)
    assert first.funded_probability["prison-mentoring"] == 1.0
    assert first.funded_probability["prison-awareness-visits"] == 0.0
    assert np.allclose(first.rank_probability.sum(axis=1), 1)


def test_monte_carlo_with_tier_shares_uses_the_shared_search(problem: DecisionProblem) -> None:
    """With a tier minimum the DP steps aside for the search shared by the draws; each draw's set is the
    integer programme's, and meets the minimum."""
    scenario = default_scenario(problem).model_copy(update={"tier_min_share": {"primary": 0.3}})
    solver = FundingSolver.for_scenario(problem, scenario)
    assert solver.method.startswith("exact search shared by the draws")
    weights = sample_weights(normalise_weights(scenario.weights.as_dict()).to_numpy(), 25, np.random.default_rng(4))
    shared = solver.funded(weights)
    model = FundingModel.build(solver.options, solver.rules)
    cost = solver.options["annual_cost_gbp"].to_numpy()
    primary = cost * solver.options["share_primary"].to_numpy()
    for row, w in enumerate(weights):
        staged = model.best(benefit_units(solver.benefits(w)))
        assert staged is not None and (staged == shared[row]).all(), row
        assert primary[shared[row]].sum() >= 0.3 * cost[shared[row]].sum() - 1e-6
    result = run_monte_carlo(problem, scenario, 20, seed=3)
    assert result.funded_probability is not None
    assert result.funded_probability.between(0, 1).all()


def test_uncertainty_is_described_from_the_catalogue(problem: DecisionProblem) -> None:
    """The description quotes the catalogue's spreads."""
    text = describe_uncertainty(problem)
    assert "very low 18" in text and "illustrative" in text
    assert problem.spread.at["ae-navigators-redthread", "impact"] == 18
    assert problem.spread.at["focused-deterrence-another-way", "impact"] == 6
