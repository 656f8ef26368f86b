"""Writing a catalogue: TOML text that loads back identically, and saving it to its file safely."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import tomli_w

from matrix.catalogue.errors import CatalogueError, Problem
from matrix.catalogue.loader import LoadedCatalogue, parse_catalogue
from matrix.catalogue.schema import SCHEMA_VERSION, Catalogue


def plain_document(value: Any) -> Any:
    """Tuples to lists, recursively, for the TOML writer."""
    if isinstance(value, dict):
        return {k: plain_document(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_document(v) for v in value]
    return value


def catalogue_document(catalogue: Catalogue) -> dict[str, Any]:
    """The catalogue as a TOML-ready document (missing optional values left out, and no funding streams,
    criteria, ratings or figures tables when there are none, so an older catalogue is written as before)."""
    document = dict(plain_document(catalogue.model_dump(mode="python", exclude_none=True)))
    for key in ("funding_streams", "criteria"):  # a catalogue without them is written as before
        if not document.get(key):
            document.pop(key, None)
    for item in document.get("interventions", []):
        for key in ("ratings", "figures"):
            if not item.get(key):
                item.pop(key, None)
    return document


def catalogue_to_toml(catalogue: Catalogue) -> str:
    """TOML text that loads back to an identical catalogue."""
    header = (
        "# Interventions matrix catalogue, written by the app. Every figure is { value, source, note }:\n"
        '# source is a [[sources]] id, "illustrative" or "unconfirmed". Check with `python -m matrix validate`.\n\n'
    )
    return header + tomli_w.dumps(catalogue_document(catalogue))


def migrate_catalogue(catalogue: Catalogue) -> Catalogue:
    """A schema version 1 catalogue as version 2: its four ``[scoring.*]`` tables become ``[[criteria]]``
    entries (ids impact, reach, cost and risk, with their kinds and directions), every other value kept.
    A version 2 catalogue comes back as it is. The scores are the same either way."""
    if catalogue.schema_version == SCHEMA_VERSION:
        return catalogue
    first = ("id", "kind", "label", "question", "weight_help", "direction")
    criteria = []
    for criterion in catalogue.defined_criteria:
        fields = plain_document(criterion.model_dump(mode="python", exclude_none=True))
        criteria.append({k: fields[k] for k in first} | {k: v for k, v in fields.items() if k not in first})
    document: dict[str, Any] = {}
    for key, value in catalogue_document(catalogue).items():  # the criteria where the scoring tables were
        if key == "scoring":
            document["criteria"] = criteria
        else:
            document[key] = SCHEMA_VERSION if key == "schema_version" else value
    return load_document(document, "the migrated catalogue").catalogue


def load_document(document: dict[str, Any], shown: str) -> LoadedCatalogue:
    """Validate a document by writing it as TOML and loading that, so the hash is of the bytes saved."""
    try:
        text = tomli_w.dumps(plain_document(document))
    except (TypeError, ValueError) as error:
        raise CatalogueError([Problem(f"cannot be written as TOML: {error}", shown)]) from None
    return parse_catalogue(text.encode("utf-8"), shown)


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
