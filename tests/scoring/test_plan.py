"""Multi-year plans over funding streams: the exact plan, each rule alone, brute force, a textbook example.

Brute force enumerates every plan (each intervention, each year: one of its options or nothing),
keeps those that meet the rules (payment by the streams checked by enumerating which stream pays
each option wholly where a stream may not be shared, and a small linear programme for the rest),
and applies the tie rule by sorting keys. The integer programme must return exactly that plan.
"""

from __future__ import annotations

import dataclasses
import itertools
from functools import cache

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from scoring import FundingRules, InfeasibleError, benefit_units, optimise
from scoring.funding import cost_pence
from scoring.plan import Plan, PlanRules, Stream, option_costs, plan_years, single_stream_rules
from tests.scoring.test_funding import tied_instance
from tests.scoring.test_portfolio import TIERS, options_table


def plan_of(plan: Plan) -> set[tuple[int, str]]:
    """The plan as (year, option) pairs."""
    return set(zip(plan.chosen["year"], plan.chosen["option"], strict=True))


def payable(costs: tuple[float, ...], groups: tuple[str, ...], rules: PlanRules, year: int) -> bool:
    """Whether the streams can pay these options' costs in one year (independently of the model)."""
    streams = [s for s in rules.streams if s.amounts_gbp[year] > 0]
    eligible = [[k for k, s in enumerate(streams) if g in rules.eligible.get(s.id, frozenset())] for g in groups]
    need = [(i, c) for i, c in enumerate(costs) if c > 0]
    whole = [k for k, s in enumerate(streams) if not s.may_share]
    for ways in itertools.product(*[[None, *[k for k in eligible[i] if k in whole]] for i, _ in need]):
        left = [s.amounts_gbp[year] for s in streams]
        shared: list[tuple[int, float]] = []
        for (i, c), way in zip(need, ways, strict=True):
            if way is None:
                shared.append((i, c))
            else:
                left[way] -= c
        if min(left, default=0.0) < -1e-6:
            continue
        pairs = [(j, k) for j, (i, _) in enumerate(shared) for k in eligible[i] if k not in whole]
        if any(not any(p[0] == j for p in pairs) for j in range(len(shared))):
            continue
        if not shared:
            return True
        a_eq = np.zeros((len(shared), len(pairs)))
        a_ub = np.zeros((len(streams), len(pairs)))
        for v, (j, k) in enumerate(pairs):
            a_eq[j, v] = 1.0
            a_ub[k, v] = 1.0
        result = linprog(
            np.zeros(len(pairs)),
            A_ub=a_ub,
            b_ub=np.array(left) + 1e-6,
            A_eq=a_eq,
            b_eq=[c for _, c in shared],
            bounds=(0, None),
            method="highs",
        )
        if result.status == 0:
            return True
    return False


def brute_force_plan(options: pd.DataFrame, rules: PlanRules) -> set[tuple[int, str]] | None:
    """The plan by enumeration: most benefit units, then fewest pence, then first in plan order."""
    years = rules.years
    groups = list(dict.fromkeys(options["intervention"]))
    members = [np.flatnonzero((options["intervention"] == g).to_numpy()) for g in groups]
    allowed = ~options["intervention"].isin(rules.must_not_fund).to_numpy() & ~options.index.isin(list(rules.excluded_options))
    costs = option_costs(options, years, rules.inflation)
    units = benefit_units(options["benefit"].to_numpy())
    today = set(options.loc[options["funded_today"], "intervention"]) if "funded_today" in options else set()
    shares = options[[f"share_{t}" for t in TIERS]].to_numpy()
    per_year = list(itertools.product(*[[None, *[int(o) for o in m if allowed[o]]] for m in members]))

    @cache
    def year_ok(year: int, combo: tuple[int | None, ...]) -> bool:
        picked = [o for o in combo if o is not None]
        spend = float(costs[year, picked].sum())
        if spend > rules.available_gbp(year + 1) + 1e-6:
            return False
        for k, g in enumerate(groups):
            if combo[k] is None and (g in rules.must_fund or year < rules.committed(g)):
                return False
            if combo[k] is not None and year + 1 < rules.not_before.get(g, 1):
                return False
        for j, tier in enumerate(TIERS):
            tier_spend = float((costs[year, picked] * shares[picked, j]).sum())
            if tier_spend < rules.tier_min_share.get(tier, 0.0) * spend - 1e-6:
                return False
            if tier_spend > rules.tier_max_share.get(tier, 1.0) * spend + 1e-6:
                return False
        groups_of = tuple(str(options["intervention"].iloc[o]) for o in picked)
        return payable(tuple(float(costs[year, o]) for o in picked), groups_of, rules, year)

    best_key, best = None, None
    for plan in itertools.product(per_year, repeat=years):
        if not all(year_ok(t, plan[t]) for t in range(years)):
            continue
        funded = [[plan[t][k] is not None for k in range(len(groups))] for t in range(years)]
        ok = True
        for k, g in enumerate(groups):
            length = rules.contract_years(g)
            for t in range(years):
                before = funded[t - 1][k] if t > 0 else g in today
                if funded[t][k] and not before and not all(funded[u][k] for u in range(t, min(t + length, years))):
                    ok = False
        if not ok:
            continue
        flags = np.zeros((years, len(options)), dtype=bool)
        for t in range(years):
            for o in plan[t]:
                if o is not None:
                    flags[t, o] = True
        key = (int(units[None, :].repeat(years, 0)[flags].sum()), -int(cost_pence(costs[flags]).sum()), tuple(flags.reshape(-1)))
        if best_key is None or key > best_key:
            best_key, best = key, {(t + 1, str(options.index[o])) for t in range(years) for o in np.flatnonzero(flags[t])}
    return best


def random_instance(rng: np.random.Generator) -> tuple[pd.DataFrame, PlanRules]:
    """Two or three interventions over one to three years, two or three streams, with round numbers that tie."""
    n = int(rng.integers(2, 4))
    rows = []
    for g in range(n):
        tier = str(rng.choice(TIERS))
        cost = float(rng.choice([10, 20, 30]))
        benefit = float(rng.choice([0.0, 10.0, 20.0]))
        rows.append((f"i{g}", "full", cost, benefit, tier))
        if rng.random() < 0.4:
            rows.append((f"i{g}", "pilot", float(rng.choice([10, cost])), float(rng.choice([benefit, benefit / 2])), tier))
    options = options_table(rows)
    ids = [f"i{g}" for g in range(n)]
    options["funded_today"] = [bool(rng.random() < 0.3) and level == "full" for level in options["level"]]
    years = int(rng.integers(1, 4))
    streams = []
    eligible = {}
    for k in range(int(rng.integers(1, 4))):
        amounts = tuple(float(rng.choice([0, 10, 20, 30, 40])) for _ in range(years))
        streams.append(Stream(f"s{k}", f"Stream {k}", amounts, may_share=bool(rng.random() < 0.7)))
        eligible[f"s{k}"] = frozenset(i for i in ids if rng.random() < 0.7)
    rules = PlanRules(
        years,
        tuple(streams),
        eligible,
        inflation=float(rng.choice([0.0, 0.0, 0.1])),
        must_fund=tuple(rng.permutation(ids)[: int(rng.integers(0, 2))]) if rng.random() < 0.3 else (),
        tier_min_share={str(rng.choice(TIERS)): 0.3} if rng.random() < 0.3 else {},
        ringfence_share=float(rng.choice([0.0, 0.0, 0.25])),
        min_contract_years={i: int(rng.integers(1, 4)) for i in ids if rng.random() < 0.5},
        committed_years={i: int(rng.integers(1, 3)) for i in ids if rng.random() < 0.2},
        early_stop=tuple(i for i in ids if rng.random() < 0.15),
        not_before={i: int(rng.integers(1, years + 1)) for i in ids if rng.random() < 0.25},
    )
    return options, rules


@pytest.mark.parametrize("seed", range(60))
def test_plan_matches_brute_force(seed: int) -> None:
    """On small instances built to tie, the plan is exactly the one enumeration finds under the tie rule."""
    options, rules = random_instance(np.random.default_rng(seed))
    expected = brute_force_plan(options, rules)
    if expected is None:
        with pytest.raises(InfeasibleError):
            plan_years(options, rules)
        return
    plan = plan_years(options, rules)
    assert plan_of(plan) == expected
    check_payments(options, plan)


def check_payments(options: pd.DataFrame, plan: Plan) -> None:
    """Every funded option's cost is paid in full by eligible streams, within each stream's money, unshared where required."""
    rules = plan.rules
    for row in plan.chosen.itertuples():
        paid = plan.payments[(plan.payments["year"] == row.year) & (plan.payments["option"] == row.option)]
        assert paid["amount_gbp"].sum() == pytest.approx(row.cost_gbp, abs=1e-6)
        for pay in paid.itertuples():
            assert row.intervention in rules.eligible[str(pay.stream)]
            stream = next(s for s in rules.streams if s.id == pay.stream)
            if not stream.may_share:
                assert pay.amount_gbp == pytest.approx(row.cost_gbp, abs=1e-6)
    for row in plan.money.itertuples():
        assert row.paid_gbp <= row.available_gbp + 1e-6


@pytest.mark.parametrize("seed", range(40))
def test_one_year_one_stream_is_the_funded_set(seed: int) -> None:
    """One year and one stream that may pay for everything give exactly the one-year funded set and value."""
    rng = np.random.default_rng(1000 + seed)
    options, funding = tied_instance(rng, int(rng.integers(3, 9)), with_tiers=bool(seed % 2))
    rules = single_stream_rules(
        1, funding.budget_gbp, list(options["intervention"]), must_fund=funding.must_fund, tier_min_share=funding.tier_min_share
    )
    try:
        expected = optimise(options, funding)
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            plan_years(options, rules)
        return
    plan = plan_years(options, rules)
    assert sorted(plan.chosen["option"]) == sorted(expected.chosen.index)
    assert plan.value == pytest.approx(expected.value)


def test_taha_capital_budgeting() -> None:
    """Taha, Operations Research: An Introduction, Example 9.1-1 (capital budgeting): five projects over
    three years, expenditures by year (5,1,8), (4,7,10), (3,9,2), (7,4,1), (8,6,10), returns 20, 40,
    20, 15, 30, funds 25 a year. The optimum selects projects 1-4 for a return of 95; every set with
    project 5 overruns a year (1,2,3,5 spends 30 in year 3; 2,3,4,5 spends 26 in year 2).

    As a plan: each project's return is its year-1 benefit, its expenditures its yearly costs, and its
    contract lasts the three years, so a project started in year 1 runs to the end.
    """
    spend = np.array([[5, 1, 8], [4, 7, 10], [3, 9, 2], [7, 4, 1], [8, 6, 10]], dtype=float)
    returns = [20, 40, 20, 15, 30]
    options = options_table([(f"p{k + 1}", "full", spend[k, 0], returns[k], "primary") for k in range(5)])
    ids = [f"p{k + 1}" for k in range(5)]
    rules = PlanRules(
        3, (Stream("funds", "Funds", (25.0, 25.0, 25.0)),), {"funds": frozenset(ids)}, min_contract_years=dict.fromkeys(ids, 3)
    )
    benefits = np.zeros((3, 5))
    benefits[0] = returns
    plan = plan_years(options, rules, benefits=benefits, costs=spend.T)
    assert plan.value == 95
    assert sorted(plan.funded_in(1)) == sorted(plan.funded_in(3)) == ["p1", "p2", "p3", "p4"]
    assert [plan.spend_gbp(t) for t in (1, 2, 3)] == [19, 21, 21]


# Each rule alone ------------------------------------------------------------------------------------


def two(cost_a: float = 100, cost_b: float = 100, benefit_a: float = 10, benefit_b: float = 8) -> pd.DataFrame:
    return options_table([("a", "full", cost_a, benefit_a, "primary"), ("b", "full", cost_b, benefit_b, "secondary")])


def test_eligibility_decides_what_a_stream_pays_for() -> None:
    """Stream X (100 a year) may pay only for b: a (worth more) cannot be funded from it, so b is funded."""
    rules = PlanRules(1, (Stream("x", "X", (100.0,)),), {"x": frozenset({"b"})})
    plan = plan_years(two(), rules)
    assert plan_of(plan) == {(1, "b/full")}
    assert plan.payments["stream"].tolist() == ["x"]


def test_a_stream_that_may_not_be_shared_pays_all_or_nothing() -> None:
    """Two streams of 60 cannot pay a 100 option unless they may share it."""
    shared = PlanRules(1, (Stream("x", "X", (60.0,)), Stream("y", "Y", (60.0,))), {"x": frozenset("ab"), "y": frozenset("ab")})
    assert plan_of(plan_years(two(), shared)) == {(1, "a/full")}
    whole = PlanRules(
        1, (Stream("x", "X", (60.0,), may_share=False), Stream("y", "Y", (60.0,))), {"x": frozenset("ab"), "y": frozenset("ab")}
    )
    assert plan_of(plan_years(two(), whole)) == set()


def test_inflation_uplifts_later_years() -> None:
    """At 10% inflation a £100 option costs £110 in year 2; with £105 a year it is funded in year 1 only."""
    rules = PlanRules(2, (Stream("x", "X", (105.0, 105.0)),), {"x": frozenset({"a"})}, inflation=0.1)
    options = options_table([("a", "full", 100, 10, "primary")])
    plan = plan_years(options, rules)
    assert plan_of(plan) == {(1, "a/full")}
    flat = PlanRules(2, (Stream("x", "X", (105.0, 105.0)),), {"x": frozenset({"a"})})
    assert plan_of(plan_years(options, flat)) == {(1, "a/full"), (2, "a/full")}


def test_minimum_contract_keeps_a_start_funded() -> None:
    """Year 1 has 100, year 2 has 0 for a and 100 for b: a started in year 1 would have to run in year 2
    under a 2-year contract, so with the contract a is not started and b takes year 2 only."""
    streams = (Stream("x", "X", (100.0, 100.0)),)
    free = PlanRules(2, streams, {"x": frozenset({"a", "b"})})
    options = two(benefit_a=10, benefit_b=8)
    assert plan_of(plan_years(options, free)) == {(1, "a/full"), (2, "a/full")}
    # Year 2's money pays only for b; a's contract of two years cannot be met, so a is never started.
    split = PlanRules(
        2, (Stream("x", "X", (100.0, 0.0)), Stream("y", "Y", (0.0, 100.0))), {"x": frozenset("ab"), "y": frozenset("b")}
    )
    assert plan_of(plan_years(options, split)) == {(1, "a/full"), (2, "b/full")}
    contract = PlanRules(
        2,
        (Stream("x", "X", (100.0, 0.0)), Stream("y", "Y", (0.0, 100.0))),
        {"x": frozenset("ab"), "y": frozenset("b")},
        min_contract_years={"a": 2, "b": 2},
    )
    assert plan_of(plan_years(options, contract)) == {(1, "b/full"), (2, "b/full")}


def test_early_stop_lifts_the_contract() -> None:
    """The same contract rule, with a allowed to stop early: a in year 1, b in year 2 again."""
    rules = PlanRules(
        2,
        (Stream("x", "X", (100.0, 0.0)), Stream("y", "Y", (0.0, 100.0))),
        {"x": frozenset("ab"), "y": frozenset("b")},
        min_contract_years={"a": 2, "b": 2},
        early_stop=("a",),
    )
    assert plan_of(plan_years(two(), rules)) == {(1, "a/full"), (2, "b/full")}


def test_committed_years_hold_a_running_contract() -> None:
    """b is under contract for the first two years: it is funded in both though a is worth more."""
    rules = PlanRules(2, (Stream("x", "X", (100.0, 100.0)),), {"x": frozenset("ab")}, committed_years={"b": 2})
    assert plan_of(plan_years(two(), rules)) == {(1, "b/full"), (2, "b/full")}


def test_not_before_holds_a_start_back() -> None:
    """a, worth more, may not be funded before year 2: b has year 1 and, under a 2-year contract, year 2 too;
    without the contract a takes year 2. A must-fund or a running contract that cannot start in year 1 is named."""
    streams = (Stream("x", "X", (100.0, 100.0)),)
    rules = PlanRules(2, streams, {"x": frozenset("ab")}, not_before={"a": 2})
    assert plan_of(plan_years(two(), rules)) == {(1, "b/full"), (2, "a/full")}
    held = dataclasses.replace(rules, min_contract_years={"b": 2})
    assert plan_of(plan_years(two(), held)) == {(1, "b/full"), (2, "b/full")}
    with pytest.raises(InfeasibleError, match="A is a must-fund \\(every year\\) but may not be funded before year 2"):
        plan_years(two(), dataclasses.replace(rules, must_fund=("a",)), {"a": "A"})
    with pytest.raises(InfeasibleError, match="under contract for the first 1 year\\(s\\) but may not be funded before year 2"):
        plan_years(two(), dataclasses.replace(rules, committed_years={"a": 1}))
    # A first year past the plan's last: a is not funded in it at all.
    assert plan_of(plan_years(two(), dataclasses.replace(rules, not_before={"a": 3}))) == {(1, "b/full"), (2, "b/full")}
    with pytest.raises(InfeasibleError, match="first year of a: year 9 is not a plan year \\(1 to 5\\)"):
        plan_years(two(), dataclasses.replace(rules, not_before={"a": 9}))
    with pytest.raises(InfeasibleError, match="first year: no intervention has the id 'c'"):
        plan_years(two(), dataclasses.replace(rules, not_before={"c": 2}))


def test_ringfence_each_year() -> None:
    """A 10% ring-fence of 100 leaves 90 each year: neither 100 option fits, the 90 one does."""
    options = options_table([("a", "full", 100, 10, "primary"), ("b", "full", 90, 5, "primary")])
    rules = PlanRules(2, (Stream("x", "X", (100.0, 100.0)),), {"x": frozenset("ab")}, ringfence_share=0.1)
    assert plan_of(plan_years(options, rules)) == {(1, "b/full"), (2, "b/full")}


def test_tier_share_each_year() -> None:
    """At least 50% of each year's spend on secondary: a (primary) can only come with b."""
    options = two(cost_a=50, cost_b=50)
    rules = PlanRules(2, (Stream("x", "X", (50.0, 100.0)),), {"x": frozenset("ab")}, tier_min_share={"secondary": 0.5})
    assert plan_of(plan_years(options, rules)) == {(1, "b/full"), (2, "a/full"), (2, "b/full")}


def test_must_fund_every_year_and_must_not() -> None:
    """A must-fund is funded every year; a must-not-fund never."""
    rules = PlanRules(2, (Stream("x", "X", (100.0, 100.0)),), {"x": frozenset("ab")}, must_fund=("b",))
    assert plan_of(plan_years(two(), rules)) == {(1, "b/full"), (2, "b/full")}
    rules = PlanRules(2, (Stream("x", "X", (200.0, 200.0)),), {"x": frozenset("ab")}, must_not_fund=("a",))
    assert plan_of(plan_years(two(), rules)) == {(1, "b/full"), (2, "b/full")}


def test_narrowest_stream_pays_first() -> None:
    """With a flexible stream and one that may pay only for a, a is paid from the narrow one."""
    rules = PlanRules(
        1, (Stream("core", "Core", (200.0,)), Stream("eiyf", "EIYF", (100.0,))), {"core": frozenset("ab"), "eiyf": frozenset("a")}
    )
    plan = plan_years(two(), rules)
    paid = plan.payments.set_index("option")
    assert paid.loc["a/full", "stream"] == "eiyf"
    assert paid.loc["b/full", "stream"] == "core"
    assert plan.money.set_index("stream").loc["core", "left_gbp"] == 100


def test_levels_change_between_years() -> None:
    """A pilot level in a lean year and the full level in a rich one, within one contract."""
    options = options_table([("a", "full", 100, 10, "primary"), ("a", "pilot", 50, 6, "primary")])
    rules = PlanRules(2, (Stream("x", "X", (50.0, 100.0)),), {"x": frozenset("a")}, min_contract_years={"a": 2})
    assert plan_of(plan_years(options, rules)) == {(1, "a/pilot"), (2, "a/full")}


# Infeasibility in words -----------------------------------------------------------------------------


def test_commitments_beyond_a_years_money_are_named_with_the_amounts() -> None:
    """A must-fund of £100 when year 2 has £60: the year, the amounts and each stream's money are said."""
    rules = PlanRules(
        2,
        (Stream("core", "Core grant", (100.0, 60.0)), Stream("eiyf", "EIYF", (50.0, 0.0))),
        {"core": frozenset("ab"), "eiyf": frozenset("ab")},
        must_fund=("a",),
    )
    with pytest.raises(InfeasibleError) as caught:
        plan_years(two(), rules, {"a": "Mentoring"})
    assert caught.value.reasons == [
        "year 2: £100 of commitments (Mentoring, at their cheapest levels) exceed the £60 available that year "
        "(Core grant £60; EIYF nothing)"
    ]


def test_a_must_fund_no_stream_may_pay_for() -> None:
    """A must-fund only the EIYF may pay for, after the EIYF has ended."""
    rules = PlanRules(
        2,
        (Stream("core", "Core grant", (100.0, 100.0)), Stream("eiyf", "EIYF", (100.0, 0.0))),
        {"core": frozenset("b"), "eiyf": frozenset("a")},
        must_fund=("a",),
    )
    with pytest.raises(InfeasibleError) as caught:
        plan_years(two(), rules, {"a": "Mentoring"})
    assert caught.value.reasons == ["year 2: must fund Mentoring, but no stream that may pay for it has money that year"]


def test_conflicting_rules_name_the_conflict_and_the_money() -> None:
    """Two must-funds of 60 each fit the total of 120 but no stream may be shared and each stream holds 70:
    only the search finds the conflict, named with every stream's money."""
    options = two(cost_a=60, cost_b=60)
    rules = PlanRules(
        1,
        (Stream("x", "X", (70.0,), may_share=False), Stream("y", "Y", (50.0,), may_share=False)),
        {"x": frozenset("ab"), "y": frozenset("ab")},
        must_fund=("a", "b"),
    )
    with pytest.raises(InfeasibleError) as caught:
        plan_years(options, rules, {"a": "A", "b": "B"})
    assert caught.value.reasons == [
        "these rules cannot all hold: must fund A every year; must fund B every year; "
        "the money each stream has (and may pay for): year 1: X £70; Y £50"
    ]


def test_bad_years_and_amounts_are_refused() -> None:
    """Six years, or a stream with the wrong number of amounts, are refused in words."""
    with pytest.raises(InfeasibleError, match="give 1 to 5"):
        plan_years(two(), PlanRules(6, (), {}))
    with pytest.raises(InfeasibleError, match="1 yearly amounts for a 2-year plan"):
        plan_years(two(), PlanRules(2, (Stream("x", "X", (1.0,)),), {"x": frozenset("a")}))


def test_funding_rules_default_unchanged() -> None:
    """The one-year rules object is untouched by plans (a plan is a separate model)."""
    assert FundingRules(100).available_gbp == 100


def test_readme_states_the_plan_tie_rule_as_the_code_does() -> None:
    """The README's plan tie rule is the module docstring's, word for word (one home, quoted)."""
    import re
    from pathlib import Path

    import scoring.plan

    def block(text: str) -> str:
        found = re.search(r"<!-- plan-tie-rule -->(.*?)<!-- /plan-tie-rule -->", text, re.S)
        assert found
        return " ".join(found.group(1).split())

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert block(readme) == block(scoring.plan.__doc__ or "")
