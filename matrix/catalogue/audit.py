"""The catalogue's internal consistency: warnings a valid catalogue can still deserve, each with its place.

A catalogue that does not load is an error (the loader's problems); one that loads may still commit more
money today than its budget holds, claim a reach far beyond what its tier usually engages, lean on a
partial YEF match, rest on ratings checked too long ago, or cite a source without saying where in it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from matrix.catalogue.loader import LoadedCatalogue
from matrix.catalogue.schema import PROVENANCE_KEYWORDS, Intervention, MaybeSourced, Sourced

# People engaged a year above which a tier's figure is far beyond its usual range: targeted (secondary)
# and intensive (tertiary) work engages hundreds, not tens of thousands.
USUAL_REACH_LIMIT = {"secondary": 5_000, "tertiary": 1_000}
STALE_DAYS = 365
# Fields whose source is plain from a strategy-table row; every other sourced figure needs its passage.
_TABLE_FIELDS = ("prevention_tiers", "delivery_model", "target_group", "local_cost_band", "local_impact_estimate")


@dataclass(frozen=True)
class Finding:
    """One warning, with its place (``file:line`` where the line is known) and what is wrong, in words."""

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: warning: {self.message}"


class _Places:
    """Where things are in the catalogue's text, worked out once per audit (not once per finding)."""

    def __init__(self, loaded: LoadedCatalogue) -> None:
        self.path = loaded.path
        self.text = loaded.text
        self.lines = loaded.text.splitlines()
        # The first line that starts with id = "X", for every X: what searching for ^id = "X" finds.
        self.id_lines: dict[str, int] = {}
        line, counted = 1, 0
        for found in re.finditer(r'^id = "([^"\n]*)"', self.text, re.M):
            line += self.text.count("\n", counted, found.start())
            counted = found.start()
            self.id_lines.setdefault(found.group(1), line)

    def line_of(self, pattern: str) -> int | None:
        found = re.search(pattern, self.text, re.M)
        return self.text.count("\n", 0, found.start()) + 1 if found else None

    def place(self, pattern: str, field: str) -> str:
        return self.at(self.line_of(pattern), field)

    def id_place(self, ident: str, field: str) -> str:
        """The line of ``id = "ident"`` (its first), with the field named."""
        return self.at(self.id_lines.get(ident), field)

    def at(self, line: int | None, field: str) -> str:
        return f"{self.path}:{line}: {field}" if line else f"{self.path}: {field}"

    def intervention(self, item: Intervention, field: str) -> str:
        """The line of ``field`` inside this intervention's table (or of its id when the field is not found)."""
        start = self.id_lines.get(item.id) or 1
        for number in range(start, len(self.lines) + 1):
            text = self.lines[number - 1]
            if number > start and text.startswith("[[interventions]]"):
                break
            if text.startswith(f"{field} ="):
                return f"{self.path}:{number}: {item.id}.{field}"
        return f"{self.path}:{start}: {item.id}.{field}"


def audit_catalogue(loaded: LoadedCatalogue, today: dt.date | None = None) -> list[Finding]:
    """Every consistency warning of a loaded catalogue, in file order within each check."""
    catalogue = loaded.catalogue
    today = today or dt.date.today()
    places = _Places(loaded)
    findings: list[Finding] = []
    budget = catalogue.budget.annual_budget_gbp.value
    today_set = [i for i in catalogue.interventions if i.funded_today.value]
    committed = sum(i.annual_cost_gbp.value for i in today_set)
    if committed > budget:
        unconfirmed = [i.id for i in today_set if i.funded_today.source in PROVENANCE_KEYWORDS]
        findings.append(
            Finding(
                places.place(r"^annual_budget_gbp", "budget.annual_budget_gbp"),
                f"the {len(today_set)} interventions funded today cost £{committed:,.0f} a year, more than the "
                f"£{budget:,.0f} budget; keeping them all cannot be met"
                + (f" ({len(unconfirmed)} of the flags are unconfirmed: {', '.join(unconfirmed)})" if unconfirmed else ""),
            )
        )
    if catalogue.budget.year is None:
        findings.append(Finding(places.place(r"^\[budget\]", "budget.year"), "the budget does not say which year it is for"))
    for item in catalogue.interventions:
        for level in item.levels:
            if level.annual_cost_gbp.value >= item.annual_cost_gbp.value:
                findings.append(
                    Finding(
                        places.intervention(item, "annual_cost_gbp"),
                        f"level '{level.id}' costs as much as the full intervention; a level is a smaller way to fund it",
                    )
                )
        reach = item.reach_per_year.value
        widest = next((t for t in ("primary", "secondary", "tertiary") if t in item.prevention_tiers.value), "primary")
        limit = USUAL_REACH_LIMIT.get(widest)
        if reach is not None and limit is not None and reach > limit:
            findings.append(
                Finding(
                    places.intervention(item, "reach_per_year"),
                    f"{reach:,} people engaged a year is far beyond the usual range of {widest} work "
                    f"(up to {limit:,}); is it an audience rather than people engaged?",
                )
            )
        if item.yef_fit == "partial":
            findings.append(
                Finding(
                    places.intervention(item, "yef_fit"),
                    f"only a partial match to YEF strand '{item.yef_strand}': "
                    + (item.yef_mapping_note or "no reason given in yef_mapping_note"),
                )
            )
        for name in type(item).model_fields:
            field = getattr(item, name)
            if (
                isinstance(field, Sourced | MaybeSourced)
                and field.source not in PROVENANCE_KEYWORDS
                and field.note is None
                and not (name in _TABLE_FIELDS and field.source == "strategy2024")
            ):
                findings.append(
                    Finding(
                        places.intervention(item, name),
                        f"sourced to '{field.source}' with no note quoting where the source says so",
                    )
                )
    for strand in catalogue.yef_strands:
        if (today - strand.checked).days > STALE_DAYS:
            findings.append(
                Finding(
                    places.id_place(strand.id, f"yef_strands.{strand.id}.checked"),
                    f"ratings last checked {strand.checked:%d %b %Y}, more than {STALE_DAYS} days ago",
                )
            )
    return findings
