"""The one funded-set rule (best value, then least cost, then option order), held by every solver path.

Instances are built to tie: benefits and costs come from a handful of round numbers, so many sets
share the best value and many of those share the least cost. Each path (the dynamic programme,
the staged integer programme, ``optimise``, the frontier) must return exactly the set brute force
finds under the rule.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import FundingRules, InfeasibleError, benefit_units, best_sets, dp_unit, frontier, funding, optimise
from scoring.funding import FundingModel, cost_pence
from tests.scoring.test_portfolio import TIERS, options_table


def tied_instance(rng: np.random.Generator, n: int, with_tiers: bool) -> tuple[pd.DataFrame, FundingRules]:
    """Interventions whose benefits and costs repeat, some with a pilot level of the same benefit."""
    rows = []
    for g in range(n):
        tier = str(rng.choice(TIERS))
        cost = float(rng.choice([5_000, 10_000, 15_000]))
        benefit = float(rng.choice([0.0, 10.0, 20.0, 30.0]))
        rows.append((f"i{g:02d}", "full", cost, benefit, tier))
        if rng.random() < 0.3:
            rows.append((f"i{g:02d}", "pilot", float(rng.choice([5_000, cost])), float(rng.choice([benefit, benefit / 2])), tier))
    options = options_table(rows)
    ids = [f"i{g:02d}" for g in range(n)]
    must = tuple(rng.permutation(ids)[: rng.integers(0, 2)])
    tier_min = {str(rng.choice(TIERS)): 0.2} if with_tiers else {}
    budget = float(rng.choice([20_000, 25_000, 30_000, 40_000]))
    return options, FundingRules(budget, must_fund=must, tier_min_share=tier_min)


def brute_force_set(options: pd.DataFrame, rules: FundingRules, benefit: np.ndarray) -> np.ndarray | None:
    """The rule by enumeration: most benefit units, then fewest pence, then first in option order."""
    groups = list(dict.fromkeys(options["intervention"]))
    members = [np.flatnonzero((options["intervention"] == g).to_numpy()) for g in groups]
    allowed = ~options["intervention"].isin(rules.must_not_fund).to_numpy()
    units, pence = benefit_units(benefit), cost_pence(options["annual_cost_gbp"])
    cost = options["annual_cost_gbp"].to_numpy()
    shares = options[[f"share_{t}" for t in TIERS]].to_numpy()
    best, best_key = None, None
    for combo in itertools.product(*[[None, *m] for m in members]):
        picked = np.zeros(len(options), dtype=bool)
        for k, choice in enumerate(combo):
            if choice is not None:
                picked[choice] = True
            elif groups[k] in rules.must_fund:
                break
        else:
            if (picked & ~allowed).any() or cost[picked].sum() > rules.available_gbp + 1e-6:
                continue
            spend = cost[picked].sum()
            by_tier = (cost[picked, None] * shares[picked]).sum(axis=0)
            if any(by_tier[TIERS.index(t)] < s * spend - 1e-6 for t, s in rules.tier_min_share.items()):
                continue
            if any(by_tier[TIERS.index(t)] > s * spend + 1e-6 for t, s in rules.tier_max_share.items()):
                continue
            key = (int(units[picked].sum()), -int(pence[picked].sum()), tuple(picked))
            if best_key is None or key > best_key:
                best, best_key = picked, key
    return best


@pytest.mark.parametrize("seed", range(60))
def test_every_path_picks_the_same_set_as_brute_force(seed: int) -> None:
    """With many exact ties, optimise, best_sets and the staged integer programme all return the brute-force set."""
    rng = np.random.default_rng(seed)
    options, rules = tied_instance(rng, int(rng.integers(3, 9)), with_tiers=seed % 3 == 0)
    benefit = options["benefit"].to_numpy()
    expected = brute_force_set(options, rules, benefit)
    if expected is None:
        with pytest.raises(InfeasibleError):
            optimise(options, rules)
        return
    assert list(optimise(options, rules).chosen.index) == list(options.index[expected])
    assert (best_sets(options, rules, benefit)[0] == expected).all()
    staged = FundingModel.build(options, rules).best(benefit_units(benefit))
    assert staged is not None and (staged == expected).all()


@pytest.mark.parametrize("seed", range(20))
def test_the_dynamic_programme_and_the_integer_programme_agree_on_many_draws(seed: int) -> None:
    """For twenty tied benefit vectors at once, the DP's sets equal the integer programme's, set for set."""
    rng = np.random.default_rng(500 + seed)
    options, rules = tied_instance(rng, int(rng.integers(3, 10)), with_tiers=False)
    assert dp_unit(options, rules) is not None
    draws = rng.choice([0.0, 5.0, 10.0, 20.0], size=(20, len(options)))
    try:
        by_dp = best_sets(options, rules, draws)
    except InfeasibleError:
        assert FundingModel.build(options, rules).best(benefit_units(draws[0])) is None
        return
    model = FundingModel.build(options, rules)
    for row in range(20):
        staged = model.best(benefit_units(draws[row]))
        assert staged is not None and (staged == by_dp[row]).all(), row


def test_equal_value_prefers_the_cheaper_set() -> None:
    """Two sets worth 30 each: {a} at £20,000 and {b, c} at £15,000; the cheaper one is funded."""
    options = options_table(
        [("a", "full", 20_000, 30, "primary"), ("b", "full", 10_000, 20, "primary"), ("c", "full", 5_000, 10, "primary")]
    )
    for rules in (FundingRules(20_000), FundingRules(20_000, tier_min_share={"primary": 0.5})):
        assert sorted(optimise(options, rules).funded) == ["b", "c"]


def test_equal_value_and_cost_prefers_option_order() -> None:
    """{a} and {b} tie on value and cost; a comes first in the table, so a is funded, on both solver paths."""
    options = options_table([("a", "full", 10_000, 30, "primary"), ("b", "full", 10_000, 30, "secondary")])
    assert optimise(options, FundingRules(10_000)).funded == ("a",)
    assert optimise(options, FundingRules(10_000, tier_max_share={"primary": 0.99})).funded == ("b",)
    assert optimise(options, FundingRules(10_000, tier_max_share={"tertiary": 0.5})).funded == ("a",)


def test_a_gap_the_solver_would_accept_is_not_accepted() -> None:
    """Values differing by a millionth of a point are different values: the larger wins even at large totals."""
    options = options_table([("a", "full", 10_000, 99.999999, "primary"), ("b", "full", 9_000, 99.999998, "primary")])
    assert optimise(options, FundingRules(10_000, tier_max_share={"tertiary": 0.5})).funded == ("a",)
    assert optimise(options, FundingRules(10_000)).funded == ("a",)


def test_frontier_reports_the_funded_sets_spend() -> None:
    """At each budget the frontier's spend is the funded set's (the cheapest of the best), as a single solve gives."""
    rng = np.random.default_rng(3)
    options, rules = tied_instance(rng, 8, with_tiers=False)
    rules = FundingRules(rules.budget_gbp)
    table = frontier(options, rules, [0, 10_000, 20_000, 35_000, 60_000])
    for row in table.itertuples():
        single = optimise(options, FundingRules(row.budget_gbp))
        assert row.optimal_value == pytest.approx(single.value)
        assert row.optimal_spend_gbp == pytest.approx(single.spend_gbp)
        assert row.funded_count == len(single.chosen)


def per_budget_sets(options: pd.DataFrame, rules: FundingRules, budgets: np.ndarray) -> list[np.ndarray | None]:
    """The funded set solved on its own at each budget (None where the rules cannot hold)."""
    found: list[np.ndarray | None] = []
    for budget in budgets:
        try:
            found.append(best_sets(options, dataclasses.replace(rules, budget_gbp=float(budget)), options["benefit"])[0])
        except InfeasibleError:
            found.append(None)
    return found


@pytest.mark.parametrize("seed", range(60))
def test_one_programme_gives_every_budgets_set(seed: int) -> None:
    """One dynamic programme over the largest budget, read back at each smaller one, gives the set brute force
    and a solve at that budget give (ties included), and says where the rules cannot hold; with a ring-fence, at
    budgets that are not whole multiples of the cost unit, and (every other seed) with tier shares."""
    rng = np.random.default_rng(2000 + seed)
    options, rules = tied_instance(rng, int(rng.integers(3, 9)), with_tiers=seed % 2 == 1)
    rules = dataclasses.replace(rules, ringfence_share=float(rng.choice([0.0, 0.1, 0.25])))
    if seed % 4 == 3:
        rules = dataclasses.replace(rules, tier_max_share={str(rng.choice(TIERS)): float(rng.choice([0.4, 0.6]))})
    budgets = np.linspace(0.0, float(options["annual_cost_gbp"].sum()) * 1.2, int(rng.integers(2, 40)))
    found = funding.sets_by_budget(options, rules, options["benefit"], budgets)
    assert found is not None
    sets, feasible = found
    for budget, expected, got, ok in zip(budgets, per_budget_sets(options, rules, budgets), sets, feasible, strict=True):
        brute = brute_force_set(options, dataclasses.replace(rules, budget_gbp=float(budget)), options["benefit"].to_numpy())
        if expected is None:
            assert brute is None and not ok and not got.any(), budget
        else:
            assert ok and (got == expected).all() and brute is not None and (got == brute).all(), budget


def test_one_programme_steps_aside_where_it_does_not_apply() -> None:
    """A negative budget, costs in fractions of a pound or too many budget units: no shared programme (the
    frontier then solves each budget)."""
    options, rules = tied_instance(np.random.default_rng(5), 6, with_tiers=True)
    benefit = options["benefit"]
    assert funding.sets_by_budget(options, rules, benefit, [0.0, 20_000.0]) is not None
    assert funding.sets_by_budget(options, rules, benefit, [-1.0, 20_000.0]) is None
    pennies = options.assign(annual_cost_gbp=options["annual_cost_gbp"] + 0.5)
    assert funding.sets_by_budget(pennies, rules, benefit, [20_000.0]) is None
    assert funding.sets_by_budget(options, rules, benefit, [5_000.0 * funding.MAX_STATES]) is None


@settings(max_examples=60, deadline=None)
@given(
    benefits=st.lists(st.sampled_from([0.0, 10.0, 10.0, 20.0]), min_size=2, max_size=7),
    costs=st.lists(st.sampled_from([5_000.0, 10_000.0]), min_size=7, max_size=7),
    budget=st.sampled_from([0.0, 5_000.0, 15_000.0, 25_000.0]),
    tiered=st.booleans(),
)
def test_generated_ties_match_brute_force(benefits: list[float], costs: list[float], budget: float, tiered: bool) -> None:
    """Generated instances (Hypothesis) with heavy ties: optimise returns the brute-force set, with or without tier shares."""
    rows = [(f"i{k}", "full", costs[k], b, TIERS[k % 3]) for k, b in enumerate(benefits)]
    options = options_table(rows)
    rules = FundingRules(budget, tier_max_share={"primary": 0.99} if tiered else {})
    expected = brute_force_set(options, rules, options["benefit"].to_numpy())
    if expected is None:
        with pytest.raises(InfeasibleError):
            optimise(options, rules)
        return
    assert list(optimise(options, rules).chosen.index) == list(options.index[expected])


@pytest.mark.parametrize("seed", range(30))
def test_the_shared_search_and_the_integer_programme_agree_under_tier_shares(seed: int) -> None:
    """Thirty tied benefit vectors under tier minimums and maximums: the branch and bound shared by the
    draws returns, draw for draw, the staged integer programme's set."""
    rng = np.random.default_rng(900 + seed)
    options, rules = tied_instance(rng, int(rng.integers(4, 11)), with_tiers=True)
    tier = str(rng.choice(TIERS))
    rules = dataclasses.replace(rules, tier_max_share={tier: float(rng.choice([0.5, 0.7]))})
    assert rules.has_tier_shares and dp_unit(options, rules) is None
    draws = rng.choice([0.0, 5.0, 10.0, 20.0], size=(30, len(options))) + rng.choice([0.0, 0.5], size=(30, 1))
    model = FundingModel.build(options, rules)
    try:
        shared = best_sets(options, rules, draws)
    except InfeasibleError:
        assert model.best(benefit_units(draws[0])) is None
        return
    for row in range(len(draws)):
        staged = model.best(benefit_units(draws[row]))
        assert staged is not None and (staged == shared[row]).all(), row


def test_the_shared_search_gives_way_to_the_integer_programme_past_its_node_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The spend-by-class path and the search give the same sets; with no nodes allowed the search gives up and
    best_sets solves each draw by the integer programme: the same sets again. (Secondary options are worth more,
    so the primary minimum always binds.)"""
    rows = [(f"p{k}", "full", 10_000 * (1 + k % 3), 5.0 + k, "primary") for k in range(5)]
    rows += [(f"s{k}", "full", 10_000 * (1 + k % 2), 40.0 + k, "secondary") for k in range(5)]
    options = options_table(rows)
    rules = FundingRules(60_000, tier_min_share={"primary": 0.5})
    draws = np.random.default_rng(77).uniform(0, 10, size=(12, len(options))) + options["benefit"].to_numpy()
    searched = best_sets(options, rules, draws)
    monkeypatch.setattr(funding, "MAX_CLASS_COMBINATIONS", 0)  # pruned combinations, then none held at all
    monkeypatch.setattr(funding, "MAX_PRUNED_PAIRS", 0)
    rows = funding.tier_rows(options, rules)
    assert funding._class_sets(options, rules, benefit_units(draws), 10_000, rows) is None
    assert (best_sets(options, rules, draws) == searched).all()
    monkeypatch.setattr(funding, "_class_sets", lambda *args: None)  # the search, not spend by class
    assert (best_sets(options, rules, draws) == searched).all()
    monkeypatch.setattr(funding, "MAX_BRANCH_NODES_PER_DRAW", 0)
    assert funding._branch_sets(options, rules, benefit_units(draws), 10_000) is None
    assert (best_sets(options, rules, draws) == searched).all()
    monkeypatch.setattr(funding, "MAX_BRANCH_NODES_PER_DRAW", 400)
    monkeypatch.setattr(funding, "MAX_SEARCH_CELLS", 0)  # tables too big for memory: the same answer by the other path
    assert funding._branch_sets(options, rules, benefit_units(draws), 10_000) is None
    assert (best_sets(options, rules, draws) == searched).all()
    assert all(
        0.5 * spend <= primary
        for spend, primary in zip(
            searched.astype(float) @ options["annual_cost_gbp"].to_numpy(),
            searched.astype(float) @ (options["annual_cost_gbp"] * options["share_primary"]).to_numpy(),
            strict=True,
        )
    )


def spread_instance(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, FundingRules]:
    """Interventions over one, two or three tiers (equal shares), some with a pilot, under a tier minimum and
    (half the time) a maximum on another tier; benefits and costs from round numbers, so sets tie."""
    rows, shares = [], []
    for g in range(n):
        tiers = list(rng.permutation(TIERS)[: rng.choice([1, 1, 2, 3])])
        cost = float(rng.choice([5_000, 10_000, 15_000]))
        benefit = float(rng.choice([0.0, 10.0, 20.0, 30.0]))
        levels = [("full", cost, benefit)]
        if rng.random() < 0.3:
            levels.append(("pilot", float(rng.choice([5_000, cost])), float(rng.choice([benefit, benefit / 2]))))
        for level, level_cost, level_benefit in levels:
            rows.append((f"i{g:02d}", level, level_cost, level_benefit, TIERS[0]))
            shares.append([1 / len(tiers) if t in tiers else 0.0 for t in TIERS])
    options = options_table(rows)
    options[[f"share_{t}" for t in TIERS]] = np.array(shares)
    low, high = rng.permutation(TIERS)[:2]
    maximum = {str(high): float(rng.choice([0.5, 0.7]))} if rng.random() < 0.5 else {}
    budget = float(rng.choice([20_000, 30_000, 40_000]))
    return options, FundingRules(budget, tier_min_share={str(low): float(rng.choice([0.2, 0.3]))}, tier_max_share=maximum)


@pytest.mark.parametrize("path", ["classes", "pruned", "pruned in parts", "search"])
@pytest.mark.parametrize("seed", range(30))
def test_every_tier_share_path_matches_brute_force(seed: int, path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Options spread over one, two or three tiers, tied benefit draws, a tier minimum and sometimes a maximum:
    spend by class (every combination, or pruned combinations: one draw a block, or parts of a block pruned by
    the sets found for the parts before) and the shared search each return, draw for draw, the brute-force set."""
    rng = np.random.default_rng(4000 + seed)
    options, rules = spread_instance(rng, int(rng.integers(3, 7)))
    draws = rng.choice([0.0, 10.0, 20.0], size=(5, len(options))) + rng.choice([0.0, 5.0], size=(5, 1))
    if path == "search":
        monkeypatch.setattr(funding, "_class_sets", lambda *args: None)
    elif path == "pruned":
        monkeypatch.setattr(funding, "MAX_CLASS_COMBINATIONS", 0)  # any other class: pruned combinations
        monkeypatch.setattr(funding, "MAX_SEARCH_CELLS", 1)  # the programmes' tables one draw at a time
    elif path == "pruned in parts":
        monkeypatch.setattr(funding, "MAX_CLASS_COMBINATIONS", 0)
        monkeypatch.setattr(funding, "PRUNED_PARTS", (1, 2))  # one block of draws, in parts of 1, 2, 2
    else:
        monkeypatch.setattr(funding, "MAX_CLASS_KEYS", 3)  # a few combinations at a time: many chunks
        monkeypatch.setattr(funding, "MAX_SEARCH_CELLS", 1)  # the programmes' tables one draw at a time
        assert (
            funding._spend_classes(options, rules, benefit_units(draws), 5_000, funding.tier_rows(options, rules), 8) is not None
        )
    expected = [brute_force_set(options, rules, row) for row in draws]
    if any(e is None for e in expected):
        assert all(e is None for e in expected)
        with pytest.raises(InfeasibleError):
            best_sets(options, rules, draws)
        return
    got = best_sets(options, rules, draws)
    for row, want in enumerate(expected):
        assert want is not None and (got[row] == want).all(), row


def test_levels_in_different_tiers_leave_the_class_path_to_the_search() -> None:
    """An intervention whose pilot sits in another tier than its full level fits no one class: the search
    answers, and its sets are the brute-force ones."""
    options = options_table(
        [
            ("a", "full", 10_000, 30, "primary"),
            ("a", "pilot", 5_000, 20, "tertiary"),
            ("b", "full", 10_000, 25, "secondary"),
            ("c", "full", 5_000, 10, "tertiary"),
        ]
    )
    rules = FundingRules(20_000, tier_min_share={"tertiary": 0.3})
    rows = funding.tier_rows(options, rules)
    assert funding._spend_classes(options, rules, benefit_units(options["benefit"].to_numpy()[None]), 5_000, rows, 4) is None
    draws = np.array([[30.0, 20.0, 25.0, 10.0], [30.0, 28.0, 25.0, 10.0], [5.0, 20.0, 25.0, 1.0]])
    got = best_sets(options, rules, draws)
    for row in range(len(draws)):
        want = brute_force_set(options, rules, draws[row])
        assert want is not None and (got[row] == want).all(), row


def test_one_class_of_options_is_read_from_its_own_programme() -> None:
    """Every option wholly primary: with a tertiary minimum only the empty set meets it; with a primary maximum of
    100% every set does, and the funded set is the one without tier shares."""
    options = options_table([("a", "full", 10_000, 30, "primary"), ("b", "full", 5_000, 20, "primary")])
    draws = np.array([[30.0, 20.0], [10.0, 40.0]])
    rows = funding.tier_rows(options, FundingRules(10_000, tier_min_share={"tertiary": 0.2}))
    assert (
        funding._class_sets(options, FundingRules(10_000, tier_min_share={"tertiary": 0.2}), benefit_units(draws), 5_000, rows)
        is not None
    )
    assert not best_sets(options, FundingRules(10_000, tier_min_share={"tertiary": 0.2}), draws).any()
    held = best_sets(options, FundingRules(10_000, tier_max_share={"secondary": 0.5}), draws)
    assert held.tolist() == [[True, False], [False, True]]
