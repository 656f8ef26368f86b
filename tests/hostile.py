"""The hostile corpus: generated bad inputs on every surface a user or a file can reach, each with
the words its answer must contain.

Surfaces: catalogue TOML (the README's example, mutated at every leaf and table), the interventions
CSV upload (the shipped catalogue's table, mutated per column and as a file), decision records (a
real record, mutated), and the page's link parameters. A case is ``(surface, name, payload, words)``:
the payload is bytes (files) or a dict (link parameters), and every phrase in ``words`` must appear
in the answer. The expected words are written here from the rules, never read back from the code.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import tomli
import tomli_w

from tests.matrix.example import readme_example

# Python will not even build this integer (more than 4,300 digits), so it is written into the TOML text.
HUGE = "@@huge@@"
NOT_REQUIRED = {
    "note",
    "url",
    "impact_outcome",
    "yef_strand",
    "yef_fit",
    "yef_mapping_note",
    "levels",
    "local_cost_band",
    "local_impact_estimate",
    "yef_strands",
}
MAYBE_SOURCED = {"reach_per_year", "impact_band", "impact_pct", "evidence_rating", "evidence_words", "cost_rating"}
TEXT_KEYS = {"title", "overview", "area", "description", "question", "weight_help", "note", "publisher", "location"}
NAME_KEYS = {"name", "label"}
# Tables whose keys are fixed names (bands, tiers, levels): an extra key is a key that is not one of them.
FIXED_KEY_TABLES = {"band_points", "tier_points", "evidence_words_penalty", "delivery_risk_penalty", "impact_sd_by_words"}
ID_TABLES = ("sources", "presets", "criteria", "yef_strands", "interventions")


@dataclass(frozen=True)
class Case:
    surface: str  # "toml", "csv", "record" or "link"
    name: str
    payload: Any
    words: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.surface}:{self.name}"


def _leaves(node: Any, where: str = "") -> Iterator[tuple[str, tuple[str | int, ...], Any]]:
    """Every scalar in a document with its location (as the messages write it) and its key path."""
    yield from _walk(node, where, ())


def _walk(node: Any, where: str, path: tuple[str | int, ...]) -> Iterator[tuple[str, tuple[str | int, ...], Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{where}.{key}" if where else key, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{where}[{index}]", (*path, index))
    else:
        yield where, path, node


def _tables(node: Any, where: str = "", path: tuple[str | int, ...] = ()) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    if isinstance(node, dict):
        yield where, path
        for key, value in node.items():
            yield from _tables(value, f"{where}.{key}" if where else key, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _tables(value, f"{where}[{index}]", (*path, index))


def _set(document: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    node: Any = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return changed


def _delete(document: dict[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    node: Any = changed
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return changed


def _toml(document: dict[str, Any]) -> bytes:
    return tomli_w.dumps(document).replace(f'"{HUGE}"', "9" * 5000).encode("utf-8")


def toml_cases() -> list[Case]:
    base_text = readme_example()
    base = tomli.loads(base_text)
    cases: list[Case] = []
    for where, path, value in _leaves(base):
        key = path[-1]
        parent = path[-2] if len(path) > 1 else ""
        cases.append(Case("toml", f"huge-int@{where}", _toml(_set(base, path, HUGE)), ("more than 4,300 digits",)))
        if isinstance(value, bool):
            cases.append(Case("toml", f"yes@{where}", _toml(_set(base, path, "yes")), (f"{where}: must be true or false",)))
            cases.append(Case("toml", f"one@{where}", _toml(_set(base, path, 1)), (f"{where}: must be true or false",)))
        elif isinstance(value, int | float):
            cases.append(Case("toml", f"text@{where}", _toml(_set(base, path, str(value))), (f"{where}: must be",)))
            cases.append(Case("toml", f"bool@{where}", _toml(_set(base, path, True)), (f"{where}: must be",)))
            cases.append(Case("toml", f"nan@{where}", _toml(_set(base, path, float("nan"))), (f"{where}: must be",)))
            cases.append(Case("toml", f"list@{where}", _toml(_set(base, path, [value])), (f"{where}: must be",)))
        elif isinstance(value, dt.date):
            future = dt.date.today() + dt.timedelta(days=30)
            cases.append(Case("toml", f"future@{where}", _toml(_set(base, path, future)), (f"{where}: is after today",)))
            cases.append(Case("toml", f"text@{where}", _toml(_set(base, path, "2024-13-45")), (f"{where}: must be a date",)))
        elif isinstance(value, str):
            cases.append(Case("toml", f"number@{where}", _toml(_set(base, path, 12345)), (f"{where}: must be",)))
            cases.append(Case("toml", f"table@{where}", _toml(_set(base, path, {"x": 1})), (f"{where}: must be",)))
            if key in TEXT_KEYS or key in NAME_KEYS:
                for char in ("\x00", "\x1b", "\x7f"):
                    hostile = _set(base, path, f"A{char}B")
                    cases.append(
                        Case("toml", f"U+{ord(char):04X}@{where}", _toml(hostile), (f"{where}: contains", f"U+{ord(char):04X}"))
                    )
                cases.append(
                    Case("toml", f"blank@{where}", _toml(_set(base, path, "   ")), (f"{where}: ", "at least 1 character"))
                )
                cases.append(Case("toml", f"long@{where}", _toml(_set(base, path, "x" * 2001)), (f"{where}: ", "at most")))
            if key in NAME_KEYS:
                for char in ("\u200b", "\u202e", "\n"):
                    hostile = _set(base, path, f"A{char}B")
                    cases.append(
                        Case("toml", f"U+{ord(char):04X}@{where}", _toml(hostile), (f"{where}: contains", "a name is one line"))
                    )
        if isinstance(key, int):
            continue  # an item of a list, not a key
        if parent in FIXED_KEY_TABLES:
            owner = where.rsplit(".", 1)[0]
            cases.append(Case("toml", f"missing@{where}", _toml(_delete(base, path)), (f"{owner}: missing a number for {key}",)))
        elif key not in NOT_REQUIRED and not (key == "value" and parent in MAYBE_SOURCED):
            cases.append(Case("toml", f"missing@{where}", _toml(_delete(base, path)), (f"{where}: missing required key",)))
    for where, path in _tables(base):
        target = _set(base, (*path, "colour"), "red") if path else {**copy.deepcopy(base), "colour": "red"}
        located = f"{where}.colour" if where else "colour"
        words = f"{located}: must be" if path and path[-1] in FIXED_KEY_TABLES else f"{located}: unknown key"
        cases.append(Case("toml", f"unknown-key@{located}", _toml(target), (words,)))
    for table in ID_TABLES:
        for suffix, label in ((" ", "trailing-space"), ("\t", "trailing-tab"), ("", "exact")):
            doubled = copy.deepcopy(base)
            twin = copy.deepcopy(doubled[table][0])
            twin["id"] = twin["id"] + suffix
            doubled[table].append(twin)
            cases.append(Case("toml", f"duplicate-{label}@{table}", _toml(doubled), (f"{table}[0].id: duplicate id",)))
    cases += _toml_specials(base_text, base)
    return cases


def _toml_specials(text: str, base: dict[str, Any]) -> list[Case]:
    """Hand-written cases: the shapes a parser or a walker can choke on, and rules across fields."""
    level = {"id": "pilot", "label": "Pilot", "annual_cost_gbp": {"value": 10**9, "source": "illustrative"}}
    level["reach_per_year"] = {"value": 10, "source": "illustrative"}
    dearer = _set(base, ("interventions", 0, "levels"), [level])
    deep_table = "\n".join([text, "[" + ".".join(["x"] * 300) + "]", "y = 1", ""])
    return [
        Case("toml", "inline-arrays-5000-deep", (text + "\ndeep = " + "[" * 5000 + "]" * 5000 + "\n").encode(), ("nested",)),
        Case(
            "toml", "inline-tables-2000-deep", (text + "\ndeep = " + "{a=" * 2000 + "1" + "}" * 2000 + "\n").encode(), ("nested",)
        ),
        Case("toml", "dotted-table-300-deep", deep_table.encode(), ("nested more than",)),
        Case("toml", "level-dearer-than-whole", _toml(dearer), ("interventions[0]", "more than the full intervention")),
        Case(
            "toml",
            "impossible-date",
            _toml(_set(base, ("sources", 0, "date"), "2024-13-45")),
            ("sources[0].date", "not a real date"),
        ),
        Case("toml", "day-32", _toml(_set(base, ("sources", 0, "date"), "2024-01-32")), ("sources[0].date", "not a real date")),
        Case("toml", "month-00", _toml(_set(base, ("sources", 0, "date"), "2024-00")), ("sources[0].date", "not a real date")),
        Case("toml", "utf16", text.encode("utf-16"), ("not UTF-8",)),
        Case("toml", "latin1", text.replace("Example", "Exampl\u00e9").encode("latin-1"), ("not UTF-8",)),
        Case("toml", "nul-bytes", b"\x00" * 64, ("Invalid",)),
        Case("toml", "only-spaces", b"   \n\t\n", ("empty",)),
        Case("toml", "array-of-tables-as-value", _toml({**base, "interventions": "many"}), ("interventions: must be",)),
        Case("toml", "sources-empty", _toml({**base, "sources": []}), ("sources: ",)),
        Case("toml", "duplicate-key", (text + '\ntitle = "again"\n').encode(), ("title",)),
        Case("toml", "unterminated-string", text.replace('title = "Example"', 'title = "Example').encode(), (":",)),
        Case("toml", "binary-junk", bytes(range(256)) * 4, ("not UTF-8",)),
        # Found by an attack on the hardened loader:
        Case(
            "toml",
            "cost-below-a-penny",
            _toml(_set(base, ("interventions", 0, "annual_cost_gbp", "value"), 1e-10)),
            ("at least £0.01",),
        ),
        Case(
            "toml",
            "anchors-too-close",
            _toml(_set(base, ("criteria", 2, "points"), [[5e4, 100.0], [5.00000000001e4, 0.0]])),
            ("too close",),
        ),
        Case("toml", "line-separator-in-name", _toml(_set(base, ("interventions", 0, "name"), "a\u2028b")), ("a line break",)),
        Case("toml", "blank-looking-name", _toml(_set(base, ("interventions", 0, "name"), "\u3164\u3164")), ("no visible",)),
        Case("toml", "marks-only-name", _toml(_set(base, ("interventions", 0, "name"), "\u0301\u0301")), ("no visible",)),
        Case(
            "toml",
            "arabic-digit-date",
            _toml(_set(base, ("sources", 0, "date"), "\u0662\u0660\u0662\u0664")),
            ("must be a date",),
        ),
        Case("toml", "schema-version-float", _toml({**base, "schema_version": 1.0}), ("schema_version",)),
    ]


# ---------------------------------------------------------------------------------------------
# The interventions CSV upload


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def csv_cases(header: list[str], rows: list[list[str]]) -> list[Case]:
    """``header`` and ``rows`` are the shipped catalogue's interventions table as text."""
    cases: list[Case] = []
    column = {name: index for index, name in enumerate(header)}

    def edited(name: str, value: str, row: int = 0) -> bytes:
        changed = [list(r) for r in rows]
        changed[row][column[name]] = value
        return _csv([header, *changed])

    bad_numbers = ["5_0000", "1e400", "nan", "inf", "--5", "5,0,0", "true", "9" * 5000, "0x10", "½", "\u0665\u0660\u0660"]
    for number, text in enumerate(bad_numbers):
        cases.append(Case("csv", f"cost-{number}", edited("annual_cost_gbp", text), (":2: annual_cost_gbp: must be",)))
        cases.append(Case("csv", f"reach-{number}", edited("reach_per_year", text, 1), (":3: reach_per_year: must be",)))
    for text in ("maybe", "2", "yes please", "ja"):
        cases.append(Case("csv", f"funded-{text}", edited("funded_today", text), (":2: funded_today: must be true or false",)))
    for char in ("\u200b", "\u202e", "\x1b"):
        cases.append(Case("csv", f"name-U+{ord(char):04X}", edited("name", f"A{char}B"), (":2: name: contains",)))
    for name, value, words in (
        ("id", "Bad Id", ":2: id: must be lower-case"),
        ("id", "", ":2: id: must be lower-case"),
        ("prevention_tiers", "fourth", ":2: prevention_tiers: must be 'primary'"),
        ("delivery_model", "magic", ":2: delivery_model: must be"),
        ("target_group", "everyone", ":2: target_group: must be"),
        ("status", "rumoured", ":2: status: must be"),
        ("delivery_risk", "none", ":2: delivery_risk: must be"),
        ("yef_fit", "sort of", ":2: yef_fit: must be"),
        ("yef_strand", "not-a-strand", ":2: yef_strand: unknown YEF strand"),
        ("annual_cost_source", "my-guess", ":2: annual_cost_source: unknown source"),
        ("annual_cost_gbp", "-5", ":2: annual_cost_gbp: must be greater than or equal to 0"),
        ("reach_per_year", "0", ":3: reach_per_year: must be greater than or equal to 1"),
        ("named_in", "nowhere", ":2: named_in: unknown source"),
        ("name", "x" * 201, ":2: name: "),
    ):
        row = 1 if name == "reach_per_year" else 0
        cases.append(Case("csv", f"{name}={value[:12]}", edited(name, value, row), (words,)))
    twin = [list(r) for r in rows]
    twin.append(list(rows[0]))
    twin[-1][column["id"]] = rows[0][column["id"]] + " "
    cases.append(Case("csv", "duplicate-id-with-space", _csv([header, *twin]), ("duplicate id",)))
    semicolons = _csv([header, *rows]).decode().replace(",", ";").encode()
    tabs = _csv([header, *rows]).decode().replace(",", "\t").encode()
    body = _csv([header, *rows])
    cases += [
        Case("csv", "duplicated-header", _csv([[*header, "name"], *[[*r, "x"] for r in rows]]), ("more than once: name",)),
        Case("csv", "extra-field", _csv([header, [*rows[0], "surprise"], *rows[1:]]), (":2: has", "the header has")),
        Case("csv", "short-row", _csv([header, rows[0][:-2], *rows[1:]]), (":2: has", "the header has")),
        Case("csv", "semicolons", semicolons, ("separated by semicolons",)),
        Case("csv", "tabs", tabs, ("separated by tabs",)),
        Case("csv", "nul", body.replace(b"Sports", b"Sp\x00orts", 1), (":2: name: contains the control character U+0000",)),
        Case("csv", "not-utf8", body.decode().encode("utf-16"), ("not UTF-8",)),
        Case("csv", "empty", b"", ("empty",)),
        Case("csv", "header-only", _csv([header]), ("header but no rows",)),
        Case("csv", "no-header", _csv(rows), ("missing column",)),
        Case("csv", "unknown-column", _csv([[*header[:-1], "colour"], *rows]), ("unknown column(s): colour",)),
        Case("csv", "missing-column", _csv([header[:-1], *[r[:-1] for r in rows]]), ("missing column(s): yef_fit",)),
        Case("csv", "huge-field", _csv([header, [*rows[0][:2], "x" * 200_000, *rows[0][3:]]]), ("field",)),
        Case("csv", "unclosed-quote", body.replace(b"Sports", b'"Sports', 1), ("",)),
    ]
    return cases


# ---------------------------------------------------------------------------------------------
# Decision records


def _record(data: dict[str, Any]) -> bytes:
    return json.dumps(data, indent=1).encode("utf-8")


def _resealed(data: dict[str, Any], toml: str) -> dict[str, Any]:
    """A record whose catalogue copy is replaced, with a matching SHA-256 (a consistent forgery)."""
    changed = copy.deepcopy(data)
    changed["catalogue"]["toml"] = toml
    changed["catalogue"]["sha256"] = hashlib.sha256(toml.encode("utf-8")).hexdigest()
    return changed


def record_cases(raw: bytes) -> list[Case]:
    """``raw`` is a faithful record of the shipped catalogue's default scenario."""
    data = json.loads(raw)
    cases: list[Case] = []
    for key in data:
        if key not in ("participants", "monte_carlo", "plan", "elicited"):  # optional: a record without them is whole
            cases.append(Case("record", f"missing-{key}", _record({k: v for k, v in data.items() if k != key}), (key,)))
    scenario_edits: list[tuple[str, Any, str]] = [
        ("budget_gbp", "lots", "scenario.budget_gbp"),
        ("budget_gbp", -1, "scenario.budget_gbp"),
        ("budget_gbp", 1e300, "scenario.budget_gbp"),
        ("budget_gbp", True, "scenario.budget_gbp"),
        ("weights", {"impact": "1", "reach": 0, "cost": 0, "risk": 0}, "scenario.weights.impact"),
        ("weights", {"impact": 0, "reach": 0, "cost": 0, "risk": 0}, "all weights are zero"),
        ("weights", {"impact": 0, "reach": 0, "cost": 50, "risk": 0}, "the benefit weights are all zero"),
        ("must_fund", "peer-mentoring", "scenario.must_fund"),
        ("must_fund", ["no-such-thing"], "no intervention has the id 'no-such-thing'"),
        ("must_not_fund", [1, 2], "scenario.must_not_fund"),
        ("tier_min_share", {"primary": 1.0, "secondary": 1.0}, "tier minimums add up to 200%"),
        ("tier_min_share", {"quaternary": 0.5}, "scenario.tier_min_share"),
        ("ringfence_share", 0.99, "scenario.ringfence_share"),
        ("keep_status_quo", "yes", "scenario.keep_status_quo"),
        ("normalisation", "vibes", "scenario.normalisation"),
        ("name", "", "scenario.name"),
        ("harmful_overrides", {"no-such-thing": "because"}, "no intervention has the id 'no-such-thing'"),
        ("surprise", 1, "scenario.surprise"),
    ]
    for field, value, words in scenario_edits:
        changed = copy.deepcopy(data)
        changed["scenario"][field] = value
        cases.append(Case("record", f"scenario.{field}={json.dumps(value)[:60]}", _record(changed), (words,)))
    deep = "[" * 100_000 + "]" * 100_000
    altered = copy.deepcopy(data)
    altered["catalogue"]["toml"] = altered["catalogue"]["toml"].replace("880000", "980000", 1)
    tampered = copy.deepcopy(data)
    tampered["catalogue"]["sha256"] = "0" * 64
    cases += [
        Case("record", "not-json", b"{ this is not json", ("not valid JSON",)),
        Case("record", "array", b"[1, 2, 3]", ("expected a JSON object",)),
        Case("record", "empty", b"", ("not valid JSON",)),
        Case("record", "utf16", raw.decode().encode("utf-16"), ("not UTF-8",)),
        Case("record", "format-2", _record({**data, "record_format": 2}), ("record format 2",)),
        Case("record", "format-text", _record({**data, "record_format": "1"}), ('record format "1"',)),
        Case("record", "deep-nesting", ('{"record_format": 1, "x": ' + deep + "}").encode(), ("nested far too deeply",)),
        Case("record", "huge-int", ('{"record_format": 1, "x": ' + "9" * 5000 + "}").encode(), ("more than 4,300 digits",)),
        Case(
            "record", "huge-int-in-scenario", raw.replace(b'"budget_gbp": ', b'"budget_gbp": ' + b"9" * 5000 + b', "x": '), ("",)
        ),
        Case("record", "catalogue-altered", _record(altered), ("has been altered",)),
        Case("record", "sha-tampered", _record(tampered), ("has been altered",)),
        Case("record", "catalogue-not-toml", _record(_resealed(data, "title = [")), ("the record's catalogue",)),
        Case("record", "catalogue-deep", _record(_resealed(data, "x = " + "[" * 3000 + "]" * 3000)), ("nested",)),
        Case("record", "catalogue-huge-int", _record(_resealed(data, "x = " + "9" * 5000)), ("more than 4,300 digits",)),
        Case("record", "catalogue-empty", _record(_resealed(data, "")), ("empty",)),
        Case("record", "bom", b"\xef\xbb\xbf" + raw, ("identical",)),
        Case("record", "ranking-rank-text", raw.replace(b'"rank": 1,', b'"rank": "1",', 1), ("rank",)),
        Case("record", "created-at-junk", _record({**data, "created_at": "yesterday"}), ("created_at",)),
        Case(
            "record", "repeated-key", raw.replace(b'"budget_gbp": ', b'"budget_gbp": -5, "budget_gbp": ', 1), ("appears twice",)
        ),
        Case(
            "record",
            "nul-in-scenario-name",
            _record({**data, "scenario": {**data["scenario"], "name": "a\u0000b"}}),
            ("scenario.name",),
        ),
        Case(
            "record",
            "bidi-participant",
            _record({**data, "participants": [{"name": "\u202e", "weights": data["scenario"]["weights"]}]}),
            ("participants",),
        ),
    ]
    return cases


# ---------------------------------------------------------------------------------------------
# Link parameters

NUMERIC_PARAMS = (
    "impact",
    "reach",
    "cost",
    "risk",
    "budget",
    "ringfence",
    "min_primary",
    "min_secondary",
    "min_tertiary",
    "max_primary",
    "max_secondary",
    "max_tertiary",
)


def link_cases() -> list[Case]:
    """Each case's words must appear in the messages the page shows above the tabs."""
    cases: list[Case] = []
    for param in NUMERIC_PARAMS:
        for value in ("abc", "nan", "inf", "-inf", "1e309", "9" * 5000, "0x10", "1_000", "", " "):
            words = ("is not a number",) if value.strip() else ()
            cases.append(Case("link", f"{param}={value[:10]}", {param: value}, words))
        outside = ("-5", "1e12", "99999999999999999999") if param == "budget" else ("-5", "1e12", "101", "100.5")
        for value in outside:
            cases.append(Case("link", f"{param}={value}", {param: value}, ("The link's",)))
    for param in ("keep_today", "include_cost"):
        for value in ("maybe", "2", "yes please"):
            cases.append(Case("link", f"{param}={value}", {param: value}, ("is not 1 or 0",)))
    cases += [
        Case("link", "normalisation=vibes", {"normalisation": "vibes"}, ("normalisation 'vibes' is not one of",)),
        Case("link", "must=unknown", {"must": "no-such,also-not"}, ("which the catalogue does not have",)),
        Case("link", "exclude=unknown", {"exclude": "no-such"}, ("which the catalogue does not have",)),
        Case("link", "allow_harmful=malformed", {"allow_harmful": "no-reason"}, ("needs the form id:reason",)),
        Case("link", "allow_harmful=unknown", {"allow_harmful": "no-such:because"}, ("does not match a harmful-rated",)),
        Case("link", "compare=junk", {"compare": "not-base64!!"}, ("cannot be read",)),
        Case("link", "compare=bomb", {"compare": _bomb()}, ("cannot be read",)),
        Case("link", "scenario=long", {"scenario": "x" * 10_000}, ()),
        Case("link", "scenario=control", {"scenario": "a\x00b\x1bc"}, ()),
        Case("link", "all-zero-weights", {"impact": "0", "reach": "0", "cost": "0", "risk": "0"}, ("all zero",)),
        Case("link", "everything-bad", {p: "nan" for p in NUMERIC_PARAMS}, ("is not a number",)),
    ]
    return cases


def _bomb() -> str:
    import base64
    import zlib

    return base64.urlsafe_b64encode(zlib.compress(b"{" + b" " * 10_000_000 + b"}", 9)).decode().rstrip("=")
