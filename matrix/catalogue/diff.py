"""What changed between two catalogues, field by field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from matrix.catalogue.schema import Catalogue
from matrix.catalogue.writer import plain_document


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(inner, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, value


def diff_catalogues(old: Catalogue, new: Catalogue) -> pd.DataFrame:
    """What changed: added and removed entries, and every changed field (old -> new)."""
    rows = []
    for table in ("sources", "yef_strands", "interventions", "presets", "funding_streams", "criteria"):
        # Criteria as either version defines them (version 1's [scoring.*] read as criteria).
        entries = (
            (old.defined_criteria, new.defined_criteria) if table == "criteria" else (getattr(old, table), getattr(new, table))
        )
        before = {e.id: dict(_flatten(plain_document(e.model_dump(mode="json", exclude_none=True)))) for e in entries[0]}
        after = {e.id: dict(_flatten(plain_document(e.model_dump(mode="json", exclude_none=True)))) for e in entries[1]}
        for ident in after.keys() - before.keys():
            rows.append({"what": table, "id": ident, "change": "added", "field": "", "old": "", "new": ""})
        for ident in before.keys() - after.keys():
            rows.append({"what": table, "id": ident, "change": "removed", "field": "", "old": "", "new": ""})
        for ident in sorted(before.keys() & after.keys()):
            for field in sorted(before[ident].keys() | after[ident].keys()):
                a, b = before[ident].get(field, ""), after[ident].get(field, "")
                if a != b:
                    rows.append({"what": table, "id": ident, "change": "changed", "field": field, "old": str(a), "new": str(b)})
    for field in ("schema_version", "title", "default_preset", "budget", "uncertainty"):
        a = dict(
            _flatten(
                plain_document(
                    getattr(old, field)
                    if isinstance(getattr(old, field), str | int)
                    else getattr(old, field).model_dump(mode="json")
                )
            )
        )
        b = dict(
            _flatten(
                plain_document(
                    getattr(new, field)
                    if isinstance(getattr(new, field), str | int)
                    else getattr(new, field).model_dump(mode="json")
                )
            )
        )
        for key in sorted(a.keys() | b.keys()):
            if a.get(key) != b.get(key):
                rows.append(
                    {
                        "what": field,
                        "id": "",
                        "change": "changed",
                        "field": key,
                        "old": str(a.get(key, "")),
                        "new": str(b.get(key, "")),
                    }
                )
    return pd.DataFrame(rows, columns=["what", "id", "change", "field", "old", "new"])
