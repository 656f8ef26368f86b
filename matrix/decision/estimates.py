"""How much of each score rests on estimates, and which estimates are worth confirming first.

A criterion's value *rests on an estimate* when any figure behind it is illustrative (our estimate),
unconfirmed (found in no source) or missing (no YEF strand, so the impact is the "unknown" value).
The estimated share of a score is the part of it, at the current weights, that comes from such
values: the sum of their contributions over the score. The funded set's share is the same over the
benefit of every funded option.

Which estimates matter is worked out one figure at a time, exactly: each estimated value is moved to
the two ends of its stated uncertainty (the catalogue's ``[uncertainty]`` standard deviation, two
either side, kept within 0-100, on the scale the Monte Carlo uses) and the top five and the funded set
are worked out again at both ends. A score is linear in the value, and the best funded set's benefit is
the largest of functions linear in it, so the set of values that keeps a top five or a funded set is an
interval: when both ends give the same answer, every value between them does too. Figures moved
together are the Monte Carlo's work (the funding probabilities), not this one's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matrix.catalogue import PROVENANCE_KEYWORDS, UNCONFIRMED
from matrix.decision.analysis import FundingSolver
from matrix.decision.problem import NO_RATING, DecisionProblem
from matrix.decision.scenario import Scenario, ScenarioResult
from scoring import ScoreResult, benefit_weights, normalise_weights, rank_scores

# How far either side of a value its stated uncertainty reaches, in standard deviations (about 95% of
# the Monte Carlo's draws of that value fall within two).
UNCERTAINTY_WIDTH_SD = 2.0
# How many figures the short list "confirm these figures first" names at most.
CONFIRM_FIRST_LIMIT = 10


def estimated_shares(problem: DecisionProblem, result: ScoreResult) -> pd.Series:
    """Per intervention (``result``'s index), the share 0-1 of its score that rests on estimates at
    ``result``'s weights; 0 when the score is 0 (nothing of it rests on anything)."""
    flags = problem.estimated.reindex(index=result.contributions.index, columns=result.contributions.columns)
    contributions = result.contributions.to_numpy(dtype=np.float64)
    estimated = (contributions * flags.to_numpy(dtype=bool)).sum(axis=1)
    totals = contributions.sum(axis=1)
    shares = np.divide(estimated, totals, out=np.zeros_like(totals), where=totals > 0)
    return pd.Series(np.clip(shares, 0.0, 1.0), index=result.contributions.index, name="estimated_share")


def funded_estimated_share(evaluated: ScenarioResult) -> float:
    """The share 0-1 of the funded set's total benefit that rests on estimates (0 when it funds nothing
    of benefit)."""
    chosen = evaluated.optimum.chosen
    if chosen.empty:
        return 0.0
    scenario = evaluated.scenario
    criteria = [c for c in chosen.columns if f"estimated_{c}" in chosen.columns]
    cost = criteria.index(evaluated.cost_criterion) if evaluated.cost_criterion in criteria else None
    weights = benefit_weights([scenario.weights[c] for c in criteria], scenario.include_cost, cost)
    values = chosen[criteria].to_numpy(dtype=np.float64)
    flags = chosen[[f"estimated_{c}" for c in criteria]].to_numpy(dtype=bool)
    total = float((values * weights).sum())
    return min(1.0, float((values * weights * flags).sum()) / total) if total > 0 else 0.0


@dataclass(frozen=True)
class _Figure:
    intervention: str
    criterion: str
    kind: str
    low: float
    high: float


def _kind(provenance: str) -> str:
    """The estimate a value rests on, in words: illustrative, unconfirmed or no YEF rating."""
    parts = [p.strip() for p in provenance.split(";")]
    return next((kind for kind in (*PROVENANCE_KEYWORDS, NO_RATING) if kind in parts), UNCONFIRMED)


def _top(values: np.ndarray, weights: np.ndarray, ids: pd.Index, k: int) -> frozenset[str]:
    """The first k ids by score, in the ranking's display order (its tie rule)."""
    return frozenset(str(i) for i in rank_scores(pd.Series(values @ weights, index=ids)).index[:k])


def _funded(picked: np.ndarray, options: pd.DataFrame) -> dict[str, str]:
    """Intervention id -> funded level label, for one row of funded options."""
    rows = options[picked]
    return dict(zip(rows["intervention"].astype(str), rows["level_label"].astype(str), strict=True))


def _names(ids: list[str], names: dict[str, str]) -> str:
    words = [names[i] for i in ids]
    return "; ".join(words)


def _funding_words(before: dict[str, str], after: dict[str, str], names: dict[str, str]) -> tuple[int, str]:
    """How many interventions a funded set change touches, and the change in words."""
    stop = [i for i in before if i not in after]
    start = [i for i in after if i not in before]
    level = [i for i in before if i in after and before[i] != after[i]]
    words = []
    if start:
        words.append(f"the funded set would take in {_names(start, names)}")
    if stop:
        words.append(f"{'in place of' if start else 'the funded set would drop'} {_names(stop, names)}")
    if level:
        changes = [f"{names[i]} from {before[i]} to {after[i]}" for i in level]
        words.append(f"{'and would change' if words else 'the funded set would change'} the level of {'; '.join(changes)}")
    return len(stop) + len(start) + len(level), " ".join(words)


def _top_words(before: frozenset[str], after: frozenset[str], names: dict[str, str], k: int) -> tuple[int, str]:
    enter = sorted(after - before, key=list(names).index)
    leave = sorted(before - after, key=list(names).index)
    if not enter:
        return 0, ""
    return len(enter), f"{_names(enter, names)} would enter the top {k} in place of {_names(leave, names)}"


FIGURE_ROWS = 256  # rows of option benefits solved at once, between progress reports


def figures_to_confirm(
    problem: DecisionProblem, scenario: Scenario, k: int = 5, progress: Callable[[int, int], None] | None = None
) -> pd.DataFrame:
    """Every estimated value of the scenario's interventions with what it could change within its
    stated uncertainty: the funded set and the top ``k``, at either end, ranked by how much of the
    decision it could move (interventions whose funding changes, then places in the top ``k``, then how
    far the value can move its own score). Columns are documented in the README. ``progress(done, total)``
    hears of each part of the exact solves (``FIGURE_ROWS`` rows each) done."""
    names = problem.names
    values = problem.criterion_values(scenario.normalisation)
    ids = values.index
    criteria = list(problem.criteria)
    weights = normalise_weights(scenario.weights.as_dict(), problem.criteria).reindex(criteria).to_numpy(dtype=np.float64)
    base_values = values[criteria].to_numpy(dtype=np.float64)
    estimated = problem.estimated.reindex(index=ids)[criteria].to_numpy(dtype=bool)
    spread = problem.spread.reindex(index=ids)[criteria].to_numpy(dtype=np.float64)
    position = {str(ident): row for row, ident in enumerate(ids)}
    figures: list[_Figure] = []
    for row, ident in enumerate(ids):
        for column, criterion in enumerate(criteria):
            if not estimated[row, column]:
                continue
            value = base_values[row, column]
            sd = spread[row, column]
            figures.append(
                _Figure(
                    str(ident),
                    criterion,
                    _kind(str(problem.provenance.at[ident, criterion])),
                    max(0.0, value - UNCERTAINTY_WIDTH_SD * sd),
                    min(100.0, value + UNCERTAINTY_WIDTH_SD * sd),
                )
            )
    columns = [
        "id",
        "name",
        "criterion",
        "figure",
        "kind",
        "value",
        "low",
        "high",
        "score_swing",
        "changes_funded_set",
        f"changes_top_{k}",
        "funded_moves",
        "top_moves",
        "if_lower",
        "if_higher",
    ]
    if not figures:
        return pd.DataFrame(columns=columns)
    solver = FundingSolver.for_scenario(problem, scenario)
    options = solver.options
    option_values = options[criteria].to_numpy(dtype=np.float64)
    bw = benefit_weights(weights, scenario.include_cost, problem.cost_position)
    base_benefits = option_values @ bw
    # Two rows of option benefits per figure: the value at its low end, then at its high end.
    rows = np.repeat(base_benefits[None, :], 2 * len(figures), axis=0)
    belongs = options["intervention"].astype(str).to_numpy()
    for n, figure in enumerate(figures):
        column = criteria.index(figure.criterion)
        mine = (belongs == figure.intervention) & options[f"estimated_{figure.criterion}"].to_numpy(dtype=bool)
        for end, target in enumerate((figure.low, figure.high)):
            # The intervention's value moves to the end; its options' values move by the same amount.
            shift = target - base_values[position[figure.intervention], column]
            moved = np.clip(option_values[mine, column] + shift, 0.0, 100.0)
            rows[2 * n + end, mine] += (moved - option_values[mine, column]) * bw[column]
    stacked = np.vstack([base_benefits[None, :], rows])
    parts = range(0, len(stacked), FIGURE_ROWS)
    solved = []
    for done, first in enumerate(parts, start=1):
        solved.append(solver.solve(stacked[first : first + FIGURE_ROWS]))
        if progress is not None:
            progress(done, len(parts))
    picked = np.vstack(solved)
    funded_now = _funded(picked[0], options)
    top_now = _top(base_values, weights, ids, k)
    out = []
    for n, figure in enumerate(figures):
        row = position[figure.intervention]
        column = criteria.index(figure.criterion)
        value = base_values[row, column]
        moves = {"funded": 0, "top": 0}
        words = []
        for end, target in enumerate((figure.low, figure.high)):
            moved = base_values.copy()
            moved[row, column] = target
            funded_moves, funded_words = _funding_words(funded_now, _funded(picked[1 + 2 * n + end], options), names)
            top_moves, top_words = _top_words(top_now, _top(moved, weights, ids, k), names, k)
            moves = {"funded": max(moves["funded"], funded_moves), "top": max(moves["top"], top_moves)}
            words.append("; ".join(w for w in (funded_words, top_words) if w))
        out.append(
            {
                "id": figure.intervention,
                "name": names[figure.intervention],
                "criterion": figure.criterion,
                "figure": f"{problem.criterion_words(figure.criterion)}: "
                f"{problem.inputs.at[figure.intervention, figure.criterion]!s}",
                "kind": figure.kind,
                "value": round(value, 2),
                "low": round(figure.low, 2),
                "high": round(figure.high, 2),
                "score_swing": round((figure.high - figure.low) * weights[column], 2),
                "changes_funded_set": moves["funded"] > 0,
                f"changes_top_{k}": moves["top"] > 0,
                "funded_moves": moves["funded"],
                "top_moves": moves["top"],
                "if_lower": words[0],
                "if_higher": words[1],
            }
        )
    table = pd.DataFrame(out, columns=columns)
    return table.sort_values(["funded_moves", "top_moves", "score_swing"], ascending=False, kind="stable", ignore_index=True)


def confirm_first(figures: pd.DataFrame, limit: int = CONFIRM_FIRST_LIMIT) -> pd.DataFrame:
    """The short list: the figures (already ranked) that could change the funded set or the top five."""
    could = figures[(figures["funded_moves"] > 0) | (figures["top_moves"] > 0)]
    return could.head(limit).reset_index(drop=True)


def confirm_first_lines(figures: pd.DataFrame, limit: int = CONFIRM_FIRST_LIMIT) -> list[str]:
    """The short list in sentences, for the audit output and the board report."""
    lines = []
    for row in confirm_first(figures, limit).itertuples(index=False):
        effects = [f"If {end}, {words!s}." for end, words in (("lower", row.if_lower), ("higher", row.if_higher)) if words]
        lines.append(f"{row.name!s}, {row.figure!s} ({row.kind!s}). " + " ".join(effects))
    return lines
