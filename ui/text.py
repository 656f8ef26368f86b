"""Text helpers for the UI that need no Streamlit."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: object) -> str:
    """Escape Markdown so catalogue and user text is shown as typed, never as formatting, links or HTML."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def distinct_labels(labels: Mapping[str, str]) -> dict[str, str]:
    """Each option's label, with its key added where two options would read the same.

    A box hands back the label the browser shows, and Streamlit finds the option by it: two options
    labelled alike (two workshops of one name made in the same minute, two interventions of one name)
    gave back the wrong one.
    """
    result = dict(labels)
    for _ in range(len(result) + 1):  # each round lengthens every label still shared; keys differ, so it ends
        counts = Counter(result.values())
        shared = [key for key, label in result.items() if counts[label] > 1]
        if not shared:
            break
        for key in shared:
            result[key] = f"{result[key]} ({key})"
    return result
