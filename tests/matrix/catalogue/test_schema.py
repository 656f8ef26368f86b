"""The schema's text checks: their quick paths give exactly the answers of the plain rules they stand for."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matrix.catalogue import one_line
from matrix.catalogue.schema import _BLANK_LOOKING, _CONTROL_BUT_LINES, _plain_text


def plain_text_rule(text: str) -> str:
    """The rule as written first: no character of category Cc but the line break and the tab."""
    bad = next((c for c in text if unicodedata.category(c) == "Cc" and c not in "\n\t"), None)
    if bad is not None:
        raise ValueError(f"contains the control character U+{ord(bad):04X}; remove it")
    return text


def one_line_rule(text: str) -> str:
    """The rule as written first: no Cc, Cf, Zl or Zp character, and at least one visible one."""
    bad = next((c for c in text if unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"}), None)
    if bad is not None:
        kind = "control" if unicodedata.category(bad) == "Cc" else "invisible"
        what = "a line break" if bad in "\r\n\u2028\u2029" else f"the {kind} character U+{ord(bad):04X}"
        raise ValueError(f"contains {what}; a name is one line of visible text")
    if not any(unicodedata.category(c)[0] in "LNPS" and c not in _BLANK_LOOKING for c in text):
        raise ValueError("has no visible letter, digit or sign; a name must be readable")
    return text


def outcome(check: object, text: str) -> str:
    try:
        return f"ok {check(text)!r}"  # type: ignore[operator]
    except ValueError as error:
        return f"error {error}"


def test_the_control_character_pattern_is_unicodes_category() -> None:
    """The pattern matches exactly the characters of category Cc, less the line break and the tab."""
    every = (chr(c) for c in range(sys.maxunicode + 1))
    expected = {c for c in every if unicodedata.category(c) == "Cc"} - {"\n", "\t"}
    assert {chr(c) for c in range(sys.maxunicode + 1) if _CONTROL_BUT_LINES.fullmatch(chr(c))} == expected


@pytest.mark.parametrize(
    "text", ["", " ", "  ", "a", " a ", "Peer mentoring", "A&E", "~", "\x7f", "a\tb", "a\nb", "é", "a\u200bb", "\u3164"]
)
def test_named_cases_give_the_rules_answers(text: str) -> None:
    """Empty, blank, plain, control, accented, invisible and blank-looking names: the same answer as the plain rules."""
    assert outcome(one_line, text) == outcome(one_line_rule, text)
    assert outcome(_plain_text, text) == outcome(plain_text_rule, text)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(st.characters(max_codepoint=0x7F)), st.text(st.characters(max_codepoint=0x3200)), st.text()))
def test_generated_text_gives_the_rules_answers(text: str) -> None:
    """Generated text (ASCII, common scripts, anything): the quick checks answer exactly as the plain rules."""
    assert outcome(one_line, text) == outcome(one_line_rule, text)
    assert outcome(_plain_text, text) == outcome(plain_text_rule, text)
