"""Shared fixtures: the shipped catalogue and a writer for small catalogue files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from matrix import DecisionProblem, LoadedCatalogue, build_problem, load_catalogue

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data" / "interventions.toml"


@pytest.fixture(scope="session")
def shipped() -> LoadedCatalogue:
    """The catalogue the app ships with."""
    return load_catalogue(SHIPPED)


@pytest.fixture(scope="session")
def problem(shipped: LoadedCatalogue) -> DecisionProblem:
    """The decision problem built from the shipped catalogue."""
    return build_problem(shipped.catalogue, shipped.sha256, shipped.text)


@pytest.fixture(scope="session")
def shipped_text() -> str:
    return SHIPPED.read_text(encoding="utf-8")


@pytest.fixture
def write_catalogue(tmp_path: Path) -> Callable[[str | bytes], Path]:
    """Write catalogue text (or raw bytes) to a file in tmp_path and return its path."""

    def write(content: str | bytes) -> Path:
        path = tmp_path / "catalogue.toml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write
