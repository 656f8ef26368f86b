"""The funded set: one definition, one exact tie rule, two exact solvers behind one function.

Each *option* is one way of funding an intervention (its full level, a pilot, ...); at most one
option per intervention is funded. Given each option's benefit (higher is better), the funded set
is the set that, among those allowed by the ``FundingRules`` (budget less ring-fence, must fund,
must not fund, excluded options, tier shares of spend),

1. has the largest total benefit, benefits being compared in millionths of a point
   (``benefit_units``), so "equal value" is an exact integer comparison and never float noise;
2. among equal values, costs least, costs being compared in whole pence (``cost_pence``);
3. among equal values and costs, is first in option order: at the first option (in the options
   table's order: interventions in catalogue order, each one's full level before its alternatives)
   where two sets differ, the set that funds it wins.

``best_sets`` finds that set for many benefit vectors at once, by the first of four exact paths
that applies:

- **dynamic programme**: no tier shares, costs in whole multiples of a unit and a budget of at most
  ``MAX_STATES`` units; a vectorised multiple-choice knapsack over (value, cost) keys;
- **spend by class**: the same costs with tier shares, when every intervention's options share one
  set of tier shares. A tier row is then a sum over *classes* of options with the same shares, each
  class's spend times a fixed amount per pound. Per class, a dynamic programme gives the best set
  costing exactly each amount; every combination of the other classes' spends is tried for every
  draw at once, and the class with the most possible spends is read at its best spend in the window
  the money left and the tier rows leave it. Past ``MAX_CLASS_COMBINATIONS`` combinations (one tier
  share: a few thousand on the shipped catalogue; two tier shares that split it into five classes:
  millions), they are built class by class for each draw apart, and a partial combination is kept
  only while it could still reach the value of a set known to meet every rule (among them the sets
  funded for the draws before: the draws go in parts of growing size);
- **branch and bound shared by the draws**: the same costs with tier shares otherwise. The sets allowed do
  not depend on the draw, only the benefits do, so one search serves every draw: each node of the
  tree carries the draws for which it could still hold a better set, and drops a draw as soon as a
  bound says it cannot. The bound is a Lagrangian relaxation (the tier rows priced into the
  benefits with a multiplier fitted per draw, then the knapsack without them solved by the dynamic
  programme); the first incumbents are the best of the sets the relaxations find. A draw whose
  knapsack optimum already meets the tier shares needs no search at all;
- **integer programme**: otherwise, a 0-1 programme solved with HiGHS (``scoring.highs``) in
  lexicographic stages (best value; a check that no other set reaches it at no more cost, which
  ends it in the common case; else least cost at that value; then the order above). Each
  stage's objective and bounds are whole numbers with a half-unit margin, so the result holds
  whatever the solver's optimality gap.

All paths are tested against brute force and each other on instances built to have many exact
ties.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import reduce

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import csr_array, vstack

from scoring.errors import InfeasibleError
from scoring.highs import minimise

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

BENEFIT_SCALE = 1_000_000  # benefit compared in millionths of a point
MONEY_TOLERANCE_GBP = 0.5
MAX_STATES = 20_000
TIER_TOLERANCE_GBP = 1e-6  # a set meets a tier share when it misses by no more than this
MAX_SEARCH_CELLS = 20_000_000  # the search's bound tables (interventions x draws x budget units) stay below this
MAX_BRANCH_NODES_PER_DRAW = 400  # past this many nodes a draw the shared search gives way to the integer programme
MAX_CLASS_COMBINATIONS = 200_000  # past this many combinations of class spends, the shared search instead
MAX_CLASS_KEYS = 4_000_000  # draws x combinations held at once by the class path
MAX_PRUNED_PAIRS = 12_000_000  # (draw, partial combination) pairs the pruned class path may expand at once
REQUIRED_COLUMNS = ("intervention", "level", "annual_cost_gbp", "benefit", "reach_per_year")


@dataclass(frozen=True)
class FundingRules:
    """What a funding decision must respect. Shares are fractions from 0 to 1."""

    budget_gbp: float
    must_fund: tuple[str, ...] = ()
    must_not_fund: tuple[str, ...] = ()
    excluded_options: tuple[str, ...] = ()
    tier_min_share: Mapping[str, float] = field(default_factory=dict)
    tier_max_share: Mapping[str, float] = field(default_factory=dict)
    ringfence_share: float = 0.0

    @property
    def ringfenced_gbp(self) -> float:
        return self.budget_gbp * self.ringfence_share

    @property
    def available_gbp(self) -> float:
        """Money that may be spent on interventions: the budget less the ring-fence."""
        return self.budget_gbp - self.ringfenced_gbp

    @property
    def has_tier_shares(self) -> bool:
        return any(s > 0 for s in self.tier_min_share.values()) or any(s < 1 for s in self.tier_max_share.values())

    def without_tier_shares(self) -> FundingRules:
        return dataclasses.replace(self, tier_min_share={}, tier_max_share={})


def benefit_units(benefits: npt.ArrayLike) -> IntArray:
    """Benefits as whole millionths of a point: the tie rule's exact notion of equal value."""
    return np.rint(np.asarray(benefits, dtype=np.float64) * BENEFIT_SCALE).astype(np.int64)


def cost_pence(costs: npt.ArrayLike) -> IntArray:
    """Costs in whole pence: the tie rule's exact notion of equal cost."""
    return np.rint(np.asarray(costs, dtype=np.float64) * 100).astype(np.int64)


def tiers_of(options: pd.DataFrame) -> list[str]:
    """The prevention tiers the options table splits spend over (its ``share_<tier>`` columns)."""
    return [c.removeprefix("share_") for c in options.columns if c.startswith("share_")]


def check_options(options: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in options.columns]
    if missing:
        raise ValueError(f"options table lacks {', '.join(missing)}")
    if not options.index.is_unique:
        raise ValueError("option ids must be unique")


def allowed_options(options: pd.DataFrame, rules: FundingRules) -> BoolArray:
    """Options the rules let be funded at all (not a must-not-fund, not an excluded option)."""
    return np.asarray(
        ~options["intervention"].isin(rules.must_not_fund).to_numpy() & ~options.index.isin(list(rules.excluded_options)),
        dtype=bool,
    )


def best_sets(options: pd.DataFrame, rules: FundingRules, benefits: npt.ArrayLike) -> BoolArray:
    """The funded set (see the module's rule) for each row of ``benefits`` (draws x options).

    Returns a boolean array (draws x options). Raises InfeasibleError when no set satisfies the
    rules; callers that want the reasons in words check ``scoring.portfolio.optimise`` first.
    """
    check_options(options)
    table = np.atleast_2d(np.asarray(benefits, dtype=np.float64))
    if table.shape[1] != len(options):
        raise ValueError(f"benefits have {table.shape[1]} columns for {len(options)} options")
    if len(options) == 0:
        return np.zeros(table.shape, dtype=bool)
    units = benefit_units(table)
    unit = dp_unit(options, rules)
    if unit is not None:
        return _dp_sets(options, rules, units, unit)
    relaxed_unit = dp_unit(options, rules.without_tier_shares())
    if relaxed_unit is not None:
        found = _branch_sets(options, rules, units, relaxed_unit)
        if found is not None:
            return found
    model = FundingModel.build(options, rules)
    picked = np.zeros(units.shape, dtype=bool)
    for row, benefit in enumerate(units):
        found = model.best(benefit)
        if found is None:
            raise InfeasibleError("no set of interventions satisfies every constraint")
        picked[row] = found
    return picked


# The dynamic programme ---------------------------------------------------------------------------


def dp_unit(options: pd.DataFrame, rules: FundingRules, max_states: int = MAX_STATES) -> int | None:
    """The money unit (GBP) the dynamic programme counts in, or None when it does not apply.

    It applies when no tier share binds, every cost is a whole number of pounds and the money
    available holds at most ``max_states`` units.
    """
    if rules.has_tier_shares or rules.available_gbp < 0:
        return None
    costs = options["annual_cost_gbp"].to_numpy(dtype=np.float64)
    if len(costs) == 0 or not np.all(np.abs(costs - np.round(costs)) < 1e-9):
        return None
    positive = [round(c) for c in costs if round(c) > 0]
    unit = reduce(math.gcd, positive) if positive else 1
    if rules.available_gbp / unit + 1 > max_states:
        return None
    return unit


_IMPOSSIBLE = np.int64(-(2**62))


def _dp_sets(options: pd.DataFrame, rules: FundingRules, units: IntArray, unit: int) -> BoolArray:
    """Multiple-choice knapsack over (value, cost) keys, vectorised over draws (see ``_DpTable``)."""
    capacity = int(np.floor(rules.available_gbp / unit + 1e-9))
    table = _DpTable.build(options, rules, units, unit, capacity)
    draws = units.shape[0]
    if not table.feasible(np.arange(draws), np.full(draws, capacity)).all():
        raise InfeasibleError("the must-funds cannot all be afforded")
    return table.read_back(np.arange(draws), np.full(draws, capacity))


@dataclass(frozen=True)
class _DpTable:
    """The dynamic programme's tables, from which the funded set at any capacity up to its own is read.

    ``best[c]`` is the best key of any set of the interventions seen so far costing at most c units,
    where key = value x (capacity + 1) - cost, so comparing keys compares value, then cost (for
    every capacity up to the table's, since no set costs more than that). The interventions are
    visited last to first, so the first one is decided first when the set is read back; there, an
    option beats a later option or funding nothing on an equal key, which picks the set that is
    first in option order. Nothing in ``best[c]`` depends on capacities above c, so reading back
    from a smaller capacity gives exactly the set a programme built for that capacity would.
    """

    best: IntArray  # draws x (capacity + 1), after every intervention
    choices: list[tuple[npt.NDArray[np.intp], npt.NDArray[np.int16]]]  # per intervention, last first
    cost_units: IntArray
    n_options: int

    @classmethod
    def build(
        cls, options: pd.DataFrame, rules: FundingRules, units: IntArray, unit: int, capacity: int, exact: bool = False
    ) -> _DpTable:
        """The tables for ``capacity`` units; with ``exact``, ``best[c]`` is over the sets costing exactly c units
        (``_IMPOSSIBLE`` where none does), and reading back at c gives the funded set among those."""
        draws = units.shape[0]
        weight = np.int64(capacity + 1)
        cost_units = np.round(options["annual_cost_gbp"].to_numpy(dtype=np.float64) / unit).astype(np.int64)
        keys = units * weight - cost_units[None, :]
        allowed = allowed_options(options, rules)
        # Each intervention's allowed options, found in one pass (not a scan of every option per intervention).
        members_of: dict[str, list[int]] = {}
        for position, (group, ok) in enumerate(zip(options["intervention"].astype(str), allowed, strict=True)):
            members_of.setdefault(group, [])
            if ok:
                members_of[group].append(position)
        must = set(rules.must_fund)
        best = np.zeros((draws, capacity + 1), dtype=np.int64)
        if exact:
            best[:, 1:] = _IMPOSSIBLE
        choices: list[tuple[npt.NDArray[np.intp], npt.NDArray[np.int16]]] = []
        for group in reversed(members_of):
            members = np.array(members_of[group], dtype=np.intp)
            new = np.full_like(best, _IMPOSSIBLE) if group in must else best.copy()
            choice = np.full((draws, capacity + 1), -1, dtype=np.int16)
            # Later options first, each replacing on an equal key, so the earliest option wins ties
            # and any option beats funding nothing on an equal key.
            for position in range(len(members) - 1, -1, -1):
                option = members[position]
                c = int(cost_units[option])
                if c > capacity:
                    continue
                candidate = best[:, : capacity + 1 - c] + keys[:, option, None]
                window = new[:, c:]
                better = (candidate >= window) & (best[:, : capacity + 1 - c] > _IMPOSSIBLE // 2)
                window[better] = candidate[better]
                choice[:, c:][better] = position
            best = new
            choices.append((members, choice))
        return cls(best, choices, cost_units, len(options))

    def feasible(self, draws: npt.NDArray[np.intp], capacities: IntArray) -> BoolArray:
        """Whether any set meets the rules within each capacity (the must-funds are affordable)."""
        return np.asarray(self.best[draws, capacities] > _IMPOSSIBLE // 2, dtype=bool)

    def read_back(self, draws: npt.NDArray[np.intp], capacities: IntArray) -> BoolArray:
        """The funded set for each (draw, capacity) pair, as rows of a boolean array (pairs x options)."""
        picked = np.zeros((len(draws), self.n_options), dtype=bool)
        remaining = np.asarray(capacities, dtype=np.int64).copy()
        rows = np.arange(len(draws))
        for members, choice in reversed(self.choices):
            taken = choice[draws, remaining]
            has = taken >= 0
            if members.size:
                chosen = members[np.where(has, taken, 0)]
                picked[rows[has], chosen[has]] = True
                remaining = remaining - np.where(has, self.cost_units[chosen], 0)
        return picked


def sets_by_budget(
    options: pd.DataFrame, rules: FundingRules, benefits: npt.ArrayLike, budgets_gbp: npt.ArrayLike
) -> tuple[BoolArray, BoolArray] | None:
    """The funded set for one benefit vector at each budget (the rules' budget replaced), each the
    set ``best_sets`` gives at that budget, from one dynamic programme over the largest budget.

    The programme, read back at each budget's capacity, gives the funded set without tier shares
    (see ``_DpTable``). With tier shares that set is the funded set wherever it meets them (it is
    the best under fewer rules); the other budgets are solved from the largest down, each by
    ``best_sets`` unless the set last found there still fits (a set that is best at one budget is
    best at every smaller budget it fits in).

    Returns (sets, feasible): sets (budgets x options), feasible (budgets) false where no set meets
    the rules (its row is then empty). None when the programme does not apply at the largest budget
    (costs in fractions of a pound, too many budget units) or a budget is negative; the caller then
    solves each budget on its own.
    """
    check_options(options)
    budgets = np.asarray(budgets_gbp, dtype=np.float64).reshape(-1)
    if budgets.size == 0 or budgets.min() < 0:
        return None
    relaxed = dataclasses.replace(rules, budget_gbp=float(budgets.max())).without_tier_shares()
    unit = dp_unit(options, relaxed)
    if unit is None:
        return None
    if len(options) == 0:
        return np.zeros((budgets.size, 0), dtype=bool), np.ones(budgets.size, dtype=bool)
    # Each budget's capacity exactly as a programme built for that budget would count it.
    capacities = np.array(
        [int(np.floor(dataclasses.replace(rules, budget_gbp=float(b)).available_gbp / unit + 1e-9)) for b in budgets],
        dtype=np.int64,
    )
    benefit = np.asarray(benefits, dtype=np.float64).reshape(1, -1)
    table = _DpTable.build(options, relaxed, benefit_units(benefit), unit, int(capacities.max()))
    draws = np.zeros(budgets.size, dtype=np.intp)
    feasible = table.feasible(draws, capacities)
    sets = table.read_back(draws, capacities)
    sets[~feasible] = False
    if not rules.has_tier_shares:
        return sets, feasible
    meets = _meets_rows(sets, tier_rows(options, rules))
    known: tuple[int, BoolArray] | None = None  # (cost in units, set) of the last set solved for
    for k in sorted(np.flatnonzero(feasible & ~meets), key=lambda k: -capacities[k]):
        if known is not None and known[0] <= capacities[k]:
            sets[k] = known[1]
            continue
        try:
            sets[k] = best_sets(options, dataclasses.replace(rules, budget_gbp=float(budgets[k])), benefit)[0]
        except InfeasibleError:
            sets[k], feasible[k], known = False, False, None
            continue
        known = (int(table.cost_units[sets[k]].sum()), sets[k].copy())
    return sets, feasible


# The branch and bound shared by the draws --------------------------------------------------------


def tier_rows(options: pd.DataFrame, rules: FundingRules) -> FloatArray:
    """The tier shares as rows ``a`` (GBP per option) that a set ``x`` meets when ``a @ x >= 0``."""
    cost = options["annual_cost_gbp"].to_numpy(dtype=np.float64)
    rows: list[FloatArray] = []
    for tier in tiers_of(options):
        tier_cost = cost * options[f"share_{tier}"].to_numpy(dtype=np.float64)
        low = rules.tier_min_share.get(tier, 0.0)
        high = rules.tier_max_share.get(tier, 1.0)
        if low > 0:
            rows.append(tier_cost - low * cost)
        if high < 1:
            rows.append(high * cost - tier_cost)
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(options))


def _meets_rows(sets: BoolArray, rows: FloatArray) -> BoolArray:
    """Which of ``sets`` (one a row) meet every tier row, within ``TIER_TOLERANCE_GBP``."""
    return np.asarray(np.all(sets.astype(np.float64) @ rows.T >= -TIER_TOLERANCE_GBP, axis=1), dtype=bool)


# Spend by class: the tier rows depend only on what each class of options spends ---------------------


@dataclass(frozen=True)
class _SpendClass:
    """Options whose every pound moves each tier row by the same amount (the same shares of the tiers the rules
    name), with the exact-spend programme over them: ``table.best[d, s]`` is the best key of the class's sets
    costing exactly s units for draw d."""

    options: npt.NDArray[np.intp]  # positions in the options table, in its order
    per_unit: FloatArray  # GBP each tier row moves per unit spent on the class
    table: _DpTable
    spends: npt.NDArray[np.intp]  # the spends some set of the class meets the rules at (any draw: the same)


def _spend_classes(
    options: pd.DataFrame, rules: FundingRules, units: IntArray, unit: int, rows: FloatArray, capacity: int
) -> list[_SpendClass] | None:
    """The options grouped into classes, each with its programme; None if an intervention's levels fall in two."""
    cost = options["annual_cost_gbp"].to_numpy(dtype=np.float64)
    groups = options["intervention"].to_numpy(dtype=str)
    per_pound = np.divide(rows, cost, out=np.zeros_like(rows), where=cost > 0)
    label_of: dict[str, tuple[float, ...] | None] = {}
    for position, group in enumerate(groups):
        if cost[position] <= 0:
            label_of.setdefault(group, None)
            continue
        label = tuple(np.round(per_pound[:, position], 9).tolist())
        if label_of.get(group) not in (None, label):
            return None
        label_of[group] = label
    members: dict[tuple[float, ...] | None, list[int]] = {}
    for position, group in enumerate(groups):
        members.setdefault(label_of[group], []).append(position)
    classes = []
    for shares, positions in members.items():
        picked = np.asarray(positions, dtype=np.intp)
        priced = [p for p in positions if cost[p] > 0]
        per_unit = per_pound[:, priced[0]] * unit if shares is not None else np.zeros(rows.shape[0])
        # The spends a set can have do not depend on the benefits: one draw's programme finds them.
        first = _DpTable.build(options.iloc[picked], rules, units[:1, picked], unit, capacity, exact=True)
        classes.append(_SpendClass(picked, per_unit, first, np.flatnonzero(first.best[0] > _IMPOSSIBLE // 2)))
    return classes


def _class_sets(
    options: pd.DataFrame, rules: FundingRules, units: IntArray, unit: int, rows: FloatArray, known: BoolArray | None = None
) -> BoolArray | None:
    """The funded sets under tier shares by the spend of each class of options (see the module).

    Every combination of the other classes' spends is tried at once for every draw; the last class (the one
    with the most possible spends) is read from its programme at its best spend in the window the rules leave
    it. Past ``MAX_CLASS_COMBINATIONS`` combinations, they are built class by class for each draw apart and
    pruned by the best of the ``known`` sets (sets that meet every rule) instead (``_pruned_class_sets``).
    Returns None when the options do not fall into classes or the pruned combinations pass
    ``MAX_PRUNED_PAIRS``. Raises InfeasibleError when no set meets every rule.
    """
    capacity = int(np.floor(rules.available_gbp / unit + 1e-9))
    relaxed = rules.without_tier_shares()
    classes = _spend_classes(options, relaxed, units, unit, rows, capacity)
    if classes is None:
        return None
    last = max(range(len(classes)), key=lambda k: classes[k].spends.size)
    others = [c for k, c in enumerate(classes) if k != last]
    final = classes[last]
    # Every combination of the other classes' spends within the money available.
    spend = np.zeros(1, dtype=np.int64)
    combos = np.zeros((1, 0), dtype=np.int64)
    for spend_class in others:
        total = spend[:, None] + spend_class.spends[None, :]
        which, at = np.nonzero(total <= capacity)
        spend, combos = total[which, at], np.column_stack([combos[which], spend_class.spends[at]])
        if spend.size > MAX_CLASS_COMBINATIONS:
            known = np.zeros((0, len(options)), dtype=bool) if known is None else known
            return _checked(_pruned_class_sets(options, relaxed, units, unit, capacity, classes, known), rows)
    low, high, ok = _windows(combos, spend, others, final, capacity)
    if not ok.any():
        raise InfeasibleError("no set of interventions satisfies every constraint")
    combos, low, high = combos[ok], low[ok], high[ok]
    picked = np.zeros((units.shape[0], len(options)), dtype=bool)
    step = max(1, MAX_CLASS_KEYS // len(combos))
    for ids, (*built, last_built) in _class_blocks(options, relaxed, units, unit, capacity, [*others, final], 1):
        for start in range(0, ids.size, step):
            chunk = np.arange(start, min(ids.size, start + step))
            picked[ids[chunk]] = _best_combinations(built, last_built, chunk, combos, low, high, len(options))
    return _checked(picked, rows)


def _checked(picked: BoolArray | None, rows: FloatArray) -> BoolArray | None:
    """The sets, if every one meets the tier rows (not expected to fail: a check that the windows were read as the
    rows are); else None, and the search answers."""
    if picked is None or not _meets_rows(picked, rows).all():
        return None
    return picked


def _class_blocks(
    options: pd.DataFrame,
    relaxed: FundingRules,
    units: IntArray,
    unit: int,
    capacity: int,
    classes: list[_SpendClass],
    extra_tables: int,
) -> Iterator[tuple[npt.NDArray[np.intp], list[_SpendClass]]]:
    """The classes with their programmes' tables, for a block of draws at a time: (the draws, the classes). The
    block keeps the tables (one per intervention and ``extra_tables`` per class, for every draw and budget unit)
    below MAX_SEARCH_CELLS."""
    per_draw = (len(set(options["intervention"])) + extra_tables * len(classes)) * (capacity + 1)
    block = max(1, MAX_SEARCH_CELLS // per_draw)
    for first in range(0, units.shape[0], block):
        ids = np.arange(first, min(units.shape[0], first + block))
        yield (
            ids,
            [
                dataclasses.replace(
                    c, table=_DpTable.build(options.iloc[c.options], relaxed, units[np.ix_(ids, c.options)], unit, capacity, True)
                )
                for c in classes
            ],
        )


def _pruned_class_sets(
    options: pd.DataFrame,
    relaxed: FundingRules,
    units: IntArray,
    unit: int,
    capacity: int,
    classes: list[_SpendClass],
    known: BoolArray,
) -> BoolArray | None:
    """Spend by class when the combinations are too many to try for every draw: they are built class by class
    (fewest possible spends first), for each draw apart, and a partial combination is kept only while its value
    plus the most the remaining classes could add within the money left (tier shares aside) reaches the value of
    the best known set for that draw. A known set meets every rule, so the funded set, and any set tied with it,
    is never dropped. The known sets are ``known`` and then the funded sets found so far: the draws are taken in
    parts of growing size (``PRUNED_PARTS``), so that later draws are pruned by what earlier ones were funded,
    which is usually close to their own best. Returns None when a class would expand more than
    ``MAX_PRUNED_PAIRS`` pairs of draw and partial combination at once (a few hundred megabytes)."""
    order = sorted(classes, key=lambda c: c.spends.size)
    n = len(options)
    cost_units = np.round(options["annual_cost_gbp"].to_numpy(dtype=np.float64) / unit).astype(np.int64)
    pool = np.unique(known, axis=0) if len(known) else np.zeros((0, n), dtype=bool)
    picked = np.zeros((units.shape[0], n), dtype=bool)
    for ids, (*others, final) in _class_blocks(options, relaxed, units, unit, capacity, order, 2):
        # suffix[k][d, c]: the best key of the sets of classes k on costing at most c units, tier shares aside.
        suffix = [np.maximum.accumulate(final.table.best, axis=1)]
        for spend_class in reversed(others):
            out = np.full_like(suffix[0], _IMPOSSIBLE)
            for s in spend_class.spends:
                np.maximum(out[:, s:], spend_class.table.best[:, s, None] + suffix[0][:, : capacity + 1 - s], out=out[:, s:])
            suffix.insert(0, out)
        levels = _sparse_table(final.table.best)
        for rows in _parts(ids.size):
            floor = np.full(rows.size, _IMPOSSIBLE, dtype=np.int64)
            if len(pool):
                keys = pool.astype(np.int64)
                floor = (units[ids[rows]] @ keys.T * (capacity + 1) - (keys @ cost_units)[None, :]).max(axis=1)
            found = _pruned_part(others, final, levels, suffix, rows, floor, capacity, n)
            if found is None:
                return None
            picked[ids[rows]] = found
            pool = np.unique(np.vstack([pool, found]), axis=0)
    return picked


PRUNED_PARTS = (8, 16, 32, 64, 128)  # the pruned class path's first parts of draws; then parts of the last size


def _parts(size: int) -> Iterator[npt.NDArray[np.intp]]:
    """Row numbers 0 to ``size`` - 1 in consecutive parts of the sizes ``PRUNED_PARTS``, the last size repeated."""
    first = 0
    for part in itertools.chain(PRUNED_PARTS, itertools.repeat(PRUNED_PARTS[-1])):
        if first >= size:
            return
        yield np.arange(first, min(size, first + part))
        first += part


def _pruned_part(
    others: list[_SpendClass],
    final: _SpendClass,
    levels: list[IntArray],
    suffix: list[IntArray],
    rows: npt.NDArray[np.intp],
    floor: IntArray,
    capacity: int,
    n_options: int,
) -> BoolArray | None:
    """The funded set for each of ``rows`` (rows of the classes' tables; ``levels`` is the last class's sparse
    table), keeping only the partial combinations that could still reach ``floor`` (for each row, the key of a
    set known to meet every rule); None past ``MAX_PRUNED_PAIRS``."""
    draw = np.arange(rows.size)
    spend = np.zeros(rows.size, dtype=np.int64)
    value = np.zeros(rows.size, dtype=np.int64)
    combos = np.zeros((rows.size, 0), dtype=np.int64)
    for k, spend_class in enumerate(others):
        if draw.size * spend_class.spends.size > MAX_PRUNED_PAIRS:
            return None  # too many to hold: the search instead
        at = np.tile(spend_class.spends, draw.size)
        pair = np.repeat(np.arange(draw.size), spend_class.spends.size)
        total = spend[pair] + at
        fits = total <= capacity
        pair, at, total = pair[fits], at[fits], total[fits]
        worth = value[pair] + spend_class.table.best[rows[draw[pair]], at]
        keep = worth + suffix[k + 1][rows[draw[pair]], capacity - total] >= floor[draw[pair]]
        pair, at = pair[keep], at[keep]
        draw, spend, value = draw[pair], total[keep], worth[keep]
        combos = np.column_stack([combos[pair], at])
    low, high, ok = _windows(combos, spend, others, final, capacity)
    draw, value, combos, low, high = draw[ok], value[ok], combos[ok], low[ok], high[ok]
    if np.unique(draw).size < rows.size:
        raise InfeasibleError("no set of interventions satisfies every constraint")
    keys = value + _pair_best(levels, rows[draw], low, high)
    best = np.full(rows.size, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(best, draw, keys)
    winners = np.flatnonzero(keys == best[draw])
    counts = np.bincount(draw[winners], minlength=rows.size)
    single = winners[counts[draw[winners]] == 1]
    picked = np.zeros((rows.size, n_options), dtype=bool)
    picked[draw[single]] = _class_set(others, final, rows[draw[single]], combos[single], low[single], high[single], n_options)
    for tie in np.flatnonzero(counts > 1):
        # Several combinations reach the best value at the same cost: the rule's order decides.
        tied = winners[draw[winners] == tie]
        sets = _class_set(others, final, rows[draw[tied]], combos[tied], low[tied], high[tied], n_options)
        picked[tie] = _first_in_option_order(sets)
    return picked


def _windows(
    combos: IntArray, spend: IntArray, others: list[_SpendClass], final: _SpendClass, capacity: int
) -> tuple[IntArray, IntArray, BoolArray]:
    """The window of spends (low, high) each combination of the other classes' spends leaves the last class: the
    money left, and each tier row; and whether the last class has a spend in it."""
    surplus = combos @ np.array([c.per_unit for c in others]).reshape(len(others), final.per_unit.size)
    low, high = np.zeros(spend.size, dtype=np.int64), capacity - spend
    ok = np.ones(spend.size, dtype=bool)
    for row, step in enumerate(final.per_unit):
        if step < -1e-12:
            high = np.minimum(high, np.floor((surplus[:, row] + TIER_TOLERANCE_GBP) / -step).astype(np.int64))
        elif step > 1e-12:
            low = np.maximum(low, np.ceil((-surplus[:, row] - TIER_TOLERANCE_GBP) / step).astype(np.int64))
        else:
            ok &= surplus[:, row] >= -TIER_TOLERANCE_GBP
    possible = np.zeros(capacity + 2, dtype=np.int64)
    possible[final.spends + 1] = 1
    possible = np.cumsum(possible)  # possible[s] = how many spends of the last class are below s
    ok &= low <= high
    low, high = np.clip(low, 0, capacity), np.clip(high, -1, capacity)
    ok &= possible[high + 1] > possible[low]
    return low, high, ok


def _best_combinations(
    others: list[_SpendClass],
    final: _SpendClass,
    chunk: npt.NDArray[np.intp],
    combos: IntArray,
    low: IntArray,
    high: IntArray,
    n_options: int,
) -> BoolArray:
    """For each draw of ``chunk`` (rows of the classes' tables), the funded set: the combination of spends with
    the best key, several with the same key settled by the rule's order."""
    keys = _window_best(final.table.best[chunk], low, high)
    for k, spend_class in enumerate(others):
        keys += spend_class.table.best[chunk][:, combos[:, k]]
    best = keys.max(axis=1)
    choice = keys.argmax(axis=1)
    picked = _class_set(others, final, chunk, combos[choice], low[choice], high[choice], n_options)
    for tie in np.flatnonzero((keys == best[:, None]).sum(axis=1) > 1):
        # Several combinations reach the best value at the same cost: the rule's order decides.
        tied = np.flatnonzero(keys[tie] == best[tie])
        draw = np.full(tied.size, chunk[tie])
        picked[tie] = _first_in_option_order(_class_set(others, final, draw, combos[tied], low[tied], high[tied], n_options))
    return picked


def _sparse_table(best: IntArray) -> list[IntArray]:
    """Level k holds the maximum of each run of 2**k columns starting at each column."""
    levels = [best]
    while 2 ** len(levels) <= best.shape[1]:
        half = 2 ** (len(levels) - 1)
        levels.append(np.maximum(levels[-1][:, :-half], levels[-1][:, half:]))
    return levels


def _pair_best(levels: list[IntArray], rows: npt.NDArray[np.intp], low: IntArray, high: IntArray) -> IntArray:
    """``best[rows[t], low[t]:high[t] + 1].max()`` for every t, where ``levels`` is ``_sparse_table(best)``."""
    level = np.floor(np.log2(high - low + 1)).astype(np.int64)
    out = np.empty(rows.size, dtype=np.int64)
    for k in np.unique(level):
        at = np.flatnonzero(level == k)
        out[at] = np.maximum(levels[k][rows[at], low[at]], levels[k][rows[at], high[at] - 2**k + 1])
    return out


def _window_best(best: IntArray, low: IntArray, high: IntArray) -> IntArray:
    """``best[d, low[t]:high[t] + 1].max()`` for every row d and window t (a sparse table over the columns)."""
    levels = _sparse_table(best)
    windows, inverse = np.unique(np.stack([low, high]), axis=1, return_inverse=True)
    low, high = windows
    level = np.floor(np.log2(high - low + 1)).astype(np.int64)
    out = np.empty((best.shape[0], low.size), dtype=np.int64)
    for k in np.unique(level):
        at = np.flatnonzero(level == k)
        out[:, at] = np.maximum(levels[k][:, low[at]], levels[k][:, high[at] - 2**k + 1])
    out = out[:, inverse.reshape(-1)]
    return out


def _class_set(
    others: list[_SpendClass],
    final: _SpendClass,
    draws: npt.NDArray[np.intp],
    combos: IntArray,
    low: IntArray,
    high: IntArray,
    n_options: int,
) -> BoolArray:
    """The funded set of each (draw, combination of spends) pair: each class's set at its spend, the last
    class's at its best spend in its window."""
    picked = np.zeros((len(draws), n_options), dtype=bool)
    for k, spend_class in enumerate(others):
        picked[:, spend_class.options] = spend_class.table.read_back(draws, combos[:, k])
    spends = np.arange(final.table.best.shape[1])
    inside = (spends[None, :] >= low[:, None]) & (spends[None, :] <= high[:, None])
    spend = np.where(inside, final.table.best[draws], _IMPOSSIBLE).argmax(axis=1)
    picked[:, final.options] = final.table.read_back(draws, spend)
    return picked


def _first_in_option_order(sets: BoolArray) -> BoolArray:
    """Of sets of equal value and cost, the one the rule funds: at the first option where they differ, the one
    that funds it."""
    alive = np.arange(len(sets))
    for column in range(sets.shape[1]):
        funds = sets[alive, column]
        if funds.any() and not funds.all():
            alive = alive[funds]
        if alive.size == 1:
            break
    return np.asarray(sets[alive[0]], dtype=bool)


@dataclass(frozen=True)
class _Knapsack:
    """The budget and one-option-per-intervention structure the relaxations solve."""

    capacity: int
    cost_units: IntArray
    members: list[npt.NDArray[np.intp]]
    must: list[bool]

    @classmethod
    def build(cls, options: pd.DataFrame, rules: FundingRules, unit: int, rows: FloatArray) -> _Knapsack:
        """Interventions ordered by how far they can move the tier rows, the least first.

        On the shipped catalogue this order gave the smallest trees of the orders measured
        (catalogue order, most sway first, least sway first). The order does not change the
        result: the tie rule is applied by comparing sets, not by the order they are found in.
        """
        groups = options["intervention"].to_numpy(dtype=str)
        allowed = allowed_options(options, rules)
        members = [np.flatnonzero((groups == g) & allowed) for g in dict.fromkeys(groups)]
        must = [g in set(rules.must_fund) for g in dict.fromkeys(groups)]
        sway = [float(np.abs(rows[:, m]).sum(axis=0).max()) if m.size else 0.0 for m in members]
        order = sorted(range(len(members)), key=lambda k: sway[k])
        return cls(
            capacity=int(np.floor(rules.available_gbp / unit + 1e-9)),
            cost_units=np.round(options["annual_cost_gbp"].to_numpy(dtype=np.float64) / unit).astype(np.int64),
            members=[members[k] for k in order],
            must=[must[k] for k in order],
        )

    def layers(self, values: FloatArray, every: bool) -> list[FloatArray]:
        """Best value of the interventions from k on within each capacity, for every draw (row).

        Returns the layers for k = 0..G (``every``) or only k = 0, as draws x (capacity + 1).
        """
        draws, top = values.shape[0], self.capacity + 1
        layer = np.zeros((draws, top))
        out = [layer]
        for k in range(len(self.members) - 1, -1, -1):
            new = np.full((draws, top), -np.inf) if self.must[k] else layer.copy()
            for option in self.members[k]:
                c = int(self.cost_units[option])
                if c < top:
                    np.maximum(new[:, c:], layer[:, : top - c] + values[:, option, None], out=new[:, c:])
            layer = new
            if every:
                out.append(layer)
        return out[::-1] if every else [layer]


def _multipliers(knapsack: _Knapsack, values: FloatArray, rows: FloatArray, rounds: int = 2, steps: int = 24) -> FloatArray:
    """A multiplier per draw and tier row that makes the Lagrangian bound small.

    The bound is convex in each multiplier; golden-section search, row by row (``rounds`` times
    when there are several rows). Any multipliers of zero or more give a valid bound; good ones
    give a tight bound, so a small tree.
    """
    draws, n_rows = values.shape[0], rows.shape[0]
    multipliers = np.zeros((draws, n_rows))
    ratio = (5**0.5 - 1) / 2

    def bound(row: int, at: FloatArray) -> FloatArray:
        trial = multipliers.copy()
        trial[:, row] = at
        return knapsack.layers(values + trial @ rows, every=False)[0][:, knapsack.capacity]

    for _ in range(rounds if n_rows > 1 else 1):
        for j in range(n_rows):
            positive = rows[j][rows[j] > 0]
            if positive.size == 0:
                continue
            # Past this multiplier a pound of the row's surplus outweighs any option's benefit.
            low, high = np.zeros(draws), np.full(draws, float(np.abs(values).max()) / float(positive.min()))
            a, b = high - ratio * (high - low), low + ratio * (high - low)
            fa, fb = bound(j, a), bound(j, b)
            for _ in range(steps):
                left = fa <= fb
                high = np.where(left, b, high)
                low = np.where(left, low, a)
                # Left: the old a becomes b, a new a is needed; right: the old b becomes a.
                a, b, fb, fa = (
                    np.where(left, high - ratio * (high - low), b),
                    np.where(left, a, low + ratio * (high - low)),
                    np.where(left, fa, fb),
                    np.where(left, fa, fb),
                )
                fresh = bound(j, np.where(left, a, b))
                fa = np.where(left, fresh, fa)
                fb = np.where(left, fb, fresh)
            multipliers[:, j] = np.where(fa <= fb, a, b)
    return multipliers


def _branch_sets(options: pd.DataFrame, rules: FundingRules, units: IntArray, unit: int) -> BoolArray | None:
    """The funded sets under tier shares: the draws whose best set without them meets them keep it; the
    others by spend by class where it applies, else by one branch and bound shared by them (see the module).

    Returns None when its bound tables would pass ``MAX_SEARCH_CELLS`` or the search grows past
    ``MAX_BRANCH_NODES_PER_DRAW`` (the caller then solves each draw
    by the integer programme). Raises InfeasibleError when no set meets every rule.
    """
    relaxed_rules = rules.without_tier_shares()
    relaxed = _dp_sets(options, relaxed_rules, units, unit)
    rows = tier_rows(options, rules)
    meets = _meets_rows(relaxed, rows)
    picked = relaxed.copy()
    if meets.all():
        return picked
    # The best set under fewer rules meets them all: it is the funded set (the rule is a total order).
    rest = np.flatnonzero(~meets)
    units = units[rest]
    by_class = _class_sets(options, rules, units, unit, rows, np.unique(relaxed[meets], axis=0))
    if by_class is not None:
        picked[rest] = by_class
        return picked
    knapsack = _Knapsack.build(options, rules, unit, rows)
    if (len(knapsack.members) + 1) * len(rest) * (knapsack.capacity + 1) > MAX_SEARCH_CELLS:
        return None  # the bound tables would not fit in memory: the integer programme instead
    values = units.astype(np.float64) / BENEFIT_SCALE
    multipliers = _multipliers(knapsack, values, rows)
    priced = values + multipliers @ rows
    candidates = np.concatenate([relaxed, _dp_sets(options, relaxed_rules, benefit_units(priced), unit)])
    candidates = np.unique(candidates, axis=0)
    candidates = candidates[_meets_rows(candidates, rows)]
    pence = cost_pence(options["annual_cost_gbp"].to_numpy(dtype=np.float64))
    draws, n = units.shape
    floor = np.iinfo(np.int64).min // 4
    best_value = np.full(draws, floor, dtype=np.int64)
    best_cost = np.zeros(draws, dtype=np.int64)
    best_set = np.zeros((draws, n), dtype=bool)
    if len(candidates):
        value = units @ candidates.T.astype(np.int64)
        spend = candidates.astype(np.int64) @ pence
        choice = np.lexsort((spend[None, :].repeat(draws, 0), -value), axis=1)[:, 0]
        best_value, best_cost, best_set = value[np.arange(draws), choice], spend[choice], candidates[choice].copy()
    found = _search(knapsack, rows, units, priced, multipliers, pence, (best_value, best_cost, best_set))
    if found is None:
        return None
    if np.any(found[0] <= floor):
        raise InfeasibleError("no set of interventions satisfies every constraint")
    picked[rest] = found[2]
    return picked


Incumbents = tuple[IntArray, IntArray, BoolArray]


def _search(
    knapsack: _Knapsack,
    rows: FloatArray,
    units: IntArray,
    priced: FloatArray,
    multipliers: FloatArray,
    pence: IntArray,
    incumbents: Incumbents,
) -> Incumbents | None:
    """Depth-first over the interventions in the knapsack's order (each option, then none).

    A node keeps the draws whose Lagrangian bound reaches their incumbent's value; a complete set
    replaces a draw's incumbent when it has more value, or equal value and less cost, or equal
    value and cost and comes first in option order (the module's rule, whatever order sets are
    found in).
    """
    best_value, best_cost, best_set = incumbents[0].copy(), incumbents[1].copy(), incumbents[2].copy()
    draws, n = units.shape
    depth = len(knapsack.members)
    suffix = knapsack.layers(priced, every=True)
    # The most each row's surplus can still grow from intervention k on (ignoring the budget).
    room = np.zeros((depth + 1, rows.shape[0]))
    for k in range(depth - 1, -1, -1):
        gains = [rows[:, o] for o in knapsack.members[k]] + ([] if knapsack.must[k] else [np.zeros(rows.shape[0])])
        room[k] = room[k + 1] + (np.max(gains, axis=0) if gains else -np.inf)
    Node = tuple[int, int, FloatArray, tuple[int, ...], npt.NDArray[np.intp], IntArray]
    stack: list[Node] = [(0, 0, np.zeros(rows.shape[0]), (), np.arange(draws), np.zeros(draws, dtype=np.int64))]
    nodes = 0
    while stack:
        k, used, surplus, chosen, alive, value = stack.pop()
        nodes += 1
        if nodes > MAX_BRANCH_NODES_PER_DRAW * draws:
            return None
        if k == depth:
            current = np.zeros(n, dtype=bool)
            current[list(chosen)] = True
            spend = int(pence[current].sum())
            better = (value > best_value[alive]) | ((value == best_value[alive]) & (spend < best_cost[alive]))
            for t in np.flatnonzero((value == best_value[alive]) & (spend == best_cost[alive])):
                differs = np.flatnonzero(current != best_set[alive[t]])
                better[t] = bool(differs.size) and bool(current[differs[0]])
            winners = alive[better]
            best_value[winners], best_cost[winners], best_set[winners] = value[better], spend, current
            continue
        children: list[Node] = []
        for option in [*knapsack.members[k].tolist(), *([] if knapsack.must[k] else [-1])]:
            if option < 0:
                after, gained, worth, picked = used, surplus, value, chosen
            else:
                after = used + int(knapsack.cost_units[option])
                if after > knapsack.capacity:
                    continue
                gained, worth, picked = surplus + rows[:, option], value + units[alive, option], (*chosen, option)
            if np.any(gained + room[k + 1] < -TIER_TOLERANCE_GBP):
                continue
            bound = worth / BENEFIT_SCALE + multipliers[alive] @ gained + suffix[k + 1][alive, knapsack.capacity - after]
            # Floating-point slack: keep a draw unless the bound is clearly below its incumbent.
            keep = bound >= best_value[alive] / BENEFIT_SCALE - 1e-6 * (1.0 + np.abs(bound))
            if keep.any():
                children.append((k + 1, after, gained, picked, alive[keep], worth[keep]))
        stack.extend(reversed(children))
    return best_value, best_cost, best_set


# The integer programme ---------------------------------------------------------------------------

Row = tuple[str, csr_array, FloatArray, FloatArray]


@dataclass
class FundingModel:
    """The constraints of the 0-1 integer programme, built once and solved for any benefit vector."""

    rows: list[Row]
    lower: FloatArray
    upper: FloatArray
    cost: IntArray

    @classmethod
    def build(cls, options: pd.DataFrame, rules: FundingRules) -> FundingModel:
        n = len(options)
        cost = options["annual_cost_gbp"].to_numpy(dtype=np.float64)
        upper = allowed_options(options, rules).astype(np.float64)
        groups, group_of = np.unique(options["intervention"].to_numpy(dtype=str), return_inverse=True)
        must = np.isin(groups, list(rules.must_fund))
        # A group with one option needs no row: its variable's bounds say it all.
        sizes = np.bincount(group_of, minlength=len(groups))
        lower = np.where(must[group_of] & (sizes[group_of] == 1), upper, 0.0)
        multi = np.flatnonzero(sizes > 1)
        in_multi = np.isin(group_of, multi)
        row_of = np.searchsorted(multi, group_of[in_multi])
        one_each = csr_array((np.ones(int(in_multi.sum())), (row_of, np.flatnonzero(in_multi))), shape=(len(multi), n))
        rows: list[Row] = [
            ("budget", csr_array(cost.reshape(1, -1)), np.array([-np.inf]), np.array([rules.available_gbp])),
            ("one level each", one_each, must[multi].astype(np.float64), np.ones(len(multi))),
        ]
        for tier in tiers_of(options):
            tier_cost = cost * options[f"share_{tier}"].to_numpy(dtype=np.float64)
            low = rules.tier_min_share.get(tier, 0.0)
            high = rules.tier_max_share.get(tier, 1.0)
            if low > 0:
                rows.append(
                    (f"min {tier}", csr_array((tier_cost - low * cost).reshape(1, -1)), np.array([0.0]), np.array([np.inf]))
                )
            if high < 1:
                rows.append(
                    (f"max {tier}", csr_array((tier_cost - high * cost).reshape(1, -1)), np.array([-np.inf]), np.array([0.0]))
                )
        return cls(rows, lower, upper, cost_pence(cost))

    def with_budget(self, available_gbp: float) -> FundingModel:
        """The same model with another amount available to spend."""
        name, matrix, low, _ = self.rows[0]
        return FundingModel([(name, matrix, low, np.array([available_gbp])), *self.rows[1:]], self.lower, self.upper, self.cost)

    def _solve(
        self,
        objective: npt.ArrayLike,
        extra: list[Row],
        lower: FloatArray | None = None,
        upper: FloatArray | None = None,
        cutoff: float | None = None,
    ) -> BoolArray | None:
        rows = self.rows + extra
        x = minimise(
            objective,
            vstack([r[1] for r in rows]),
            np.concatenate([r[2] for r in rows]),
            np.concatenate([r[3] for r in rows]),
            self.lower if lower is None else lower,
            self.upper if upper is None else upper,
            cutoff=cutoff,
        )
        return None if x is None else np.asarray(np.round(x) > 0.5, dtype=bool)

    def feasible(self) -> bool:
        return self._solve(np.zeros(self.lower.size), []) is not None

    def best(self, units: IntArray) -> BoolArray | None:
        """The funded set for benefits in whole units (see the module's rule), or None if infeasible."""
        n = units.size
        first = self._solve(-units.astype(np.float64), [])
        if first is None:
            return None
        value = int(units[first].sum())
        at_value: Row = ("value", csr_array(units.astype(np.float64).reshape(1, -1)), np.array([value - 0.5]), np.array([np.inf]))

        def at_most(current: BoolArray) -> Row:
            spend = int(self.cost[current].sum())
            return "cost", csr_array(self.cost.astype(np.float64).reshape(1, -1)), np.array([-np.inf]), np.array([spend + 0.5])

        def differs(current: BoolArray) -> Row:
            """Any set that differs from ``current`` in at least one option."""
            sign = np.where(current, -1.0, 1.0)
            return "differs", csr_array(sign.reshape(1, -1)), np.array([1.0 - current.sum()]), np.array([np.inf])

        # The common case in two solves: no other set at no more cost reaches this value, so this one is the set.
        # Asked as a maximum with a cutoff half a unit below the value, so that HiGHS drops every branch that
        # cannot reach it (a row holding the value took several times as long).
        other = self._solve(-units.astype(np.float64), [at_most(first), differs(first)], cutoff=-(value - 0.5))
        if other is None or int(units[other].sum()) < value:
            return first
        cheapest = self._solve(self.cost.astype(np.float64), [at_value])
        current = first if cheapest is None else cheapest
        ties = [at_value, at_most(current)]
        # Is another set just as good? Ask for any set that differs from this one in at least one option.
        if self._solve(np.zeros(n), [*ties, differs(current)]) is None:
            return current
        # Several sets tie: fix the options in order, funding each one whenever some tied set does.
        lower, upper = self.lower.copy(), self.upper.copy()
        for position in range(n):
            if current[position]:
                lower[position] = 1.0
                continue
            if upper[position] == 0:
                continue
            trial = lower.copy()
            trial[position] = 1.0
            found = self._solve(np.zeros(n), ties, trial, upper)
            if found is None:
                upper[position] = 0.0
            else:
                current, lower = found, trial
        return current
