"""What the real-browser benchmarks share: the two servers, Chromium, and timing a run inside the page.

A run is timed by the page itself: a script installed before the app loads notes every change of
Streamlit's "running" indicator (``data-test-script-state`` on ``stApp``) and every key press with
``performance.now()``, so the figures do not depend on how often Playwright polls. A run has ended
when the indicator has said ``notRunning`` for a quiet spell after it last changed (a run that
triggers another is counted to the end of the last one).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Page, ViewportSize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_app import BARE  # noqa: E402  (bench/ is put on the path just above)

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
VIEWPORT: ViewportSize = {"width": 1280, "height": 2000}
CRITERIA = ("impact", "reach", "cost", "risk")

# Installed in every page before its own scripts: the indicator's changes, the messages from the
# server, and the last key press. A fast run can start and finish within one render, so the
# indicator alone may never say "running"; the server's messages (the run's output and its
# "finished") show that a run happened and when its last word arrived.
WATCH = """
window.__runs = [];
window.__received = [];
window.__lastKey = null;
window.addEventListener("keydown", () => { window.__lastKey = performance.now(); }, true);
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", () => { window.__received.push(performance.now()); });
  }
};
new MutationObserver(() => {
  const app = document.querySelector("[data-testid=stApp]");
  const state = app ? app.getAttribute("data-test-script-state") : null;
  const runs = window.__runs;
  if (state !== null && (runs.length === 0 || runs[runs.length - 1].state !== state)) {
    runs.push({state: state, t: performance.now()});
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-test-script-state"]});
"""

# Milliseconds from ``since`` (the last key press if null) to the end of what it started: the later
# of the last message from the server and the indicator's last return to idle, once a message has
# arrived since, the indicator says idle, ``ready`` (a selector) is on the page, and nothing has
# changed for ``quiet`` ms; null before that.
SETTLED = """
([since, quiet, ready]) => {
  const start = since === null ? window.__lastKey : since;
  if (start === null || document.querySelector(ready) === null) return null;
  const received = window.__received.filter(t => t >= start);
  if (received.length === 0) return null;
  const runs = window.__runs;
  const last = runs[runs.length - 1];
  if (!last || last.state !== "notRunning") return null;
  const end = Math.max(received[received.length - 1], last.t);
  if (performance.now() - end < quiet) return null;
  return end - start;
}
"""


@dataclass(frozen=True)
class Server:
    """A ``streamlit run`` process serving one script."""

    url: str
    pid: int


def require_chromium() -> None:
    """Stop with a plain message where Debian's Chromium is missing (never download a browser here)."""
    if not CHROMIUM.exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}: install it with `apt-get install chromium` or set CHROMIUM_PATH")


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(script: Path, log: Path, env: dict[str, str], timeout_s: float = 60) -> Iterator[Server]:
    """Run ``streamlit run script`` headless on a free loopback port (as tests/e2e/conftest.py does); stop it on exit."""
    port = free_port()
    unset = {"MATRIX_CATALOGUE", "DATABASE_URL", "MATRIX_REQUIRE_SIGNIN", "MATRIX_ROLES"}
    environment = {k: v for k, v in os.environ.items() if k not in unset} | env
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", str(script),
                "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
                "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
                "--client.toolbarMode", "viewer",
            ],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=environment,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                    if reply.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{script.name} did not start:\n{log.read_text()}")
            time.sleep(0.3)
        yield Server(url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def servers(*, bare: bool) -> Iterator[tuple[Server, Server | None]]:
    """The real app (shipped catalogue, an empty temporary store, sign-in off) and, if asked, the bare app."""
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-browser-")))
        (folder / "store").mkdir()
        store = {"MATRIX_DATA_DIR": str(folder / "store")}
        app = stack.enter_context(serve(ROOT / "streamlit_app.py", folder / "app.log", store))
        reference = None
        if bare:
            script = folder / "bare_app.py"
            script.write_text(BARE, encoding="utf-8")
            reference = stack.enter_context(serve(script, folder / "bare.log", {}))
        yield app, reference


async def open_page(page: Page, url: str, timeout_ms: float, quiet_ms: float = 300) -> float:
    """Load ``url`` and return milliseconds from the navigation's start to the end of the first run."""
    await page.goto(url, timeout=timeout_ms)
    # Both apps draw the weight sliders, so their presence tells a first run from the idle page before it.
    ready = ".st-key-w_impact input[type=range]"
    handle = await page.wait_for_function(SETTLED, arg=[0, quiet_ms, ready], timeout=timeout_ms, polling=50)
    return float(await handle.json_value())


async def move_slider(page: Page, criterion: str, key: str, timeout_ms: float, quiet_ms: float = 300) -> float:
    """Press ``key`` on a weight slider's thumb; milliseconds from the key press to the end of the run it starts."""
    thumb = page.locator(f".st-key-w_{criterion}").get_by_role("slider")
    await thumb.focus(timeout=timeout_ms)
    await page.evaluate("window.__lastKey = null")
    await thumb.press(key, timeout=timeout_ms)
    handle = await page.wait_for_function(SETTLED, arg=[None, quiet_ms, "body"], timeout=timeout_ms, polling=50)
    return float(await handle.json_value())


def quantile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile by linear interpolation between order statistics (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def load_average() -> str:
    """The 1, 5 and 15 minute load averages and the processor count, in words."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min) on {os.cpu_count()} processors"


def cpu_seconds(pid: int) -> float:
    """Processor time (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    """A process's resident memory in MiB, from /proc (psutil is not a dependency)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")
