"""The app's cache keys: a scenario change or a catalogue change is never answered from another's entry."""

from __future__ import annotations

import dataclasses

from matrix.decision import DecisionProblem, Scenario, default_scenario
from ui.caching import cached

calls: list[tuple[str, float]] = []


@cached(max_entries=8)
def _budget_seen(problem: DecisionProblem, scenario: Scenario) -> float:
    calls.append((problem.sha256, scenario.budget_gbp))
    return scenario.budget_gbp


def test_cache_keys_follow_the_scenario_and_the_catalogue(problem: DecisionProblem) -> None:
    """Same problem and scenario: one computation; another budget or another catalogue hash: a new one."""
    _budget_seen.clear()
    calls.clear()
    first = default_scenario(problem).model_copy(update={"budget_gbp": 880_000})
    assert _budget_seen(problem, first) == 880_000
    assert _budget_seen(problem, Scenario.model_validate_json(first.model_dump_json())) == 880_000
    assert len(calls) == 1
    assert _budget_seen(problem, first.model_copy(update={"budget_gbp": 500_000})) == 500_000
    other = dataclasses.replace(problem, sha256="0" * 64)
    assert _budget_seen(other, first) == 880_000
    assert calls == [(problem.sha256, 880_000), (problem.sha256, 500_000), ("0" * 64, 880_000)]
