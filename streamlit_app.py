"""Interventions matrix and commissioning decision aid: the Streamlit entry point.

This file only composes: the catalogue is loaded and scored by ``matrix`` and ``scoring``;
page sections live in ``ui.sections``.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from matrix.catalogue import SHIPPED_CATALOGUE, CatalogueError, load_catalogue, parse_catalogue
from matrix.decision import DecisionProblem, build_problem
from ui import access, process, sections, state, workshop


@st.cache_resource(show_spinner=False, max_entries=4)
def load_problem(path: str, mtime_ns: int) -> DecisionProblem:
    """The decision problem for a catalogue file; the mtime in the key reloads it after an edit."""
    del mtime_ns
    loaded = load_catalogue(path)
    return build_problem(loaded.catalogue, loaded.sha256, loaded.text)


@st.cache_resource(show_spinner=False, max_entries=8)
def load_edited(text: str) -> DecisionProblem:
    """The decision problem for an edited catalogue held in the session (already validated)."""
    loaded = parse_catalogue(text.encode("utf-8"), "the edited catalogue")
    return build_problem(loaded.catalogue, loaded.sha256, loaded.text)


def catalogue_version(path: str) -> tuple[str, int]:
    """Which catalogue this session uses: the edited one held in the session, or the file as last changed."""
    edited = st.session_state.get("working_text")
    if edited:
        return str(edited), 0
    return "", Path(path).stat().st_mtime_ns if Path(path).is_file() else 0


def main() -> None:
    st.set_page_config(page_title="Interventions matrix", page_icon=":bar_chart:", layout="wide")
    access.check_deployment()  # with MATRIX_REQUIRE_SIGNIN, nothing at all is served without valid sign-in settings
    token = st.query_params.get("workshop")
    # Participants need no account (the link's token lets them in); everyone else signs in first, so
    # nothing about the server (not even a broken catalogue's path) is shown before sign-in.
    person = None if token else access.principal()
    path = os.environ.get("MATRIX_CATALOGUE", str(SHIPPED_CATALOGUE))
    edited = st.session_state.get("working_text")
    version = catalogue_version(path)
    try:
        problem = load_edited(edited) if edited else load_problem(path, version[1])
    except CatalogueError as error:
        if person is None:
            st.error("The workshop cannot be opened just now: the app's catalogue needs fixing. Tell the facilitator.")
        else:
            sections.catalogue_problems(path, error)
        st.stop()
    if person is None:
        workshop.participant_page(problem, str(token))
        state.finished_run()
    else:
        # The page's weight-dependent part runs again alone on a nudge; it runs the whole page again if the
        # catalogue (edited, or its file changed) or the person is no longer what this run found.
        sections.page(problem, path, person, lambda: catalogue_version(path) == version and access.still(person))
    process.freeze_long_lived()


main()
