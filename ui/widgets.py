"""Small widgets shared by the page modules."""

from __future__ import annotations

import altair as alt
import streamlit as st

from ui import charts


def png_download(chart: alt.Chart | alt.LayerChart, label: str, file_name: str, key: str) -> None:
    """A button that renders the chart to PNG only when clicked."""
    st.download_button(
        label, data=lambda: charts.chart_png(chart), file_name=file_name, mime="image/png", key=key, on_click="ignore"
    )
