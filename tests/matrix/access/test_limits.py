"""The limit on guessing workshop links, on a clock the test controls."""

from __future__ import annotations

import pytest

from matrix.access import AttemptLimiter, TooManyAttempts
from matrix.decision import look_alike_names, name_skeleton


def test_five_failures_a_minute_then_wait() -> None:
    now = [1000.0]
    limiter = AttemptLimiter(attempts=5, window=60, clock=lambda: now[0])
    for _ in range(5):
        limiter.check("10.0.0.1")
        limiter.failed("10.0.0.1")
    with pytest.raises(TooManyAttempts, match="wait 60 seconds"):
        limiter.check("10.0.0.1")
    limiter.check("10.0.0.2")  # another client is not slowed
    now[0] += 30
    with pytest.raises(TooManyAttempts, match="wait 30 seconds"):
        limiter.check("10.0.0.1")
    now[0] += 30.5
    limiter.check("10.0.0.1")  # the window has passed


def test_look_alike_names_are_grouped() -> None:
    names = ["Ann", "ann ", "A\u00a0nn", "\u0410nn", "Bob", "B0b", "José", "Jose", "Kim", "Kit"]
    assert look_alike_names(names) == [("Ann", "ann ", "A\u00a0nn", "\u0410nn"), ("Bob", "B0b"), ("José", "Jose")]
    assert name_skeleton("Ann") != name_skeleton("Anne")
