"""Long analyses in a real browser: a progress bar and a Stop button while they run, then only on request."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, require_browser, start_app
from tests.e2e.test_browser import open_app, wait_idle

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def large_app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app on a generated catalogue of 2,000 interventions (the benchmarks' generator), where the
    Sensitivity tab's exact analyses take seconds each."""
    require_browser()
    spec = importlib.util.spec_from_file_location("synthetic_catalogue", ROOT / "bench" / "synthetic_catalogue.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = tmp_path_factory.mktemp("large")
    catalogue = folder / "catalogue.toml"
    catalogue.write_text(module.synthetic_catalogue(2000), encoding="utf-8")
    with start_app(
        "streamlit_app.py",
        log=folder / "streamlit.log",
        env={"MATRIX_DATA_DIR": str(folder / "store"), "MATRIX_CATALOGUE": str(catalogue)},
        unset={"DATABASE_URL"},
    ) as url:
        yield url


def stop(page: Page, running: str, stop_label: str) -> None:
    """While the analysis runs its progress bar says so; pressing Stop ends it."""
    button = page.get_by_role("button", name=stop_label)
    expect(button).to_be_visible(timeout=30_000)
    expect(page.get_by_text(running)).to_be_visible()
    button.click()
    expect(button).to_have_count(0, timeout=30_000)


def test_long_analyses_show_progress_stop_and_wait_for_a_request(page: Page, large_app_url: str) -> None:
    """On a catalogue of 2,000 interventions the Sensitivity tab's first view starts the stability table and the
    estimates to confirm, each with a progress bar and a Stop button. Stopped, each waits behind its button and
    nothing runs; asked again, the table is worked out and shown while the estimates still wait."""
    open_app(page, large_app_url)
    page.get_by_role("tab", name="Sensitivity").click()
    stop(page, "Finding the exact breakpoints", "Stop finding the breakpoints")
    stop(page, "Testing each estimated figure", "Stop testing the estimates")
    wait_idle(page)
    table, estimates = (
        page.get_by_role("button", name="Work out the table for the current settings"),
        page.get_by_role("button", name="Work out which estimates to confirm first"),
    )
    expect(table).to_be_visible()
    expect(estimates).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_count(0)
    expect(page.get_by_text("Which weight moves the decision most")).to_have_count(0)

    table.click()
    expect(page.get_by_text("Which weight moves the decision most")).to_be_visible(timeout=60_000)
    wait_idle(page)
    expect(table).to_have_count(0)
    expect(estimates).to_be_visible()  # still waits, as it was stopped
    expect(page.get_by_role("progressbar")).to_have_count(0)
