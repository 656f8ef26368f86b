"""A weight key press and a page open in a real browser: the app against a bare Streamlit app with the same sidebar.

Both apps are served by ``streamlit run`` (the app on the shipped catalogue, an empty temporary
store, sign-in off; the bare app is bench_app.py's script) and driven in one Chromium, one browser
context per page. For the bare app and for each tab of the app (opened with ``?tab=Name``) it times,
after a warm-up, page opens (navigation start to the end of the first run) and ArrowRight presses on
the Impact slider's thumb (key press to the end of the run), taking the pages in turn in every round
so that the machine's other work falls on all of them alike. Then, on the Funding tab, it times the
frontier (100 budgets) turned on with the keyboard, after a weight nudge each time so that it is worked out
for a new scenario. Not a test: ``python bench/bench_browser.py`` (``--repeats N``; 15 by default).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from browser_timing import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SETTLED,
    VIEWPORT,
    WATCH,
    load_average,
    move_slider,
    open_page,
    quantile,
    require_chromium,
    servers,
)
from playwright.async_api import Page, async_playwright

TABS = ("Matrix", "Ranking", "Funding")
TIMEOUT_MS = 60_000
BARE = "bare app"
FRONTIER_TARGET_MS = 1_000  # the frontier, as seen in the browser


async def measure(repeats: int) -> tuple[dict[str, list[float]], dict[str, list[float]], list[float]]:
    """Page-open and key-press times (ms) for the bare app and each tab, ``repeats`` of each after a warm-up, and
    the frontier turned on (ms) on the Funding tab, for a new scenario each time."""
    with servers(bare=True) as (app, bare):
        assert bare is not None
        urls = {BARE: f"{bare.url}/"} | {tab: f"{app.url}/?tab={tab}" for tab in TABS}
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                pages: dict[str, Page] = {}
                for name in urls:
                    context = await browser.new_context(viewport=VIEWPORT)
                    await context.add_init_script(WATCH)
                    pages[name] = await context.new_page()
                opens: dict[str, list[float]] = {name: [] for name in urls}
                presses: dict[str, list[float]] = {name: [] for name in urls}
                for round_number in range(repeats + 1):
                    for name, url in urls.items():
                        elapsed = await open_page(pages[name], url, TIMEOUT_MS)
                        if round_number:
                            opens[name].append(elapsed)
                # The pages now show their defaults; each press moves Impact one step up (never to its end).
                for round_number in range(repeats + 1):
                    for name in urls:
                        elapsed = await move_slider(pages[name], "impact", "ArrowRight", TIMEOUT_MS)
                        if round_number:
                            presses[name].append(elapsed)
                # The frontier (100 budgets) turned on by keyboard on the Funding tab, then off again; a weight
                # nudge first each time, so it is worked out for a new scenario, not read from the cache.
                frontier: list[float] = []
                page = pages["Funding"]
                for round_number in range(repeats + 1):
                    await move_slider(page, "impact", "ArrowLeft", TIMEOUT_MS)
                    elapsed = await toggle_frontier(page)
                    if round_number:
                        frontier.append(elapsed)
            finally:
                await browser.close()
    return opens, presses, frontier


async def toggle_frontier(page: Page) -> float:
    """Turn the frontier on with the keyboard; milliseconds from the key press to the end of the run that draws
    it (its chart's data fold on the page). Then turn it off again and wait for that run."""
    switch = page.locator(".st-key-sc_show_frontier").get_by_role("switch")
    await switch.focus(timeout=TIMEOUT_MS)
    await page.evaluate("window.__lastKey = null")
    await switch.press("Space", timeout=TIMEOUT_MS)
    handle = await page.wait_for_function(SETTLED, arg=[None, 300, ".st-key-frontier_data"], timeout=TIMEOUT_MS, polling=50)
    elapsed = float(await handle.json_value())
    await page.evaluate("window.__lastKey = null")
    await switch.press("Space", timeout=TIMEOUT_MS)
    await page.wait_for_function(SETTLED, arg=[None, 300, "body"], timeout=TIMEOUT_MS, polling=50)
    return elapsed


def report(title: str, times: dict[str, list[float]], target: float) -> None:
    """One table: median, p95 and max per page, and each median's and p95's ratio to the bare app's."""
    bare_median = statistics.median(times[BARE])
    bare_p95 = quantile(times[BARE], 0.95)
    print(title)
    print(f"{'page':<12}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}{'median/bare':>13}{'p95/bare':>10}  target {target}x")
    for name, values in times.items():
        median = statistics.median(values)
        p95 = quantile(values, 0.95)
        verdict = "" if name == BARE else ("  meets" if median / bare_median <= target else "  misses")
        print(
            f"{name:<12}{median:>11.0f}{p95:>9.0f}{max(values):>9.0f}"
            f"{median / bare_median:>13.2f}{p95 / bare_p95:>10.2f}{verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=15, help="timed repeats per page after one warm-up (default 15)")
    repeats = parser.parse_args().repeats
    require_chromium()
    print(f"at start: {load_average()} (a shared machine: other work shows in the wall times, less in the ratios)")
    started = time.perf_counter()
    opens, presses, frontier = asyncio.run(measure(repeats))
    print(f"one Chromium, {repeats} repeats per page after a warm-up, pages taken in turn; times in the page itself")
    report("page open: navigation start to the end of the first run", opens, 1.2)
    report("weight key press (ArrowRight on Impact) to the end of the run", presses, 1.5)
    median, bare = statistics.median(frontier), statistics.median(presses[BARE])
    verdict = "meets" if median < FRONTIER_TARGET_MS else "misses"
    print(
        f"frontier turned on, Funding tab, a new scenario each time: median {median:.0f} ms, "
        f"p95 {quantile(frontier, 0.95):.0f} ms, max {max(frontier):.0f} ms; {median / bare:.1f}x the bare app's "
        f"key press; target under {FRONTIER_TARGET_MS:,} ms: {verdict}"
    )
    print(f"at end: {load_average()}; {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
