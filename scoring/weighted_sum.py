"""Weighted sum of 0-100 criterion values, with each criterion's contribution kept.

score_i = sum_c w_c * v_ic, where v_ic is intervention i's 0-100 value on criterion c
(100 = best: high impact, wide reach, low cost, low risk) and the weights w_c are the
commissioner's weights divided by their total, so they add up to 1 and the score is 0-100.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.criteria import CRITERIA, NORMALISATIONS, Normalisation
from scoring.errors import DecisionError

# Scores closer than this are treated as tied, so float noise never decides a rank.
TIE_TOLERANCE = 1e-9


class WeightsError(DecisionError):
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
    with np.errstate(over="ignore"):
        total = raw.sum()
    if not np.isfinite(total):
        raise WeightsError("the weights are too large to add up; use weights from 0 to 100")
    if total <= 0:
        raise WeightsError("all weights are zero: give at least one criterion a weight above zero")
    return pd.Series(raw / total, index=list(criteria), name="weight")


def weighted_sum_kernel(values: npt.NDArray[np.float64], weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Bare kernel, no checks: values (n x m) @ weights (m,) or (m x k) for k weight vectors."""
    return np.asarray(values @ weights, dtype=np.float64)


def minmax_rescale(values: pd.DataFrame, reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rescale each column to 0-100 so the lowest row of ``reference`` (default: ``values`` itself)
    scores 0 and the highest 100; a column that does not vary in the reference scores 100. Rows of
    ``values`` outside the reference's range are kept within 0-100."""
    base = (values if reference is None else reference).to_numpy(dtype=np.float64)
    low = base.min(axis=0)
    span = base.max(axis=0) - low
    varies = span > 0
    raw = values.to_numpy(dtype=np.float64)
    rescaled = np.where(varies, (raw - low) / np.where(varies, span, 1.0) * 100.0, 100.0)
    return pd.DataFrame(np.clip(rescaled, 0.0, 100.0), index=values.index, columns=values.columns)


def rank_scores(scores: pd.Series) -> pd.Series:
    """Competition ranks (1, 2, 2, 4): higher score ranks first; equal scores share a rank.

    Scores within TIE_TOLERANCE of the next higher one count as equal. The result is in
    display order: by score, then by id within a tie, so the same inputs always give the
    same order.
    """
    order, ranks = _ranking(scores.to_numpy(dtype=np.float64), scores.index)
    return pd.Series(ranks, index=scores.index[order], name="rank")


def _ranking(values: npt.NDArray[np.float64], ids: pd.Index) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]]:
    """Display order (positions) and the competition rank at each place in that order."""
    if values.size == 0:
        return np.arange(0), np.arange(0, dtype=np.int64)
    order = np.lexsort((np.asarray(ids, dtype=str), -values))
    ordered = values[order]
    starts_group = np.ones(values.size, dtype=bool)
    starts_group[1:] = (ordered[:-1] - ordered[1:]) > TIE_TOLERANCE
    positions = np.arange(1, values.size + 1, dtype=np.int64)
    return order, np.maximum.accumulate(np.where(starts_group, positions, 0))


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
    order: npt.NDArray[np.intp]

    def table(self) -> pd.DataFrame:
        """One row per intervention in rank order: rank, score, values, contributions."""
        rows = self.order
        columns = {"rank": self.ranks.to_numpy(), "score": self.scores.to_numpy()[rows]}
        values = self.values.to_numpy()[rows]
        contributions = self.contributions.to_numpy()[rows]
        for j, criterion in enumerate(self.values.columns):
            columns[criterion] = values[:, j]
        for j, criterion in enumerate(self.values.columns):
            columns[f"contribution_{criterion}"] = contributions[:, j]
        return pd.DataFrame(columns, index=self.ranks.index)

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
    matrix = values.to_numpy(dtype=np.float64)
    weight_vector = normalised.to_numpy()
    totals = weighted_sum_kernel(matrix, weight_vector)
    order, ranks = _ranking(totals, values.index)
    return ScoreResult(
        values=values,
        weights=normalised,
        contributions=pd.DataFrame(matrix * weight_vector, index=values.index, columns=values.columns),
        scores=pd.Series(totals, index=values.index, name="score"),
        ranks=pd.Series(ranks, index=values.index[order], name="rank"),
        normalisation=normalisation,
        order=order,
    )
