"""Tables the app and exports show: filtering the matrix and choosing which rows to export."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import pandas as pd

from matrix.decision.problem import DecisionProblem


@dataclass(frozen=True)
class MatrixFilter:
    """What the user chose to see. Empty collections mean 'no restriction'."""

    tiers: Collection[str] = field(default_factory=tuple)
    delivery_models: Collection[str] = field(default_factory=tuple)
    target_groups: Collection[str] = field(default_factory=tuple)
    impact_bands: Collection[str] = field(default_factory=tuple)
    text: str = ""
    only_unverified: bool = False
    # Keep interventions with at most this share (0-1) of their score resting on estimates (1: all).
    max_estimated_share: float = 1.0


def _any_of(joined: pd.Series, wanted: Collection[str]) -> pd.Series:
    """Rows whose '; '-joined list holds at least one wanted item."""
    wanted_set = set(wanted)
    return joined.map(lambda cell: bool(wanted_set & set(str(cell).split("; "))))


def filter_ids(problem: DecisionProblem, chosen: MatrixFilter, estimated: pd.Series | None = None) -> list[str]:
    """Ids of the interventions that pass every filter, in catalogue order.

    Tiers and delivery models match when an intervention has any of the chosen ones; the
    text matches name, overview, area and YEF strand, ignoring case; ``only_unverified``
    keeps interventions with at least one illustrative or unconfirmed value;
    ``max_estimated_share`` keeps those whose ``estimated`` share of the score (by id, from
    ``estimated_shares`` at the current weights) is at most that.
    """
    info = problem.info
    keep = pd.Series(True, index=info.index)
    if chosen.tiers:
        keep &= _any_of(info["prevention_tiers"], chosen.tiers)
    if chosen.delivery_models:
        keep &= _any_of(info["delivery_model"], chosen.delivery_models)
    if chosen.target_groups:
        keep &= info["target_group"].isin(list(chosen.target_groups))
    if chosen.impact_bands:
        keep &= info["yef_band"].isin(list(chosen.impact_bands))
    needle = chosen.text.strip().casefold()
    if needle:
        overview = pd.Series({i.id: i.overview for i in problem.catalogue.interventions})
        haystack = info["name"] + " " + overview.reindex(info.index) + " " + info["area"] + " " + info["yef_strand"]
        keep &= haystack.str.casefold().str.contains(needle, regex=False)
    if chosen.only_unverified:
        keep &= (info["illustrative_count"] + info["unconfirmed_count"]) > 0
    if chosen.max_estimated_share < 1.0:
        if estimated is None:
            raise ValueError("filtering by the share resting on estimates needs the shares")
        keep &= estimated.reindex(info.index).fillna(1.0) <= chosen.max_estimated_share + 1e-9
    return [str(i) for i in info.index[keep]]


def provenance_marks(flags: str) -> str:
    """'illustrative: cost, reach | unconfirmed: impact %' from 'field:keyword;...' flags."""
    by_kind: dict[str, list[str]] = {}
    for flag in filter(None, flags.split(";")):
        name, _, kind = flag.rpartition(":")
        by_kind.setdefault(kind, []).append(name.replace("_", " "))
    return " | ".join(f"{kind}: {', '.join(names)}" for kind, names in sorted(by_kind.items()))


def select_rows(table: pd.DataFrame, scope: str, visible_ids: Collection[str], top_n: int) -> pd.DataFrame:
    """Rows of a ranked table to export: 'all', 'filtered' (the visible ids) or 'top' (first n by rank)."""
    if scope == "all":
        return table
    if scope == "filtered":
        return table[table["id"].isin(list(visible_ids))]
    if scope == "top":
        return table.head(max(0, top_n))
    raise ValueError(f"unknown export scope {scope!r}")
