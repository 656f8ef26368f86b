"""UI tests keep their database in a temporary folder, never in the project's var/."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each UI test gets an empty SQLite store of its own."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("MATRIX_DATA_DIR", str(tmp_path / "store"))
    return tmp_path / "store"
