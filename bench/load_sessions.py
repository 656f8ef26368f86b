"""The app under load: 16 browser sessions moving weight sliders at once, then memory over 500 reruns.

The app is served by ``streamlit run`` (shipped catalogue, an empty temporary store, sign-in off) and
driven from one Chromium, one browser context per session, on this machine, so the browser's own
rendering competes with the server for the processors, as it would for a facilitator's laptop
serving a room. Each session opens a tab (Matrix, Ranking and Funding in turn), then makes its moves:
a seeded random walk (a slider and a direction, kept within 1-99 so every press changes a weight),
each press timed from the key press to the end of its run; the next press follows once the page has
been idle for 300 ms. Then, on a fresh server, a single session makes 500 moves and the server's
resident memory is read every 50. Not a test: ``python bench/load_sessions.py`` (``--sessions``,
``--moves``, ``--think``, ``--reruns``, ``--memory-tab``).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable

from browser_timing import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CRITERIA,
    VIEWPORT,
    WATCH,
    cpu_seconds,
    load_average,
    move_slider,
    open_page,
    quantile,
    require_chromium,
    rss_mib,
    servers,
)
from playwright.async_api import Browser, Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout

TABS = ("Matrix", "Ranking", "Funding")
TIMEOUT_MS = 120_000
LOW, HIGH = 1, 99


async def new_page(browser: Browser) -> Page:
    """A page in its own browser context (its own Streamlit session), watched from before the app loads."""
    context = await browser.new_context(viewport=VIEWPORT)
    await context.add_init_script(WATCH)
    return await context.new_page()


async def slider_values(page: Page) -> dict[str, int]:
    """The four weights as the sliders show them."""
    return {
        criterion: int(await page.locator(f".st-key-w_{criterion}").get_by_role("slider").input_value(timeout=TIMEOUT_MS))
        for criterion in CRITERIA
    }


async def random_moves(
    page: Page,
    moves: int,
    seed: int,
    quiet_ms: float,
    think_s: float = 0,
    after_move: Callable[[int], Awaitable[None]] | None = None,
) -> tuple[list[float], int]:
    """Make ``moves`` seeded random one-step slider moves, ``think_s`` apart after each run ends.

    Returns the times (ms) of the moves that finished and the number that timed out.
    """
    rng = random.Random(seed)
    values = await slider_values(page)
    times: list[float] = []
    timeouts = 0
    for move in range(1, moves + 1):
        criterion = rng.choice(CRITERIA)
        step = rng.choice((-1, 1))
        if not LOW <= values[criterion] + step <= HIGH:
            step = -step
        values[criterion] += step
        try:
            times.append(await move_slider(page, criterion, "ArrowRight" if step > 0 else "ArrowLeft", TIMEOUT_MS, quiet_ms))
        except PlaywrightTimeout:
            timeouts += 1
            values = await slider_values(page)
        if after_move is not None:
            await after_move(move)
        await asyncio.sleep(think_s)
    return times, timeouts


async def concurrent_sessions(sessions: int, moves: int, think_s: float) -> tuple[list[float], list[float], int, float, float]:
    """Open ``sessions`` pages at once (after one warm-up open), then let each make ``moves`` moves at once.

    Returns the page opens and the moves (ms), how many moves timed out, and the server's processor
    seconds and the wall seconds over the moves.
    """
    with servers(bare=False) as (app, _):
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                warm = await new_page(browser)  # the first open loads the catalogue; the sessions find it loaded
                await open_page(warm, f"{app.url}/", TIMEOUT_MS)
                await warm.context.close()
                pages = [await new_page(browser) for _ in range(sessions)]
                opens = await asyncio.gather(
                    *(open_page(page, f"{app.url}/?tab={TABS[n % len(TABS)]}", TIMEOUT_MS) for n, page in enumerate(pages))
                )
                cpu_before, wall_before = cpu_seconds(app.pid), time.perf_counter()
                results = await asyncio.gather(
                    *(random_moves(page, moves, seed=n, quiet_ms=300, think_s=think_s) for n, page in enumerate(pages))
                )
                server_cpu_s, wall_s = cpu_seconds(app.pid) - cpu_before, time.perf_counter() - wall_before
            finally:
                await browser.close()
    times = [t for session_times, _ in results for t in session_times]
    return list(opens), times, sum(timeouts for _, timeouts in results), server_cpu_s, wall_s


async def memory_run(reruns: int, tab: str) -> tuple[list[tuple[int, float]], list[float], int]:
    """One session making ``reruns`` moves on a fresh server: (moves made, server RSS in MiB) every 50, move times, timeouts."""
    with servers(bare=False) as (app, _):
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = await new_page(browser)
                await open_page(page, f"{app.url}/?tab={tab}", TIMEOUT_MS)
                samples = [(0, rss_mib(app.pid))]

                async def sample(move: int) -> None:
                    if move % 50 == 0:
                        samples.append((move, rss_mib(app.pid)))

                times, timeouts = await random_moves(page, reruns, seed=1000, quiet_ms=150, after_move=sample)
            finally:
                await browser.close()
    return samples, times, timeouts


def spread(times: list[float]) -> str:
    """p50, p95 and max of times in ms, in words."""
    if not times:
        return "no moves finished"
    return f"p50 {statistics.median(times):.0f} ms, p95 {quantile(times, 0.95):.0f} ms, max {max(times):.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sessions", type=int, default=16, help="concurrent browser sessions (default 16)")
    parser.add_argument("--moves", type=int, default=30, help="slider moves per session (default 30)")
    parser.add_argument(
        "--think", type=float, default=0, help="seconds each session waits after a run before its next move (default 0)"
    )
    parser.add_argument("--reruns", type=int, default=500, help="moves in the memory run, 0 to skip it (default 500)")
    parser.add_argument("--memory-tab", default="Funding", choices=TABS, help="the tab open in the memory run (default Funding)")
    options = parser.parse_args()
    require_chromium()
    print(f"at start: {load_average()}; a shared machine, and the figure counts this script's servers and Chromium too")
    started = time.perf_counter()

    opens, times, timeouts, server_cpu_s, wall_s = asyncio.run(
        concurrent_sessions(options.sessions, options.moves, options.think)
    )
    print(
        f"{options.sessions} concurrent sessions (tabs {', '.join(TABS)} in turn), {options.moves} moves each, "
        f"{options.think:g} s between a run's end and the next move, one Chromium"
    )
    print(f"  page open, all at once: {spread(opens)}")
    limit_s = TIMEOUT_MS / 1000
    print(f"  slider move to the end of its run ({len(times)} moves, {timeouts} timed out at {limit_s:.0f} s): {spread(times)}")
    print(
        f"  server processor time {server_cpu_s:.1f} s over {wall_s:.1f} s of moves "
        f"({server_cpu_s / wall_s:.0%} of one processor), {server_cpu_s / max(len(times), 1) * 1000:.0f} ms a move; "
        "a Streamlit server runs every session's script in one process, so the runs share one interpreter lock"
    )
    p95 = quantile(times, 0.95) if times else float("inf")
    print(f"  target p95 under 1,000 ms: {'meets' if p95 < 1000 else f'misses, {p95 / 1000:.1f}x the target'}")
    print(f"  {load_average()}")

    if options.reruns:
        samples, run_times, run_timeouts = asyncio.run(memory_run(options.reruns, options.memory_tab))
        print(f"memory: one session, {options.reruns} slider moves on the {options.memory_tab} tab, fresh server")
        print("  server RSS (MiB) after n moves: " + ", ".join(f"{n}: {mib:.0f}" for n, mib in samples))
        middle = min(samples, key=lambda sample: abs(sample[0] - options.reruns // 2))
        start, end = samples[0], samples[-1]
        print(
            f"  start {start[1]:.0f} MiB, middle ({middle[0]}) {middle[1]:.0f} MiB, end ({end[0]}) {end[1]:.0f} MiB: "
            f"{end[1] - middle[1]:+.0f} MiB over the second half, {end[1] - start[1]:+.0f} MiB in all"
        )
        print(f"  slider move, one session ({len(run_times)} moves, {run_timeouts} timed out): {spread(run_times)}")
    print(f"at end: {load_average()}; {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
