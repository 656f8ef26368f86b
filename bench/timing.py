"""Timing helper shared by the benchmarks (timeit's timer, one call per measurement)."""

from __future__ import annotations

import statistics
import timeit
from collections.abc import Callable


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``run`` over ``repeats`` calls, after one warm-up call."""
    run()
    return statistics.median(timeit.repeat(run, repeat=repeats, number=1))
