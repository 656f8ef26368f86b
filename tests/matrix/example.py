"""The README's example catalogue, used as the base for small test catalogues."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example() -> str:
    """The TOML block that follows the ``example-catalogue`` marker in the README."""
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- example-catalogue -->\s*```toml\n(.*?)```", text, re.S)
    assert found, "the README has lost its example catalogue"
    return found.group(1)


def with_change(old: str, new: str, text: str | None = None) -> str:
    """The example with one exact piece of text replaced (which must be present once)."""
    base = readme_example() if text is None else text
    assert base.count(old) == 1, f"{old!r} must appear exactly once"
    return base.replace(old, new)
