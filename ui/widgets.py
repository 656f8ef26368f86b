"""Small widgets shared by the page modules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from matrix.access import Permission, Principal
from matrix.decision import DecisionProblem
from matrix.persistence import DecisionRecord, record_json
from matrix.report import Report, chart_label, to_docx, to_pdf
from ui import charts
from ui.charts import ChartView
from ui.text import plain

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def png_download(chart: Any, label: str, file_name: str, key: str) -> None:
    """A button that renders the chart to PNG only when clicked."""
    st.download_button(
        label, data=lambda: charts.chart_png(chart), file_name=file_name, mime="image/png", key=key, on_click="ignore"
    )


# The records board papers were built from, per session: a paper's Word file, its PDF and its record share one.
PAPER_RECORDS = "paper_records"
KEEP_PAPER_RECORDS = 8


def paper_record(
    made: dict[str, DecisionRecord], build: Callable[[], DecisionRecord], inputs: str
) -> Callable[[], DecisionRecord]:
    """The record ``build`` makes, made once for the same ``inputs`` (when a button first needs it) and kept in
    ``made`` (the session's, at most ``KEEP_PAPER_RECORDS``), so every file of one paper carries one record
    identity however often the page has run since."""

    def record() -> DecisionRecord:  # runs outside the session, on the click: ``made`` is bound now
        if inputs not in made:
            while len(made) >= KEEP_PAPER_RECORDS:
                made.pop(next(iter(made)))
            made[inputs] = build()
        return made[inputs]

    return record


def report_downloads(
    record: Callable[[], DecisionRecord],
    paper: Callable[[DecisionRecord], Report],
    label: str,
    file_stem: str,
    key: str,
    inputs: str,
    person: Principal | None = None,
) -> None:
    """Word and PDF buttons for a board paper, and for a ``person`` who may export decision records, the record
    it is built from (``python -m matrix replay`` reproduces the paper from it). Everything is built only when a
    button is clicked, from one record per session for the same ``inputs`` (see ``paper_record``)."""
    shared = paper_record(st.session_state.setdefault(PAPER_RECORDS, {}), record, f"{key}:{inputs}")
    with_record = person is not None and person.may(Permission.EXPORT_RECORDS)
    columns = st.columns(3 if with_record else 2)
    columns[0].download_button(
        f"{label} (Word)",
        data=lambda: to_docx(paper(shared())),
        file_name=f"{file_stem}.docx",
        mime=DOCX_MIME,
        key=f"{key}_docx",
        on_click="ignore",
    )
    columns[1].download_button(
        f"{label} (PDF)",
        data=lambda: to_pdf(paper(shared())),
        file_name=f"{file_stem}.pdf",
        mime="application/pdf",
        key=f"{key}_pdf",
        on_click="ignore",
    )
    if with_record:
        columns[2].download_button(
            "Its decision record (JSON)",
            data=lambda: record_json(shared()),
            file_name=f"{file_stem}.record.json",
            mime="application/json",
            key=f"{key}_record",
            on_click="ignore",
            help="The record this paper was built from: `python -m matrix replay FILE` reproduces it.",
        )


def decision_label(problem: DecisionProblem, scenario_name: str) -> str:
    """The subtitle of a decision's charts, as the board report writes it: scenario, today's date, catalogue version."""
    return chart_label(scenario_name, f"{dt.date.today():%d %B %Y}", problem.sha256)


def fold(label: str, key: str) -> DeltaGenerator | None:
    """A fold (``st.expander``) whose contents are worked out and drawn only while it is open: the container to
    draw them in, or None while folded. Opening or closing it reruns the page. Widgets inside it keep their values
    while it is folded only with ``persist_state``. Drawn folded, the chart data tables, the weight questions and
    the Funding tab's folds were a large share of every weight nudge's wait in the browser."""
    container = st.expander(label, key=key, on_change="rerun")
    return container if container.open else None


def chart_view(view: ChartView, key: str, png: tuple[str, str] | None = None) -> None:
    """A chart with its text alternatives: its summary said under it (and the drawing's accessible name, or named
    there by ``charts.said_below``), its
    data as a table one click away (values, sources: nothing needs a mouse hover), and optionally a PNG button
    (``png``: the button's label and the file's name)."""
    # The spec's description is the drawing's accessible name, so no ``alt=`` is passed. An Altair
    # chart goes as its specification unvalidated: the builders' specs are validated by the tests, and validating
    # on every run was a fifth of a weight nudge's time on the Ranking tab.
    spec = view.chart if isinstance(view.chart, dict) else view.chart.to_dict(validate=False)
    st.vega_lite_chart(spec=spec, width="stretch", key=f"{key}_chart")
    st.caption(plain(view.summary))
    data = fold("Chart data as a table", f"{key}_data")
    if data is not None:
        data.dataframe(view.table, hide_index=True, alt=f"{view.title}: the chart's data", key=f"{key}_table")
    if png is not None:
        png_download(view.chart, png[0], png[1], f"download_{key}_png")


def skip_link(text: str, anchor: str) -> None:
    """A link past long tables to a heading further down (its ``anchor``): a keyboard user otherwise tabs through
    every table's toolbar and cells; following the link moves the browser's focus point to the heading."""
    st.markdown(f"[{plain(text)}](#{anchor})")
