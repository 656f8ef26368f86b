"""The Data tab: edit, upload and refresh the catalogue; nothing replaces it until it is valid. Widgets only."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from matrix.access import AuditGap, Permission, Principal
from matrix.catalogue import (
    DELIVERY_MODELS,
    DELIVERY_RISKS,
    PROVENANCE_KEYWORDS,
    TARGET_GROUPS,
    TIERS,
    Catalogue,
    CatalogueError,
    apply_frame,
    apply_yef,
    can_save,
    catalogue_document,
    catalogue_to_toml,
    check_upload,
    diff_catalogues,
    interventions_frame,
    load_document,
    max_catalogue_bytes,
    row_problems,
    yef_changes,
)
from matrix.decision import DecisionProblem
from matrix.persistence import StoreError
from ui import access
from ui.text import plain


def upload_mb() -> int:
    """The largest upload in whole megabytes: the catalogue limit (MATRIX_MAX_CATALOGUE_MB, 5 by default)."""
    return max(1, math.ceil(max_catalogue_bytes() / (1024 * 1024)))


def working_banner(problem: DecisionProblem, path: str, person: Principal) -> None:
    """When an edited catalogue is in use: say so, and offer download, save (editors) and discard."""
    if not st.session_state.get("working_text"):
        return
    with st.container(border=True, key="working_banner"):
        st.warning("You are working from an edited catalogue. It is not saved to the catalogue file yet.")
        columns = st.columns(3)
        columns[0].download_button(
            "Download the edited catalogue (TOML)",
            data=st.session_state["working_text"],
            file_name="interventions.toml",
            mime="application/toml",
            key="download_working",
            on_click="ignore",
        )
        if not person.may(Permission.EDIT_CATALOGUE):
            columns[1].caption("Saving the catalogue file needs the editor role.")
        elif can_save(Path(path)):
            if columns[1].button("Save it to the catalogue file", key="save_working"):
                _save(person, path)
        else:
            columns[1].caption("Saving to the file is switched off here (set MATRIX_ALLOW_SAVE=1 where the app may write it).")
        if columns[2].button("Discard the edits", key="discard_working"):
            st.session_state.pop("working_text", None)
            st.rerun()


def _save(person: Principal, path: str) -> None:
    desk = access.desk(person)  # None: the store cannot be opened, and that is said; nothing is written
    if desk is None:
        return
    try:
        backup = desk.save_catalogue(Path(path), st.session_state["working_text"], "edited in the app")
    except AuditGap as error:
        st.session_state.pop("working_text", None)
        st.warning(plain(error))
        return
    except (CatalogueError, StoreError, OSError) as error:
        st.error(f"Not saved: {plain(error)}")
        return
    st.session_state.pop("working_text", None)
    st.session_state["data_notice"] = f"Saved to {path}" + (f"; the previous file is kept as {backup}." if backup else ".")
    st.rerun()


def _use(catalogue_text: str, message: str) -> None:
    st.session_state["working_text"] = catalogue_text
    st.session_state["data_notice"] = message
    st.rerun()


def _review(old: Catalogue, new: Catalogue, text: str, key: str, what: str) -> None:
    """Show what would change and a button to use the new catalogue."""
    changes = diff_catalogues(old, new)
    if changes.empty:
        st.caption("No changes against the catalogue in use.")
        return
    st.markdown(f"**{len(changes)} change(s) against the catalogue in use:**")
    st.dataframe(changes, hide_index=True, key=f"{key}_diff")
    if st.button(f"Use this {what}", key=f"{key}_apply", type="primary"):
        _use(text, f"The {what} is now in use (not yet saved to the file).")


def _problems(messages: Sequence[object]) -> None:
    st.error(f"{len(messages)} problem(s); nothing has been changed:\n\n" + "\n".join(f"- {plain(m)}" for m in messages))


def editor(problem: DecisionProblem) -> None:
    catalogue = problem.catalogue
    source_ids = [s.id for s in catalogue.sources]
    provenance = [*source_ids, *PROVENANCE_KEYWORDS]
    statuses = ["commissioned", "delivered", "planned", "proposed"]
    columns = {
        "id": st.column_config.TextColumn(required=True, help="lower case letters, digits, - and _"),
        "name": st.column_config.TextColumn(required=True, max_chars=200),
        "named_in": st.column_config.MultiselectColumn(options=source_ids, help="sources that name it"),
        "status": st.column_config.SelectboxColumn(options=statuses, required=True),
        "prevention_tiers": st.column_config.MultiselectColumn(options=list(TIERS)),
        "delivery_model": st.column_config.MultiselectColumn(options=list(DELIVERY_MODELS)),
        "target_group": st.column_config.SelectboxColumn(options=list(TARGET_GROUPS), required=True),
        "annual_cost_gbp": st.column_config.NumberColumn(min_value=0, max_value=1e10, format="£%,.0f", required=True),
        "reach_per_year": st.column_config.NumberColumn(min_value=1, max_value=100_000_000, step=1, format="%,d"),
        "funded_today": st.column_config.CheckboxColumn(),
        "delivery_risk": st.column_config.SelectboxColumn(options=list(DELIVERY_RISKS), required=True),
        "yef_strand": st.column_config.SelectboxColumn(options=[s.id for s in catalogue.yef_strands]),
        "yef_fit": st.column_config.SelectboxColumn(options=["direct", "partial"]),
    }
    for column in (
        "status_source",
        "classification_source",
        "annual_cost_source",
        "reach_source",
        "funded_today_source",
        "delivery_risk_source",
    ):
        columns[column] = st.column_config.SelectboxColumn(
            options=provenance, required=True, help="a source id, illustrative or unconfirmed"
        )
    st.caption(
        "Edit cells, add rows at the bottom, or select rows and delete them. Each edit is checked against the whole "
        "catalogue; the catalogue in use changes only when you apply a valid set of edits. Levels, local cost bands "
        "and notes are kept; a note is dropped when the value it describes changes."
    )
    frame = interventions_frame(catalogue)
    edited = st.data_editor(frame, num_rows="dynamic", column_config=columns, hide_index=True, key="data_editor")
    if edited.equals(frame):
        return
    try:
        loaded = load_document(apply_frame(catalogue, edited), "the edited table")
    except CatalogueError as error:
        _problems(row_problems(error, edited))
        return
    _review(catalogue, loaded.catalogue, loaded.text, "edit", "edited catalogue")


def sources_editor(problem: DecisionProblem) -> None:
    catalogue = problem.catalogue
    frame = pd.DataFrame([s.model_dump() for s in catalogue.sources], columns=["id", "title", "publisher", "date", "location"])
    edited = st.data_editor(frame, num_rows="dynamic", hide_index=True, key="sources_editor")
    if edited.equals(frame):
        return
    document = catalogue_document(catalogue)
    document["sources"] = [
        {k: ("" if pd.isna(v) else str(v)) for k, v in row.items()} for row in edited.to_dict(orient="records")
    ]
    try:
        loaded = load_document(document, "the edited sources")
    except CatalogueError as error:
        _problems([replace(p, path="") for p in error.problems])
        return
    _review(catalogue, loaded.catalogue, loaded.text, "sources", "edited catalogue")


def uploader(problem: DecisionProblem) -> None:
    st.caption(
        "A whole catalogue as TOML, or the interventions as a CSV with the columns listed in the README "
        f"(at most {upload_mb()} MB). Every problem is listed with its line; nothing is replaced unless the whole file is valid."
    )
    upload = st.file_uploader("Catalogue file", type=["toml", "csv"], key="catalogue_upload", max_upload_size=upload_mb())
    if upload is None:
        return
    try:
        loaded = check_upload(problem.catalogue, upload.name, upload.getvalue())
    except CatalogueError as error:
        _problems(error.problems)
        return
    _review(problem.catalogue, loaded.catalogue, loaded.text, "upload", "uploaded catalogue")


def yef_refresh(problem: DecisionProblem, person: Principal) -> None:
    st.caption(
        "A table of YEF Toolkit strand ratings (columns strand, slug, impact_label, impact_pct, evidence_rating, "
        "cost_rating). Each change is shown with its old value and source before anything applies; values the table "
        "gives as unconfirmed never replace known ones."
    )
    upload = st.file_uploader("YEF ratings (CSV)", type=["csv"], key="yef_upload", max_upload_size=upload_mb())
    if upload is None:
        return
    try:
        changes, skipped = yef_changes(problem.catalogue, upload.getvalue(), upload.name)
    except CatalogueError as error:
        _problems(error.problems)
        return
    for line in skipped:
        st.caption(plain(line))
    if changes.empty:
        st.info("The table changes no rating in this catalogue.")
        return
    today = dt.date.today()
    source_id = f"yef_import_{today:%Y%m%d}"
    st.markdown(f"**{len(changes)} rating change(s)**, each to be cited as source `{source_id}`:")
    st.dataframe(changes, hide_index=True, key="yef_changes")
    title = st.text_input("Title of this source", value=f"YEF Toolkit ratings imported from {upload.name}", key="yef_title")
    if st.button("Apply these ratings", key="yef_apply", type="primary"):
        source = {
            "id": source_id,
            "title": title.strip() or upload.name,
            "publisher": "Youth Endowment Fund",
            "date": f"{today:%Y-%m-%d}",
            "location": upload.name,
        }
        try:
            loaded = load_document(apply_yef(problem.catalogue, changes, source, today), "the refreshed catalogue")
        except CatalogueError as error:
            _problems(error.problems)
            return
        desk = access.desk(person)  # None: the store cannot be opened (said); nothing is applied unaudited
        if desk is None:
            return
        try:
            desk.yef_applied(len(changes), source_id)
        except StoreError as error:
            st.error(f"Not applied: the audit log could not record it ({plain(error)})")
            return
        _use(loaded.text, f"{len(changes)} YEF rating(s) applied (not yet saved to the file).")


def data_tab(problem: DecisionProblem, path: str, person: Principal) -> None:
    notice = st.session_state.pop("data_notice", None)
    if notice:
        st.success(plain(notice))
    st.download_button(
        "Download the catalogue in use (TOML)",
        data=lambda: catalogue_to_toml(problem.catalogue) if not problem.text else problem.text,
        file_name="interventions.toml",
        mime="application/toml",
        key="download_catalogue",
        on_click="ignore",
    )
    if not person.may(Permission.EDIT_CATALOGUE):
        st.info("Changing the catalogue, uploading one and refreshing YEF ratings need the editor role.")
        return
    st.header("Interventions")
    editor(problem)
    st.header("Sources")
    sources_editor(problem)
    st.header("Upload a catalogue")
    uploader(problem)
    st.header("Refresh YEF Toolkit ratings")
    yef_refresh(problem, person)
