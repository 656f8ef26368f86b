"""Saving, loading and versioning scenarios from the Funding tab, importing a decision record, and store faults in words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.test_app import FUNDING_FOLDS, start


def test_save_load_and_version() -> None:
    """A scenario saved from the Funding tab can be changed, saved as a new version and loaded back."""
    at = start(tab="Funding", folds=FUNDING_FOLDS)
    at.text_input(key="user_name").set_value("Ann")
    at.number_input(key="sc_budget").set_value(600_000).run()
    at.button(key="lib_save_new").click().run()
    assert not at.exception
    assert any("Saved as scenario 1, version 1." in s.value for s in at.success)
    at.number_input(key="sc_budget").set_value(500_000).run()
    at.button(key="lib_save_version").click().run()
    assert any("version 2" in s.value for s in at.success)
    history = next(df.value for df in at.dataframe if "saved by" in df.value.columns)
    assert history["version"].tolist() == [1, 2]
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Board report of this scenario (Word)" in labels and "Board report of this scenario (PDF)" in labels
    fresh = start(tab="Funding", folds=FUNDING_FOLDS)
    fresh.button(key="lib_load").click().run()
    assert fresh.number_input(key="sc_budget").value == 500_000


def test_saving_needs_a_name() -> None:
    """Saving without a name asks for one and saves nothing."""
    at = start(tab="Funding", folds=FUNDING_FOLDS)
    at.button(key="lib_save_new").click().run()
    assert any("Type your name in the sidebar" in e.value for e in at.error)


def test_record_import_restores_the_scenario() -> None:
    """A record import (queued as an upload queues it) restores its budget and weights before the widgets are drawn."""
    from matrix.catalogue import Weights, load_catalogue
    from matrix.decision import build_problem, default_scenario
    from matrix.persistence import build_record, record_json
    from tests.conftest import SHIPPED

    loaded = load_catalogue(SHIPPED)
    problem = build_problem(loaded.catalogue, loaded.sha256, loaded.text)
    scenario = default_scenario(problem).model_copy(
        update={"budget_gbp": 444_000, "weights": Weights(impact=10, reach=60, cost=10, risk=20)}
    )
    data = record_json(build_record(problem, scenario, "Ann"))
    at: AppTest = start(tab="Funding", folds=FUNDING_FOLDS)
    uploader = at.get("file_uploader")
    assert uploader, "the record uploader is on the Funding tab"
    at.session_state["pending_scenario"] = (scenario.model_dump(), "record", None)  # what a successful upload queues
    at.run()
    assert at.number_input(key="sc_budget").value == 444_000
    assert at.slider(key="w_reach").value == 60
    assert len(data) > 1000
    odd = scenario.model_copy(update={"budget_gbp": 444_000.6, "weights": Weights(impact=10.4, reach=60, cost=10, risk=20)})
    at.session_state["pending_scenario"] = (odd.model_dump(), "record", None)
    at.run()
    assert at.number_input(key="sc_budget").value == 444_001
    assert at.slider(key="w_impact").value == 10
    warnings = " ".join(w.value for w in at.warning)
    assert "record's budget" in warnings and "record's impact weight" in warnings


def test_a_save_after_the_data_folder_is_removed_says_so(isolated_store: Path) -> None:
    """With the data folder removed mid-session, a save says why it was not saved (never "Saved as"), and so does the list."""
    at = start(tab="Funding", folds=FUNDING_FOLDS)
    at.text_input(key="user_name").set_value("Ann")
    at.button(key="lib_save_new").click().run()
    assert any("Saved as scenario 1, version 1." in s.value for s in at.success)
    shutil.rmtree(isolated_store)
    at.button(key="lib_save_new").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(e.startswith("Not saved: ") and "is no longer there" in e and "restart the app" in e for e in errors)
    assert any(e.startswith("The saved scenarios cannot be shown: ") for e in errors)
    assert not at.success
    assert not isolated_store.exists()  # nothing quietly started a new, empty store


def test_a_store_that_cannot_open_is_tried_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store that cannot be opened is a warning in words; the next run opens it once the cause is gone (nothing is cached)."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("MATRIX_DATA_DIR", str(blocker / "store"))
    at = start(tab="Funding", folds=FUNDING_FOLDS)
    assert not at.exception
    assert any("unavailable just now" in w.value and "cannot be created" in w.value for w in at.warning)
    assert "lib_save_new" not in [b.key for b in at.button]
    blocker.unlink()
    at.run()
    assert not any("unavailable just now" in w.value for w in at.warning)
    assert any("No saved scenarios yet." in c.value for c in at.caption)
