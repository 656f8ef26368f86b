"""Small widgets shared by the page modules."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import streamlit as st

from matrix.report import Report, to_docx, to_pdf
from ui import charts

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def png_download(chart: alt.Chart | alt.LayerChart, label: str, file_name: str, key: str) -> None:
    """A button that renders the chart to PNG only when clicked."""
    st.download_button(
        label, data=lambda: charts.chart_png(chart), file_name=file_name, mime="image/png", key=key, on_click="ignore"
    )


def report_downloads(report: Callable[[], Report], label: str, file_stem: str, key: str) -> None:
    """Word and PDF buttons for a board report, built only when one is clicked."""
    columns = st.columns(2)
    columns[0].download_button(
        f"{label} (Word)",
        data=lambda: to_docx(report()),
        file_name=f"{file_stem}.docx",
        mime=DOCX_MIME,
        key=f"{key}_docx",
        on_click="ignore",
    )
    columns[1].download_button(
        f"{label} (PDF)",
        data=lambda: to_pdf(report()),
        file_name=f"{file_stem}.pdf",
        mime="application/pdf",
        key=f"{key}_pdf",
        on_click="ignore",
    )
