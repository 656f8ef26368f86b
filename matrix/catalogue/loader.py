"""The one place that reads a catalogue file: bytes -> TOML -> validated Catalogue.

Every problem is collected and reported together, each with where it is, in words.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli
from pydantic import ValidationError

from matrix.catalogue.errors import CatalogueError, Problem
from matrix.catalogue.files import read_bounded
from matrix.catalogue.schema import (
    ATTRIBUTE_PATTERN,
    CRITERION_KINDS,
    FIGURE_PREFIX,
    MAX_CRITERIA,
    NUMERIC_ATTRIBUTES,
    PROVENANCE_KEYWORDS,
    Catalogue,
)

# The largest catalogue or upload read, in megabytes, unless MATRIX_MAX_CATALOGUE_MB says otherwise.
CATALOGUE_LIMIT_SETTING = "MATRIX_MAX_CATALOGUE_MB"
DEFAULT_CATALOGUE_MB = 5
MAX_CATALOGUE_MB = 1024  # the most the setting may ask for
_MEGABYTES = re.compile(r"[0-9]{1,4}(\.[0-9]{1,6})?")
# The catalogue the app and the CLI open unless told otherwise (MATRIX_CATALOGUE, --catalogue).
SHIPPED_CATALOGUE = Path(__file__).resolve().parents[2] / "data" / "interventions.toml"
# Python refuses to turn more than 4,300 digits into an int (sys.int_info.default_max_str_digits).
# No part of the schema is nested more than a handful of levels; anything deeper is refused early.
MAX_DEPTH = 16
_LONG_NUMBER = re.compile(r"[0-9][0-9_]{4299,}")


@dataclass(frozen=True)
class LoadedCatalogue:
    """A valid catalogue with the SHA-256 of the exact bytes it came from."""

    catalogue: Catalogue
    sha256: str
    path: str
    text: str


def max_catalogue_bytes() -> int:
    """The largest catalogue file or upload that is read, in bytes: ``MATRIX_MAX_CATALOGUE_MB`` megabytes
    (a number above 0 and at most 1024, such as ``20`` or ``7.5``), 5 when it is not set."""
    setting = os.environ.get(CATALOGUE_LIMIT_SETTING, "").strip()
    if not setting:
        return DEFAULT_CATALOGUE_MB * 1024 * 1024
    megabytes = float(setting) if _MEGABYTES.fullmatch(setting) else 0.0
    if not 0 < megabytes <= MAX_CATALOGUE_MB:
        raise CatalogueError(
            [
                Problem(
                    f"must be a number of megabytes above 0 and at most {MAX_CATALOGUE_MB:,}, such as 20",
                    location=CATALOGUE_LIMIT_SETTING,
                    got=repr(setting[:40]),
                )
            ]
        )
    return int(megabytes * 1024 * 1024)


def load_catalogue(path: str | Path) -> LoadedCatalogue:
    """Read and validate a catalogue file; raise CatalogueError listing every problem."""
    shown = str(path)
    return parse_catalogue(read_bounded(path, max_catalogue_bytes(), shown, CatalogueError, "a catalogue file"), shown)


def parse_catalogue(raw: bytes, shown: str) -> LoadedCatalogue:
    """Validate catalogue bytes; ``shown`` is the name used in messages."""
    text = decode_text(raw, shown)
    document = parse_toml(text.removeprefix("\ufeff"), shown)
    return LoadedCatalogue(validate_document(document, shown), hashlib.sha256(raw).hexdigest(), shown, text)


def decode_text(raw: bytes, shown: str) -> str:
    """Uploaded or read bytes as text: within the size limit, not empty, UTF-8; else CatalogueError."""
    limit = max_catalogue_bytes()
    if len(raw) > limit:
        raise CatalogueError([Problem(f"the file is {len(raw):,} bytes; the limit is {limit:,}", shown)])
    if not raw.strip():
        raise CatalogueError([Problem("the file is empty", shown)])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise CatalogueError(
            [Problem(f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x} cannot be decoded)", shown, line=line)]
        ) from None


def validate_document(document: dict[str, Any], shown: str) -> Catalogue:
    """A parsed TOML document as a Catalogue; CatalogueError lists every problem."""
    try:
        document = _tuples(document, 0)
    except _TooDeep:
        _frozen(document, shown, "", 0)  # says where, in words
        raise
    versions = _version_problems(document, shown)
    problems = versions + _reference_problems(document, shown)
    try:
        catalogue = Catalogue.model_validate(document)
    except ValidationError as error:
        # The version rules (the model's own check, with no place to name) are said above with their place.
        found = _schema_problems(error, shown)
        problems = [p for p in found if p.location or not versions] + problems
        raise CatalogueError(problems) from None
    if problems:
        raise CatalogueError(problems)
    return catalogue


def parse_toml(text: str, shown: str) -> dict[str, Any]:
    """TOML text as a dict; every way it can fail is a CatalogueError with a line and column."""
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as error:
        problem = Problem(error.msg, shown, line=error.lineno, column=error.colno)
    except RecursionError:
        # tomli refuses inline arrays and tables nested more than a few hundred deep.
        problem = Problem("arrays or tables are nested too deeply", shown)
    except ValueError:
        # An integer too long for Python to convert; point at the first such run of digits.
        found = _LONG_NUMBER.search(text)
        problem = Problem("a number has more than 4,300 digits", shown)
        if found:
            line = text.count("\n", 0, found.start()) + 1
            problem = Problem(problem.message, shown, line=line, column=found.start() - text.rfind("\n", 0, found.start()))
    raise CatalogueError([problem])


class _TooDeep(Exception):
    """Nesting past MAX_DEPTH, found by the quick walk; the careful one then says where."""


_CONTAINERS = (dict, list)


def _tuples(value: Any, depth: int) -> Any:
    """The document with TOML arrays as tuples (the schema's exact types), quickly: no places are kept, so
    nesting deeper than MAX_DEPTH raises _TooDeep and ``_frozen`` walks again to name where it starts."""
    if depth > MAX_DEPTH and isinstance(value, _CONTAINERS):
        raise _TooDeep
    if isinstance(value, dict):
        copied = None  # a table holding no array or table is kept as it is (nothing changes it)
        for key, child in value.items():
            if isinstance(child, _CONTAINERS):
                if copied is None:
                    copied = dict(value)
                copied[key] = _tuples(child, depth + 1)
        return value if copied is None else copied
    if isinstance(value, list):
        return tuple([_tuples(v, depth + 1) if isinstance(v, _CONTAINERS) else v for v in value])
    return value


def _frozen(value: Any, shown: str, where: str, depth: int) -> Any:
    """The document with TOML arrays as tuples (the schema's exact types); refuses nesting deeper than the
    schema could ever use, at the place it starts, before anything walks it."""
    if depth > MAX_DEPTH and isinstance(value, dict | list):
        problem = Problem(f"nested more than {MAX_DEPTH} levels deep; no part of a catalogue is", shown, where[:200])
        raise CatalogueError([problem])
    if isinstance(value, dict):
        return {k: _frozen(v, shown, f"{where}.{k}" if where else str(k), depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_frozen(v, shown, f"{where}[{i}]", depth + 1) for i, v in enumerate(value))
    return value


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


_MESSAGES = {
    "extra_forbidden": "unknown key",
    "missing": "missing required key",
    "tuple_type": "must be a list",
    "int_type": "must be a whole number, not text",
    "bool_type": "must be true or false, not text or a number",
    "float_type": "must be a number, not text",
    "string_type": "must be text",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "date_type": "must be a date (YYYY-MM-DD, not text)",
}
_PATTERNS = {
    r"^[a-z0-9][a-z0-9_-]*$": "must be lower-case letters, digits, - and _, starting with a letter or digit",
    r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$": "must be a date written YYYY, YYYY-MM or YYYY-MM-DD",
    ATTRIBUTE_PATTERN: f"must be one of {', '.join(NUMERIC_ATTRIBUTES)}, or figures.<id> for a figure each intervention gives",
}
_KINDS = ", ".join(CRITERION_KINDS)


def _clean_loc(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    # Pydantic names the branch of a generic or a validator in the location, and the kind of a criterion
    # (criteria[0].rating.label); drop those.
    kept = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))
    if len(kept) > 2 and kept[0] == "criteria" and isinstance(kept[1], int) and kept[2] in CRITERION_KINDS:
        kept = kept[:2] + kept[3:]
    return kept


def _schema_problems(error: ValidationError, shown: str) -> list[Problem]:
    items = error.errors(include_url=False)
    locs = [_clean_loc(item["loc"]) for item in items]
    # Every place that has another problem's place inside it (found once, not by comparing every pair).
    containing = {loc[:length] for loc in locs for length in range(len(loc))}
    problems = []
    for item, loc in zip(items, locs, strict=True):
        # A list that fails only because its items failed adds nothing to their messages.
        if loc in containing:
            continue
        message = _MESSAGES.get(item["type"], item["msg"])
        if item["type"] in ("union_tag_not_found", "union_tag_invalid"):  # a criterion's kind
            loc = (*loc, "kind")
            message = (
                f"must be one of {_KINDS}" if item["type"] == "union_tag_invalid" else f"missing required key: one of {_KINDS}"
            )
        if item["type"] == "string_pattern_mismatch":
            message = _PATTERNS.get(str(item.get("ctx", {}).get("pattern")), message)
        message = message.removeprefix("Value error, ").replace("Input should be", "must be")
        got = None if item["type"] in ("missing", "union_tag_not_found") else _show(item.get("input"))
        if item["type"] == "union_tag_invalid":
            got = _show(item.get("ctx", {}).get("tag"))
        problems.append(Problem(message[:1].lower() + message[1:], shown, location=_location(loc), got=got))
    return problems


def _unknown_sources(node: Any, path: list[str | int], known: set[str], found: list[tuple[str, Any]]) -> None:
    """Every ``source = ...`` text below node that names no known source (after stripping), with its
    location, in file order. The location is written out only for those: ``path`` is the way down."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "source":
                if isinstance(value, str) and value.strip() not in known:
                    found.append((_location((*path, key)), value))
            elif isinstance(value, dict | tuple):
                path.append(key)
                _unknown_sources(value, path, known, found)
                path.pop()
    elif isinstance(node, tuple):
        for index, value in enumerate(node):
            if isinstance(value, dict | tuple):
                path.append(index)
                _unknown_sources(value, path, known, found)
                path.pop()


def _kept(value: Any) -> Any:
    """A value as the schema will keep it (surrounding whitespace stripped), so checks see what is used."""
    return value.strip() if isinstance(value, str) else value


def _entries(document: dict[str, Any], table: str) -> list[tuple[int, dict[str, Any]]]:
    entries = document.get(table)
    if not isinstance(entries, tuple):
        return []
    return [(index, entry) for index, entry in enumerate(entries) if isinstance(entry, dict)]


def _ids(document: dict[str, Any], table: str) -> set[str]:
    return {i for _, entry in _entries(document, table) if isinstance(i := _kept(entry.get("id")), str)}


def _reference_problems(document: dict[str, Any], shown: str) -> list[Problem]:
    """Duplicate ids and references to sources, strands and presets that do not exist (after the
    whitespace the schema strips is stripped: "a" and "a " are the same id)."""
    problems: list[Problem] = []
    for table in ("sources", "presets", "criteria", "yef_strands", "interventions", "funding_streams"):
        entries = [(index, _kept(entry.get("id"))) for index, entry in _entries(document, table)]
        counts = Counter(ident for _, ident in entries if isinstance(ident, str))
        for index, ident in entries:
            if isinstance(ident, str) and counts[ident] > 1:
                problems.append(
                    Problem(f"duplicate id: {counts[ident]} entries share it", shown, f"{table}[{index}].id", got=_show(ident))
                )
    source_ids = _ids(document, "sources")
    allowed = ", ".join(sorted(source_ids)) + ", or " + " or ".join(f'"{k}"' for k in PROVENANCE_KEYWORDS)
    unknown: list[tuple[str, Any]] = []
    for table in ("budget", "yef_strands", "interventions", "funding_streams"):
        _unknown_sources(document.get(table), [table], source_ids | set(PROVENANCE_KEYWORDS), unknown)
    for loc, value in unknown:
        problems.append(Problem(f"unknown source; use one of {allowed}", shown, loc, got=_show(value)))
    strand_ids = _ids(document, "yef_strands")
    known = ", ".join(sorted(strand_ids)) or "none are defined"
    sources = ", ".join(sorted(source_ids))
    for index, entry in _entries(document, "interventions"):
        strand = _kept(entry.get("yef_strand"))
        if isinstance(strand, str) and strand not in strand_ids:
            problems.append(
                Problem(
                    f"unknown YEF strand; known strands: {known}", shown, f"interventions[{index}].yef_strand", got=_show(strand)
                )
            )
        named = entry.get("named_in")
        for position, source in enumerate(named if isinstance(named, tuple) else ()):
            if isinstance(source, str) and _kept(source) not in source_ids:
                problems.append(
                    Problem(
                        f"unknown source; use one of {sources}",
                        shown,
                        f"interventions[{index}].named_in[{position}]",
                        got=_show(source),
                    )
                )
    problems += _stream_problems(document, shown)
    problems += _criteria_problems(document, shown)
    preset_ids = _ids(document, "presets")
    default = _kept(document.get("default_preset"))
    if isinstance(default, str) and preset_ids and default not in preset_ids:
        problems.append(
            Problem(
                f"no preset has this id; presets: {', '.join(sorted(preset_ids))}", shown, "default_preset", got=_show(default)
            )
        )
    return problems


def _version_problems(document: dict[str, Any], shown: str) -> list[Problem]:
    """The criteria in the form the schema version says: ``[scoring.*]`` for 1, ``[[criteria]]`` for 2."""
    version = document.get("schema_version")
    has_scoring, has_criteria = "scoring" in document, bool(document.get("criteria"))
    criteria = document.get("criteria")
    if version == 2 and isinstance(criteria, tuple) and len(criteria) > MAX_CRITERIA:
        return [Problem(f"at most {MAX_CRITERIA} criteria; this catalogue has {len(criteria)}", shown, "criteria")]
    if version == 1 and type(version) is int:
        if has_criteria:
            return [
                Problem("[[criteria]] needs schema_version = 2 (version 1 has [scoring.*] tables instead)", shown, "criteria")
            ]
        if not has_scoring:
            return [Problem("missing required key: version 1 has the four [scoring.*] tables", shown, "scoring")]
    if version == 2 and type(version) is int:
        if has_scoring:
            return [
                Problem(
                    "schema_version 2 defines criteria in [[criteria]], not [scoring.*] tables "
                    "(write schema_version = 1, or move them into [[criteria]])",
                    shown,
                    "scoring",
                )
            ]
        if not has_criteria:
            return [Problem("missing required key: schema_version 2 needs at least one [[criteria]] entry", shown, "criteria")]
    return []


def _criteria_problems(document: dict[str, Any], shown: str) -> list[Problem]:
    """Presets without a weight for every criterion (or with one for a criterion there is not), ratings for
    criteria that are not rated, and interventions missing a rating or figure a criterion needs."""
    problems: list[Problem] = []
    criteria = _entries(document, "criteria")
    if criteria:
        ids = [i for _, entry in criteria if isinstance(i := _kept(entry.get("id")), str)]
    elif isinstance(document.get("scoring"), dict):
        ids = ["impact", "reach", "cost", "risk"]
    else:
        return problems
    known = ", ".join(ids)
    for index, preset in _entries(document, "presets"):
        weights = preset.get("weights")
        if not isinstance(weights, dict):
            continue
        for criterion in ids:
            if criterion not in weights:
                where = f"presets[{index}].weights.{criterion}"
                problems.append(Problem(f"missing required key: give a weight for every criterion ({known})", shown, where))
        for key in weights:
            if key not in ids:
                where = f"presets[{index}].weights.{key}"
                problems.append(Problem(f"unknown key: no criterion has this id; the criteria are {known}", shown, where))
    rated = {
        i: entry.get("missing_value") is None
        for _, entry in criteria
        if entry.get("kind") == "rating" and isinstance(i := _kept(entry.get("id")), str)
    }
    figures = {
        str(_kept(entry.get("attribute"))).removeprefix(FIGURE_PREFIX): _kept(entry.get("id"))
        for _, entry in criteria
        if entry.get("kind") == "piecewise_linear"
        and re.fullmatch(r"figures\.[a-z0-9][a-z0-9_-]*", str(_kept(entry.get("attribute"))))
        and entry.get("missing_value") is None
    }
    for index, item in _entries(document, "interventions"):
        ratings = item.get("ratings")
        ratings = ratings if isinstance(ratings, dict) else {}
        for key in ratings:
            if key not in rated:
                rating_ids = ", ".join(rated) or "none: this catalogue has no rating criterion"
                problems.append(
                    Problem(
                        f"no rating criterion has this id; rating criteria: {rating_ids}",
                        shown,
                        f"interventions[{index}].ratings.{key}",
                    )
                )
        for criterion, required in rated.items():
            if required and criterion not in ratings:
                problems.append(
                    Problem(
                        f"missing required key: criterion '{criterion}' rates every intervention "
                        "(or give the criterion a missing_value)",
                        shown,
                        f"interventions[{index}].ratings.{criterion}",
                    )
                )
        given = item.get("figures")
        given = given if isinstance(given, dict) else {}
        for figure, criterion in figures.items():
            entry = given.get(figure)
            if entry is None or (isinstance(entry, dict) and "value" not in entry):
                problems.append(
                    Problem(
                        f"criterion '{criterion}' scores this figure for every intervention: give it a value "
                        "(or give the criterion a missing_value)",
                        shown,
                        f"interventions[{index}].figures.{figure}",
                    )
                )
    return problems


def _stream_problems(document: dict[str, Any], shown: str) -> list[Problem]:
    """Funding streams that name interventions the catalogue does not have."""
    problems: list[Problem] = []
    intervention_ids = _ids(document, "interventions")
    for index, entry in _entries(document, "funding_streams"):
        eligible = entry.get("eligible")
        named = eligible.get("interventions") if isinstance(eligible, dict) else None
        for position, ident in enumerate(named if isinstance(named, tuple) else ()):
            if isinstance(ident, str) and _kept(ident) not in intervention_ids:
                problems.append(
                    Problem(
                        "no intervention has this id",
                        shown,
                        f"funding_streams[{index}].eligible.interventions[{position}]",
                        got=_show(ident),
                    )
                )
    return problems
