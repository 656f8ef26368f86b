"""One exception for every catalogue problem, carrying all of them at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a catalogue file, with where it is.

    Printed as ``PATH:LINE:COL: message`` when the place is a line in the file (TOML
    syntax), and ``PATH: location: message (got VALUE)`` when it is a field.
    """

    path: str
    message: str
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
        text = f"{where}: "
        if self.location:
            text += f"{self.location}: "
        text += self.message
        if self.got is not None:
            text += f" (got {self.got})"
        return text


class CatalogueError(Exception):
    """A catalogue that cannot be used, with every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
