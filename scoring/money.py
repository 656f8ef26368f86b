"""Money in words: the one format for pounds on every surface (page, CSV summaries, messages, reports)."""

from __future__ import annotations


def money(gbp: float) -> str:
    """£1,234,567 (whole pounds, thousands separated); negative amounts as -£1,234."""
    return f"-£{-gbp:,.0f}" if gbp < 0 else f"£{gbp:,.0f}"
