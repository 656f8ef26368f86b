"""Catalogue maintenance: TOML round trips, table edits, diffs, YEF refresh, safe saving."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matrix.catalogue import (
    CatalogueError,
    LoadedCatalogue,
    apply_frame,
    apply_yef,
    catalogue_to_toml,
    diff_catalogues,
    interventions_frame,
    load_catalogue,
    load_document,
    parse_catalogue,
    row_problems,
    save_catalogue,
    stale_strands,
    yef_changes,
)
from tests.conftest import SHIPPED
from tests.strategies import pounds, typed_name, typed_text


def test_shipped_catalogue_round_trips(shipped: LoadedCatalogue) -> None:
    """Catalogue -> TOML -> catalogue gives the identical catalogue."""
    again = parse_catalogue(catalogue_to_toml(shipped.catalogue).encode("utf-8"), "written")
    assert again.catalogue == shipped.catalogue


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    row=st.integers(0, 30),
    name=typed_name,
    cost=pounds,
    reach=st.one_of(st.none(), st.integers(1, 10_000_000)),
    note=st.one_of(st.none(), typed_text),
)
def test_edited_catalogues_round_trip(
    shipped: LoadedCatalogue, row: int, name: str, cost: float, reach: int | None, note: str | None
) -> None:
    """Any edited name (quotes, HTML, formulas, unicode), cost, reach and note survive TOML and back unchanged."""
    item = shipped.catalogue.interventions[row]
    cost = max([cost, *(level.annual_cost_gbp.value for level in item.levels)])  # a level never costs more than the whole
    changed = item.model_copy(
        update={
            "name": name,
            "annual_cost_gbp": item.annual_cost_gbp.model_copy(update={"value": cost, "note": note}),
            "reach_per_year": item.reach_per_year.model_copy(
                update={"value": reach, "source": "unconfirmed" if reach is None else "illustrative"}
            ),
        }
    )
    interventions = list(shipped.catalogue.interventions)
    interventions[row] = changed
    catalogue = shipped.catalogue.model_copy(update={"interventions": tuple(interventions)})
    assert parse_catalogue(catalogue_to_toml(catalogue).encode("utf-8"), "x").catalogue == catalogue


def test_unchanged_table_gives_the_same_catalogue(shipped: LoadedCatalogue) -> None:
    """Turning the catalogue into the edit table and back changes nothing."""
    frame = interventions_frame(shipped.catalogue)
    assert load_document(apply_frame(shipped.catalogue, frame), "x").catalogue == shipped.catalogue


def test_a_cost_edit_is_one_change_and_drops_the_stale_note(shipped: LoadedCatalogue) -> None:
    """Editing CBT's cost changes its value and drops the note that described the old value; the diff says so."""
    frame = interventions_frame(shipped.catalogue)
    frame.loc[frame["id"] == "cbt-community", "annual_cost_gbp"] = 60_000
    edited = load_document(apply_frame(shipped.catalogue, frame), "edited").catalogue
    changes = diff_catalogues(shipped.catalogue, edited)
    assert set(changes["field"]) == {"annual_cost_gbp.value", "annual_cost_gbp.note"}
    assert changes.loc[changes["field"] == "annual_cost_gbp.value", ["old", "new"]].values.tolist() == [["45000.0", "60000.0"]]


def test_bad_edits_are_listed_by_row_and_column(shipped: LoadedCatalogue) -> None:
    """Invalid cells are reported as 'row N (id), column: message' and nothing is built."""
    frame = interventions_frame(shipped.catalogue)
    frame.loc[1, "annual_cost_gbp"] = -5
    frame.loc[2, "reach_source"] = "gossip"
    with pytest.raises(CatalogueError) as caught:
        load_document(apply_frame(shipped.catalogue, frame), "edited")
    messages = [str(found) for found in row_problems(caught.value, frame)]
    assert messages[0] == "row 2 (cbt-community), annual_cost_gbp: must be greater than or equal to 0 (got -5)"
    assert messages[1].startswith("row 3 (focused-deterrence-another-way), reach_source: unknown source")


def test_added_and_removed_rows(shipped: LoadedCatalogue) -> None:
    """Deleting a row and adding one show as removed and added."""
    frame = interventions_frame(shipped.catalogue)
    new_row = frame.iloc[0].copy()
    new_row["id"], new_row["name"] = "new-pilot", "A new pilot"
    frame = frame.drop(index=3)
    frame.loc[len(frame) + 10] = new_row
    edited = load_document(apply_frame(shipped.catalogue, frame), "edited").catalogue
    changes = diff_catalogues(shipped.catalogue, edited)
    assert {(r.id, r.change) for r in changes.itertuples() if r.change != "changed"} == {
        ("new-pilot", "added"),
        ("healthy-relationships-schools", "removed"),
    }


YEF = b"""strand,slug,impact_label,impact_pct,evidence_rating,cost_rating,source
Mentoring,mentoring-2 (current); mentoring (older version),MODERATE,-23% violence,3,2,YEF 2026
Parenting programmes,parenting-programmes,MODERATE,unconfirmed,unconfirmed,unconfirmed,YEF 2026
Unknown strand,unknown-strand,HIGH,-50%,5,1,YEF 2026
"""


def test_yef_refresh_shows_each_change_then_applies(shipped: LoadedCatalogue) -> None:
    """Imported ratings list old and new values; applying cites the new source and updates the checked date."""
    changes, skipped = yef_changes(shipped.catalogue, YEF, "yef.csv")
    assert skipped == ["line 4: no strand in the catalogue matches 'Unknown strand'"]
    rows = {(r.strand, r.field): (r.old, r.new) for r in changes.itertuples()}
    assert rows == {
        ("mentoring", "impact_pct"): (21.0, 23.0),
        ("mentoring", "evidence_rating"): (None, 3),
        ("mentoring", "cost_rating"): (None, 2),
        ("parenting-programmes", "impact_band"): ("low", "moderate"),
    }
    source = {
        "id": "yef_import_20261121",
        "title": "YEF ratings",
        "publisher": "Youth Endowment Fund",
        "date": "2026-11-21",
        "location": "yef.csv",
    }
    refreshed = load_document(apply_yef(shipped.catalogue, changes, source, dt.date(2026, 11, 21)), "refreshed").catalogue
    mentoring = refreshed.strand("mentoring")
    assert mentoring is not None
    assert (mentoring.impact_pct.value, mentoring.impact_pct.source) == (23.0, "yef_import_20261121")
    assert mentoring.evidence_rating.value == 3


def test_stale_evidence_is_flagged(shipped: LoadedCatalogue) -> None:
    """Ratings checked more than twelve months ago are listed; fresh ones are not."""
    assert stale_strands(shipped.catalogue, dt.date(2026, 12, 1)) == []
    assert len(stale_strands(shipped.catalogue, dt.date(2028, 1, 1))) == len(shipped.catalogue.yef_strands)


def test_save_is_atomic_and_keeps_a_backup(tmp_path: Path, shipped: LoadedCatalogue) -> None:
    """Saving keeps the old file as a backup and writes a valid catalogue; an invalid one is never written."""
    path = tmp_path / "interventions.toml"
    path.write_bytes(SHIPPED.read_bytes())
    text = catalogue_to_toml(shipped.catalogue)
    backup = save_catalogue(path, text)
    assert backup is not None and backup.read_bytes() == SHIPPED.read_bytes()
    assert load_catalogue(path).catalogue == shipped.catalogue
    with pytest.raises(CatalogueError):
        save_catalogue(path, "not = [toml")
    assert load_catalogue(path).catalogue == shipped.catalogue
    assert not list(tmp_path.glob(".interventions.toml.*.tmp"))


def test_yef_table_with_only_numbers_applies_whole_ratings(shipped: LoadedCatalogue) -> None:
    """A table with no band but a % and ratings (a numbers-only column pandas widens to floats) applies;
    a rating of 10 and a % beyond 100 are listed as not applied, never applied or dropped silently."""
    strand = shipped.catalogue.yef_strands[0]
    raw = (
        "strand,slug,impact_label,impact_pct,evidence_rating,cost_rating\n"
        f"{strand.name},{strand.id},,-21%,3,2\n"
        f"{strand.name},{strand.id},,-150%,10,2\n"
    ).encode()
    changes, skipped = yef_changes(shipped.catalogue, raw, "yef.csv")
    assert skipped == [
        "line 3: impact_pct '-150%' is not a percentage such as -21%; not applied",
        "line 3: evidence_rating '10' is not a whole number from 1 to 5; not applied",
    ]
    source = {"id": "yef_import_x", "title": "YEF", "publisher": "YEF", "date": "2026-11-21", "location": "yef.csv"}
    refreshed = load_document(apply_yef(shipped.catalogue, changes, source, dt.date(2026, 11, 21)), "x").catalogue
    applied = refreshed.strand(strand.id)
    assert applied is not None
    assert (applied.evidence_rating.value, applied.cost_rating.value, applied.impact_pct.value) == (3, 2, 21.0)
