"""The exact portfolio optimiser against brute force, the knapsack trap, every constraint and every message."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from scoring import FundingRules, InfeasibleError, frontier, optimise, ratio_ranking

TIERS = ("primary", "secondary", "tertiary")


def options_table(rows: list[tuple[str, str, float, float, str]]) -> pd.DataFrame:
    """Options from (intervention, level, cost, benefit, tier) rows; each option sits wholly in one tier."""
    frame = pd.DataFrame(
        {
            "intervention": [r[0] for r in rows],
            "level": [r[1] for r in rows],
            "annual_cost_gbp": [float(r[2]) for r in rows],
            "benefit": [float(r[3]) for r in rows],
            "reach_per_year": [10.0] * len(rows),
        },
        index=[f"{r[0]}/{r[1]}" for r in rows],
    )
    for tier in TIERS:
        frame[f"share_{tier}"] = [1.0 if r[4] == tier else 0.0 for r in rows]
    return frame


TRAP = options_table([("a", "full", 10, 60, "primary"), ("b", "full", 20, 100, "primary"), ("c", "full", 30, 120, "primary")])


def test_knapsack_trap() -> None:
    """Budget 50: ratio ranking funds a and b (160); the optimum funds b and c (220)."""
    best = optimise(TRAP, FundingRules(50))
    greedy = ratio_ranking(TRAP, FundingRules(50))
    assert sorted(best.funded) == ["b", "c"] and best.value == pytest.approx(220)
    assert sorted(greedy.funded) == ["a", "b"] and greedy.value == pytest.approx(160)


def random_instance(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, FundingRules]:
    rows = []
    for g in range(n):
        tier = str(rng.choice(TIERS))
        cost = float(rng.integers(1, 20) * 5_000)
        rows.append((f"i{g:02d}", "full", cost, float(rng.uniform(5, 90)), tier))
        if rng.random() < 0.25:
            rows.append((f"i{g:02d}", "pilot", round(cost * rng.uniform(0.3, 0.7), -2), float(rng.uniform(2, 60)), tier))
    options = options_table(rows)
    ids = [f"i{g:02d}" for g in range(n)]
    picked = rng.permutation(ids)
    must = tuple(picked[: rng.integers(0, 3)])
    must_not = tuple(picked[3 : 3 + rng.integers(0, 3)])
    tier_min = {t: float(rng.choice([0.1, 0.2, 0.3])) for t in TIERS if rng.random() < 0.3}
    tier_max = {t: float(rng.choice([0.5, 0.6, 0.8])) for t in TIERS if rng.random() < 0.3}
    budget = float(options["annual_cost_gbp"].sum() * rng.uniform(0.15, 0.7))
    rules = FundingRules(budget, must, must_not, (), tier_min, tier_max, float(rng.choice([0.0, 0.0, 0.05, 0.1])))
    return options, rules


def brute_force(options: pd.DataFrame, rules: FundingRules) -> float | None:
    """Best value over every choice of at most one option per intervention, or None if nothing is feasible."""
    groups = list(dict.fromkeys(options["intervention"]))
    choices = [[None, *np.flatnonzero((options["intervention"] == g).to_numpy())] for g in groups]
    cost = options["annual_cost_gbp"].to_numpy()
    benefit = options["benefit"].to_numpy()
    shares = options[[f"share_{t}" for t in TIERS]].to_numpy()
    best = None
    for combo in itertools.product(*choices):
        picked = [c for c in combo if c is not None]
        chosen_groups = {groups[k] for k, c in enumerate(combo) if c is not None}
        if not set(rules.must_fund) <= chosen_groups or set(rules.must_not_fund) & chosen_groups:
            continue
        spend = cost[picked].sum()
        if spend > rules.available_gbp + 1e-6:
            continue
        by_tier = (cost[picked, None] * shares[picked]).sum(axis=0)
        ok = all(by_tier[TIERS.index(t)] >= s * spend - 1e-6 for t, s in rules.tier_min_share.items())
        ok = ok and all(by_tier[TIERS.index(t)] <= s * spend + 1e-6 for t, s in rules.tier_max_share.items())
        if ok:
            value = benefit[picked].sum()
            best = value if best is None else max(best, value)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_matches_brute_force(seed: int) -> None:
    """On random instances (up to 13 interventions, with levels, tiers, must, must-not, ring-fence) the
    optimiser's value equals the best found by enumerating every choice, and it says 'infeasible' exactly when
    enumeration finds nothing."""
    rng = np.random.default_rng(seed)
    options, rules = random_instance(rng, int(rng.integers(4, 14)))
    expected = brute_force(options, rules)
    if expected is None:
        with pytest.raises(InfeasibleError):
            optimise(options, rules)
        return
    result = optimise(options, rules)
    assert result.value == pytest.approx(expected, abs=1e-6)
    assert result.spend_gbp <= rules.available_gbp + 1e-6
    assert set(rules.must_fund) <= set(result.funded)
    assert not set(rules.must_not_fund) & set(result.funded)
    assert len(set(result.funded)) == len(result.funded)


@pytest.mark.parametrize("seed", range(3))
def test_matches_brute_force_at_fifteen(seed: int) -> None:
    """Fifteen interventions with single levels (32,768 subsets) still match enumeration."""
    rng = np.random.default_rng(100 + seed)
    rows = [
        (f"i{g:02d}", "full", float(rng.integers(1, 20) * 5_000), float(rng.uniform(5, 90)), str(rng.choice(TIERS)))
        for g in range(15)
    ]
    options = options_table(rows)
    rules = FundingRules(float(options["annual_cost_gbp"].sum() * 0.4), tier_min_share={"primary": 0.2})
    assert optimise(options, rules).value == pytest.approx(brute_force(options, rules), abs=1e-6)


@pytest.mark.parametrize("seed", range(30))
def test_never_below_ratio_ranking_and_never_falls_with_budget(seed: int) -> None:
    """Without tier shares the optimum is never worse than ratio ranking, and a bigger budget never lowers it."""
    rng = np.random.default_rng(1000 + seed)
    options, rules = random_instance(rng, int(rng.integers(4, 14)))
    rules = FundingRules(rules.budget_gbp, rules.must_fund, rules.must_not_fund, ringfence_share=rules.ringfence_share)
    try:
        low = optimise(options, rules)
    except InfeasibleError:
        return
    assert low.value >= ratio_ranking(options, rules).value - 1e-9
    high = optimise(
        options, FundingRules(rules.budget_gbp * 1.3, rules.must_fund, rules.must_not_fund, ringfence_share=rules.ringfence_share)
    )
    assert high.value >= low.value - 1e-9


def test_same_inputs_same_set() -> None:
    """Solving the same problem twice gives the same funded options."""
    rng = np.random.default_rng(5)
    options, rules = random_instance(rng, 12)
    rules = FundingRules(rules.budget_gbp)
    assert list(optimise(options, rules).chosen.index) == list(optimise(options, rules).chosen.index)


def test_levels_are_alternatives() -> None:
    """An intervention is funded at one level at most: here the pilot, as the full level does not fit."""
    options = options_table(
        [("a", "full", 100, 80, "primary"), ("a", "pilot", 40, 50, "primary"), ("b", "full", 50, 30, "primary")]
    )
    best = optimise(options, FundingRules(95))
    assert list(best.chosen.index) == ["a/pilot", "b/full"]
    assert optimise(options, FundingRules(200)).funded == ("a", "b")


def test_must_fund_and_must_not_fund() -> None:
    """A must-fund is funded even when it is poor value; a must-not-fund never is."""
    best = optimise(TRAP, FundingRules(50, must_fund=("a",), must_not_fund=("c",)))
    assert sorted(best.funded) == ["a", "b"]
    assert "must fund: a" in best.binding


def test_excluded_option() -> None:
    """An excluded option is never chosen, while its intervention's other levels may be."""
    options = options_table([("a", "full", 100, 80, "primary"), ("a", "pilot", 40, 50, "primary")])
    assert list(optimise(options, FundingRules(200, excluded_options=("a/full",))).chosen.index) == ["a/pilot"]


def test_tier_minimum_changes_the_set() -> None:
    """Requiring 40% of spend on tertiary swaps in the tertiary option."""
    options = options_table(
        [("p1", "full", 30, 50, "primary"), ("p2", "full", 30, 45, "primary"), ("t1", "full", 30, 20, "tertiary")]
    )
    assert sorted(optimise(options, FundingRules(60)).funded) == ["p1", "p2"]
    forced = optimise(options, FundingRules(60, tier_min_share={"tertiary": 0.4}))
    assert sorted(forced.funded) == ["p1", "t1"]
    assert forced.share_by_tier["tertiary"] >= 0.4


def test_tier_maximum() -> None:
    """At most 50% on primary keeps one of the two primary options out."""
    options = options_table(
        [("p1", "full", 30, 50, "primary"), ("p2", "full", 30, 45, "primary"), ("s1", "full", 30, 10, "secondary")]
    )
    capped = optimise(options, FundingRules(90, tier_max_share={"primary": 0.5}))
    assert sorted(capped.funded) == ["p1", "s1"]
    assert "primary maximum: exactly 50% of spend" in capped.binding


def test_ringfence_reduces_what_can_be_spent() -> None:
    """Ring-fencing 20% of a £50 budget leaves £40: a and c (60 + 120 = 180) instead of b and c."""
    best = optimise(TRAP, FundingRules(50, ringfence_share=0.2))
    assert best.rules.available_gbp == pytest.approx(40)
    assert best.rules.ringfenced_gbp == pytest.approx(10)
    assert sorted(best.funded) == ["a", "c"] and best.value == pytest.approx(180)


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            FundingRules(50, must_fund=("a", "b", "c")),
            "must fund: £60 of commitments (at their cheapest levels) exceed the £50 budget",
        ),
        (
            FundingRules(60, must_fund=("a", "b", "c"), ringfence_share=0.1),
            "must fund: £60 of commitments (at their cheapest levels) exceed the £54 available "
            "after ring-fencing 10% (£6) for evaluation",
        ),
        (FundingRules(50, must_fund=("a",), must_not_fund=("a",)), "A is both a must-fund and a must-not-fund"),
        (
            FundingRules(50, tier_min_share={"primary": 0.7}, tier_max_share={"primary": 0.5}),
            "primary tier: minimum share 70% is above its maximum 50%",
        ),
        (
            FundingRules(50, tier_min_share={"primary": 0.6, "secondary": 0.6}),
            "tier minimums add up to 120% of spend (primary 60% + secondary 60%), more than 100%",
        ),
        (FundingRules(50, must_fund=("zz",)), "must fund: no intervention has the id 'zz'"),
        (FundingRules(-1), "budget: -£1 is negative"),
    ],
)
def test_infeasible_messages(rules: FundingRules, message: str) -> None:
    """Each impossible set of rules is explained in words with the amounts, never a solver status."""
    with pytest.raises(InfeasibleError) as caught:
        optimise(TRAP, rules, names={"a": "A"})
    assert message in caught.value.reasons


def test_conflict_between_must_fund_and_tier_share_is_named() -> None:
    """Must-funding a tertiary option while requiring 50% primary, with too little budget for primary, names
    exactly those constraints and the budget, and leaves out the must-fund that plays no part."""
    options = options_table(
        [("t1", "full", 40, 20, "tertiary"), ("p1", "full", 30, 50, "primary"), ("s1", "full", 5, 5, "secondary")]
    )
    rules = FundingRules(60, must_fund=("t1", "s1"), tier_min_share={"primary": 0.5})
    with pytest.raises(InfeasibleError) as caught:
        optimise(options, rules, names={"t1": "Tertiary one", "s1": "Small"})
    assert caught.value.reasons == [
        "these constraints cannot all hold: must fund Tertiary one (£40 at their cheapest levels); "
        "at least 50% of spend on primary prevention; the £60 available to spend"
    ]


def test_frontier_matches_single_solves() -> None:
    """Every frontier point equals a separate optimisation at that budget, and ratio values sit at or below it."""
    rng = np.random.default_rng(11)
    options, rules = random_instance(rng, 10)
    rules = FundingRules(rules.budget_gbp, tier_min_share={"primary": 0.2})
    budgets = np.linspace(0, options["annual_cost_gbp"].sum(), 25)
    table = frontier(options, rules, budgets)
    for _, row in table.iterrows():
        expected = optimise(options, FundingRules(row["budget_gbp"], tier_min_share={"primary": 0.2})).value
        assert row["optimal_value"] == pytest.approx(expected, abs=1e-6)
    assert (table["optimal_value"].diff().dropna() >= -1e-9).all()


def test_frontier_has_no_value_where_no_budget_could_help() -> None:
    """An unknown must-fund, a must-fund also excluded, or a minimum above its maximum: NaN at every budget."""
    for rules in (
        FundingRules(50, must_fund=("zzz",)),
        FundingRules(50, must_fund=("a",), must_not_fund=("a",)),
        FundingRules(50, tier_min_share={"primary": 0.6}, tier_max_share={"primary": 0.4}),
    ):
        table = frontier(TRAP, rules, [0, 10, 30, 50, 60])
        assert table["optimal_value"].isna().all() and (table["funded_count"] == 0).all(), rules


def test_frontier_marks_budgets_where_rules_cannot_hold() -> None:
    """Below the cost of the must-funds the frontier has no value (NaN), not an error."""
    table = frontier(TRAP, FundingRules(50, must_fund=("c",)), [10, 30, 50])
    assert np.isnan(table.loc[0, "optimal_value"])
    assert table.loc[1, "optimal_value"] == pytest.approx(120)
