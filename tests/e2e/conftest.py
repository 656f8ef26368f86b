"""Real-browser fixtures: the app served on a free port, and Debian's Chromium driven by Playwright.

A missing browser skips these tests on a developer's machine but fails them under CI=true,
so CI can never pass without running them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def require_browser() -> None:
    """Skip without Chromium on a developer's machine; fail under CI=true."""
    if CHROMIUM.exists():
        return
    message = f"no Chromium at {CHROMIUM}: install it with `apt-get install chromium`"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message + " (CI=true, so the browser test must run)")
    pytest.skip(message)


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def start_app(
    script: str | Path,
    *,
    log: Path,
    port: int | None = None,
    env: Mapping[str, str] | None = None,
    unset: Collection[str] = (),
    extra_args: Sequence[str] = (),
    cwd: Path = ROOT,
    timeout: float = 60,
) -> Iterator[str]:
    """Serve ``script`` with ``streamlit run`` on 127.0.0.1 and yield its URL once ``/_stcore/health`` says ok.

    The server gets this process's environment less ``unset`` plus ``env``, runs in ``cwd`` (so that
    folder's ``.streamlit/config.toml`` applies), writes its output to ``log`` and is stopped on exit.
    ``extra_args`` go after the fixed options (e.g. ``["--secrets.files", path]``); ``port`` defaults
    to a free one. A server that exits or is not healthy within ``timeout`` seconds fails the test.
    """
    port = free_port() if port is None else port
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env or {})
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", str(script),
                "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
                "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
                "--client.toolbarMode", "viewer", *extra_args,
            ],
            cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=environment,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                    if reply.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the app did not start:\n{log.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the real app on the shipped catalogue and wait until its health check says ok."""
    require_browser()
    with start_app(
        "streamlit_app.py",
        log=tmp_path_factory.mktemp("server") / "streamlit.log",
        env={"MATRIX_DATA_DIR": str(tmp_path_factory.mktemp("store"))},
        unset={"MATRIX_CATALOGUE", "DATABASE_URL"},
    ) as url:
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    require_browser()
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
        ],
    }  # fmt: skip


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 2000}, "accept_downloads": True}
