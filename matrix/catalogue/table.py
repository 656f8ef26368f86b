"""The catalogue as a flat table of interventions: edit it in the app, or upload it as CSV.

Every path ends in the loader's validation, so an edit or an upload either gives a valid catalogue
or the full list of problems, each located by row and column (or by the CSV's line); nothing is
replaced until the whole of it is valid.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from matrix.catalogue.errors import CatalogueError, Problem
from matrix.catalogue.loader import LoadedCatalogue, decode_text, parse_catalogue
from matrix.catalogue.schema import Catalogue
from matrix.catalogue.writer import catalogue_document, load_document

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


# How people write an amount in a spreadsheet: 50000, 50,000, 1234.5; not 5_0000, 5,0,0, 1e400 or "nan".
_NUMBER_TEXT = re.compile(r"-?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?")


def _number(value: Any) -> Any:
    """Numbers stay numbers; text that reads as a number becomes one; anything else is left for validation."""
    if isinstance(value, str):
        text = value.strip().removeprefix("£")
        if not _NUMBER_TEXT.fullmatch(text):
            return value
        number = float(text.replace(",", ""))
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
        if "yef_strand" not in item and "yef_strand" in old:
            # The note described the strand the edit removed; a note on why no strand matches stays.
            item.pop("yef_mapping_note", None)
        interventions.append(item)
    document["interventions"] = interventions
    return document


_SOURCED_FIELDS = ("status", "prevention_tiers", "delivery_model", "target_group")


@dataclass(frozen=True)
class RowProblem:
    """One problem of an edited table, in the table's terms: its row (0-based; None when it is not
    about one row), the intervention's id there, the column, and what is wrong."""

    row: int | None
    ident: str
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return f"row {self.row + 1} ({self.ident}), {self.column}: {self.message}"


def row_problems(error: CatalogueError, frame: pd.DataFrame) -> list[RowProblem]:
    """The problems of an edited table located by row and column, from the catalogue's field locations."""
    problems: list[RowProblem] = []
    for problem in error.problems:
        text = problem.message + (f" (got {problem.got})" if problem.got is not None else "")
        head, dot, field = problem.location.partition(".")
        if not (head.startswith("interventions[") and head.endswith("]") and head[14:-1].isdigit()):
            problems.append(RowProblem(None, "", "", ": ".join(p for p in (problem.location, text) if p)))
            continue
        index = int(head[14:-1])
        ident = str(frame.iloc[index]["id"]) if index < len(frame) else ""
        column = field.split(".")[0].split("[")[0] if dot else "row"
        if field.endswith(".source"):
            column = _SOURCE_COLUMNS.get(column, f"{column}_source")
        problems.append(RowProblem(index, ident, column, text))
    return list(dict.fromkeys(problems))


_SOURCE_COLUMNS = {
    "prevention_tiers": "classification_source",
    "delivery_model": "classification_source",
    "target_group": "classification_source",
    "annual_cost_gbp": "annual_cost_source",
    "reach_per_year": "reach_source",
}


def csv_rows(raw: bytes, shown: str, required: tuple[str, ...], allowed: tuple[str, ...] | None = None) -> list[dict[str, str]]:
    """The rows of a comma-separated file as {column: text}, with its line numbers checked: every
    required column present, none twice, no unknown column (when ``allowed`` is given), every row
    as wide as the header, no NUL; a file split by ';' or tabs gets a hint. Else CatalogueError."""
    text = decode_text(raw, shown).removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [c.strip() for c in next(reader, [])]
        lines = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        message = "contains a NUL character; save the file as text (CSV UTF-8)" if "NUL" in str(error) else str(error)
        raise CatalogueError([Problem(message, shown, line=reader.line_num)]) from None
    problems = []
    if len(header) == 1 and any(mark in header[0] for mark in (";", "\t")):
        mark = "semicolons" if ";" in header[0] else "tabs"
        problems.append(
            Problem(f"the columns seem to be separated by {mark}; save the file as comma-separated (CSV UTF-8)", shown, line=1)
        )
    else:
        twice = sorted({c for c in header if header.count(c) > 1})
        if twice:
            problems.append(Problem(f"column(s) appear more than once: {', '.join(twice)}", shown, line=1))
        missing = [c for c in required if c not in header]
        if missing:
            problems.append(Problem(f"missing column(s): {', '.join(missing)}", shown, line=1))
        unknown = [c for c in header if allowed is not None and c not in allowed]
        if unknown:
            columns = ", ".join(allowed or ())
            problems.append(Problem(f"unknown column(s): {', '.join(unknown)[:300]}; the columns are {columns}", shown, line=1))
    if problems:
        raise CatalogueError(problems)
    rows = []
    for line, row in lines:
        if not any(cell.strip() for cell in row):
            continue  # a blank line, as spreadsheets leave at the end
        if len(row) != len(header):
            problems.append(Problem(f"has {len(row)} fields; the header has {len(header)}", shown, line=line))
            continue
        rows.append(dict(zip(header, row, strict=True)))
    if problems:
        raise CatalogueError(problems[:50])
    return rows


def read_csv_upload(raw: bytes, shown: str) -> pd.DataFrame:
    """A CSV of interventions with the EDIT_COLUMNS, as text cells; problems raise CatalogueError."""
    rows = csv_rows(raw, shown, EDIT_COLUMNS, EDIT_COLUMNS)
    if not rows:
        raise CatalogueError([Problem("the file has a header but no rows", shown)])
    return pd.DataFrame(rows, columns=list(EDIT_COLUMNS))


def csv_problems(error: CatalogueError, frame: pd.DataFrame, shown: str) -> CatalogueError:
    """Problems of a CSV upload located by its line: 'FILE:LINE: column: message' (line 1 is the header)."""
    return CatalogueError(
        [
            Problem(found.message, shown, location=found.column, line=found.row + 2)
            if found.row is not None
            else Problem(found.message, shown)
            for found in row_problems(error, frame)
        ]
    )


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
        raise CatalogueError([Problem("upload a .toml catalogue or a .csv of interventions", name)])
    return parse_catalogue(raw, name)
