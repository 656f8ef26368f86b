"""The main journey in a real browser: open, move a weight, see the ranking change, download the CSV."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from matrix.decision import DecisionProblem, default_scenario, evaluate
from scoring import money, score

pytestmark = pytest.mark.e2e

IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def wait_idle(page: Page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=20_000)


def open_app(page: Page, url: str) -> None:
    """Load the app and wait for its first run to finish (the first render takes a few seconds)."""
    page.goto(url)
    expect(page.get_by_text("Interventions matrix", exact=True)).to_be_visible(timeout=20_000)
    wait_idle(page)


def first_by_score(problem: DecisionProblem, weights: dict[str, float]) -> str:
    """The id the library ranks first under these slider weights, as the page's "Top ranked" line takes it."""
    return str(score(problem.values, weights).ranks.index[0])


def test_weight_change_reorders_and_downloads(page: Page, app_url: str, tmp_path: Path, problem: DecisionProblem) -> None:
    """Pushing Reach to 100 puts the library's best-reach-weighted intervention on top, and the downloaded CSV agrees."""
    before = first_by_score(problem, {"impact": 40, "reach": 20, "cost": 20, "risk": 20})
    after = first_by_score(problem, {"impact": 40, "reach": 100, "cost": 20, "risk": 20})
    assert before != after  # otherwise this test could not see the reordering
    open_app(page, app_url)
    page.get_by_role("tab", name="Ranking").click()
    top = page.locator(".st-key-top_ranked")
    expect(top).to_contain_text(problem.names[before], timeout=10_000)

    thumb = page.locator(".st-key-w_reach").get_by_role("slider")
    thumb.focus()
    thumb.press("End")
    expect(page.locator(".st-key-w_reach [data-testid=stSliderThumbValue]")).to_have_text("100")
    wait_idle(page)
    expect(top).to_contain_text(problem.names[after], timeout=10_000)
    assert "reach=100" in page.url

    page.get_by_role("tab", name="Export").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download shortlist CSV").click()
    path = tmp_path / "shortlist.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(rows) == len(problem.info)
    assert rows[0]["id"] == after
    assert float(rows[0]["weight_reach"]) == pytest.approx(100 / 180 * 100, abs=1e-3)
    page.screenshot(path=str(tmp_path / "after.png"))


def test_link_restores_weights_in_the_browser(page: Page, app_url: str) -> None:
    """Opening a link with weights shows those weights on the sliders."""
    page.goto(f"{app_url}/?impact=5&reach=60&cost=15&risk=20")
    expect(page.locator(".st-key-w_reach [data-testid=stSliderThumbValue]")).to_have_text("60", timeout=20_000)
    expect(page.locator(".st-key-w_impact [data-testid=stSliderThumbValue]")).to_have_text("5")


def test_budget_scenarios_compare_and_download(page: Page, app_url: str, tmp_path: Path, problem: DecisionProblem) -> None:
    """Set a budget, see the funded set change, save and compare two scenarios, download the funding shortlist."""
    funded = f"Funded: {len(evaluate(problem, default_scenario(problem)).optimum.funded)} interventions"
    open_app(page, app_url)
    page.get_by_role("tab", name="Funding").click()
    summary = page.locator(".st-key-funded_summary")
    expect(summary).to_contain_text(funded, timeout=10_000)
    page.locator(".st-key-sc_save").get_by_role("button").click()
    wait_idle(page)

    name = page.locator(".st-key-sc_name input")
    name.fill("Cut to 400k")
    name.press("Enter")
    wait_idle(page)
    budget = page.locator(".st-key-sc_budget input")
    budget.fill("400000")
    budget.press("Enter")
    wait_idle(page)
    expect(summary).not_to_contain_text(funded, timeout=10_000)
    assert "budget=400000" in page.url
    page.locator(".st-key-sc_save").get_by_role("button").click()
    wait_idle(page)

    page.get_by_role("tab", name="Compare").click()
    expect(page.get_by_text("What each funds")).to_be_visible(timeout=10_000)

    page.get_by_role("tab", name="Funding").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download funding shortlist CSV").click()
    path = tmp_path / "funding.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    funded = [r for r in rows if r["funded"] == "true"]
    assert 0 < sum(float(r["funded_cost_gbp"]) for r in funded) <= 400_000
    cut = evaluate(problem, default_scenario(problem).model_copy(update={"budget_gbp": 400_000.0})).optimum
    assert len(funded) == len(cut.funded) < len(evaluate(problem, default_scenario(problem)).optimum.funded)


def test_workshop_participant_and_facilitator(page: Page, app_url: str, tmp_path: Path) -> None:
    """A participant submits weights from the workshop link; the facilitator's live view shows them; the
    workshop's board paper (PDF) and its decision record download, the paper naming the record's identity and
    the participant's weights as the group's, never the participant."""
    open_app(page, app_url)
    name = page.locator(".st-key-user_name input")
    name.fill("Fran")
    name.press("Enter")
    wait_idle(page)
    page.get_by_role("tab", name="Workshop").click()
    title = page.locator(".st-key-ws_name input")
    title.fill("Board workshop")
    title.press("Enter")
    wait_idle(page)
    page.locator(".st-key-ws_create").get_by_role("button").click()
    wait_idle(page)
    link = page.locator("[data-testid=stCode]").filter(has_text="?workshop=").inner_text().strip()
    token = link.split("?workshop=")[1]
    assert len(token) >= 32  # at least 192 random bits, URL-safe

    participant = page.context.new_page()
    participant.goto(f"{app_url}/?workshop={token}")
    expect(participant.get_by_text("Board workshop")).to_be_visible(timeout=20_000)
    who = participant.locator(".st-key-p_name input")
    who.fill("Ann")
    who.press("Enter")
    participant.wait_for_selector(IDLE, timeout=20_000)
    thumb = participant.locator(".st-key-p_reach").get_by_role("slider")
    thumb.focus()
    thumb.press("End")
    participant.wait_for_selector(IDLE, timeout=20_000)
    participant.locator(".st-key-p_submit").get_by_role("button").click()
    expect(participant.get_by_text("your weights are in")).to_be_visible(timeout=10_000)

    expect(page.get_by_text("1 participant(s) have submitted.")).to_be_visible(timeout=15_000)

    page.get_by_text("Update this view every 3 seconds").click()  # paused, so the buttons stay put while clicked
    expect(page.get_by_text("Updates paused")).to_be_visible(timeout=10_000)
    wait_idle(page)
    with page.expect_download(timeout=60_000) as paper_download:
        page.get_by_role("button", name="Download the workshop's board paper (PDF)").click()
    with page.expect_download(timeout=60_000) as record_download:
        page.get_by_role("button", name="Its decision record (JSON)").click()
    paper, record = tmp_path / "workshop.pdf", tmp_path / "workshop.record.json"
    paper_download.value.save_as(paper)
    record_download.value.save_as(record)
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(paper.read_bytes())).pages)
    kept = json.loads(record.read_text(encoding="utf-8"))
    assert len(kept["participants"]) == 1, kept["participants"]
    [ann] = kept["participants"]
    assert ann["name"] == "Ann" and ann["weights"]["reach"] == 100.0  # the slider she pushed to the end
    weights = ann["weights"]
    reach = f"{weights['reach'] / sum(weights.values()):.0%}"  # one participant: the group's, lowest and highest
    assert "a workshop of 1 participant," in text and f"reach {reach} {reach} {reach} 0 points" in text
    assert "Ann" not in text
    assert hashlib.sha256(record.read_bytes()).hexdigest()[:32] in text.replace(" ", "")


def test_upload_of_a_broken_catalogue_lists_its_problems(page: Page, app_url: str) -> None:
    """Uploading a malformed catalogue on the Data tab shows its problems with their lines and replaces nothing."""
    broken = Path(__file__).resolve().parents[1] / "matrix" / "catalogue" / "corpus" / "13_negative_cost.toml"
    open_app(page, app_url)
    page.get_by_role("tab", name="Data").click()
    wait_idle(page)
    page.locator(".st-key-catalogue_upload input[type=file]").set_input_files(str(broken))
    expect(page.get_by_text("nothing has been changed")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("must be greater than or equal to 0 (got -1)")).to_be_visible()
    expect(page.get_by_text("You are working from an edited catalogue")).to_have_count(0)


def test_link_reload_record_and_replay_tell_one_story(page: Page, app_url: str, tmp_path: Path) -> None:
    """A minmax scenario opened from a link survives a reload (tab, weights, budget, comparison), its decision
    record is signed with the sidebar name, and replaying that record reproduces the funded set the page shows
    and the funding CSV lists."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    link = f"{app_url}/?impact=30&reach=30&cost=10&risk=30&normalisation=minmax&budget=1000000&scenario=Board+test&tab=Funding"
    page.goto(link)
    expect(page.get_by_text("Changes to what is funded today")).to_be_visible(timeout=20_000)
    wait_idle(page)
    page.get_by_role("button", name="Save for comparison").click()
    wait_idle(page)
    page.reload()
    expect(page.get_by_text("Changes to what is funded today")).to_be_visible(timeout=20_000)
    wait_idle(page)
    assert "normalisation=minmax" in page.url and "budget=1000000" in page.url and "compare=" in page.url
    expect(page.locator(".st-key-w_impact [data-testid=stSliderThumbValue]")).to_have_text("30")
    name = page.get_by_role("textbox", name="Your name")
    name.fill("Board Secretary")
    name.press("Enter")
    wait_idle(page)

    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Download funding shortlist CSV").click()
    csv_path = tmp_path / "funding.csv"
    csv_download.value.save_as(csv_path)
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert {r["normalisation"] for r in rows} == {"minmax"}
    csv_funded = {(r["id"], r["funded_level"]) for r in rows if r["funded"] == "true"}

    page.get_by_text("Decision record: download, or import to restore").click()
    with page.expect_download() as record_download:
        page.get_by_role("button", name="Download the decision record (JSON)").click()
    record_path = tmp_path / "record.json"
    record_download.value.save_as(record_path)
    record = json.loads(record_path.read_text(encoding="utf-8"))
    assert record["created_by"] == "Board Secretary"
    assert record["scenario"]["normalisation"] == "minmax" and record["scenario"]["budget_gbp"] == 1_000_000
    assert {(r["id"], r["level"]) for r in record["results"]["funded"]} == csv_funded
    replayed = subprocess.run(
        [sys.executable, "-m", "matrix", "replay", str(record_path)], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "identical" in replayed.stdout

    page.get_by_role("tab", name="Compare").click()
    wait_idle(page)
    expect(page.get_by_text("Spend by prevention tier")).to_be_visible()


def test_an_early_click_keeps_the_links_weights(page: Page, app_url: str) -> None:
    """Clicking a tab while the first run is still going never resets the sliders: the link's weights stay."""
    page.goto(f"{app_url}/?impact=5&reach=60&cost=15&risk=20")
    page.get_by_role("tab", name="Ranking").click(timeout=20_000)
    wait_idle(page)
    expect(page.locator(".st-key-w_reach [data-testid=stSliderThumbValue]")).to_have_text("60", timeout=20_000)
    expect(page.locator(".st-key-w_impact [data-testid=stSliderThumbValue]")).to_have_text("5")
    expect(page.locator(".st-key-top_ranked")).to_be_visible()


def test_quick_key_presses_on_a_weight_all_count(page: Page, app_url: str, problem: DecisionProblem) -> None:
    """Twelve quick arrow presses move a weight by twelve, the first time off a preset too: no run the presses
    started puts the slider back (runs pushed the server's value back; the box going to Custom put the
    preset's weight back)."""
    open_app(page, app_url)
    value = page.locator(".st-key-w_impact [data-testid=stSliderThumbValue]")
    start = int(problem.catalogue.preset(problem.catalogue.presets[0].id).weights.impact)
    expect(value).to_have_text(str(start))
    for round_ in (1, 2):
        page.locator(".st-key-w_impact").get_by_role("slider").focus()
        for _ in range(12):
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(30)  # about a held key's repeat rate
        wait_idle(page)
        page.wait_for_timeout(1_000)
        wait_idle(page)
        expect(value).to_have_text(str(start + 12 * round_))
        assert f"impact={start + 12 * round_}" in page.url
    expect(page.locator(".st-key-preset").get_by_role("combobox")).to_have_value("Custom")


def test_tables_offer_no_unsafe_built_in_download(page: Page, app_url: str) -> None:
    """Hovering a table shows its toolbar (search, full screen) but not Streamlit's own "Download as CSV",
    which would write formulas as they are; the project's formula-safe download is there instead."""
    open_app(page, app_url)
    page.get_by_role("tab", name="Ranking").click()
    wait_idle(page)
    table = page.locator("[data-testid=stDataFrame] >> visible=true").first  # the charts' data tables start folded
    expect(table).to_be_visible(timeout=10_000)
    table.hover()
    toolbar = page.locator("[data-testid=stElementToolbar]").first
    expect(toolbar.get_by_role("button").first).to_be_visible(timeout=5_000)
    expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)
    page.get_by_role("tab", name="Export").click()
    expect(page.get_by_role("button", name="Download shortlist CSV")).to_be_visible(timeout=10_000)


def test_the_board_report_downloads_from_the_page(page: Page, app_url: str, tmp_path: Path, problem: DecisionProblem) -> None:
    """The Funding tab's PDF board report is a real PDF that says what the page says."""
    open_app(page, app_url)
    headline = page.locator(".st-key-headline").inner_text()
    page.get_by_role("tab", name="Funding").click()
    wait_idle(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download the board report (PDF)").click()
    path = tmp_path / "board.pdf"
    download.value.save_as(path)
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    optimum = evaluate(problem, default_scenario(problem)).optimum
    said = f"funds {len(optimum.funded)} interventions for {money(optimum.spend_gbp)}"
    assert said in text and said in headline
