"""Multi-year plans over funding streams: what to fund each year, and which stream pays for it.

The one-year funded set (``scoring.funding``) spends one budget. Here money arrives in *streams*,
each with an amount per plan year (nothing in a year it is not available) and the interventions
it may pay for; the plan runs one to ``MAX_YEARS`` years. Each year every intervention is funded
at one of its options (levels) or not at all, so it can continue, start, stop or change level;
an option's cost in plan year t (from 0) is its annual cost times (1 + inflation)^t, and its
benefit that year is its benefit (or the year's own benefit when one is given per year).

**The rules**, each year:

- the year's cost of each funded option is paid in full by streams that may pay for it; a stream
  that may not be shared pays all of an option's cost or none of it (an option costing nothing
  needs no stream); no stream pays more than it has that year;
- spend <= (1 - ring-fence) x all the streams' money that year (the ring-fence is kept for evaluation);
- at most one option per intervention; one option of every must-fund; none of a must-not-fund or
  an excluded option (harmful approaches arrive here as must-not-funds);
- tier shares of the year's spend, as in the one-year rule;
- contracts: an intervention that starts (funded this year, not the year before; "the year
  before" the plan is what is funded today) stays funded, at any of its levels, for its minimum
  contract length or to the end of the plan; one still under contract at the start stays funded
  for its committed years. Interventions allowed to stop early have neither rule;
- starts: an intervention given a first year (``not_before``, a service not ready sooner) is not
  funded before it (one past the plan's last year: not at all).

**One plan, one tie rule.** Among the plans the rules allow, the plan is the one that
<!-- plan-tie-rule -->
1. has the largest total benefit over the years, benefits compared in millionths of a point;
2. among equal values, costs least over the years (after inflation), costs compared in whole pence;
3. among equal values and costs, comes first in plan order: at the earliest year, and in it the
   first option in option order, where two plans differ, the plan that funds it.

Then who pays: among the ways the streams can pay for that plan, the one that draws least on
flexible money. Streams are ranked narrowest first (fewest interventions they may pay for, then
their order in the catalogue), and a pound from the k-th stream counts k - 1; where several
payments draw equally, the solver's choice stands (the same inputs give the same answer).
<!-- /plan-tie-rule -->

The plan is found by one mixed integer programme (HiGHS, through ``scoring.highs``) in lexicographic
stages (``PlanModel.best``): each stage's objective and bounds are whole numbers with a half-unit
margin, so the answer does not depend on the solver's gap. With
one year and one stream that may pay for everything, it is exactly the one-year funded set.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import coo_array, csr_array, vstack

from scoring.criteria import MAX_YEARS
from scoring.errors import DecisionError, InfeasibleError, Problem
from scoring.funding import BENEFIT_SCALE, benefit_units, check_options, tiers_of
from scoring.highs import minimise
from scoring.money import money

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

MAX_INFLATION = 0.5
PLAN_TOLERANCE_GBP = 1e-6  # money rows hold when they miss by no more than this


class PlanError(DecisionError):
    """A plan's rules that are not usable as given (years, amounts, shares), in words."""


@dataclass(frozen=True)
class Stream:
    """A funding stream: its amount in each plan year (0 where it pays nothing) and whether it may
    share an option's cost with other streams."""

    id: str
    name: str
    amounts_gbp: tuple[float, ...]
    may_share: bool = True


@dataclass(frozen=True)
class PlanRules:
    """What a multi-year plan must respect. Shares are fractions from 0 to 1; years count from 1.

    ``eligible`` maps each stream id to the interventions it may pay for. ``min_contract_years``
    and ``committed_years`` are per intervention (1 and 0 when not given); ``early_stop`` lists
    interventions that may stop before their contract ends; ``not_before`` gives the first plan year
    an intervention may be funded (1 when not given).
    """

    years: int
    streams: tuple[Stream, ...]
    eligible: Mapping[str, frozenset[str]]
    inflation: float = 0.0
    must_fund: tuple[str, ...] = ()
    must_not_fund: tuple[str, ...] = ()
    excluded_options: tuple[str, ...] = ()
    tier_min_share: Mapping[str, float] = field(default_factory=dict)
    tier_max_share: Mapping[str, float] = field(default_factory=dict)
    ringfence_share: float = 0.0
    min_contract_years: Mapping[str, int] = field(default_factory=dict)
    committed_years: Mapping[str, int] = field(default_factory=dict)
    early_stop: tuple[str, ...] = ()
    not_before: Mapping[str, int] = field(default_factory=dict)

    def money_gbp(self, year: int) -> float:
        """All the streams' money in plan year ``year`` (from 1)."""
        return float(sum(s.amounts_gbp[year - 1] for s in self.streams))

    def available_gbp(self, year: int) -> float:
        """Money that may be spent on interventions in plan year ``year``: the streams' less the ring-fence."""
        return self.money_gbp(year) * (1 - self.ringfence_share)

    def contract_years(self, intervention: str) -> int:
        return 1 if intervention in self.early_stop else max(1, self.min_contract_years.get(intervention, 1))

    def committed(self, intervention: str) -> int:
        """Plan years (from the first) the intervention must stay funded under a contract already running."""
        return 0 if intervention in self.early_stop else min(self.years, max(0, self.committed_years.get(intervention, 0)))


@dataclass(frozen=True)
class Plan:
    """A plan and everything needed to explain it.

    ``funded``: years x options, True where the option is funded that year. ``chosen``: one row per
    funded option and year (year from 1, option, intervention, level, cost, benefit). ``payments``:
    one row per stream paying towards an option in a year. ``money``: one row per stream and year
    with what it holds, pays and has left.
    """

    rules: PlanRules
    funded: BoolArray
    chosen: pd.DataFrame
    payments: pd.DataFrame
    money: pd.DataFrame
    value: float
    cost_gbp: float

    def spend_gbp(self, year: int) -> float:
        return float(self.chosen.loc[self.chosen["year"] == year, "cost_gbp"].sum())

    def funded_in(self, year: int) -> tuple[str, ...]:
        return tuple(self.chosen.loc[self.chosen["year"] == year, "intervention"])


@dataclass
class _Layout:
    """The integer programme's variables: x (year, option) first, then f (year, option, stream)."""

    years: int
    options: int
    pays: list[tuple[int, int, int]]  # (year, option, stream) for each f variable

    @property
    def size(self) -> int:
        return self.years * self.options + len(self.pays)

    def x(self, year: int, option: int) -> int:
        return year * self.options + option


class _Rows:
    """Sparse rows gathered as (name, {column: coefficient}, low, high)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.data: list[float] = []
        self.row: list[int] = []
        self.col: list[int] = []
        self.low: list[float] = []
        self.high: list[float] = []

    def add(self, name: str, coefficients: Mapping[int, float], low: float, high: float) -> None:
        r = len(self.names)
        self.names.append(name)
        for c, v in coefficients.items():
            if v != 0:
                self.row.append(r)
                self.col.append(c)
                self.data.append(float(v))
        self.low.append(low)
        self.high.append(high)

    def matrix(self, size: int) -> csr_array:
        return coo_array((self.data, (self.row, self.col)), shape=(len(self.names), size)).tocsr()


def option_costs(options: pd.DataFrame, years: int, inflation: float) -> FloatArray:
    """Each option's cost in each plan year (years x options, GBP): annual cost x (1 + inflation)^t."""
    cost = options["annual_cost_gbp"].to_numpy(dtype=np.float64)
    return np.array([cost * (1.0 + inflation) ** t for t in range(years)]).reshape(years, len(options))


def yearly_costs(options: pd.DataFrame, rules: PlanRules, costs: npt.ArrayLike | None = None) -> FloatArray:
    """Costs as years x options (GBP): the inflated annual cost unless a table of each year's cost is given."""
    if costs is None:
        return option_costs(options, rules.years, rules.inflation)
    table = np.asarray(costs, dtype=np.float64)
    if table.shape != (rules.years, len(options)):
        raise ValueError(f"costs must be years x options ({rules.years} x {len(options)}), not {table.shape}")
    return table


def yearly_benefits(options: pd.DataFrame, years: int, benefits: npt.ArrayLike | None = None) -> FloatArray:
    """Benefits as years x options: the options' ``benefit`` every year unless a table is given."""
    if benefits is None:
        return np.tile(options["benefit"].to_numpy(dtype=np.float64), (years, 1))
    table = np.asarray(benefits, dtype=np.float64)
    if table.shape != (years, len(options)):
        raise ValueError(f"benefits must be years x options ({years} x {len(options)}), not {table.shape}")
    return table


def _allowed(options: pd.DataFrame, rules: PlanRules) -> BoolArray:
    return np.asarray(
        ~options["intervention"].isin(rules.must_not_fund).to_numpy() & ~options.index.isin(list(rules.excluded_options)),
        dtype=bool,
    )


def _funded_today(options: pd.DataFrame) -> set[str]:
    if "funded_today" not in options.columns:
        return set()
    return set(options.loc[options["funded_today"].astype(bool), "intervention"])


def stream_order(rules: PlanRules) -> list[int]:
    """Streams narrowest first (fewest interventions they may pay for), then in the given order: who pays first."""
    return sorted(range(len(rules.streams)), key=lambda k: (len(rules.eligible.get(rules.streams[k].id, ())), k))


@dataclass
class PlanModel:
    """The constraints of the plan's integer programme, built once and solved for any benefits."""

    layout: _Layout
    rows: _Rows
    lower: FloatArray
    upper: FloatArray
    integrality: FloatArray
    cost_pence: FloatArray  # per variable (x only; f carry 0)
    pay_weight: FloatArray  # per variable (f only): the stream's rank x pounds paid

    @classmethod
    def build(cls, options: pd.DataFrame, rules: PlanRules, costs: FloatArray | None = None) -> PlanModel:
        years, n = rules.years, len(options)
        costs = yearly_costs(options, rules, costs)
        groups = options["intervention"].to_numpy(dtype=str)
        allowed = _allowed(options, rules)
        rank = {k: position for position, k in enumerate(stream_order(rules))}
        pays = [
            (t, o, s)
            for t in range(years)
            for o in range(n)
            if allowed[o] and costs[t, o] > 0
            for s, stream in enumerate(rules.streams)
            if groups[o] in rules.eligible.get(stream.id, frozenset()) and stream.amounts_gbp[t] > 0
        ]
        layout = _Layout(years, n, pays)
        size = layout.size
        lower = np.zeros(size)
        upper = np.ones(size)
        integrality = np.ones(size)
        for k, (_, _, s) in enumerate(pays):
            integrality[years * n + k] = 0.0 if rules.streams[s].may_share else 1.0
        first_year = np.array([rules.not_before.get(g, 1) for g in groups], dtype=np.int64)
        for t in range(years):
            upper[t * n : (t + 1) * n] = (allowed & (first_year <= t + 1)).astype(np.float64)
        rows = _Rows()
        # Who pays: the year's cost of each funded option, in full, by streams that may pay for it.
        paying: dict[tuple[int, int], dict[int, float]] = {}
        by_stream: dict[tuple[int, int], dict[int, float]] = {}
        for k, (t, o, s) in enumerate(pays):
            paying.setdefault((t, o), {})[years * n + k] = 1.0
            by_stream.setdefault((t, s), {})[years * n + k] = float(costs[t, o])
        for t in range(years):
            for o in range(n):
                if upper[layout.x(t, o)] == 0 or costs[t, o] <= 0:
                    continue
                if (t, o) not in paying:
                    upper[layout.x(t, o)] = 0.0  # no stream may pay for it this year
                    continue
                rows.add(f"paid {t} {o}", paying[(t, o)] | {layout.x(t, o): -1.0}, 0.0, 0.0)
        for (t, s), coefficients in sorted(by_stream.items()):
            rows.add(f"stream {rules.streams[s].id} year {t + 1}", coefficients, -np.inf, rules.streams[s].amounts_gbp[t])
        must = set(rules.must_fund)
        members = {g: np.flatnonzero(groups == g) for g in dict.fromkeys(groups)}
        for t in range(years):
            if rules.ringfence_share > 0:
                spend = {layout.x(t, o): float(costs[t, o]) for o in range(n)}
                rows.add(f"ring-fence year {t + 1}", spend, -np.inf, rules.available_gbp(t + 1))
            for g, m in members.items():
                needed = g in must or t < rules.committed(g)
                if len(m) > 1 or needed:
                    rows.add(f"one level {g} year {t + 1}", {layout.x(t, int(o)): 1.0 for o in m}, 1.0 if needed else 0.0, 1.0)
            for tier in tiers_of(options):
                share = options[f"share_{tier}"].to_numpy(dtype=np.float64)
                low = rules.tier_min_share.get(tier, 0.0)
                high = rules.tier_max_share.get(tier, 1.0)
                if low > 0:
                    row = {layout.x(t, o): float(costs[t, o] * (share[o] - low)) for o in range(n)}
                    rows.add(f"min {tier} year {t + 1}", row, 0.0, np.inf)
                if high < 1:
                    row = {layout.x(t, o): float(costs[t, o] * (share[o] - high)) for o in range(n)}
                    rows.add(f"max {tier} year {t + 1}", row, -np.inf, 0.0)
        # Contracts: a start in year t (funded in t, not in t - 1) keeps the intervention funded to t + L - 1.
        today = _funded_today(options)
        for g, m in members.items():
            length = rules.contract_years(g)
            for t in range(years):
                for later in range(t + 1, min(t + length, years)):
                    row = {layout.x(later, member): 1.0 for member in m.tolist()}
                    for member in m.tolist():
                        row[layout.x(t, member)] = row.get(layout.x(t, member), 0.0) - 1.0
                    if t == 0:
                        rows.add(f"contract {g} from year 1", row, -1.0 if g in today else 0.0, np.inf)
                    else:
                        for member in m.tolist():
                            row[layout.x(t - 1, member)] = 1.0
                        rows.add(f"contract {g} from year {t + 1}", row, 0.0, np.inf)
        cost_pence = np.zeros(size)
        cost_pence[: years * n] = np.rint(costs * 100).reshape(-1)
        pay_weight = np.zeros(size)
        for k, (t, o, s) in enumerate(pays):
            pay_weight[years * n + k] = rank[s] * float(costs[t, o])
        return cls(layout, rows, lower, upper, integrality, cost_pence, pay_weight)

    def _solve(
        self,
        objective: FloatArray,
        extra: Sequence[tuple[FloatArray, float, float]] = (),
        lower: FloatArray | None = None,
        upper: FloatArray | None = None,
        retry: bool = False,
        cutoff: float | None = None,
    ) -> FloatArray | None:
        """One solve. ``retry``: the stage must be feasible (the plan in hand meets it), so when HiGHS calls
        it infeasible it is tried again without presolve, which occasionally misjudges these rows."""
        size = self.layout.size
        matrix = self.rows.matrix(size)
        low = np.array(self.rows.low, dtype=np.float64)
        high = np.array(self.rows.high, dtype=np.float64)
        if extra:
            matrix = vstack([matrix, csr_array(np.array([e[0] for e in extra]))]).tocsr()
            low = np.concatenate([low, [e[1] for e in extra]])
            high = np.concatenate([high, [e[2] for e in extra]])
        for presolve in (True, False) if retry else (True,):
            x = minimise(
                objective,
                matrix,
                low,
                high,
                self.lower if lower is None else lower,
                self.upper if upper is None else upper,
                self.integrality,
                presolve=presolve,
                cutoff=cutoff,
            )
            if x is not None:
                return x
        return None

    def feasible(self) -> bool:
        return self._solve(np.zeros(self.layout.size)) is not None

    def best(self, units: IntArray) -> FloatArray | None:
        """The plan (the module's rule) for benefits in whole units (years x options), with its
        payments; None when no plan meets the rules.

        Stage 1 maximises the benefit in whole units. The later stages hold the value as a row in
        points (units / BENEFIT_SCALE, so a half-unit margin is 5e-7 of a point, five times the
        solver's feasibility tolerance) and the cost in pounds with a half-penny margin: rows of
        whole units in the billions made HiGHS's presolve call a feasible stage infeasible.

        Stage 2 finds the best value among the plans other than stage 1's (a row that makes them differ
        in at least one year and option) at no more cost. Below stage 1's: stage 1's plan is the one (the
        common case, two solves). Otherwise stage 3 finds the cheapest plan at the best value and
        stage 4 asks whether any other plan ties with it in value and cost.
        Ties are then settled in plan order, one (year, option) at a time.
        """
        layout = self.layout
        nx = layout.years * layout.options
        value_units = np.zeros(layout.size)
        value_units[:nx] = units.reshape(-1).astype(np.float64)
        first = self._solve(-value_units)
        if first is None:
            return None
        plan = np.round(first[:nx]) > 0.5
        value = int(np.rint(value_units[:nx][plan].sum()))
        at_value = (value_units / BENEFIT_SCALE, (value - 0.5) / BENEFIT_SCALE, np.inf)
        cost_gbp = self.cost_pence / 100

        def pence(funded: BoolArray) -> int:
            return int(np.rint(self.cost_pence[:nx][funded].sum()))

        def differs(funded: BoolArray) -> tuple[FloatArray, float, float]:
            sign = np.zeros(layout.size)
            sign[:nx] = np.where(funded, -1.0, 1.0)
            return sign, 1.0 - float(funded.sum()), np.inf

        def as_cheap(funded: BoolArray) -> tuple[FloatArray, float, float]:
            return cost_gbp, -np.inf, (pence(funded) + 0.5) / 100

        tied = False
        # Asked as a maximum (the best value among the other plans at no more cost), not as "any plan at this value",
        # with a cutoff half a unit below the value: the solver drops every branch that cannot reach it.
        other = self._solve(-value_units, [as_cheap(plan), differs(plan)], cutoff=-(value - 0.5))
        if other is not None and int(np.rint(value_units[:nx][np.round(other[:nx]) > 0.5].sum())) >= value:
            cheapest = self._solve(cost_gbp, [at_value], retry=True)
            if cheapest is not None:
                plan = np.round(cheapest[:nx]) > 0.5
            tied = self._solve(np.zeros(layout.size), [at_value, as_cheap(plan), differs(plan)]) is not None
        ties = [at_value, as_cheap(plan)]
        if tied:
            # Several plans tie: fix (year, option) in plan order, funding each whenever a tied plan does.
            lower, upper = self.lower.copy(), self.upper.copy()
            for position in range(nx):
                if plan[position]:
                    lower[position] = 1.0
                    continue
                if upper[position] == 0:
                    continue
                trial = lower.copy()
                trial[position] = 1.0
                found = self._solve(np.zeros(layout.size), ties, trial, upper)
                if found is None:
                    upper[position] = 0.0
                else:
                    plan, lower = np.round(found[:nx]) > 0.5, trial
        # Who pays for that plan: the least drawn on flexible money.
        lower, upper = self.lower.copy(), self.upper.copy()
        lower[:nx] = upper[:nx] = plan.astype(np.float64)
        paid = self._solve(self.pay_weight, [], lower, upper, retry=True)
        if paid is None:  # the plan was found with payments, so some exist
            raise RuntimeError("the plan's payments could not be found again")
        paid[:nx] = plan
        return paid


def _precheck(options: pd.DataFrame, rules: PlanRules, names: Mapping[str, str], costs: FloatArray | None) -> list[str]:
    """Problems that can be named without solving anything."""
    reasons: list[str] = []
    if not 1 <= rules.years <= MAX_YEARS:
        reasons.append(f"the plan runs {rules.years} years; give 1 to {MAX_YEARS}")
        return reasons
    if not 0 <= rules.inflation <= MAX_INFLATION:
        reasons.append(f"inflation {rules.inflation:.1%} a year is not between 0% and {MAX_INFLATION:.0%}")
    if not 0 <= rules.ringfence_share <= 1:
        reasons.append(f"ring-fence: {rules.ringfence_share:.0%} is not a share between 0% and 100%")
    seen: set[str] = set()
    for stream in rules.streams:
        if stream.id in seen:
            reasons.append(f"stream '{stream.id}' is given twice")
        seen.add(stream.id)
        if len(stream.amounts_gbp) != rules.years:
            reasons.append(f"{stream.name}: {len(stream.amounts_gbp)} yearly amounts for a {rules.years}-year plan")
        elif any(not np.isfinite(a) or a < 0 for a in stream.amounts_gbp):
            reasons.append(f"{stream.name}: every yearly amount must be zero or more")
    known = set(options["intervention"])
    for label, ids in (("must fund", rules.must_fund), ("must not fund", rules.must_not_fund), ("stop early", rules.early_stop)):
        for ident in ids:
            if ident not in known:
                reasons.append(f"{label}: no intervention has the id '{ident}'")
    for label, table in (("contract length", rules.min_contract_years), ("committed years", rules.committed_years)):
        for ident, years in table.items():
            if ident not in known:
                reasons.append(f"{label}: no intervention has the id '{ident}'")
            elif years < 0:
                reasons.append(f"{label} of {names.get(ident, ident)}: {years} is below zero")
    for ident, year in rules.not_before.items():
        if ident not in known:
            reasons.append(f"first year: no intervention has the id '{ident}'")
        elif not 1 <= year <= MAX_YEARS:
            reasons.append(f"first year of {names.get(ident, ident)}: year {year} is not a plan year (1 to {MAX_YEARS})")
    for ident in sorted(set(rules.must_fund) & set(rules.must_not_fund)):
        reasons.append(f"{names.get(ident, ident)} is both a must-fund and a must-not-fund")
    for ident in sorted(set(rules.must_not_fund) & {g for g in known if rules.committed(g) > 0}):
        reasons.append(
            f"{names.get(ident, ident)} is a must-not-fund but is under contract for the first {rules.committed(ident)} year(s)"
        )
    for ident, year in sorted(rules.not_before.items()):
        if ident in known and year > 1 and ident in rules.must_fund:
            reasons.append(f"{names.get(ident, ident)} is a must-fund (every year) but may not be funded before year {year}")
        elif ident in known and year > 1 and rules.committed(ident) > 0:
            reasons.append(
                f"{names.get(ident, ident)} is under contract for the first {rules.committed(ident)} year(s) "
                f"but may not be funded before year {year}"
            )
    tiers = tiers_of(options)
    for tier in set(rules.tier_min_share) | set(rules.tier_max_share):
        if tier not in tiers:
            reasons.append(f"tier '{tier}' is not one of {', '.join(tiers)}")
    for tier, low in rules.tier_min_share.items():
        if low > rules.tier_max_share.get(tier, 1.0) + 1e-12:
            reasons.append(f"{tier} tier: minimum share {low:.0%} is above its maximum {rules.tier_max_share[tier]:.0%}")
    if sum(rules.tier_min_share.values()) > 1 + 1e-9:
        reasons.append(f"tier minimums add up to {sum(rules.tier_min_share.values()):.0%} of spend, more than 100%")
    if reasons:
        return reasons
    allowed = _allowed(options, rules)
    costs = yearly_costs(options, rules, costs)
    groups = options["intervention"].to_numpy(dtype=str)
    for t in range(rules.years):
        committed = 0.0
        held: list[str] = []
        for ident in dict.fromkeys([*rules.must_fund, *(g for g in known if t < rules.committed(g))]):
            rows = np.flatnonzero((groups == ident) & allowed)
            why = "must fund" if ident in rules.must_fund else "under contract"
            if rows.size == 0:
                reasons.append(f"{why} {names.get(ident, ident)}: every way of funding it is excluded")
                continue
            payers = [s for s in rules.streams if ident in rules.eligible.get(s.id, frozenset()) and s.amounts_gbp[t] > 0]
            if not payers and costs[t, rows].min() > 0:
                reasons.append(
                    f"year {t + 1}: {why} {names.get(ident, ident)}, but no stream that may pay for it has money that year"
                )
            committed += float(costs[t, rows].min())
            held.append(names.get(ident, ident))
        if committed > rules.available_gbp(t + 1) + 0.5:
            reasons.append(
                f"year {t + 1}: {money(committed)} of commitments ({', '.join(held)}, at their cheapest levels) exceed the "
                f"{money(rules.available_gbp(t + 1))} available that year ({stream_money(rules, t + 1)})"
            )
    return reasons


def stream_money(rules: PlanRules, year: int) -> str:
    """The streams' money in one plan year, in words: "Core grant £880,000; EIYF nothing"."""
    parts = [f"{s.name} {money(s.amounts_gbp[year - 1]) if s.amounts_gbp[year - 1] > 0 else 'nothing'}" for s in rules.streams]
    ring = f"; {rules.ringfence_share:.0%} ring-fenced" if rules.ringfence_share > 0 else ""
    return ("; ".join(parts) or "no streams") + ring


def _drop(rules: PlanRules, label: str) -> PlanRules:
    kind, _, rest = label.partition(" ")
    if kind == "must":
        return dataclasses.replace(rules, must_fund=tuple(i for i in rules.must_fund if i != rest))
    if kind == "committed":
        return dataclasses.replace(rules, committed_years={g: y for g, y in rules.committed_years.items() if g != rest})
    if kind == "contract":
        return dataclasses.replace(rules, min_contract_years={g: y for g, y in rules.min_contract_years.items() if g != rest})
    if kind == "start":
        return dataclasses.replace(rules, not_before={g: y for g, y in rules.not_before.items() if g != rest})
    if kind == "min":
        return dataclasses.replace(rules, tier_min_share={t: s for t, s in rules.tier_min_share.items() if t != rest})
    return dataclasses.replace(rules, tier_max_share={t: s for t, s in rules.tier_max_share.items() if t != rest})


def _explain_infeasible(options: pd.DataFrame, rules: PlanRules, names: Mapping[str, str], costs: FloatArray) -> list[Problem]:
    """A smallest set of rules that cannot all hold (deletion filter), with the money per stream and year."""
    suspects = [f"must {g}" for g in dict.fromkeys(rules.must_fund)]
    suspects += [f"committed {g}" for g, y in rules.committed_years.items() if y > 0]
    suspects += [f"contract {g}" for g, y in rules.min_contract_years.items() if y > 1]
    suspects += [f"start {g}" for g, y in rules.not_before.items() if y > 1]
    suspects += [f"min {t}" for t in rules.tier_min_share] + [f"max {t}" for t in rules.tier_max_share]
    current = rules
    needed: list[str] = []
    for label in suspects:
        trial = _drop(current, label)
        if not PlanModel.build(options, trial, costs).feasible():
            current = trial
        else:
            needed.append(label)
    words = []
    for label in needed:
        kind, _, rest = label.partition(" ")
        name = names.get(rest, rest)
        if kind == "must":
            words.append(f"must fund {name} every year")
        elif kind == "committed":
            words.append(f"{name} is under contract for the first {current.committed(rest)} year(s)")
        elif kind == "contract":
            words.append(f"{name}'s contracts last at least {current.contract_years(rest)} years")
        elif kind == "start":
            words.append(f"{name} may not be funded before year {current.not_before[rest]}")
        elif kind == "min":
            words.append(f"at least {current.tier_min_share[rest]:.0%} of each year's spend on {rest} prevention")
        else:
            words.append(f"at most {current.tier_max_share[rest]:.0%} of each year's spend on {rest} prevention")
    money_words = "; ".join(f"year {t}: {stream_money(rules, t)}" for t in range(1, rules.years + 1))
    words.append(f"the money each stream has (and may pay for): {money_words}")
    return [Problem("these rules cannot all hold: " + "; ".join(words))]


def plan_years(
    options: pd.DataFrame,
    rules: PlanRules,
    names: Mapping[str, str] | None = None,
    benefits: npt.ArrayLike | None = None,
    costs: npt.ArrayLike | None = None,
) -> Plan:
    """The exact best plan under ``rules`` (the module's rule); raises InfeasibleError naming the conflict.

    ``options`` is the one-year options table (intervention, level, annual_cost_gbp, benefit,
    reach_per_year, share_<tier>, optionally funded_today); ``benefits`` (years x options)
    replaces ``benefit`` when the benefit differs by year, and ``costs`` (years x options, GBP)
    the inflated annual cost when each year's cost is known.
    """
    names = names or {}
    check_options(options)
    reasons = _precheck(options, rules, names, None if costs is None else np.asarray(costs, dtype=np.float64))
    if reasons:
        raise InfeasibleError([Problem(r) for r in reasons])
    table = yearly_benefits(options, rules.years, benefits)
    cost_table = yearly_costs(options, rules, costs)
    model = PlanModel.build(options, rules, cost_table)
    found = model.best(benefit_units(table))
    if found is None:
        raise InfeasibleError(_explain_infeasible(options, rules, names, cost_table))
    return _explain(options, rules, model, found, table, cost_table)


def _explain(
    options: pd.DataFrame, rules: PlanRules, model: PlanModel, found: FloatArray, benefits: FloatArray, costs: FloatArray
) -> Plan:
    layout = model.layout
    years, n = layout.years, layout.options
    funded = found[: years * n].reshape(years, n) > 0.5
    chosen_rows = []
    for t in range(years):
        for o in np.flatnonzero(funded[t]).tolist():
            chosen_rows.append(
                {
                    "year": t + 1,
                    "option": str(options.index[o]),
                    "intervention": str(options["intervention"].iloc[o]),
                    "level": str(options["level"].iloc[o]),
                    "cost_gbp": float(costs[t, o]),
                    "benefit": float(benefits[t, o]),
                }
            )
    chosen = pd.DataFrame(chosen_rows, columns=["year", "option", "intervention", "level", "cost_gbp", "benefit"])
    pay_rows = []
    for k, (t, o, s) in enumerate(layout.pays):
        share = float(found[years * n + k])
        if share > 1e-9:
            pay_rows.append(
                {
                    "year": t + 1,
                    "stream": rules.streams[s].id,
                    "option": str(options.index[o]),
                    "intervention": str(options["intervention"].iloc[o]),
                    "amount_gbp": share * float(costs[t, o]),
                }
            )
    payments = pd.DataFrame(pay_rows, columns=["year", "stream", "option", "intervention", "amount_gbp"])
    money_rows = []
    for t in range(years):
        for stream in rules.streams:
            paid = float(payments.loc[(payments["year"] == t + 1) & (payments["stream"] == stream.id), "amount_gbp"].sum())
            money_rows.append(
                {
                    "year": t + 1,
                    "stream": stream.id,
                    "available_gbp": float(stream.amounts_gbp[t]),
                    "paid_gbp": paid,
                    "left_gbp": float(stream.amounts_gbp[t]) - paid,
                }
            )
    money_table = pd.DataFrame(money_rows, columns=["year", "stream", "available_gbp", "paid_gbp", "left_gbp"])
    return Plan(
        rules=rules,
        funded=funded,
        chosen=chosen,
        payments=payments,
        money=money_table,
        value=float(benefits[funded].sum()),
        cost_gbp=float(costs[funded].sum()),
    )


def single_stream_rules(
    years: int,
    amount_gbp: float,
    interventions: Sequence[str],
    *,
    name: str = "Budget",
    **rest: object,
) -> PlanRules:
    """One stream that may pay for every intervention, the same amount each year: today's budget as a plan."""
    stream = Stream("budget", name, tuple([float(amount_gbp)] * years))
    return PlanRules(years, (stream,), {"budget": frozenset(interventions)}, **rest)  # type: ignore[arg-type]
