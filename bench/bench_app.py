"""App rerun after a slider move, against a bare Streamlit script with the same widgets.

Both are driven by Streamlit's AppTest in this process; the ratio says what the app's own
work (scoring, tables, charts) adds to Streamlit's fixed cost. Not a test: run with `make bench`.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 30

BARE = """
import streamlit as st
with st.sidebar:
    st.selectbox("Preset", ["a", "b", "c", "d", "e"], key="preset")
    for name in ("impact", "reach", "cost", "risk"):
        st.slider(name, 0, 100, 25, key=f"w_{name}")
    st.selectbox("Normalisation", ["value_functions", "minmax"], key="normalisation")
columns = st.columns(5)
columns[0].multiselect("tier", ["a", "b"], key="f_tiers")
columns[1].multiselect("model", ["a", "b"], key="f_models")
columns[2].multiselect("group", ["a", "b"], key="f_groups")
columns[3].multiselect("band", ["a", "b"], key="f_bands")
columns[4].text_input("Search", key="f_text")
st.checkbox("unverified", key="f_unverified")
st.columns(2)[0].select_slider("estimates", options=(0, 25, 50, 75, 100), value=100, key="f_estimated")
tabs = st.tabs(["Matrix", "Ranking", "How", "Export"])
with tabs[1]:
    st.selectbox("Intervention", ["x", "y"], key="explain_id")
with tabs[3]:
    st.radio("Rows", ["all", "filtered", "top"], key="export_scope")
    st.number_input("N", 1, 31, 10, key="export_top_n")
    st.download_button("Download", b"x", key="download_csv", on_click="ignore")
"""


def rerun_ms(script: str, tab: str) -> float:
    at = AppTest.from_file(script, default_timeout=60).run()
    at.session_state["tab"] = tab
    at.run()
    assert not at.exception, at.exception
    times = []
    for n in range(REPEATS):
        slider = at.slider(key="w_reach")
        start = time.perf_counter()
        slider.set_value(30 + n % 40).run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return statistics.median(times) * 1e3


def main() -> None:
    print(f"rerun after a weight slider move, median of {REPEATS} (AppTest, same process); only the open tab runs")
    print(f"{'open tab':<12}{'bare ms':>10}{'app ms':>10}{'app/bare':>10}")
    with tempfile.TemporaryDirectory() as folder:
        bare = Path(folder) / "bare_app.py"
        bare.write_text(BARE, encoding="utf-8")
        for tab in ("Matrix", "Ranking", "Funding"):
            bare_ms = rerun_ms(str(bare), tab)
            app_ms = rerun_ms(str(ROOT / "streamlit_app.py"), tab)
            print(f"{tab:<12}{bare_ms:>10.1f}{app_ms:>10.1f}{app_ms / bare_ms:>10.2f}")
    print("target: app rerun on the shipped catalogue under 150 ms")


if __name__ == "__main__":
    main()
