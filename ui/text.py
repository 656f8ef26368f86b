"""Text helpers for the UI that need no Streamlit."""

from __future__ import annotations

import re

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: object) -> str:
    """Escape Markdown so catalogue and user text is shown as typed, never as formatting, links or HTML."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))
