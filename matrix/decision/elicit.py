"""Swings for swing weighting, from the catalogue: each criterion's worst and best value among the
interventions, with the raw inputs behind them, on the scale the scores use."""

from __future__ import annotations

from dataclasses import dataclass

from matrix.decision.problem import DecisionProblem
from scoring import Normalisation


@dataclass(frozen=True)
class Swing:
    """The move on one criterion from the worst intervention's value to the best's (in value points)."""

    criterion: str
    points: float
    worst: str
    best: str
    worst_name: str
    best_name: str

    @property
    def words(self) -> str:
        return f"from {self.worst} ({self.worst_name}) to {self.best} ({self.best_name})"


def swings(problem: DecisionProblem, normalisation: Normalisation = "value_functions") -> dict[str, Swing]:
    """Each criterion's swing across the catalogue's interventions (ties: the first in catalogue order)."""
    values = problem.criterion_values(normalisation)
    found = {}
    for criterion in problem.criteria:
        column = values[criterion]
        low, high = str(column.idxmin()), str(column.idxmax())
        found[criterion] = Swing(
            criterion,
            float(column.max() - column.min()),
            str(problem.inputs.at[low, criterion]),
            str(problem.inputs.at[high, criterion]),
            problem.names[low],
            problem.names[high],
        )
    return found
