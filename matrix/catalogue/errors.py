"""The catalogue's error: every problem of a file at once, each with its file, line or field."""

from __future__ import annotations

from scoring import DecisionError, Problem

__all__ = ["CatalogueError", "Problem"]


class CatalogueError(DecisionError):
    """A catalogue that cannot be used, with every problem found (one per line when printed)."""

    separator = "\n"
