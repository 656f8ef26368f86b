"""Weighted sum of 0-100 criterion values, with each criterion's contribution kept.

score_i = sum_c w_c * v_ic, where v_ic is intervention i's 0-100 value on criterion c
(100 = best: high impact, wide reach, low cost, low risk) and the weights w_c are the
commissioner's weights divided by their total, so they add up to 1 and the score is 0-100.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

CRITERIA: tuple[str, ...] = ("impact", "reach", "cost", "risk")

Normalisation = Literal["value_functions", "minmax"]
NORMALISATIONS: dict[str, str] = {
    "value_functions": "0-100 values from the catalogue's value functions, used as they are",
    "minmax": "each criterion rescaled so the lowest of the interventions shown scores 0 "
    "and the highest 100 across the catalogue (rankings then depend on which interventions are in it)",
}

# Scores closer than this are treated as tied, so float noise never decides a rank.
TIE_TOLERANCE = 1e-9


class WeightsError(ValueError):
    """Weights that cannot be normalised: negative, not numbers, or all zero."""


def normalise_weights(weights: Mapping[str, float], criteria: tuple[str, ...] = CRITERIA) -> pd.Series:
    """Weights divided by their total (they then add up to 1), in criteria order.

    A criterion missing from ``weights`` gets 0. Raises WeightsError, in words, for
    negative or non-finite weights, unknown criteria and all-zero weights.
    """
    unknown = sorted(set(weights) - set(criteria))
    if unknown:
        raise WeightsError(f"unknown criterion {', '.join(unknown)}; the criteria are {', '.join(criteria)}")
    raw = np.array([float(weights.get(c, 0.0)) for c in criteria])
    if not np.all(np.isfinite(raw)):
        raise WeightsError("every weight must be a number")
    negative = [c for c, w in zip(criteria, raw, strict=True) if w < 0]
    if negative:
        raise WeightsError(f"weights cannot be negative ({', '.join(negative)})")
    total = raw.sum()
    if total <= 0:
        raise WeightsError("all weights are zero: give at least one criterion a weight above zero")
    return pd.Series(raw / total, index=list(criteria), name="weight")


def weighted_sum_kernel(values: npt.NDArray[np.float64], weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Bare kernel, no checks: values (n x m) @ weights (m,) or (m x k) for k weight vectors."""
    return np.asarray(values @ weights, dtype=np.float64)


def minmax_rescale(values: pd.DataFrame) -> pd.DataFrame:
    """Rescale each column to 0-100 across the rows given; a constant column scores 100."""
    raw = values.to_numpy(dtype=np.float64)
    low = raw.min(axis=0)
    span = raw.max(axis=0) - low
    varies = span > 0
    rescaled = np.where(varies, (raw - low) / np.where(varies, span, 1.0) * 100.0, 100.0)
    return pd.DataFrame(rescaled, index=values.index, columns=values.columns)


def rank_scores(scores: pd.Series) -> pd.Series:
    """Competition ranks (1, 2, 2, 4): higher score ranks first; equal scores share a rank.

    Scores within TIE_TOLERANCE of each other count as equal. Display order within a tie
    is by id, so the same inputs always give the same order.
    """
    order = sorted(scores.index, key=lambda i: (-float(scores[i]), str(i)))
    ranks: dict[object, int] = {}
    previous: float | None = None
    for position, ident in enumerate(order, start=1):
        value = float(scores[ident])
        if previous is None or abs(previous - value) > TIE_TOLERANCE:
            current_rank = position
        previous = value
        ranks[ident] = current_rank
    return pd.Series(ranks, name="rank").reindex(order).astype(int)


@dataclass(frozen=True)
class ScoreResult:
    """Everything needed to say how each score was reached, as tidy tables indexed by id.

    ``values``: 0-100 value per criterion (after normalisation); ``weights``: normalised
    weights adding up to 1; ``contributions``: weight x value, per criterion, adding up to
    ``scores``; ``ranks``: competition ranks, in display order.
    """

    values: pd.DataFrame
    weights: pd.Series
    contributions: pd.DataFrame
    scores: pd.Series
    ranks: pd.Series
    normalisation: Normalisation

    def table(self) -> pd.DataFrame:
        """One row per intervention in rank order: rank, score, values, contributions."""
        order = self.ranks.index
        contributions = self.contributions.loc[order].add_prefix("contribution_")
        return pd.concat(
            [self.ranks, self.scores.loc[order].rename("score"), self.values.loc[order], contributions],
            axis=1,
        )

    @property
    def method(self) -> str:
        """Plain-words statement of the method and normalisation, for records and screens."""
        return f"weighted sum; normalisation: {NORMALISATIONS[self.normalisation]}"


def score(
    values: pd.DataFrame,
    weights: Mapping[str, float],
    normalisation: Normalisation = "value_functions",
) -> ScoreResult:
    """Weighted-sum scores (0-100, higher is better) with contributions and ranks.

    ``values`` holds one row per intervention and one 0-100 column per criterion in
    CRITERIA, 100 being best. Raises WeightsError for unusable weights.
    """
    criteria = tuple(values.columns)
    normalised = normalise_weights(weights, criteria)
    if normalisation == "minmax":
        values = minmax_rescale(values)
    elif normalisation != "value_functions":
        raise ValueError(f"unknown normalisation {normalisation!r}; choose one of {', '.join(NORMALISATIONS)}")
    contributions = values * normalised.to_numpy()
    totals = pd.Series(
        weighted_sum_kernel(values.to_numpy(dtype=np.float64), normalised.to_numpy()),
        index=values.index,
        name="score",
    )
    return ScoreResult(
        values=values,
        weights=normalised,
        contributions=contributions,
        scores=totals,
        ranks=rank_scores(totals),
        normalisation=normalisation,
    )
