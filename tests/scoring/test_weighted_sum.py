"""The weighted sum: golden cases, weight rules, ties, laws, and cross-checks with pymcdm."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymcdm import normalizations
from pymcdm.methods import WSM

from matrix.decision import DecisionProblem
from scoring import CRITERIA, WeightsError, minmax_rescale, normalise_weights, rank_scores, score, weighted_sum_kernel
from tests.strategies import values_matrix, weight_vectors

VALUES = pd.DataFrame(
    {"impact": [80.0, 40.0, 60.0], "reach": [20.0, 90.0, 50.0], "cost": [50.0, 50.0, 100.0], "risk": [70.0, 30.0, 0.0]},
    index=["a", "b", "c"],
)


def test_golden_weighted_sum() -> None:
    """Weights 40/20/20/20: a = .4*80+.2*20+.2*50+.2*70 = 60; b = 16+18+10+6 = 50; c = 24+10+20+0 = 54."""
    result = score(VALUES, {"impact": 40, "reach": 20, "cost": 20, "risk": 20})
    assert result.scores.to_dict() == pytest.approx({"a": 60.0, "b": 50.0, "c": 54.0})
    assert list(result.ranks.index) == ["a", "c", "b"]
    assert result.ranks.tolist() == [1, 2, 3]
    assert result.contributions.loc["a"].tolist() == pytest.approx([32.0, 4.0, 10.0, 14.0])


def test_contributions_add_up_to_the_score() -> None:
    """Each row of contributions sums to that intervention's score."""
    result = score(VALUES, {"impact": 3, "reach": 1, "cost": 0, "risk": 2})
    pd.testing.assert_series_equal(result.contributions.sum(axis=1), result.scores, check_names=False)


def test_weights_are_normalised_to_one() -> None:
    """Raw weights 40/20/20/20 become 0.4/0.2/0.2/0.2; a missing criterion weighs 0."""
    assert normalise_weights({"impact": 40, "reach": 20, "cost": 20, "risk": 20}).tolist() == pytest.approx([0.4, 0.2, 0.2, 0.2])
    assert normalise_weights({"impact": 1}).tolist() == [1.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (
            {"impact": 0, "reach": 0, "cost": 0, "risk": 0},
            "all weights are zero: give at least one criterion a weight above zero",
        ),
        ({"impact": -1, "reach": 2}, "weights cannot be negative (impact)"),
        ({"impact": float("nan")}, "every weight must be a number"),
        ({"impcat": 1}, "unknown criterion impcat; the criteria are impact, reach, cost, risk"),
    ],
)
def test_unusable_weights_get_a_message(weights: dict[str, float], message: str) -> None:
    """All-zero, negative, NaN and misspelt weights raise WeightsError with a message in words."""
    with pytest.raises(WeightsError) as caught:
        score(VALUES, weights)
    assert str(caught.value) == message


def test_ties_share_a_rank_and_are_ordered_by_id() -> None:
    """Equal scores get the same competition rank (1, 1, 3) and are listed by id."""
    scores = pd.Series({"zeta": 50.0, "alpha": 50.0, "mid": 40.0})
    ranks = rank_scores(scores)
    assert list(ranks.index) == ["alpha", "zeta", "mid"]
    assert ranks.tolist() == [1, 1, 3]


def test_float_noise_does_not_break_a_tie() -> None:
    """Scores equal up to rounding noise (0.1 + 0.2 vs 0.3) tie."""
    ranks = rank_scores(pd.Series({"b": 0.1 + 0.2, "a": 0.3}))
    assert ranks.tolist() == [1, 1]


def test_kernel_scores_many_weight_vectors_at_once() -> None:
    """One matrix product scores k weight vectors; column j equals scoring with weights j alone."""
    rng = np.random.default_rng(7)
    weights = rng.dirichlet(np.ones(4), size=5).T
    many = weighted_sum_kernel(VALUES.to_numpy(), weights)
    for j in range(5):
        single = score(VALUES, dict(zip(CRITERIA, weights[:, j], strict=True))).scores
        assert many[:, j] == pytest.approx(single.to_numpy())


def test_minmax_rescales_each_criterion_to_0_100() -> None:
    """Min-max: lowest 0, highest 100 per criterion; a constant criterion scores 100 throughout."""
    rescaled = minmax_rescale(VALUES)
    assert rescaled["impact"].tolist() == pytest.approx([100.0, 0.0, 50.0])
    assert rescaled["cost"].tolist() == pytest.approx([0.0, 0.0, 100.0])
    constant = minmax_rescale(pd.DataFrame({"x": [5.0, 5.0]}))
    assert constant["x"].tolist() == [100.0, 100.0]


def test_unknown_normalisation_is_refused() -> None:
    """A normalisation name that does not exist is refused, listing the real ones."""
    with pytest.raises(ValueError, match="value_functions, minmax"):
        score(VALUES, {"impact": 1}, normalisation="zscore")  # type: ignore[arg-type]


def test_matches_pymcdm_on_the_shipped_catalogue(problem: DecisionProblem) -> None:
    """pymcdm's WSM on the same 0-100 values (scaled to 0-1, no re-normalisation) gives the same scores."""
    weights = np.array([0.4, 0.2, 0.2, 0.2])
    ours = score(problem.values, dict(zip(CRITERIA, weights, strict=True))).scores.to_numpy()
    peer = WSM(normalization_function=lambda column, cost: column / 100.0)(problem.values.to_numpy(), weights, np.ones(4))
    assert ours / 100 == pytest.approx(peer, abs=1e-12)


def test_minmax_matches_pymcdm_minmax(problem: DecisionProblem) -> None:
    """With min-max normalisation pinned on both sides, scores and ranking agree with pymcdm."""
    weights = np.array([0.25, 0.35, 0.1, 0.3])
    ours = score(problem.values, dict(zip(CRITERIA, weights, strict=True)), normalisation="minmax")
    peer = WSM(normalizations.minmax_normalization)(problem.values.to_numpy(), weights, np.ones(4))
    assert ours.scores.to_numpy() / 100 == pytest.approx(peer, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(values_matrix, weight_vectors, st.integers(0, 11), st.floats(0, 100, allow_nan=False))
def test_raising_impact_never_lowers_the_score(values: pd.DataFrame, weights: tuple[float, ...], row: int, extra: float) -> None:
    """Raising one intervention's impact value never lowers its score or worsens its rank."""
    row %= len(values)
    ident = values.index[row]
    before = score(values, dict(zip(CRITERIA, weights, strict=True)))
    raised = values.copy()
    raised.loc[ident, "impact"] = min(100.0, raised.loc[ident, "impact"] + extra)
    after = score(raised, dict(zip(CRITERIA, weights, strict=True)))
    assert after.scores[ident] >= before.scores[ident] - 1e-9
    assert after.ranks[ident] <= before.ranks[ident]


@settings(max_examples=150, deadline=None)
@given(values_matrix, weight_vectors, st.floats(0.01, 1000, allow_nan=False))
def test_scaling_all_weights_leaves_ranks_unchanged(values: pd.DataFrame, weights: tuple[float, ...], factor: float) -> None:
    """Multiplying every weight by the same positive factor changes no score and no rank."""
    base = score(values, dict(zip(CRITERIA, weights, strict=True)))
    scaled = score(values, {c: w * factor for c, w in zip(CRITERIA, weights, strict=True)})
    assert scaled.scores.to_numpy() == pytest.approx(base.scores.to_numpy())
    assert scaled.ranks.to_dict() == base.ranks.to_dict()


@settings(max_examples=150, deadline=None)
@given(values_matrix, weight_vectors, st.sampled_from(CRITERIA), st.floats(0, 100, allow_nan=False))
def test_a_zero_weight_criterion_changes_nothing(
    values: pd.DataFrame, weights: tuple[float, ...], criterion: str, new: float
) -> None:
    """With a criterion weighted 0, changing its values changes no score."""
    chosen = dict(zip(CRITERIA, weights, strict=True)) | {criterion: 0.0}
    if sum(chosen.values()) <= 1e-6:
        return
    changed = values.copy()
    changed[criterion] = new
    assert score(changed, chosen).scores.to_numpy() == pytest.approx(score(values, chosen).scores.to_numpy())
