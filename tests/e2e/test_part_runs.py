"""A nudge on the Matrix, Ranking and method tabs runs only the part of the page the weights move (a Streamlit
fragment); on the others the whole page runs. In a real browser: that part is drawn once however often it runs, a
catalogue changed meanwhile is still picked up at the next nudge (the whole page then runs), and weights all at
zero in a whole run do not break the nudges after it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ROOT
from tests.e2e.conftest import require_browser, start_app
from tests.e2e.test_browser import open_app, wait_idle

pytestmark = pytest.mark.e2e

TITLE = "Nottingham City and Nottinghamshire VRP interventions matrix"


def nudge(page: Page, criterion: str, key: str = "ArrowRight") -> None:
    thumb = page.locator(f".st-key-w_{criterion}").get_by_role("slider")
    thumb.focus()
    thumb.press(key)
    wait_idle(page)


@pytest.fixture()
def own_catalogue(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The app on a copy of the shipped catalogue, so the test may change the file under it."""
    require_browser()
    catalogue = tmp_path / "interventions.toml"
    shutil.copyfile(ROOT / "data" / "interventions.toml", catalogue)
    with start_app(
        "streamlit_app.py",
        log=tmp_path / "streamlit.log",
        env={"MATRIX_DATA_DIR": str(tmp_path / "store"), "MATRIX_CATALOGUE": str(catalogue)},
        unset={"DATABASE_URL"},
    ) as url:
        yield url, catalogue


@pytest.mark.parametrize("tab", ["Matrix", "Ranking", "Funding", "Compare", "How scoring works", "Export"])
def test_the_part_a_nudge_runs_is_drawn_once_and_follows_the_weights(page: Page, app_url: str, tab: str) -> None:
    open_app(page, app_url)
    page.get_by_role("tab", name=tab).click()
    wait_idle(page)
    value = page.locator(".st-key-w_impact [data-testid=stSliderThumbValue]")
    start = int(value.inner_text())
    headline = page.locator(".st-key-headline")
    for step in range(1, 4):
        nudge(page, "impact")
        expect(value).to_have_text(str(start + step))
        assert f"impact={start + step}" in page.url
        # The weights, the headline and the tab's contents once each, and the rest of the page still there.
        expect(page.get_by_text("Weights", exact=True)).to_have_count(1)
        expect(page.locator("[data-testid=stSidebar]").get_by_role("slider")).to_have_count(4)
        expect(headline).to_have_count(1)
        expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
        expect(page.get_by_text(TITLE, exact=True)).to_have_count(1)
        expect(page.locator(".st-key-f_text input")).to_have_count(1)
        expect(page.get_by_text("You", exact=True)).to_have_count(1)
    nudge(page, "impact", "Home")
    expect(value).to_have_text("0")
    assert "impact=0" in page.url


def test_a_catalogue_changed_on_disk_is_used_at_the_next_nudge(page: Page, own_catalogue: tuple[str, Path]) -> None:
    """The part a nudge runs was given the catalogue of the last whole run; when the file has changed since, the
    nudge runs the whole page, which loads it: its title (drawn outside that part) and its names change at once."""
    url, catalogue = own_catalogue
    open_app(page, url)
    expect(page.get_by_text(TITLE, exact=True)).to_be_visible()
    text = catalogue.read_text(encoding="utf-8")
    assert text.count(TITLE) == 1
    catalogue.write_text(text.replace(TITLE, "Edited on disk meanwhile"), encoding="utf-8")
    nudge(page, "impact")
    expect(page.get_by_text("Edited on disk meanwhile", exact=True)).to_be_visible(timeout=15_000)
    expect(page.get_by_text(TITLE, exact=True)).to_have_count(0)


def test_weights_all_at_zero_in_a_whole_run_leave_the_next_nudge_working(page: Page, app_url: str) -> None:
    """With every weight at zero nothing can be ranked; a whole run then (a change of tab) draws no chart in the
    tab, and the next nudge, which runs only its part, must still draw the tab (a fragment may write into the tab
    only if it did in the last whole run)."""
    open_app(page, app_url)
    page.get_by_role("tab", name="Ranking").click()
    wait_idle(page)
    for criterion in ("impact", "reach", "cost", "risk"):
        nudge(page, criterion, "Home")
    expect(page.get_by_text("Cannot rank:", exact=False)).to_be_visible()
    page.get_by_role("tab", name="Matrix").click()
    wait_idle(page)
    expect(page.get_by_text("Nothing to show until a weight is above zero.")).to_be_visible()
    nudge(page, "impact", "ArrowRight")
    expect(page.get_by_text("Cannot rank:", exact=False)).to_have_count(0)
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    expect(page.get_by_text("interventions (rows, best-ranked first)", exact=False)).to_be_visible(timeout=15_000)
    assert "impact=1" in page.url
