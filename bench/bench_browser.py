"""A weight key press and a page open in a real browser: the app against a bare Streamlit app with the same sidebar.

Both apps are served by ``streamlit run`` (the app on the shipped catalogue, an empty temporary
store, sign-in off; the bare app is bench_app.py's script) and driven in one Chromium, one browser
context per page. For the bare app and for each tab of the app (opened with ``?tab=Name``) it times,
after a warm-up, page opens (navigation start to the end of the first run) and ArrowRight presses on
the Impact slider's thumb (key press to the end of the run), taking the pages in turn in every round
so that the machine's other work falls on all of them alike. Not a test: ``python bench/bench_browser.py``
(``--repeats N``; 15 by default).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from browser_timing import (
    CHROMIUM,
    CHROMIUM_ARGS,
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


async def measure(repeats: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Page-open and key-press times (ms) for the bare app and each tab, ``repeats`` of each after a warm-up."""
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
            finally:
                await browser.close()
    return opens, presses


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
    opens, presses = asyncio.run(measure(repeats))
    print(f"one Chromium, {repeats} repeats per page after a warm-up, pages taken in turn; times in the page itself")
    report("page open: navigation start to the end of the first run", opens, 1.2)
    report("weight key press (ArrowRight on Impact) to the end of the run", presses, 1.5)
    print(f"at end: {load_average()}; {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
