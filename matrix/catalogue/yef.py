"""YEF Toolkit ratings: read a ratings table, list what it would change, apply it, and say what is stale."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd

from matrix.catalogue.schema import UNCONFIRMED, Catalogue
from matrix.catalogue.table import csv_rows
from matrix.catalogue.writer import catalogue_document

_BANDS = {"high": "high", "moderate": "moderate", "medium": "moderate", "low": "low", "harmful": "harmful"}


def _band(label: str) -> str | None:
    text = label.strip().lower()
    if text.startswith(("insufficient", "no clear", "no effect")):
        return "no_clear_evidence"
    return _BANDS.get(text.split(" ")[0]) if text else None


def _percent(text: str) -> float | None:
    """'-21% violence' -> 21 (% less violence); '+6%' -> -6; anything without a leading % -> None."""
    found = re.match(r"^\s*([+-]?[0-9]{1,3}(?:\.[0-9]{1,6})?)\s*%", text)
    if not found or abs(float(found.group(1))) > 100:
        return None
    return -float(found.group(1))


def _rating(text: str, top: int) -> int | None:
    found = re.fullmatch(r"\s*([1-9])\s*", text, re.ASCII)
    return int(found.group(1)) if found and 1 <= int(found.group(1)) <= top else None


def _not_given(text: str) -> bool:
    """A cell the table leaves empty or marks as not known: nothing to apply, nothing to report."""
    cell = text.strip().lower()
    return not cell or cell in {"-", "–", "?"} or cell.startswith(("unconfirmed", "unknown", "n/a", "not "))


def yef_changes(catalogue: Catalogue, raw: bytes, shown: str) -> tuple[pd.DataFrame, list[str]]:
    """Strand ratings from a YEF table (columns strand, slug, impact_label, impact_pct, evidence_rating,
    cost_rating, ...): every change it would make to the catalogue's strands, and rows it cannot use.

    A strand is matched by slug (any of ';'-separated slugs) or by name. Values the table marks
    unconfirmed (or leaves unreadable) are not applied over known ones.
    """
    rows = csv_rows(raw, shown, ("strand", "impact_label", "impact_pct", "evidence_rating", "cost_rating"))
    strands = {s.id: s for s in catalogue.yef_strands}
    by_name = {s.name.casefold(): s.id for s in catalogue.yef_strands}
    changes, skipped = [], []
    for line, row in enumerate(rows, start=2):
        slugs = [p.strip().split(" ")[0] for p in re.split(r"[;|]", row.get("slug") or "") if p.strip()]
        ident = next((s for s in slugs if s in strands), None) or by_name.get((row.get("strand") or "").strip().casefold())
        if ident is None:
            skipped.append(f"line {line}: no strand in the catalogue matches '{row.get('strand')}'")
            continue
        strand = strands[ident]
        proposed = {
            "impact_band": (_band(row["impact_label"]), "impact_label", "a YEF impact label (high, moderate, low, ...)"),
            "impact_pct": (_percent(row["impact_pct"]), "impact_pct", "a percentage such as -21%"),
            "evidence_rating": (_rating(row["evidence_rating"], 5), "evidence_rating", "a whole number from 1 to 5"),
            "cost_rating": (_rating(row["cost_rating"], 3), "cost_rating", "a whole number from 1 to 3"),
        }
        for field, (new, column, expected) in proposed.items():
            old = getattr(strand, field)
            if new is None and not _not_given(row[column]):
                skipped.append(f"line {line}: {column} '{row[column].strip()[:60]}' is not {expected}; not applied")
            if new is None or (old.value == new and old.source != UNCONFIRMED):
                continue
            changes.append(
                {"strand": ident, "field": field, "old": old.value, "old source": old.source, "new": new, "line": line}
            )
    return pd.DataFrame(changes, columns=["strand", "field", "old", "old source", "new", "line"]), skipped


def apply_yef(catalogue: Catalogue, changes: pd.DataFrame, source: dict[str, str], checked: dt.date) -> dict[str, Any]:
    """A document with the changes applied, each citing the new source, and the strands' checked date updated."""
    document = catalogue_document(catalogue)
    if source["id"] not in {s["id"] for s in document["sources"]}:
        document["sources"].append(source)
    touched = set(changes["strand"])
    for strand in document["yef_strands"]:
        for change in changes[changes["strand"] == strand["id"]].to_dict(orient="records"):
            new = change["new"]
            if change["field"] in {"evidence_rating", "cost_rating"}:
                new = int(new)  # pandas may have widened a column of ratings to floats
            strand[change["field"]] = {"value": new, "source": source["id"]}
        if strand["id"] in touched:
            strand["checked"] = checked
    return document


def stale_strands(catalogue: Catalogue, today: dt.date, days: int = 365) -> list[str]:
    """Strands whose ratings were last checked more than ``days`` ago."""
    return [f"{s.name} (checked {s.checked:%d %b %Y})" for s in catalogue.yef_strands if (today - s.checked).days > days]
