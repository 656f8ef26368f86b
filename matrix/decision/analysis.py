"""Sensitivity and uncertainty on the catalogue: what would change the decision, and how sure we can be.

Composes ``scoring.sensitivity`` (exact one-way breakpoints, dominance), ``scoring.montecarlo``
(seeded draws over weights and evidence-driven values) and the funding optimisers (the exact
dynamic programme where it applies, the integer programme otherwise) for a scenario.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from matrix.decision.problem import DecisionProblem, cost_criterion, impact_criterion, value_functions
from matrix.decision.scenario import Scenario, funding_rules, scenario_options
from scoring import (
    FundingRules,
    Interval,
    MonteCarloResult,
    Normalisation,
    PiecewiseLinear,
    WeightMode,
    WeightSpace,
    benefit_weights,
    best_sets,
    containing,
    dominators,
    dp_unit,
    funded_breakpoints,
    funded_interval_at,
    normalise_weights,
    one_way_array,
    one_way_weights,
    option_benefits,
    score,
    simulate,
    top_k_intervals,
)

FloatArray = npt.NDArray[np.float64]


def _number(frame: pd.DataFrame, row: str, column: str) -> float:
    """One cell as a float (pandas types cells too broadly for mypy)."""
    return float(np.asarray(frame.loc[row, column], dtype=np.float64))


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


@dataclass(frozen=True)
class FundingSolver:
    """The scenario's funding problem, solved for any criterion weights by ``scoring.best_sets``.

    ``options`` carries the option values under the scenario's normalisation; ``funded(weights)``
    applies the one benefit rule (``scoring.option_benefits``) and the one tie rule.
    """

    options: pd.DataFrame
    rules: FundingRules
    include_cost: bool
    criteria: tuple[str, ...]
    cost: int | None  # where the cost criterion is, if there is one

    @classmethod
    def for_scenario(cls, problem: DecisionProblem, scenario: Scenario, options: pd.DataFrame | None = None) -> FundingSolver:
        rules, _ = funding_rules(problem, scenario)
        table = scenario_options(problem, scenario) if options is None else options
        return cls(table, rules, scenario.include_cost, problem.criteria, problem.cost_position)

    @functools.cached_property
    def values(self) -> FloatArray:
        """The options' criterion values (options x criteria), read from the table once: the stability analysis
        asks for them at every weight it tries, and reading them from pandas each time was most of its time."""
        values = self.options[list(self.criteria)].to_numpy(dtype=np.float64, copy=True)
        values.flags.writeable = False  # shared by every caller: none may change it
        return values

    @property
    def method(self) -> str:
        if dp_unit(self.options, self.rules) is not None:
            return "exact dynamic programme"
        if dp_unit(self.options, self.rules.without_tier_shares()) is not None:
            return (
                "exact search shared by the draws (by what is spent on each group of options with the same tier "
                "shares, else a branch and bound)"
            )
        return "exact integer programme, one solve per draw"

    def benefits(self, weights: FloatArray) -> FloatArray:
        """Each option's benefit for weights (m,) or (d, m)."""
        return option_benefits(self.values, weights, self.include_cost, self.cost)

    def solve(self, benefits: FloatArray) -> npt.NDArray[np.bool_]:
        """Funded options (draws x options) for benefit rows (draws x options)."""
        return best_sets(self.options, self.rules, benefits)

    def funded(self, weights: FloatArray) -> npt.NDArray[np.bool_]:
        """Funded options (draws x options) for criterion weights (m,) or (d, m)."""
        return self.solve(np.atleast_2d(self.benefits(weights)))


def weight_lines(
    problem: DecisionProblem, weights: dict[str, float], criterion: str, normalisation: Normalisation = "value_functions"
) -> pd.DataFrame:
    """Each intervention's score as ``criterion``'s weight runs from 0% to 100% (others in proportion)."""
    normalised = normalise_weights(weights, problem.criteria)
    values = problem.criterion_values(normalisation)
    rows = []
    for t in (0.0, 1.0):
        scores = values.to_numpy() @ one_way_weights(normalised, criterion, t).to_numpy()
        rows += [
            {"id": i, "name": problem.names[str(i)], "weight %": t * 100, "score": s}
            for i, s in zip(values.index, scores, strict=True)
        ]
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class WeightSweep:
    """One weight run from 0% to 100% (the others in proportion): each intervention's score line, the
    exact weights where the top k changes, and the range around the current weight where it does not."""

    criterion: str
    lines: pd.DataFrame
    now: float
    breakpoints: tuple[float, ...]
    stable: Interval
    top_now: tuple[str, ...]


def weight_sweep(
    problem: DecisionProblem, weights: dict[str, float], criterion: str, k: int, normalisation: Normalisation = "value_functions"
) -> WeightSweep:
    """The sweep of ``criterion``'s weight for the top ``k`` (weights and breakpoints as shares 0-1)."""
    normalised = normalise_weights(weights, problem.criteria)
    intervals = top_k_intervals(problem.criterion_values(normalisation), normalised, criterion, k)
    now = float(normalised[criterion])
    ranked = score(problem.values, weights, normalisation=normalisation)
    return WeightSweep(
        criterion=criterion,
        lines=weight_lines(problem, weights, criterion, normalisation),
        now=now,
        breakpoints=tuple(iv.high for iv in intervals[:-1]),
        stable=containing(intervals, now),
        top_now=tuple(str(i) for i in ranked.ranks.index[:k]),
    )


def top_k_table(
    problem: DecisionProblem, weights: dict[str, float], k: int, normalisation: Normalisation = "value_functions"
) -> pd.DataFrame:
    """For each criterion: its weight now and the range over which the top-k set stays the same."""
    normalised = normalise_weights(weights, problem.criteria)
    values = problem.criterion_values(normalisation)
    rows = []
    for criterion in problem.criteria:
        intervals = top_k_intervals(values, normalised, criterion, k)
        here = containing(intervals, float(normalised[criterion]))
        rows.append(
            {
                "criterion": criterion,
                "weight now %": round(float(normalised[criterion]) * 100, 1),
                "top-k stable from %": round(here.low * 100, 1),
                "top-k stable to %": round(here.high * 100, 1),
                "breakpoints %": ", ".join(f"{iv.high * 100:.1f}" for iv in intervals[:-1]),
            }
        )
    return pd.DataFrame(rows)


def _funded_solve(
    problem: DecisionProblem, scenario: Scenario, criterion: str, solver: FundingSolver
) -> tuple[float, Callable[[float], tuple[frozenset[str], Callable[[float], float]]]]:
    """The criterion's weight now (0-1), and the exact funded set at any weight t for it with its value line."""
    base = normalise_weights(scenario.weights.as_dict(), problem.criteria).to_numpy()
    position = problem.criteria.index(criterion)

    def benefits(t: float) -> FloatArray:
        return solver.benefits(one_way_array(base, position, t))

    def solve(t: float) -> tuple[frozenset[str], Callable[[float], float]]:
        picked = solver.solve(benefits(t)[None, :])[0]
        members = frozenset(str(o) for o in solver.options.index[picked])
        return members, lambda u, p=picked: float(benefits(u)[p].sum())

    return float(base[position]), solve


def _cost_fixed(problem: DecisionProblem, scenario: Scenario, criterion: str) -> bool:
    """Cost is the criterion and not in the benefit: its weight cannot change the funded set."""
    return problem.criteria.index(criterion) == problem.cost_position and not scenario.include_cost


def funded_intervals(
    problem: DecisionProblem, scenario: Scenario, criterion: str, solver: FundingSolver | None = None
) -> list[Interval]:
    """Exact ranges of ``criterion``'s weight (0-1) over which the scenario's funded set is unchanged.

    Members are funded option ids. When cost is the criterion and cost is not in the benefit, the
    set cannot change with it: one interval is returned.
    """
    now, solve = _funded_solve(problem, scenario, criterion, solver or FundingSolver.for_scenario(problem, scenario))
    if _cost_fixed(problem, scenario, criterion):
        return [Interval(0.0, 1.0, solve(now)[0])]
    return funded_breakpoints(solve)


def _nearest_funded(
    problem: DecisionProblem, scenario: Scenario, criterion: str, solver: FundingSolver, wanted: Callable[[Interval], bool]
) -> list[Interval]:
    """The ranges of ``funded_intervals`` from the criterion's weight now out to the first ``wanted`` one on each
    side (all ``_nearest`` needs): a walk that stops where the answer is, not the whole range's hundreds of
    solves. The left side is walked as the right side of the weight's mirror image."""
    now, solve = _funded_solve(problem, scenario, criterion, solver)
    if _cost_fixed(problem, scenario, criterion):
        return [Interval(0.0, 1.0, solve(now)[0])]

    def mirrored(u: float) -> tuple[frozenset[str], Callable[[float], float]]:
        members, value = solve(-u)
        return members, lambda v: value(-v)

    right = funded_breakpoints(solve, now, 1.0, until=wanted)
    left = funded_breakpoints(mirrored, -now, 0.0, until=wanted)
    return right + [Interval(-iv.high, -iv.low, iv.members) for iv in left]


def funded_interval(
    problem: DecisionProblem, scenario: Scenario, criterion: str, solver: FundingSolver | None = None
) -> Interval:
    """The range of ``funded_intervals`` that holds the criterion's weight now, found from there outward (a
    handful of exact solves, not the whole range's)."""
    now, solve = _funded_solve(problem, scenario, criterion, solver or FundingSolver.for_scenario(problem, scenario))
    if _cost_fixed(problem, scenario, criterion):
        return Interval(0.0, 1.0, solve(now)[0])
    return funded_interval_at(solve, now)


def stability_table(
    problem: DecisionProblem, scenario: Scenario, k: int, progress: Callable[[int, int], None] | None = None
) -> pd.DataFrame:
    """Per criterion: how far its weight can move before the top-k set or the funded set changes.

    The ``room`` columns (percentage points, the smaller of down and up) feed a tornado chart:
    the criterion with the least room moves the decision most. ``progress(done, total)`` hears of each
    criterion done.
    """
    normalised = normalise_weights(scenario.weights.as_dict(), problem.criteria)
    values = problem.criterion_values(scenario.normalisation)
    solver = FundingSolver.for_scenario(problem, scenario)
    rows = []
    for criterion in problem.criteria:
        now = float(normalised[criterion])
        here = funded_interval(problem, scenario, criterion, solver)
        top = containing(top_k_intervals(values, normalised, criterion, k), now)
        low, high = top.low, top.high
        rows.append(
            {
                "criterion": criterion,
                "weight now %": round(now * 100, 1),
                "top-k stable from %": round(low * 100, 1),
                "top-k stable to %": round(high * 100, 1),
                "funded set stable from %": round(here.low * 100, 1),
                "funded set stable to %": round(here.high * 100, 1),
                "room before top-k changes (points)": round(_room(now, low, high) * 100, 1),
                "room before funded set changes (points)": round(_room(now, here.low, here.high) * 100, 1),
            }
        )
        if progress is not None:
            progress(len(rows), len(problem.criteria))
    return pd.DataFrame(rows)


def _room(now: float, low: float, high: float) -> float:
    """Distance to the nearest boundary that is a real breakpoint (0% and 100% are not)."""
    gaps = [now - low if low > 1e-9 else np.inf, high - now if high < 1 - 1e-9 else np.inf]
    room = min(gaps)
    return float(room) if np.isfinite(room) else 1.0


DOMINATORS_NAMED = 10  # dominators named per dominated intervention; the rest are counted


def _named(ids: list[str], count: int, names: pd.Series) -> str:
    """The names of ``ids`` joined by "; ", and how many more there are when ``count`` exceeds them."""
    shown = "; ".join(str(names[j]) for j in ids)
    return shown if count <= len(ids) else f"{shown} and {count - len(ids):,} more"


def dominance_table(problem: DecisionProblem) -> pd.DataFrame:
    """Each dominated intervention with the ones that dominate it, by name (the first ``DOMINATORS_NAMED`` in
    the catalogue's order, and how many more)."""
    found = dominators(problem.values, DOMINATORS_NAMED)
    names = problem.info["name"]
    return pd.DataFrame(
        {
            "id": found["id"],
            "name": [str(names[i]) for i in found["id"]],
            "dominated by": [_named(first, count, names) for first, count in zip(found["first"], found["count"], strict=True)],
            "count": found["count"],
        }
    ).reset_index(drop=True)


def _cost_curve(problem: DecisionProblem) -> PiecewiseLinear | None:
    """The value function of the criterion of kind "cost", if there is one."""
    cost = cost_criterion(problem.catalogue)
    return None if cost is None else value_functions(problem.catalogue)[cost.id]


def _cost_for_value(curve: PiecewiseLinear, value: float) -> float:
    """The annual cost (GBP) whose cost value is ``value`` (the cost curve is falling)."""
    logs = np.log10(np.asarray(curve.xs))
    return float(10 ** np.interp(value, curve.values[::-1], logs[::-1]))


BISECTION_STEPS = 14  # halvings of the cost and impact value at which an intervention would be funded


def what_would_it_take(
    problem: DecisionProblem,
    scenario: Scenario,
    intervention: str,
    k: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[str]:
    """Plain statements of the smallest single changes that bring an intervention into the top k
    and into the funded set, or why none can. ``progress(done, total)`` hears of each exact search done
    (one per criterion, then each step of the cost and impact searches)."""
    names = problem.info["name"]
    name = str(names[intervention])
    weights = scenario.weights.as_dict()
    normalised = normalise_weights(weights, problem.criteria)
    result = score(problem.values, weights, normalisation=scenario.normalisation)
    statements = []
    rank = int(result.ranks[intervention])
    if rank <= k:
        statements.append(f"{name} already ranks {rank}, inside the top {k}.")
    else:
        statements += _top_k_changes(problem, scenario.normalisation, normalised, intervention, k, result.scores)
    total = len(problem.criteria) + 2 * (BISECTION_STEPS + 1)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, total), total)

    statements += _funding_changes(problem, scenario, intervention, tick)
    return statements


def _nearest(intervals: list[Interval], now: float, wanted: Callable[[Interval], bool]) -> float | None:
    best: float | None = None
    for interval in intervals:
        if not wanted(interval):
            continue
        t = min(max(now, interval.low), interval.high)
        if best is None or abs(t - now) < abs(best - now):
            best = t
    return best


def _smallest_change(
    intervals_for: Callable[[str], list[Interval]], normalised: pd.Series, wanted: Callable[[Interval], bool]
) -> tuple[str, float, float] | None:
    """Across criteria, the one-weight change closest to the current weights that reaches a wanted
    interval: (criterion, weight now, weight needed), or None."""
    choices = []
    for criterion in (str(c) for c in normalised.index):
        now = float(normalised[criterion])
        target = _nearest(intervals_for(criterion), now, wanted)
        if target is not None:
            # Rounded: of changes equal but for rounding (walked from different sides), the criterion first by name.
            choices.append((round(abs(target - now), 9), criterion, now, target))
    if not choices:
        return None
    _, criterion, now, target = min(choices)
    return criterion, now, target


def _top_k_changes(
    problem: DecisionProblem, normalisation: Normalisation, normalised: pd.Series, intervention: str, k: int, scores: pd.Series
) -> list[str]:
    name = problem.names[intervention]
    values = problem.criterion_values(normalisation)
    statements = []
    change = _smallest_change(
        lambda c: top_k_intervals(values, normalised, c, k), normalised, lambda iv: intervention in iv.members
    )
    if change is not None:
        criterion, now, target = change
        direction = "raising" if target > now else "lowering"
        statements.append(
            f"Top {k}: {direction} the {criterion} weight from {_pct(now)} to {_pct(target)} (the others in proportion) "
            f"brings {name} into the top {k}; it is the smallest one-weight change that does."
        )
    else:
        found = dominators(values, DOMINATORS_NAMED, only=[intervention])
        count = int(found["count"].sum())
        if count >= k:
            by = _named(found["first"].iloc[0], count, problem.info["name"])
            statements.append(f"Top {k}: no weighting can put {name} in the top {k}: it is dominated by {by}.")
        else:
            statements.append(f"Top {k}: no change to a single weight puts {name} in the top {k}.")
    others = scores.drop(intervention).sort_values(ascending=False)
    needed = float(others.iloc[k - 1]) - float(scores[intervention])
    impact = impact_criterion(problem.catalogue)
    w_impact = float(normalised[impact.id]) if impact is not None else 0.0
    value = _number(values, intervention, impact.id) if impact is not None else 0.0
    if w_impact > 0:
        target = value + needed / w_impact
        if target <= 100:
            statements.append(f"Top {k}: its impact value would need to rise from {value:.0f} to above {target:.1f} (of 100).")
        else:
            statements.append(f"Top {k}: even the best impact value (100) would not be enough at these weights.")
    curve = _cost_curve(problem)
    cost = problem.criteria[problem.cost_position] if problem.cost_position is not None else None
    w_cost = float(normalised[cost]) if cost is not None else 0.0
    cost_value = _number(values, intervention, cost) if cost is not None else 0.0
    if curve is not None and cost is not None and w_cost > 0 and cost_value + needed / w_cost <= 100:
        cost_now = _number(problem.info, intervention, "annual_cost_gbp")
        cheaper = _cost_for_value(curve, problem.value_function_value(cost, cost_value + needed / w_cost, normalisation))
        statements.append(f"Top {k}: its annual cost would need to fall from £{cost_now:,.0f} to below £{cheaper:,.0f}.")
    return statements


def _funded_with(
    problem: DecisionProblem,
    scenario: Scenario,
    intervention: str,
    change: Callable[[pd.DataFrame], pd.DataFrame],
    base: pd.DataFrame,
) -> bool:
    """Whether the intervention is funded once ``change`` is applied to a copy of the scenario's options."""
    options = change(base.copy())
    solver = FundingSolver.for_scenario(problem, scenario, options)
    picked = solver.funded(normalise_weights(scenario.weights.as_dict(), problem.criteria).to_numpy())[0]
    return bool((options.loc[picked, "intervention"] == intervention).any())


def _funding_changes(problem: DecisionProblem, scenario: Scenario, intervention: str, tick: Callable[[], None]) -> list[str]:
    name = str(problem.info.at[intervention, "name"])
    options = scenario_options(problem, scenario)
    _, harmful = funding_rules(problem, scenario)
    if intervention in harmful:
        return [f"Funding: {name} is rated harmful by the YEF and excluded; only an override with a reason can fund it."]
    if intervention in scenario.must_not_fund:
        return [f"Funding: {name} is a must-not-fund in this scenario."]
    if _funded_with(problem, scenario, intervention, lambda o: o, options):
        return [f"Funding: {name} is funded in this scenario."]
    statements = []
    solver = FundingSolver.for_scenario(problem, scenario)
    normalised = normalise_weights(scenario.weights.as_dict(), problem.criteria)
    wanted = lambda iv: any(m.startswith(f"{intervention}/") for m in iv.members)  # noqa: E731

    def nearest(criterion: str) -> list[Interval]:
        found = _nearest_funded(problem, scenario, criterion, solver, wanted)
        tick()
        return found

    change = _smallest_change(nearest, normalised, wanted)
    if change is not None:
        criterion, now, target = change
        direction = "raising" if target > now else "lowering"
        statements.append(
            f"Funding: {direction} the {criterion} weight from {_pct(now)} to about {_pct(target)} (the others in proportion) "
            f"would fund {name}."
        )
    else:
        statements.append(f"Funding: no change to a single weight would fund {name} in this scenario.")
    mine = options["intervention"] == intervention
    cost_now = float(options.loc[mine, "annual_cost_gbp"].min())
    cost_curve = _cost_curve(problem)
    cost = problem.criteria[problem.cost_position] if problem.cost_position is not None else None

    def cheaper(factor: float) -> Callable[[pd.DataFrame], pd.DataFrame]:
        def apply(options: pd.DataFrame) -> pd.DataFrame:
            options.loc[mine, "annual_cost_gbp"] = (options.loc[mine, "annual_cost_gbp"] * factor).round(0)
            if cost_curve is not None and cost is not None:
                options.loc[mine, cost] = [
                    problem.normalised_value(cost, float(v), scenario.normalisation)
                    for v in cost_curve(options.loc[mine, "annual_cost_gbp"].to_numpy())
                ]
            return options

        return apply

    funded_free = _funded_with(problem, scenario, intervention, cheaper(0.0), options)
    tick()
    if funded_free:
        low, high = 0.0, 1.0  # funded at low, not at high
        for _ in range(BISECTION_STEPS):
            tick()
            middle = (low + high) / 2
            low, high = (
                (middle, high) if _funded_with(problem, scenario, intervention, cheaper(middle), options) else (low, middle)
            )
        statements.append(
            f"Funding: it would be funded if its cheapest level cost about £{cost_now * low:,.0f} a year or less "
            f"(now £{cost_now:,.0f})."
        )
    else:
        statements.append("Funding: no cut in its cost alone would fund it.")
    impact = impact_criterion(problem.catalogue)
    if impact is None:
        return statements
    impact_now = float(options.loc[mine, impact.id].iloc[0])

    def better(value: float) -> Callable[[pd.DataFrame], pd.DataFrame]:
        def apply(options: pd.DataFrame) -> pd.DataFrame:
            options.loc[mine, impact.id] = value
            return options

        return apply

    funded_best = scenario.weights[impact.id] > 0 and _funded_with(problem, scenario, intervention, better(100.0), options)
    tick()
    if funded_best:
        low, high = impact_now, 100.0  # not funded at low, funded at high
        for _ in range(BISECTION_STEPS):
            tick()
            middle = (low + high) / 2
            low, high = (
                (low, middle) if _funded_with(problem, scenario, intervention, better(middle), options) else (middle, high)
            )
        statements.append(
            f"Funding: it would be funded if its impact value rose from {impact_now:.0f} to about {high:.1f} (of 100)."
        )
    else:
        statements.append("Funding: no rise in its impact value alone would fund it.")
    return statements


DEFAULT_SEED = 20261121  # the app's and the CLI's seed unless one is given


def run_monte_carlo(
    problem: DecisionProblem,
    scenario: Scenario,
    draws: int,
    seed: int,
    top_k: int = 5,
    mode: WeightMode = "around",
    concentration: float = 50.0,
    pool: FloatArray | None = None,
    with_funding: bool = True,
    space: WeightSpace | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> MonteCarloResult:
    """Rank, top-k and (optionally) funding probabilities under the scenario, from seeded draws.

    ``progress(done, total)`` hears of each finished chunk of draws (see ``scoring.simulate``)."""
    normalised = normalise_weights(scenario.weights.as_dict(), problem.criteria)
    solver = FundingSolver.for_scenario(problem, scenario)
    options = solver.options
    group = problem.values.index.get_indexer(pd.Index(options["intervention"]))
    option_values = options[list(problem.criteria)].to_numpy(dtype=np.float32)
    option_sd = options[[f"sd_{c}" for c in problem.criteria]].to_numpy(dtype=np.float32)

    def funding(weights: FloatArray, z: npt.NDArray[np.float32]) -> npt.NDArray[np.bool_]:
        drawn = np.clip(option_values[None, :, :] + option_sd[None, :, :] * z[:, group, :], 0.0, 100.0)
        benefits = np.einsum(
            "dom,dm->do", drawn.astype(np.float64), benefit_weights(weights, scenario.include_cost, problem.cost_position)
        )
        picked = solver.solve(benefits)
        funded = np.zeros((len(weights), len(problem.values)), dtype=bool)
        rows, cols = np.nonzero(picked)
        funded[rows, group[cols]] = True
        return funded

    return simulate(
        problem.criterion_values(scenario.normalisation),
        problem.spread,
        normalised,
        draws,
        seed,
        top_k=top_k,
        mode=mode,
        concentration=concentration,
        pool=pool,
        space=space,
        funding=funding if with_funding else None,
        progress=progress,
    )


def monte_carlo_table(problem: DecisionProblem, result: MonteCarloResult) -> pd.DataFrame:
    """Per intervention: the probability of rank 1, of the top k and (when solved) of being funded,
    each with its Monte Carlo standard error; in catalogue order, for scripts and spreadsheets."""
    se = MonteCarloResult.standard_error
    table = pd.DataFrame(
        {
            "id": problem.values.index,
            "name": problem.info["name"].reindex(problem.values.index).to_numpy(),
            "p_rank_1": result.rank_probability[1].to_numpy(),
            "se_rank_1": se(result.rank_probability[1], result.draws).to_numpy(),
            f"p_top_{result.top_k}": result.top_k_probability.to_numpy(),
            f"se_top_{result.top_k}": se(result.top_k_probability, result.draws).to_numpy(),
        }
    )
    if result.funded_probability is not None:
        table["p_funded"] = result.funded_probability.to_numpy()
        table["se_funded"] = se(result.funded_probability, result.draws).to_numpy()
    return table


def describe_uncertainty(problem: DecisionProblem) -> str:
    """The Monte Carlo spreads in plain words, generated from the catalogue's ``[uncertainty]``."""
    u = problem.catalogue.uncertainty
    ratings = ", ".join(f"{n}/5 {sd:g}" for n, sd in enumerate(u.impact_sd_by_rating, start=1))
    words = ", ".join(f"{w.replace('_', ' ')} {sd:g}" for w, sd in u.impact_sd_by_words.items())
    return (
        "Each draw adds to every value a normal error with these standard deviations (value points), then keeps it "
        f"within 0-100. Impact, by the YEF evidence rating ({ratings}) or YEF's words ({words}); plus "
        f"{u.unconfirmed_impact_extra_sd:g} when the impact rating is unconfirmed or there is no strand and "
        f"{u.partial_fit_extra_sd:g} for a partial match, combined as the square root of the sum of squares. "
        f"Reach and cost: {u.sourced_sd:g} when the figure comes from a source, {u.illustrative_sd:g} when it is "
        f"illustrative, {u.unconfirmed_sd:g} when it is unconfirmed. Risk: {u.risk_sd:g}."
    )
