"""Scenarios on the shipped catalogue: harmful exclusion and overrides, status quo, benefit, links, next pound."""

from __future__ import annotations

import pytest

from matrix import DecisionProblem
from matrix.scenario import (
    Scenario,
    ScenarioError,
    benefit_weights,
    default_scenario,
    evaluate,
    frontier_table,
    next_pound,
    scenario_from_query,
    scenario_to_query,
)
from matrix.schema import Weights
from scoring import InfeasibleError, WeightsError


def test_default_scenario_uses_catalogue_budget_and_weights(problem: DecisionProblem) -> None:
    """The default scenario spends at most the £880,000 grant with the strategy-default weights."""
    result = evaluate(problem, default_scenario(problem))
    assert result.scenario.budget_gbp == 880_000
    assert result.optimum.spend_gbp <= 880_000
    assert result.optimum.value >= result.ratio.value - 1e-9


def test_benefit_leaves_cost_out_unless_asked() -> None:
    """Benefit weights renormalise impact, reach and risk (40/20/20 -> 50/25/25); include_cost keeps all four."""
    weights = Weights(impact=40, reach=20, cost=20, risk=20)
    assert benefit_weights(weights, include_cost=False).to_dict() == pytest.approx(
        {"impact": 0.5, "reach": 0.25, "cost": 0.0, "risk": 0.25}
    )
    assert benefit_weights(weights, include_cost=True)["cost"] == pytest.approx(0.2)
    with pytest.raises(WeightsError, match="with cost left out of the benefit"):
        benefit_weights(Weights(impact=0, reach=0, cost=10, risk=0), include_cost=False)


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
    with pytest.raises(InfeasibleError, match="must fund: £1,150,000 of commitments"):
        evaluate(problem, default_scenario(problem).model_copy(update={"keep_status_quo": True}))


def test_stopping_frees_money(problem: DecisionProblem) -> None:
    """Interventions funded today but not in the optimum are listed, with the money their full cost frees."""
    result = evaluate(problem, default_scenario(problem))
    assert result.stopped
    expected = problem.info.loc[list(result.stopped), "annual_cost_gbp"].sum()
    assert result.freed_gbp == pytest.approx(expected)


def test_tier_minimum_is_met_on_the_shipped_catalogue(problem: DecisionProblem) -> None:
    """Requiring a third of spend on primary prevention is met exactly or more."""
    scenario = default_scenario(problem).model_copy(update={"tier_min_share": {"primary": 1 / 3}})
    result = evaluate(problem, scenario)
    assert result.optimum.share_by_tier["primary"] >= 1 / 3 - 1e-9


def test_link_round_trip(problem: DecisionProblem) -> None:
    """A scenario written to link parameters and read back is the same scenario."""
    scenario = default_scenario(problem).model_copy(
        update={
            "name": "Cut to £600k",
            "budget_gbp": 600_000,
            "must_fund": ("ae-navigators-redthread",),
            "must_not_fund": ("cctv-lighting-upgrades",),
            "harmful_overrides": {"prison-awareness-visits": "trial: evaluate it"},
            "tier_min_share": {"primary": 0.25},
            "tier_max_share": {"tertiary": 0.5},
            "ringfence_share": 0.1,
            "keep_status_quo": True,
            "include_cost": True,
        }
    )
    restored, problems = scenario_from_query(scenario_to_query(scenario), default_scenario(problem))
    assert problems == []
    assert restored == scenario


def test_bad_link_values_are_reported(problem: DecisionProblem) -> None:
    """Out-of-range and malformed link values are ignored with a message each."""
    base = default_scenario(problem)
    restored, problems = scenario_from_query({"budget": "-3", "ringfence": "150", "allow_harmful": "nocolon"}, base)
    assert restored.budget_gbp == base.budget_gbp
    assert problems == [
        "the link's budget '-3' is not a number from 0 to 1e+10; ignored",
        "the link's harmful override 'nocolon' needs the form id:reason; ignored",
        "the link's ringfence '150' is not a number from 0 to 100; ignored",
    ]


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
