"""Value functions: turn a raw attribute (people reached, pounds, % less violence) into 0-100.

The anchors come from the catalogue, so the mapping is data; this module only evaluates
and describes it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PiecewiseLinear:
    """Straight lines between anchor points ``(x, value)``, flat beyond the end anchors.

    With ``log_scale`` the lines are straight in log10(x), which suits counts and costs that
    span several orders of magnitude (16 people to 80,000; GBP 5k to GBP 500k). The value
    may rise or fall with x; which direction is better is the anchors' business.
    """

    xs: tuple[float, ...]
    values: tuple[float, ...]
    log_scale: bool = False

    def __post_init__(self) -> None:
        if len(self.xs) < 2 or len(self.xs) != len(self.values):
            raise ValueError("a value function needs at least two (x, value) anchors")
        if any(b <= a for a, b in pairwise(self.xs)):
            raise ValueError("anchor x values must strictly increase")
        if self.log_scale and self.xs[0] <= 0:
            raise ValueError("a log-scale value function needs anchors above zero")

    @classmethod
    def from_points(cls, points: Sequence[Sequence[float]], log_scale: bool = False) -> PiecewiseLinear:
        """Build from ``[[x, value], ...]`` as written in the catalogue."""
        return cls(tuple(float(p[0]) for p in points), tuple(float(p[1]) for p in points), log_scale)

    def __call__(self, x: npt.ArrayLike) -> FloatArray:
        """Evaluate at x (scalar or array); values outside the anchors take the end value."""
        raw = np.asarray(x, dtype=np.float64)
        if self.log_scale:
            # Anything at or below zero sits at the first anchor's value.
            raw = np.log10(np.maximum(raw, self.xs[0]))
            xs = np.log10(np.asarray(self.xs))
        else:
            xs = np.asarray(self.xs)
        return np.asarray(np.interp(raw, xs, np.asarray(self.values)), dtype=np.float64)

    @property
    def increasing(self) -> bool:
        """True when more of the attribute scores higher."""
        return self.values[-1] >= self.values[0]

    def step_per_tenfold(self) -> float | None:
        """For a two-anchor log scale: points gained (or lost) for each tenfold rise in x."""
        if not self.log_scale or len(self.xs) != 2:
            return None
        decades = math.log10(self.xs[1]) - math.log10(self.xs[0])
        return (self.values[1] - self.values[0]) / decades
