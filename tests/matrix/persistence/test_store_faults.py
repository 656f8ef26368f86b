"""The store under storage faults, on a real SQLite file and a real PostgreSQL server of this module's own.

Every fault gives a ``StoreUnavailable`` that says what happened in words; nothing already saved
is lost, no save is reported that did not reach the file at the store's path, and no healthy file
is ever set aside.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from matrix.catalogue import Weights
from matrix.decision import Scenario
from matrix.persistence import Store, StoreError, StoreUnavailable
from matrix.persistence import store as store_module
from tests.conftest import PostgresServer, running_postgres

SHA = "a" * 64
ANN, BOB = "ann-browser-token-0001", "bob-browser-token-0002"
WEIGHTS = Weights(impact=40, reach=20, cost=20, risk=20)


def scenario(name: str = "Cut", budget: float = 600_000) -> Scenario:
    return Scenario(name=name, weights=WEIGHTS, budget_gbp=budget)


@pytest.fixture(autouse=True)
def short_busy_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wait 0.3 s (not the app's 10 s) for another writer before saying the store is busy."""
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 300)


def names(store: Store) -> list[str]:
    return [s.name for s in store.list_scenarios()]


def versions_in(path: Path) -> list[tuple[int, int, str]]:
    """(scenario, version, name) of every saved version in a store file, read with plain sqlite3."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return connection.execute("SELECT scenario_id, version, name FROM scenario_versions ORDER BY id").fetchall()


def saved_store(folder: Path, *scenario_names: str) -> Store:
    store = Store.open(data_dir=folder)
    for name in scenario_names:
        store.save_scenario(scenario(name), "Ann", SHA)
    return store


# SQLite: the file or its folder moved, removed, replaced ------------------------------------------


def test_folder_removed_mid_session_is_refused_and_never_recreated(tmp_path: Path) -> None:
    """With the data folder removed, saves and reads say the file is gone; no empty file takes its place, even in a new folder."""
    folder = tmp_path / "var"
    store = saved_store(folder, "Cut")
    shutil.rmtree(folder)
    for action in (
        lambda: store.save_scenario(scenario("Lost"), "Ann", SHA),
        store.list_scenarios,
        lambda: store.load_scenario(1),
    ):
        with pytest.raises(StoreUnavailable, match=r"matrix\.db is no longer there: it, or its folder, was moved or deleted"):
            action()
    folder.mkdir()
    with pytest.raises(StoreUnavailable, match="no longer there"):
        store.save_scenario(scenario("Lost"), "Ann", SHA)
    assert list(folder.iterdir()) == []  # SQLite was not allowed to start an empty file in its place


def test_folder_moved_mid_session_keeps_every_save(tmp_path: Path) -> None:
    """A moved data folder refuses saves until it is put back; its file keeps every save, and then the store carries on."""
    folder, moved = tmp_path / "var", tmp_path / "moved"
    store = saved_store(folder, "Cut", "Grow")
    folder.rename(moved)
    with pytest.raises(StoreUnavailable, match=r"no longer there.*Put it back, or restart the app"):
        store.save_scenario(scenario("Lost"), "Ann", SHA)
    with pytest.raises(StoreUnavailable, match="no longer there"):
        store.workshop("ABCDEF")
    assert versions_in(moved / "matrix.db") == [(1, 1, "Cut"), (2, 1, "Grow")]
    moved.rename(folder)
    assert names(store) == ["Grow", "Cut"]
    assert store.save_scenario(scenario("Back"), "Ann", SHA).id == 3
    assert [name for *_, name in versions_in(folder / "matrix.db")] == ["Cut", "Grow", "Back"]


def test_file_replaced_with_junk_is_refused_and_left_alone(tmp_path: Path) -> None:
    """A store file swapped for junk while running is neither read nor written; the junk is untouched, the original intact."""
    store = saved_store(tmp_path, "Cut")
    path = tmp_path / "matrix.db"
    path.rename(tmp_path / "original.db")
    junk = b"this is not a database " * 200
    path.write_bytes(junk)
    for action in (lambda: store.save_scenario(scenario("Lost"), "Ann", SHA), store.list_scenarios):
        with pytest.raises(
            StoreUnavailable, match=r"was replaced by a different file while the app was running.*Restart the app"
        ):
            action()
    assert path.read_bytes() == junk
    assert versions_in(tmp_path / "original.db") == [(1, 1, "Cut")]


def test_file_deleted_and_recreated_is_refused(tmp_path: Path) -> None:
    """A store file deleted and written again at the same path (a new inode) is refused, not written to."""
    store = saved_store(tmp_path, "Cut")
    path = tmp_path / "matrix.db"
    path.unlink()
    path.write_bytes(b"\0" * 4096)
    with pytest.raises(StoreUnavailable, match="was replaced by a different file"):
        store.save_scenario(scenario("Lost"), "Ann", SHA)
    assert path.read_bytes() == b"\0" * 4096


def test_file_replaced_with_another_valid_database(tmp_path: Path) -> None:
    """Another valid store moved over the file is refused (neither file changes); a restart opens the one now there."""
    store = saved_store(tmp_path / "var", "Cut")
    other = saved_store(tmp_path / "other", "Other")
    other.engine.dispose()
    path = tmp_path / "var" / "matrix.db"
    path.rename(tmp_path / "original.db")
    os.replace(tmp_path / "other" / "matrix.db", path)
    with pytest.raises(StoreUnavailable, match="was replaced by a different file"):
        store.save_scenario(scenario("Lost"), "Ann", SHA)
    with pytest.raises(StoreUnavailable, match="was replaced by a different file"):
        store.delete(1, "Ann")
    assert versions_in(path) == [(1, 1, "Other")]
    assert versions_in(tmp_path / "original.db") == [(1, 1, "Cut")]
    restarted = Store.open(data_dir=tmp_path / "var")
    assert restarted.notice is None and names(restarted) == ["Other"]


# SQLite: read-only, locked, full ----------------------------------------------------------------


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a file read-only for this process: chmod for a normal user; the immutable flag for root, who ignores chmod."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("running as root on a filesystem without chattr +i: a file cannot be made read-only for root")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_file_made_read_only(tmp_path: Path) -> None:
    """A read-only store file refuses saves in words and still shows what was saved; once writable again, saving works."""
    store = saved_store(tmp_path, "Cut")
    path = tmp_path / "matrix.db"
    with read_only(path):
        with pytest.raises(StoreUnavailable, match=r"matrix\.db is read-only, so nothing can be saved; ask whoever runs the app"):
            store.save_scenario(scenario("Lost"), "Ann", SHA)
        with pytest.raises(StoreUnavailable, match="is read-only"):
            store.create_workshop("Board", "Fran")
        assert names(store) == ["Cut"]
    assert store.save_scenario(scenario("Grow"), "Ann", SHA).id == 2
    assert [name for *_, name in versions_in(path)] == ["Cut", "Grow"]


def hold_lock(path: Path, how: str) -> sqlite3.Connection:
    """Another program's connection holding the store file's exclusive lock.

    ``wal``: ``BEGIN EXCLUSIVE`` on the store as it is (WAL): other writers wait, readers do not.
    ``exclusive-mode``: ``locking_mode=EXCLUSIVE`` with a write: nobody else can even read.
    ``rollback-journal``: the file switched to a rollback journal, then ``BEGIN EXCLUSIVE``: readers wait too.
    """
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    if how == "rollback-journal":
        holder.execute("PRAGMA journal_mode=DELETE")
    if how == "exclusive-mode":
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("CREATE TABLE IF NOT EXISTS lock_holder (x)")
    return holder


@pytest.mark.parametrize("how", ["exclusive-mode", "rollback-journal"])
def test_exclusive_lock_at_start_is_busy_not_unreadable(tmp_path: Path, how: str) -> None:
    """A healthy file locked at the start gives "busy, try again" and is never moved aside; unlocked, it opens with its saves."""
    saved_store(tmp_path, "Cut").engine.dispose()
    path = tmp_path / "matrix.db"
    inode = path.stat().st_ino
    holder = hold_lock(path, how)
    try:
        with pytest.raises(
            StoreUnavailable, match=r"the store is busy: another program is using .*matrix\.db; try again in a moment"
        ):
            Store.open(data_dir=tmp_path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert sorted(p.name for p in tmp_path.iterdir() if "unreadable" in p.name) == []
    assert path.stat().st_ino == inode
    store = Store.open(data_dir=tmp_path)
    assert store.notice is None and names(store) == ["Cut"]


def test_exclusive_lock_mid_session(tmp_path: Path) -> None:
    """Another program's write lock makes a save say "busy" (reads carry on); once released, saving works and nothing is lost."""
    store = saved_store(tmp_path, "Cut")
    token = store.create_workshop("Board", "Fran").participant_token
    holder = hold_lock(tmp_path / "matrix.db", "wal")
    try:
        with pytest.raises(StoreUnavailable, match=r"the store is busy: .*try again in a moment"):
            store.save_scenario(scenario("Grow"), "Ann", SHA, 1)
        with pytest.raises(StoreUnavailable, match="the store is busy"):
            store.submit(token, ANN, "Ann", WEIGHTS)
        assert names(store) == ["Cut"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.save_scenario(scenario("Grow"), "Ann", SHA, 1).version == 2
    assert [v.name for v in store.history(1)] == ["Cut", "Grow"]


def test_a_short_lock_is_waited_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A lock another program releases within the busy wait delays the save instead of failing it."""
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 10_000)
    store = saved_store(tmp_path, "Cut")
    holder = hold_lock(tmp_path / "matrix.db", "wal")

    def release() -> None:
        holder.execute("ROLLBACK")
        holder.close()

    releaser = threading.Timer(0.5, release)  # the save below starts while the lock is still held
    releaser.start()
    saved = store.save_scenario(scenario("Grow"), "Ann", SHA, 1)
    releaser.join()
    assert saved.version == 2 and [v.name for v in store.history(1)] == ["Cut", "Grow"]


def test_full_database(tmp_path: Path) -> None:
    """A store that cannot grow (SQLite's max_page_count) says it is full; earlier saves stay; saving works once there is room."""
    store = saved_store(tmp_path, "Cut")
    pages = store.engine.connect().exec_driver_sql("PRAGMA page_count").scalar()

    def cap(connection: Any, _record: Any) -> None:
        connection.execute(f"PRAGMA max_page_count={pages}")

    sa.event.listen(store.engine, "connect", cap)
    kept = ["Cut"]
    with pytest.raises(StoreUnavailable, match=r"the disk holding .*matrix\.db is full .*free some space, then try again"):
        for number in range(500):
            store.save_scenario(scenario(f"Filler {number} " + "x" * 100), "Ann", SHA)
            kept.append(f"Filler {number} " + "x" * 100)
    assert sorted(names(store)) == sorted(kept)
    sa.event.remove(store.engine, "connect", cap)
    store.save_scenario(scenario("After"), "Ann", SHA)
    assert [name for *_, name in versions_in(tmp_path / "matrix.db")] == [*kept, "After"]


@contextlib.contextmanager
def tiny_disk(folder: Path) -> Iterator[Path]:
    """A 512 KiB filesystem (tmpfs) at ``folder``, where root may mount one; skipped elsewhere."""
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(folder)]).returncode:
        pytest.skip("a small filesystem can only be mounted by root (the full-database test above still runs)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)  # detached now, freed when the store lets go


def test_full_disk(tmp_path: Path) -> None:
    """On a really full disk a save says so in words; what was saved stays readable, and saving works once space is freed."""
    with tiny_disk(tmp_path / "disk") as disk:
        store = saved_store(disk / "var", "Cut", "Grow")
        kept = ["Cut", "Grow"]
        filler = disk / "filler"
        with filler.open("wb", buffering=0) as out, contextlib.suppress(OSError):
            while True:
                out.write(b"\0" * 4096)
        with pytest.raises(StoreUnavailable, match=r"the disk holding .*matrix\.db is full .*free some space, then try again"):
            for number in range(100):  # SQLite may still find room in pages it already has
                store.save_scenario(scenario(f"Filler {number}"), "Ann", SHA)
                kept.append(f"Filler {number}")
        filler.unlink()
        assert sorted(names(store)) == sorted(kept)
        store.save_scenario(scenario("After"), "Ann", SHA)
        assert [name for *_, name in versions_in(disk / "var" / "matrix.db")] == [*kept, "After"]


def test_a_damaged_file_is_set_aside_but_a_sound_one_never_is(tmp_path: Path) -> None:
    """Only a file failing SQLite's integrity check is moved aside (bytes intact); a sound one is opened where it is."""
    saved_store(tmp_path, "Cut").engine.dispose()
    path = tmp_path / "matrix.db"
    Store.open(data_dir=tmp_path)
    assert [p.name for p in tmp_path.iterdir() if "unreadable" in p.name] == []
    data = bytearray(path.read_bytes())
    assert len(data) >= 4096 * 3
    data[4096 + 8 : 4096 + 600] = b"\xff" * 592  # scribble over the second page's cells
    path.write_bytes(bytes(data))
    store = Store.open(data_dir=tmp_path)
    assert store.notice is not None and "moved to" in store.notice
    [aside] = tmp_path.glob("matrix.db.unreadable-????????T??????")  # with its -wal and -shm beside it
    assert aside.read_bytes() == bytes(data)
    assert names(store) == []


def test_data_folder_that_cannot_be_made(tmp_path: Path) -> None:
    """A data folder that cannot be created (a file is in the way) is said in words."""
    (tmp_path / "file").write_text("in the way")
    with pytest.raises(StoreUnavailable, match=r"the data folder .*file/var cannot be created .*check MATRIX_DATA_DIR"):
        Store.open(data_dir=tmp_path / "file" / "var")


# PostgreSQL: the server stopped and started again -------------------------------------------------


class Server(PostgresServer):
    """This module's own server, which tests stop and start again on the same port."""

    def new_database(self) -> str:
        name = f"faults_{os.urandom(6).hex()}"
        engine = sa.create_engine(f"{self.base_url}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return f"{self.base_url}/{name}"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_postgres("matrix-pg-faults-") as running:
        yield Server(running.bindir, running.folder, running.port)


@pytest.fixture
def stopped_then_started(server: Server) -> Iterator[Server]:
    """The module's server, certain to be running again after the test whatever happened in it."""
    yield server
    with contextlib.suppress(subprocess.CalledProcessError):
        server.start()  # already running: pg_ctl says so and nothing changes


UNREACHABLE = (
    r"the database cannot be reached: the database 'faults_\w+' on 127\.0\.0\.1:\d+ does not answer .*"
    r"try again when it is running"
)


def test_server_stopped_mid_session_then_back(stopped_then_started: Server) -> None:
    """With the server stopped every read and write says it cannot be reached; once back, the same store works, nothing lost."""
    server = stopped_then_started
    store = Store.open(server.new_database())
    store.save_scenario(scenario("Cut"), "Ann", SHA)
    workshop = store.create_workshop("Board", "Fran")
    code, token = workshop.code, workshop.participant_token
    store.submit(token, ANN, "Ann", WEIGHTS)
    server.stop()
    actions = {
        "list": store.list_scenarios,
        "history": lambda: store.history(1),
        "load": lambda: store.load_scenario(1),
        "workshop": lambda: store.workshop(code),
        "submissions": lambda: store.latest_submissions(code),
        "save": lambda: store.save_scenario(scenario("Lost"), "Ann", SHA),
        "rename": lambda: store.rename(1, "Lost", "Ann"),
        "delete": lambda: store.delete(1, "Ann"),
        "create": lambda: store.create_workshop("Lost", "Fran"),
        "submit": lambda: store.submit(token, BOB, "Bob", WEIGHTS),
        "close": lambda: store.close_workshop(code, "Fran"),
        "audit": store.audit_log,
        "record": lambda: store.record_event("Ann", "catalogue saved", "data/interventions.toml"),
        "grant": lambda: store.grant_role("a@b.org", "editor", "Ann"),
        "roles": lambda: store.granted_roles("a@b.org"),
    }
    for action in actions.values():
        with pytest.raises(StoreUnavailable, match=UNREACHABLE):
            action()
    server.start()
    assert names(store) == ["Cut"]
    assert [s.participant for s in store.latest_submissions(code)] == ["Ann"]
    assert store.save_scenario(scenario("Grow"), "Ann", SHA, 1).version == 2
    store.submit(token, BOB, "Bob", WEIGHTS)
    assert [s.participant for s in store.latest_submissions(code)] == ["Ann", "Bob"]
    store.engine.dispose()


def test_server_down_at_start_then_up_the_app_recovers(stopped_then_started: Server) -> None:
    """The app's opener says the server cannot be reached while it is down, caches nothing, and opens the store once back."""
    from ui import library

    server = stopped_then_started
    url = server.new_database()
    Store.open(url).save_scenario(scenario("Cut"), "Ann", SHA)
    server.stop()
    with pytest.raises(StoreUnavailable, match=UNREACHABLE):
        Store.open(url)
    try:
        for _ in range(2):  # asked again on the next run: still down, still said in words
            message = library.open_store(url, None)
            assert isinstance(message, str) and "the database cannot be reached" in message
        server.start()
        store = library.open_store(url, None)
        assert isinstance(store, Store)
        assert names(store) == ["Cut"]
        assert library.open_store(url, None) is store  # once open, the store is kept for every session
    finally:
        library._opened_store.clear()


def test_connection_lost_during_the_commit_is_said_as_unknown(server: Server) -> None:
    """A connection dropped during the commit is never reported saved: the message says it is not known whether it was kept."""
    url = server.new_database()
    store = Store.open(url)
    store.save_scenario(scenario("Cut"), "Ann", SHA)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")

    def drop_the_connection(connection: sa.Connection) -> None:
        pid = connection.connection.dbapi_connection.info.backend_pid
        with admin.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})

    sa.event.listen(store.engine, "commit", drop_the_connection)
    with pytest.raises(StoreUnavailable, match=r"was lost while the change was being saved, so it is not known whether"):
        store.save_scenario(scenario("Grow"), "Ann", SHA, 1)
    sa.event.remove(store.engine, "commit", drop_the_connection)
    assert [v.name for v in store.history(1)] == ["Cut"]  # the server rolled it back; the first save is intact
    assert store.save_scenario(scenario("Grow"), "Ann", SHA, 1).version == 2
    admin.dispose()
    store.engine.dispose()


# Data this version cannot read ---------------------------------------------------------------------


def test_a_stored_scenario_this_version_cannot_read_is_said_in_words(tmp_path: Path) -> None:
    """A saved version whose stored form no longer validates gives a StoreError naming it; the others still load."""
    store = saved_store(tmp_path, "Cut", "Grow")
    with contextlib.closing(sqlite3.connect(tmp_path / "matrix.db")) as connection, connection:
        connection.execute("UPDATE scenario_versions SET scenario_json = '{\"name\": 5}' WHERE scenario_id = 1")
    with pytest.raises(StoreError, match="scenario 1 version 1 is stored in a form this version of the app cannot read"):
        store.load_scenario(1)
    assert store.load_scenario(2)[0].name == "Grow"
    assert names(store) == ["Grow", "Cut"]


def test_an_unreadable_file_named_by_address_is_set_aside_too(tmp_path: Path) -> None:
    """A SQLite address (not only the data folder) naming a junk file moves it aside, bytes intact, and starts a new store."""
    path = tmp_path / "named.db"
    path.write_bytes(b"junk" * 1000)
    store = Store.open(f"sqlite:///{path}")
    assert store.notice is not None and "moved to" in store.notice
    [aside] = tmp_path.glob("named.db.unreadable-*")
    assert aside.read_bytes() == b"junk" * 1000
    assert store.save_scenario(scenario(), "Ann", SHA).id == 1


def test_store_errors_are_store_errors() -> None:
    """Every fault is a StoreError too, so the UI's one ``except StoreError`` catches it."""
    assert issubclass(StoreUnavailable, StoreError)
