"""Catalogue maintenance: write TOML, edit as a table, compare, import CSVs and YEF ratings, save safely.

Every path ends in ``matrix.loader``'s validation, so an edit, an upload or an import either gives a
valid catalogue or the full list of problems; nothing is replaced until the whole of it is valid.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

from matrix.errors import CatalogueError, Problem
from matrix.loader import MAX_CATALOGUE_BYTES, LoadedCatalogue, decode_text, parse_catalogue
from matrix.schema import UNCONFIRMED, Catalogue

# The flat table of interventions the app edits and the CSV upload reads. Lists are joined with ";".
EDIT_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "overview",
    "area",
    "named_in",
    "status",
    "status_source",
    "prevention_tiers",
    "delivery_model",
    "target_group",
    "classification_source",
    "annual_cost_gbp",
    "annual_cost_source",
    "reach_per_year",
    "reach_source",
    "funded_today",
    "funded_today_source",
    "delivery_risk",
    "delivery_risk_source",
    "yef_strand",
    "yef_fit",
)
LIST_COLUMNS = ("named_in", "prevention_tiers", "delivery_model")
MAX_UPLOAD_BYTES = MAX_CATALOGUE_BYTES


def _plain(value: Any) -> Any:
    """Tuples to lists, recursively, for the TOML writer."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def catalogue_document(catalogue: Catalogue) -> dict[str, Any]:
    """The catalogue as a TOML-ready document (missing optional values left out)."""
    return dict(_plain(catalogue.model_dump(mode="python", exclude_none=True)))


def catalogue_to_toml(catalogue: Catalogue) -> str:
    """TOML text that loads back to an identical catalogue."""
    header = (
        "# Interventions matrix catalogue, written by the app. Every figure is { value, source, note }:\n"
        '# source is a [[sources]] id, "illustrative" or "unconfirmed". Check with `python -m matrix validate`.\n\n'
    )
    return header + tomli_w.dumps(catalogue_document(catalogue))


def load_document(document: dict[str, Any], shown: str) -> LoadedCatalogue:
    """Validate a document by writing it as TOML and loading that, so the hash is of the bytes saved."""
    try:
        text = tomli_w.dumps(_plain(document))
    except (TypeError, ValueError) as error:
        raise CatalogueError([Problem(shown, f"cannot be written as TOML: {error}")]) from None
    return parse_catalogue(text.encode("utf-8"), shown)


def interventions_frame(catalogue: Catalogue) -> pd.DataFrame:
    """One editable row per intervention with the EDIT_COLUMNS."""
    rows = []
    for item in catalogue.interventions:
        rows.append(
            {
                "id": item.id,
                "name": item.name,
                "overview": item.overview,
                "area": item.area,
                "named_in": list(item.named_in),
                "status": item.status.value,
                "status_source": item.status.source,
                "prevention_tiers": list(item.prevention_tiers.value),
                "delivery_model": list(item.delivery_model.value),
                "target_group": item.target_group.value,
                "classification_source": item.prevention_tiers.source,
                "annual_cost_gbp": item.annual_cost_gbp.value,
                "annual_cost_source": item.annual_cost_gbp.source,
                "reach_per_year": item.reach_per_year.value,
                "reach_source": item.reach_per_year.source,
                "funded_today": item.funded_today.value,
                "funded_today_source": item.funded_today.source,
                "delivery_risk": item.delivery_risk.value,
                "delivery_risk_source": item.delivery_risk.source,
                "yef_strand": item.yef_strand,
                "yef_fit": item.yef_fit,
            }
        )
    return pd.DataFrame(rows, columns=list(EDIT_COLUMNS))


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def _listed(value: Any) -> list[str]:
    if _missing(value):
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return [str(part) for part in value]


def _number(value: Any) -> Any:
    """Numbers stay numbers; text that reads as a number becomes one; anything else is left for validation."""
    if isinstance(value, str):
        text = value.strip().replace(",", "").removeprefix("£")
        try:
            number = float(text)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _sourced(old: dict[str, Any] | None, value: Any, source: Any) -> dict[str, Any]:
    """A { value, source, note } table; the old note is kept only while value and source are unchanged."""
    table: dict[str, Any] = {"source": "" if _missing(source) else str(source).strip()}
    if not _missing(value):
        table["value"] = value
    if old and old.get("value") == table.get("value") and old.get("source") == table["source"] and "note" in old:
        table["note"] = old["note"]
    return table


def _truthy(value: Any) -> Any:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "yes", "1"}:
            return True
        if lowered in {"false", "no", "0"}:
            return False
    return value


def apply_frame(catalogue: Catalogue, frame: pd.DataFrame) -> dict[str, Any]:
    """A catalogue document with the interventions replaced by the rows of ``frame``.

    Fields the table does not show (levels, local cost band, notes whose value is unchanged, ...)
    are kept from the intervention with the same id.
    """
    document = catalogue_document(catalogue)
    previous = {item["id"]: item for item in document["interventions"]}
    interventions = []
    for row in frame.to_dict(orient="records"):
        ident = "" if _missing(row.get("id")) else str(row["id"]).strip()
        old = previous.get(ident, {})
        item: dict[str, Any] = {k: v for k, v in old.items() if k not in EDIT_COLUMNS and k not in _SOURCED_FIELDS}
        item["id"] = ident
        for text_field in ("name", "overview", "area"):
            item[text_field] = "" if _missing(row.get(text_field)) else str(row[text_field])
        item["named_in"] = _listed(row.get("named_in"))
        item["status"] = _sourced(old.get("status"), row.get("status"), row.get("status_source"))
        classification = {
            "prevention_tiers": _listed(row.get("prevention_tiers")),
            "delivery_model": _listed(row.get("delivery_model")),
            "target_group": row.get("target_group"),
        }
        source = "" if _missing(row.get("classification_source")) else str(row["classification_source"]).strip()
        unchanged = (
            bool(old)
            and source == old["prevention_tiers"]["source"]
            and all(old[field]["value"] == value for field, value in classification.items())
        )
        for field, value in classification.items():
            # One source column covers the three; untouched, each keeps its own source and note.
            item[field] = old[field] if unchanged else _sourced(old.get(field), value, source)
        item["annual_cost_gbp"] = _sourced(
            old.get("annual_cost_gbp"), _number(row.get("annual_cost_gbp")), row.get("annual_cost_source")
        )
        reach = row.get("reach_per_year")
        item["reach_per_year"] = _sourced(
            old.get("reach_per_year"), None if _missing(reach) else _number(reach), row.get("reach_source")
        )
        item["funded_today"] = _sourced(old.get("funded_today"), _truthy(row.get("funded_today")), row.get("funded_today_source"))
        item["delivery_risk"] = _sourced(old.get("delivery_risk"), row.get("delivery_risk"), row.get("delivery_risk_source"))
        for optional in ("yef_strand", "yef_fit"):
            if not _missing(row.get(optional)):
                item[optional] = str(row[optional]).strip()
            else:
                item.pop(optional, None)
        if "yef_strand" not in item:
            item.pop("yef_mapping_note", None)
        interventions.append(item)
    document["interventions"] = interventions
    return document


_SOURCED_FIELDS = ("status", "prevention_tiers", "delivery_model", "target_group")


def row_problems(error: CatalogueError, frame: pd.DataFrame) -> list[str]:
    """The problems of an edited table in the table's terms: 'row 3 (cbt-community), annual_cost_gbp: ...'."""
    messages = []
    pattern = re.compile(r"^interventions\[(\d+)\]\.?(.*)$")
    for problem in error.problems:
        found = pattern.match(problem.location)
        if not found:
            messages.append(str(problem).split(": ", 1)[-1])
            continue
        index, field = int(found.group(1)), found.group(2)
        ident = frame.iloc[index]["id"] if index < len(frame) else ""
        column = field.split(".")[0] or "row"
        if field.endswith(".source"):
            column = _SOURCE_COLUMNS.get(column, f"{column}_source")
        text = problem.message + (f" (got {problem.got})" if problem.got is not None else "")
        messages.append(f"row {index + 1} ({ident}), {column}: {text}")
    return list(dict.fromkeys(messages))


_SOURCE_COLUMNS = {
    "prevention_tiers": "classification_source",
    "delivery_model": "classification_source",
    "target_group": "classification_source",
    "annual_cost_gbp": "annual_cost_source",
    "reach_per_year": "reach_source",
}


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(inner, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, value


def diff_catalogues(old: Catalogue, new: Catalogue) -> pd.DataFrame:
    """What changed: added and removed entries, and every changed field (old -> new)."""
    rows = []
    for table in ("sources", "yef_strands", "interventions", "presets"):
        before = {e.id: dict(_flatten(_plain(e.model_dump(mode="json", exclude_none=True)))) for e in getattr(old, table)}
        after = {e.id: dict(_flatten(_plain(e.model_dump(mode="json", exclude_none=True)))) for e in getattr(new, table)}
        for ident in after.keys() - before.keys():
            rows.append({"what": table, "id": ident, "change": "added", "field": "", "old": "", "new": ""})
        for ident in before.keys() - after.keys():
            rows.append({"what": table, "id": ident, "change": "removed", "field": "", "old": "", "new": ""})
        for ident in sorted(before.keys() & after.keys()):
            for field in sorted(before[ident].keys() | after[ident].keys()):
                a, b = before[ident].get(field, ""), after[ident].get(field, "")
                if a != b:
                    rows.append({"what": table, "id": ident, "change": "changed", "field": field, "old": str(a), "new": str(b)})
    for field in ("title", "default_preset", "budget", "scoring", "uncertainty"):
        a = dict(
            _flatten(
                _plain(
                    getattr(old, field) if isinstance(getattr(old, field), str) else getattr(old, field).model_dump(mode="json")
                )
            )
        )
        b = dict(
            _flatten(
                _plain(
                    getattr(new, field) if isinstance(getattr(new, field), str) else getattr(new, field).model_dump(mode="json")
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


def read_csv_upload(raw: bytes, shown: str) -> pd.DataFrame:
    """A CSV of interventions with the EDIT_COLUMNS, as text cells; problems raise CatalogueError."""
    reader = csv.DictReader(io.StringIO(decode_text(raw, shown).removeprefix("\ufeff")))
    header = reader.fieldnames or []
    missing = [c for c in EDIT_COLUMNS if c not in header]
    unknown = [c for c in header if c not in EDIT_COLUMNS]
    problems = []
    if missing:
        problems.append(Problem(shown, f"missing column(s): {', '.join(missing)}", line=1))
    if unknown:
        problems.append(
            Problem(shown, f"unknown column(s): {', '.join(unknown)}; the columns are {', '.join(EDIT_COLUMNS)}", line=1)
        )
    if problems:
        raise CatalogueError(problems)
    rows = list(reader)
    if not rows:
        raise CatalogueError([Problem(shown, "the file has a header but no rows")])
    return pd.DataFrame(rows, columns=list(EDIT_COLUMNS))


def csv_problems(error: CatalogueError, frame: pd.DataFrame, shown: str) -> CatalogueError:
    """Problems of a CSV upload located by its line: 'FILE:LINE: column: message' (line 1 is the header)."""
    located = []
    for message in row_problems(error, frame):
        found = re.match(r"^row (\d+) \(([^)]*)\), (.*)$", message)
        if found:
            located.append(Problem(shown, found.group(3), line=int(found.group(1)) + 1))
        else:
            located.append(Problem(shown, message))
    return CatalogueError(located)


# YEF Toolkit ratings ------------------------------------------------------------------------------

_BANDS = {"high": "high", "moderate": "moderate", "medium": "moderate", "low": "low", "harmful": "harmful"}


def _band(label: str) -> str | None:
    text = label.strip().lower()
    if text.startswith(("insufficient", "no clear", "no effect")):
        return "no_clear_evidence"
    return _BANDS.get(text.split(" ")[0]) if text else None


def _percent(text: str) -> float | None:
    """'-21% violence' -> 21 (% less violence); '+6%' -> -6; anything without a leading % -> None."""
    found = re.match(r"^\s*([+-]?\d+(?:\.\d+)?)\s*%", text)
    if not found:
        return None
    return -float(found.group(1))


def _rating(text: str, top: int) -> int | None:
    found = re.fullmatch(r"\s*([1-9])\s*", text)
    return int(found.group(1)) if found and 1 <= int(found.group(1)) <= top else None


def yef_changes(catalogue: Catalogue, raw: bytes, shown: str) -> tuple[pd.DataFrame, list[str]]:
    """Strand ratings from a YEF table (columns strand, slug, impact_label, impact_pct, evidence_rating,
    cost_rating, ...): every change it would make to the catalogue's strands, and rows it cannot use.

    A strand is matched by slug (any of ';'-separated slugs) or by name. Values the table marks
    unconfirmed (or leaves unreadable) are not applied over known ones.
    """
    reader = csv.DictReader(io.StringIO(decode_text(raw, shown).removeprefix("\ufeff")))
    needed = ("strand", "impact_label", "impact_pct", "evidence_rating", "cost_rating")
    missing = [c for c in needed if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogueError([Problem(shown, f"missing column(s): {', '.join(missing)}", line=1)])
    strands = {s.id: s for s in catalogue.yef_strands}
    by_name = {s.name.casefold(): s.id for s in catalogue.yef_strands}
    changes, skipped = [], []
    for line, row in enumerate(reader, start=2):
        slugs = [p.strip().split(" ")[0] for p in re.split(r"[;|]", row.get("slug") or "") if p.strip()]
        ident = next((s for s in slugs if s in strands), None) or by_name.get((row.get("strand") or "").strip().casefold())
        if ident is None:
            skipped.append(f"line {line}: no strand in the catalogue matches '{row.get('strand')}'")
            continue
        strand = strands[ident]
        proposed = {
            "impact_band": _band(row.get("impact_label") or ""),
            "impact_pct": _percent(row.get("impact_pct") or ""),
            "evidence_rating": _rating(row.get("evidence_rating") or "", 5),
            "cost_rating": _rating(row.get("cost_rating") or "", 3),
        }
        for field, new in proposed.items():
            old = getattr(strand, field)
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
            strand[change["field"]] = {"value": change["new"], "source": source["id"]}
        if strand["id"] in touched:
            strand["checked"] = checked
    return document


def stale_strands(catalogue: Catalogue, today: dt.date, days: int = 365) -> list[str]:
    """Strands whose ratings were last checked more than ``days`` ago."""
    return [f"{s.name} (checked {s.checked:%d %b %Y})" for s in catalogue.yef_strands if (today - s.checked).days > days]


def save_catalogue(path: Path, text: str) -> Path | None:
    """Write the catalogue atomically, keeping the previous file as a dated backup; return the backup.

    The new text is written to a temporary file in the same folder and renamed over the old one,
    so a crash leaves either the old or the new file, never half of one.
    """
    parse_catalogue(text.encode("utf-8"), str(path))  # never write an invalid catalogue
    backup = None
    if path.exists():
        backup = path.with_name(f"{path.name}.{dt.datetime.now():%Y%m%dT%H%M%S}.bak")
        backup.write_bytes(path.read_bytes())
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return backup


def can_save(path: Path) -> bool:
    """Whether the app may write the catalogue file: MATRIX_ALLOW_SAVE=1 and the folder is writable."""
    return os.environ.get("MATRIX_ALLOW_SAVE") == "1" and os.access(path.parent, os.W_OK)


def check_upload(current: Catalogue, name: str, raw: bytes) -> LoadedCatalogue:
    """An uploaded catalogue, TOML (a whole catalogue) or CSV (the interventions, with the current
    catalogue's sources, strands and scoring), validated; CatalogueError lists every problem with
    its line."""
    if name.lower().endswith(".csv"):
        frame = read_csv_upload(raw, name)
        try:
            return load_document(apply_frame(current, frame), name)
        except CatalogueError as error:
            raise csv_problems(error, frame, name) from None
    if not name.lower().endswith(".toml"):
        raise CatalogueError([Problem(name, "upload a .toml catalogue or a .csv of interventions")])
    return parse_catalogue(raw, name)
