"""The one way the app caches an analysis: a problem is keyed by its catalogue's SHA-256, a scenario by its JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from matrix.decision import DecisionProblem, Scenario

F = TypeVar("F", bound=Callable[..., Any])

HASH_FUNCS: dict[str | type[Any], Callable[[Any], Any]] = {
    DecisionProblem: lambda problem: problem.sha256,
    Scenario: lambda scenario: scenario.model_dump_json(),
}


def cached(max_entries: int, spinner: str | bool = False) -> Callable[[F], F]:
    """``st.cache_data`` keyed as above; results are copied out, so callers may change them."""
    decorator = st.cache_data(max_entries=max_entries, show_spinner=spinner, hash_funcs=HASH_FUNCS)
    return decorator  # type: ignore[return-value]  # CachedFunc keeps the signature; F says so to callers
