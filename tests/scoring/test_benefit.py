"""The one benefit rule: cost left out unless asked, weights renormalised, many weight rows at once."""

from __future__ import annotations

import numpy as np
import pytest

from scoring import WeightsError, benefit_weights, option_benefits


def test_benefit_leaves_cost_out_unless_asked() -> None:
    """40/20/20/20 becomes 50/25/0/25 without cost and stays 40/20/20/20 with it."""
    weights = np.array([40.0, 20.0, 20.0, 20.0])
    assert benefit_weights(weights, include_cost=False) == pytest.approx([0.5, 0.25, 0.0, 0.25])
    assert benefit_weights(weights, include_cost=True) == pytest.approx([0.4, 0.2, 0.2, 0.2])
    with pytest.raises(WeightsError, match="with cost left out of the benefit"):
        benefit_weights(np.array([0.0, 0.0, 10.0, 0.0]), include_cost=False)


def test_benefit_of_options_for_one_and_many_weight_rows() -> None:
    """Values (80, 40, 10, 60) with 40/20/20/20: 0.5*80 + 0.25*40 + 0.25*60 = 65; the same for each of many rows."""
    values = np.array([[80.0, 40.0, 10.0, 60.0], [0.0, 100.0, 100.0, 0.0]])
    one = option_benefits(values, np.array([40.0, 20.0, 20.0, 20.0]), include_cost=False)
    assert one == pytest.approx([65.0, 25.0])
    many = option_benefits(values, np.array([[40.0, 20.0, 20.0, 20.0], [0.0, 1.0, 1.0, 0.0]]), include_cost=True)
    assert many.shape == (2, 2)
    assert many[0] == pytest.approx([0.4 * 80 + 0.2 * 40 + 0.2 * 10 + 0.2 * 60, 40.0])
    assert many[1] == pytest.approx([25.0, 100.0])
