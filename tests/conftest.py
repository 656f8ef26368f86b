"""Shared fixtures: the shipped catalogue and a writer for small catalogue files."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from matrix.catalogue import LoadedCatalogue, load_catalogue
from matrix.cli import main
from matrix.decision import DecisionProblem, build_problem

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data" / "interventions.toml"


@dataclass(frozen=True)
class Ran:
    """What a CLI call printed and returned."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(argv: list[str]) -> Ran:
    """``matrix.cli.main`` in process with its output captured; argparse's exits become return codes."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
    return Ran(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def shipped() -> LoadedCatalogue:
    """The catalogue the app ships with."""
    return load_catalogue(SHIPPED)


@pytest.fixture(scope="session")
def problem(shipped: LoadedCatalogue) -> DecisionProblem:
    """The decision problem built from the shipped catalogue."""
    return build_problem(shipped.catalogue, shipped.sha256, shipped.text)


@pytest.fixture(scope="session")
def shipped_text() -> str:
    return SHIPPED.read_text(encoding="utf-8")


@pytest.fixture
def write_catalogue(tmp_path: Path) -> Callable[[str | bytes], Path]:
    """Write catalogue text (or raw bytes) to a file in tmp_path and return its path."""

    def write(content: str | bytes) -> Path:
        path = tmp_path / "catalogue.toml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _as_postgres(args: list[str]) -> list[str]:
    """Run a server command as the postgres user when we are root (PostgreSQL refuses to run as root)."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@dataclass
class PostgresServer:
    """A PostgreSQL server from Debian's binaries in a temporary folder; tests may stop and start it again."""

    bindir: Path
    folder: Path
    port: int

    @property
    def base_url(self) -> str:
        return f"postgresql+psycopg://matrix@127.0.0.1:{self.port}"

    def pg_ctl(self, *args: str) -> None:
        data, log = self.folder / "data", self.folder / "server.log"
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_postgres([str(self.bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", *args]),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self.pg_ctl("start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")


@contextlib.contextmanager
def running_postgres(prefix: str) -> Iterator[PostgresServer]:
    """A fresh server on a free loopback port for the block; where the binaries are missing the test
    skips, except under CI=true where that fails."""
    bindir = _postgres_bin()
    if bindir is None:
        message = "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)"
        if _in_ci():
            pytest.fail(message + "; under CI=true the PostgreSQL tests must run")
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    subprocess.run(
        _as_postgres(
            [str(bindir / "initdb"), "-D", str(folder / "data"), "-U", "matrix", "--auth=trust", "-E", "UTF8", "--locale=C"]
        ),
        check=True,
        capture_output=True,
    )
    server = PostgresServer(bindir, folder, port)
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server on loopback for the session: its base URL (no database name).

    Uses MATRIX_TEST_POSTGRES_URL if set; otherwise starts one (see ``running_postgres``).
    """
    if os.environ.get("MATRIX_TEST_POSTGRES_URL"):
        yield os.environ["MATRIX_TEST_POSTGRES_URL"].rstrip("/")
        return
    with running_postgres("matrix-pg-") as server:
        yield server.base_url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    import sqlalchemy as sa

    base = request.getfixturevalue("postgres_server")
    name = f"test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"{base}/{name}"
