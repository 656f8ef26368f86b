"""Scenarios on the shipped catalogue: harmful exclusion and overrides, status quo, benefit, links, next pound."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from matrix.catalogue import Weights
from matrix.decision import DecisionProblem
from matrix.decision.scenario import (
    Scenario,
    ScenarioError,
    default_scenario,
    evaluate,
    frontier_table,
    funding_rules,
    next_pound,
    scenario_options,
)
from scoring import InfeasibleError, funding, money, optimise


def test_default_scenario_uses_catalogue_budget_and_weights(problem: DecisionProblem) -> None:
    """The default scenario spends at most the £880,000 grant with the strategy-default weights."""
    result = evaluate(problem, default_scenario(problem))
    assert result.scenario.budget_gbp == 880_000
    assert result.optimum.spend_gbp <= 880_000
    assert result.optimum.value >= result.ratio.value - 1e-9


def test_harmful_is_excluded_unless_overridden(problem: DecisionProblem) -> None:
    """The harmful option is never funded by default, even with money to spare; an override with a reason allows it."""
    rich = default_scenario(problem).model_copy(update={"budget_gbp": 5_000_000})
    result = evaluate(problem, rich)
    assert "prison-awareness-visits" not in result.optimum.funded
    assert result.harmful_excluded == ("prison-awareness-visits",)
    allowed = rich.model_copy(update={"harmful_overrides": {"prison-awareness-visits": "evaluated pilot agreed by the board"}})
    assert "prison-awareness-visits" in evaluate(problem, allowed).optimum.funded


def test_must_funding_harmful_without_override_is_refused(problem: DecisionProblem) -> None:
    """Asking to fund a harmful approach without an override says why, in words."""
    scenario = default_scenario(problem).model_copy(update={"must_fund": ("prison-awareness-visits",)})
    with pytest.raises(
        ScenarioError, match="is rated harmful by the YEF; it can only be funded with an override and a recorded reason"
    ):
        evaluate(problem, scenario)


def test_unknown_ids_and_needless_overrides(problem: DecisionProblem) -> None:
    """Unknown ids and an override of something not harmful are reported together."""
    scenario = default_scenario(problem).model_copy(
        update={"must_fund": ("nope",), "harmful_overrides": {"cbt-community": "because"}}
    )
    with pytest.raises(ScenarioError) as caught:
        evaluate(problem, scenario)
    assert str(caught.value) == (
        "must fund: no intervention has the id 'nope'; harmful override: Cognitive behavioural therapy in the community "
        "is not rated harmful, so it needs no override"
    )


def test_override_needs_a_reason() -> None:
    """An override with an empty reason is not a valid scenario."""
    with pytest.raises(ValueError, match="at least 1 character"):
        Scenario(weights=Weights(impact=1, reach=0, cost=0, risk=0), budget_gbp=1, harmful_overrides={"x": ""})


def test_keep_status_quo(problem: DecisionProblem) -> None:
    """Keeping today's funded set funds every one of them at its full level; today it would not fit in £880k."""
    today = set(problem.info.index[problem.info["funded_today"]])
    today_cost = problem.info.loc[list(today), "annual_cost_gbp"].sum()
    big = default_scenario(problem).model_copy(update={"keep_status_quo": True, "budget_gbp": float(today_cost) + 50_000})
    result = evaluate(problem, big)
    assert today <= set(result.optimum.funded)
    assert set(result.optimum.chosen.loc[result.optimum.chosen["intervention"].isin(today), "level"]) == {"full"}
    assert result.stopped == ()
    # The commitments are today's funded set at full cost, which the shipped budget (£880k) cannot hold.
    assert today_cost > problem.budget_gbp
    with pytest.raises(InfeasibleError, match=f"must fund: {money(today_cost)} of commitments"):
        evaluate(problem, default_scenario(problem).model_copy(update={"keep_status_quo": True}))


def test_changes_to_what_is_funded_today(problem: DecisionProblem) -> None:
    """Every intervention funded today is stopped, reduced, increased or continued, every other funded one is new,
    and the money adds up: today's spend plus the differences is the funded set's spend."""
    result = evaluate(problem, default_scenario(problem))
    changes = result.changes.set_index("id")
    today = set(problem.info.index[problem.info["funded_today"]])
    funded = set(result.optimum.funded)
    assert set(changes.index[changes["change"] == "stopped"]) == today - funded
    assert set(changes.index[changes["change"] == "new"]) == funded - today
    relevelled = changes.index[changes["change"].isin(["reduced", "increased"])]
    assert set(relevelled) <= today & funded
    for ident in relevelled:
        level = result.optimum.chosen.loc[result.optimum.chosen["intervention"] == ident, "level"].iloc[0]
        assert level != "full"
    today_spend = problem.info.loc[list(today), "annual_cost_gbp"].sum()
    assert today_spend + changes["difference £"].sum() == pytest.approx(result.optimum.spend_gbp)
    assert result.freed_gbp == pytest.approx(-changes.loc[changes["change"].isin(["stopped", "reduced"]), "difference £"].sum())
    assert {result.change_of(i) for i in today & funded} <= {"reduced", "increased", "continued"}


def test_the_default_scenario_reduces_some_of_todays_services(problem: DecisionProblem) -> None:
    """At £880k with the default weights some of today's services are cut to a cheaper level, and that is reported
    as a reduction with its money, not only as a level in a table."""
    result = evaluate(problem, default_scenario(problem))
    reduced = result.changes[result.changes["change"] == "reduced"]
    assert len(reduced) > 0
    assert (reduced["difference £"] < 0).all()


def test_tier_minimum_is_met_on_the_shipped_catalogue(problem: DecisionProblem) -> None:
    """Requiring a third of spend on primary prevention is met exactly or more."""
    scenario = default_scenario(problem).model_copy(update={"tier_min_share": {"primary": 1 / 3}})
    result = evaluate(problem, scenario)
    assert result.optimum.share_by_tier["primary"] >= 1 / 3 - 1e-9


def test_next_pound(problem: DecisionProblem) -> None:
    """More money never lowers the value and less never raises it."""
    table = next_pound(problem, default_scenario(problem))
    assert table["budget change £"].tolist() == [-100_000, -50_000, 50_000, 100_000]
    changes = table.set_index("budget change £")["value change"]
    assert changes[-100_000] <= changes[-50_000] <= 0 <= changes[50_000] <= changes[100_000]


def test_frontier_covers_zero_to_everything(problem: DecisionProblem) -> None:
    """The frontier runs from £0 (value 0) to the cost of everything, never falling."""
    table = frontier_table(problem, default_scenario(problem), points=20)
    assert table["budget_gbp"].iloc[0] == 0 and table["optimal_value"].iloc[0] == 0
    everything = problem.options.groupby("intervention")["annual_cost_gbp"].max().sum()
    assert table["budget_gbp"].iloc[-1] == pytest.approx(everything)
    assert (table["optimal_value"].diff().dropna() >= -1e-9).all()
    assert (table["optimal_value"] >= table["ratio_value"] - 1e-9).all()


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"ringfence_share": 0.1},
        {"keep_status_quo": True},
        {"include_cost": True},
        {"budget_gbp": 1_500_000.0},
        {"tier_min_share": {"primary": 0.3}},
        {"tier_max_share": {"tertiary": 0.4}},
        {"tier_min_share": {"secondary": 0.25}, "tier_max_share": {"primary": 0.5}, "ringfence_share": 0.05},
    ],
    ids=["default", "ring-fence", "keep today", "cost in benefit", "budget 1.5m", "primary min", "tertiary max", "mixed"],
)
def test_frontier_equals_a_solve_at_every_budget(problem: DecisionProblem, change: dict[str, object]) -> None:
    """On the shipped catalogue, each of the frontier's 100 budgets has the value, spend and count of the funded
    set found by solving that budget alone, and the one programme's sets are those sets, option for option."""
    scenario = default_scenario(problem).model_copy(update=change)
    table = frontier_table(problem, scenario)
    rules, _ = funding_rules(problem, scenario)
    options = scenario_options(problem, scenario)
    found = funding.sets_by_budget(options, rules, options["benefit"], table["budget_gbp"])
    assert found is not None
    for row, picked, feasible in zip(table.itertuples(), *found, strict=True):
        trial = dataclasses.replace(rules, budget_gbp=row.budget_gbp)
        try:
            single = optimise(options, trial)
        except InfeasibleError:
            assert np.isnan(row.optimal_value) and not feasible
            continue
        assert feasible and list(options.index[picked]) == list(single.chosen.index)
        assert row.optimal_value == pytest.approx(single.value, abs=1e-9)
        assert row.optimal_spend_gbp == single.spend_gbp and row.funded_count == len(single.chosen)
