"""App rerun after a slider move, against a bare Streamlit script with the same widgets.

Both are driven by Streamlit's AppTest in this process; the ratio says what the app's own
work (scoring, tables, charts) adds to Streamlit's fixed cost. Then the same on a synthetic
catalogue of 10,000 interventions (``synthetic_catalogue.py``; the size limit raised for the run),
against the target of 1 s a move. Not a test: run with `make bench`.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 30
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_catalogue import synthetic_catalogue  # noqa: E402  (bench/ is put on the path just above)

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


# As after Stop: the Sensitivity tab's stability table, "what would it take" and estimates wait for their buttons.
STOPPED = {f"sa_{name}_seconds": float("inf") for name in ("stability", "what", "figures")}


def rerun_ms(script: str, tab: str, repeats: int = REPEATS, state: dict[str, object] | None = None) -> float:
    at = AppTest.from_file(script, default_timeout=600).run()
    at.session_state["tab"] = tab
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    times = []
    for n in range(repeats):
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
        big = Path(folder) / "synthetic_10000.toml"
        big.write_text(synthetic_catalogue(10_000, seed=1), encoding="utf-8")
        os.environ |= {"MATRIX_CATALOGUE": str(big), "MATRIX_MAX_CATALOGUE_MB": "64"}
        print("the same on a synthetic catalogue of 10,000 interventions, median of 5")
        for tab in ("Matrix", "Ranking", "Funding"):
            bare_ms = rerun_ms(str(bare), tab, 5)
            app_ms = rerun_ms(str(ROOT / "streamlit_app.py"), tab, 5)
            print(f"{tab:<12}{bare_ms:>10.1f}{app_ms:>10.1f}{app_ms / bare_ms:>10.2f}")
        bare_ms = rerun_ms(str(bare), "Matrix", 5)
        app_ms = rerun_ms(str(ROOT / "streamlit_app.py"), "Sensitivity", 5, STOPPED)
        print(f"{'Sensitivity':<12}{bare_ms:>10.1f}{app_ms:>10.1f}{app_ms / bare_ms:>10.2f}")
        print("target: a slider move under 1,000 ms with 10,000 interventions (Sensitivity: its exact analyses")
        print("stopped and waiting for their buttons, as they do after a first view that took over 0.1 s)")


if __name__ == "__main__":
    main()
