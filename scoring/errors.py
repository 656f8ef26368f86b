"""The project's one error base: every error a user can cause says what is wrong and where, in words.

``DecisionError`` carries one or more ``Problem``s, each with where it is: a file and line, a field
path, or both. Every package subclasses it where callers need to tell cases apart (a catalogue that
cannot be used, weights that cannot be normalised, constraints that cannot all hold, ...), so the UI
and the CLI catch this one type and a real bug still shows as a bug.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong, with where it is.

    Printed as ``PATH:LINE:COL: message`` when the place is a line in a file, and
    ``PATH: location: message (got VALUE)`` when it is a field; parts that are unknown are left out.
    """

    message: str
    path: str = ""
    location: str = ""
    line: int | None = None
    column: int | None = None
    got: str | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [p for p in (where, self.location) if p]
        text = ": ".join([*parts, self.message])
        if self.got is not None:
            text += f" (got {self.got})"
        return text


class DecisionError(Exception):
    """Something the user (or a file, a link, a record, the database) got wrong, said in words."""

    separator = "; "

    def __init__(self, problems: Sequence[Problem] | str) -> None:
        self.problems: tuple[Problem, ...] = (Problem(problems),) if isinstance(problems, str) else tuple(problems)
        super().__init__(self.separator.join(str(p) for p in self.problems))

    @property
    def messages(self) -> list[str]:
        """Each problem in words, with its location."""
        return [str(p) for p in self.problems]


class InfeasibleError(DecisionError):
    """The constraints cannot all hold. ``reasons`` says which, with the amounts, in words."""

    @property
    def reasons(self) -> list[str]:
        return [p.message for p in self.problems]
