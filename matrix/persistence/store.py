"""The scenario and workshop store: SQLAlchemy 2, SQLite by default, PostgreSQL by URL.

The schema is created and upgraded on open by Alembic's versioned migrations (``migrations/``).
Nothing is overwritten: every save of a scenario adds a version, a rename adds a version with
the new name, a delete marks the scenario deleted, and every workshop submission is kept (the
latest per participant counts). A SQLite file that fails its integrity check is moved aside,
never replaced; a busy or unreachable store is said in words and nothing is moved.

Faults never pass silently. Every read and write turns a database error into a ``StoreUnavailable``
that says what happened and what to do. A SQLite store opens its file afresh for every operation,
never creates it after the start (so a removed folder or file is not quietly replaced by an empty
one), checks that the file at the path is still the one opened at the start (same device and inode)
before and after every commit, and reads each change back before a save is reported done.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import Connection, Engine

from matrix.catalogue import Weights, one_line
from matrix.decision import PlanSettings, Scenario
from matrix.version import APP_VERSION
from scoring import DecisionError

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "var"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = threading.Lock()
MIGRATION_LOCK_KEY = 0x4D41_5452_4958  # PostgreSQL advisory lock taken while migrating ("MATRIX")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
TOKEN_BYTES = 24  # a participant link's token: 192 random bits from ``secrets``
WORKSHOP_LIFETIME = dt.timedelta(days=2)  # a workshop stops accepting weights this long after it is made
MAX_WORKSHOP_LIFETIME = dt.timedelta(days=30)
BUSY_TIMEOUT_MS = 10_000  # how long a SQLite store waits for another writer before saying it is busy
CONNECT_TIMEOUT_S = 5  # how long a PostgreSQL store waits for the server to answer before saying so

metadata = sa.MetaData()
scenarios = sa.Table(
    "scenarios",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    sa.Column("deleted_by", sa.String(120)),
)
versions = sa.Table(
    "scenario_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenarios.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("scenario_json", sa.Text, nullable=False),
    sa.Column("saved_by", sa.String(120), nullable=False),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("catalogue_sha256", sa.String(64), nullable=False),
    sa.Column("app_version", sa.String(40), nullable=False),
    sa.Column("plan_json", sa.Text),  # a plan's settings (PlanSettings) saved with the version, or NULL
    sa.UniqueConstraint("scenario_id", "version", name="uq_scenario_version"),
)
workshops = sa.Table(
    "workshops",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(12), nullable=False, unique=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("created_by", sa.String(120), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenarios.id")),
    sa.Column("participant_token", sa.String(64)),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    sa.Index("uq_workshop_participant_token", "participant_token", unique=True),
)
submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("workshop_id", sa.Integer, sa.ForeignKey("workshops.id"), nullable=False),
    sa.Column("participant", sa.String(80), nullable=False),
    sa.Column("participant_key", sa.String(80), nullable=False),
    sa.Column("weights_json", sa.Text, nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("pseudonymised_at", sa.DateTime(timezone=True)),
    sa.Index("ix_submissions_workshop", "workshop_id", "participant_key", "id"),
)
audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(400), nullable=False),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("target", sa.String(400), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)
role_grants = sa.Table(
    "role_grants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(320), nullable=False, index=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("granted_by", sa.String(400), nullable=False),
    sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_by", sa.String(400)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)


class StoreError(DecisionError):
    """Something the store cannot do, said in words (never a database traceback)."""


class StoreUnavailable(StoreError):
    """The store cannot be used just now (busy, unreachable, read-only, full, moved or replaced), said with what to do."""


class _Conflict(StoreError):
    """Another save took the same version number or workshop code at the same moment (callers try again)."""


@dataclass(frozen=True)
class SavedScenario:
    id: int
    version: int
    name: str
    saved_by: str
    saved_at: dt.datetime
    catalogue_sha256: str
    app_version: str
    plan: PlanSettings | None = None  # the plan over several years saved with this version, if any


@dataclass(frozen=True)
class Workshop:
    """A workshop. ``code`` is the facilitator's short name for it; participants reach it only
    through ``participant_token`` (at least 128 random bits), never by the code."""

    id: int
    code: str
    name: str
    created_by: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    scenario_id: int | None
    participant_token: str
    expires_at: dt.datetime | None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and _aware(self.expires_at) <= _now()

    @property
    def is_open(self) -> bool:
        """Accepting weights: not closed and not past its expiry."""
        return self.closed_at is None and not self.expired

    @property
    def state(self) -> str:
        return "closed" if self.closed_at is not None else "expired" if self.expired else "open"


@dataclass(frozen=True)
class Submission:
    """One participant's latest weights. ``key`` tells participants apart (their browser's token), so
    two people who type the same name are two participants."""

    participant: str
    weights: Weights
    submitted_at: dt.datetime
    key: str = ""


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: dt.datetime
    actor: str
    action: str
    target: str
    detail: str


@dataclass(frozen=True)
class RoleGrant:
    id: int
    email: str
    role: str
    granted_by: str
    granted_at: dt.datetime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back times without their zone; every time the store writes is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")


def _fit(who: str, limit: int = 120) -> str:
    """An identity for a column of ``limit`` characters: whole if it fits, else its email (the
    identity itself), never a name cut in the middle of the address."""
    if len(who) <= limit:
        return who
    email = who[who.rfind("<") + 1 : -1] if who.endswith(">") and "<" in who else ""
    return email if email and len(email) <= limit else who[:limit]


def _clean_name(text: str, what: str, limit: int) -> str:
    name = " ".join(str(text).split())
    if not name:
        raise StoreError(f"{what} cannot be empty")
    try:
        one_line(name)
    except ValueError as error:
        raise StoreError(f"{what} {error}") from None
    if len(name) > limit:
        raise StoreError(f"{what} is longer than {limit} characters")
    return name


# Faults, in words ----------------------------------------------------------------------------

_DATABASE_ERRORS = (sa.exc.DBAPIError, sa.exc.TimeoutError, sa.exc.PendingRollbackError)

# SQLite's primary result codes (the low byte of an extended code) and one extended code.
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR = 3, 5, 6, 8, 10
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_AUTH, _SQLITE_NOTADB = 11, 13, 14, 23, 26
_SQLITE_READONLY_DBMOVED = 1032  # the file was unlinked or renamed while open


def _busy(where: str) -> str:
    return f"the store is busy: another program is using {where}; try again in a moment"


def _gone(where: str) -> str:
    return (
        f"{where} is no longer there: it, or its folder, was moved or deleted while the app was running, "
        "so nothing can be saved or read. Put it back, or restart the app to start a new, empty store"
    )


def _replaced(where: str) -> str:
    return (
        f"{where} was replaced by a different file while the app was running, so the app reads and writes "
        "neither. Restart the app to use the file now there"
    )


def _detail(error: BaseException) -> str:
    return " ".join(str(error).split())[:300]


def _disk_full(path: Path) -> bool:
    """Whether the disk holding ``path`` has (next to) no room left: SQLite may say so only as a disk error."""
    try:
        return shutil.disk_usage(path.parent).free < 1024 * 1024
    except OSError:
        return False


def _sqlite_words(error: sqlite3.Error, path: Path) -> str:
    """What a SQLite error on the store file at ``path`` means for the user, and what to do."""
    where = f"the store file {path}"
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if code == _SQLITE_READONLY_DBMOVED:
        return _gone(where)
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return _busy(where)
    if primary == _SQLITE_READONLY:
        return f"{where} is read-only, so nothing can be saved; ask whoever runs the app to make the file and its folder writable"
    if primary == _SQLITE_FULL or (primary == _SQLITE_IOERR and _disk_full(path)):
        return (
            f"the disk holding {where} is full (or the store has reached its size limit), so the store cannot take "
            "anything more just now; free some space, then try again"
        )
    if primary == _SQLITE_CANTOPEN:
        return f"{where} cannot be opened: its folder may be missing, unreadable or read-only"
    if primary in (_SQLITE_NOTADB, _SQLITE_CORRUPT):
        return (
            f"{where} is damaged or is not a database; restart the app, which moves the file aside "
            "(nothing is deleted) and starts a new store"
        )
    if primary == _SQLITE_IOERR:
        return f"{where} could not be read or written (a disk error: {_detail(error)})"
    if primary in (_SQLITE_PERM, _SQLITE_AUTH):
        return f"the app is not allowed to use {where}"
    return f"{where} cannot be used: {_detail(error)}"


def _server_words(error: BaseException, where: str, committing: bool) -> str:
    """What a database server's error means for the user (PostgreSQL's SQLSTATE classes), and what to do."""
    original = getattr(error, "orig", None) or error
    state = str(getattr(original, "sqlstate", None) or "")
    lost = (
        isinstance(error, sa.exc.InterfaceError)
        or (isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated)
        or (isinstance(error, sa.exc.OperationalError) and not state)
        or state.startswith(("08", "57P"))
    )
    if lost and committing:
        return (
            f"the connection to {where} was lost while the change was being saved, so it is not known whether it "
            "was kept; look at the saved scenarios (or the workshop) before trying again"
        )
    if state == "57P03":
        return f"{where} is starting up or shutting down; try again in a moment"
    if lost:
        return f"the database cannot be reached: {where} does not answer ({_detail(original)}); try again when it is running"
    if isinstance(error, sa.exc.TimeoutError) or state in ("40001", "40P01", "55P03", "57014"):
        return f"the store is busy ({where} is handling other changes); try again in a moment"
    if state.startswith("53"):
        return f"{where} has run out of disk space or memory, so nothing can be saved; try again once space is freed"
    if state in ("25006", "42501"):
        return f"{where} does not let the app make changes (it is read-only or the app lacks permission)"
    return f"{where} refused the request: {_detail(original)}"


def _sqlite_uri(path: Path, mode: str) -> str:
    """A SQLite URI filename (percent-encoded, so any path works) opened with ``mode`` (ro, rw or rwc)."""
    return f"file:{quote(str(path.absolute()))}?mode={mode}"


def _identity(path: Path) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_dev, status.st_ino


@dataclass(frozen=True)
class _SqliteFile:
    """The store's SQLite file: its path, and the identity (device, inode) of the file opened at the start.

    A quiet connection (``anchor``) stays open for the store's life, so the file's inode cannot be
    reused by a new file while the store exists: "same device and inode" then means "same file".
    SQLite itself closes it safely, whatever locks its other connections in this process hold.
    """

    path: Path
    identity: tuple[int, int]
    anchor: sqlite3.Connection

    @property
    def where(self) -> str:
        return f"the store file {self.path}"

    @classmethod
    def open(cls, path: Path) -> _SqliteFile:
        """Open (creating if need be) the file at the start; after this the store never creates it again."""
        where = f"the store file {path}"
        try:
            anchor = sqlite3.connect(
                _sqlite_uri(path, "rwc"), uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise StoreUnavailable(_sqlite_words(error, path)) from None
        try:
            anchor.execute("PRAGMA schema_version").fetchone()
            identity = _identity(path)
        except sqlite3.Error as error:
            anchor.close()
            raise StoreUnavailable(_sqlite_words(error, path)) from None
        except OSError:
            anchor.close()
            raise StoreUnavailable(_gone(where)) from None
        return cls(path, identity, anchor)

    def check(self) -> None:
        """Refuse unless the file at the path is the one opened at the start."""
        try:
            now = _identity(self.path)
        except FileNotFoundError:
            raise StoreUnavailable(_gone(self.where)) from None
        except OSError as error:
            raise StoreUnavailable(f"{self.where} cannot be reached ({error.strerror})") from None
        if now != self.identity:
            raise StoreUnavailable(_replaced(self.where))

    def connect(self) -> sqlite3.Connection:
        """A new connection to the file at the path, never creating one, refused if the file is not the original."""
        self.check()
        connection = sqlite3.connect(_sqlite_uri(self.path, "rw"), uri=True, check_same_thread=False)
        try:
            self.check()  # the file may have changed between the check and the open
            _sqlite_pragmas(connection, None)
        except BaseException:
            connection.close()
            raise
        return connection


def _passes_integrity_check(path: Path) -> bool:
    """Whether SQLite reads ``path`` as a sound database; busy or unopenable files raise instead of failing."""
    try:
        probe = sqlite3.connect(_sqlite_uri(path, "rw"), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as error:
        raise StoreUnavailable(_sqlite_words(error, path)) from None
    with closing(probe):
        try:
            rows = probe.execute("PRAGMA quick_check").fetchall()
        except sqlite3.Error as error:
            code = getattr(error, "sqlite_errorcode", None)
            if isinstance(code, int) and code & 0xFF in (_SQLITE_NOTADB, _SQLITE_CORRUPT):
                return False
            raise StoreUnavailable(_sqlite_words(error, path)) from None
    return rows == [("ok",)]


def set_aside_if_unreadable(path: Path) -> Path | None:
    """Move a SQLite file that fails its integrity check out of the way; return where it went.

    Only a file SQLite calls "not a database" or damaged, or whose ``PRAGMA quick_check`` is not
    "ok", is moved. A busy (locked) file, or one that cannot be opened for another reason, raises
    ``StoreUnavailable`` and stays exactly where it is.
    """
    if not path.exists():
        return None
    if _passes_integrity_check(path):
        return None
    stamp = _now().strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.unreadable-{stamp}")
    try:
        path.rename(aside)
    except OSError as error:
        raise StoreError(
            f"the store file {path} cannot be read and cannot be moved aside ({error.strerror}); nothing was changed"
        ) from None
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(aside.with_name(aside.name + suffix))
    return aside


def _sqlite_file_path(url: str) -> Path | None:
    """The file a plain ``sqlite:///path`` address names (None for memory, URI or other addresses)."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return None
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or parsed.query or database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


class Store:
    """Saved scenarios and workshops in one database."""

    _file: _SqliteFile | None = None  # set by ``open`` for a SQLite file: the file the store watches

    def __init__(self, engine: Engine, notice: str | None = None) -> None:
        self.engine = engine
        self.notice = notice
        self.migrate()

    @classmethod
    def open(cls, url: str | None = None, data_dir: Path | None = None) -> Store:
        """Open the store at ``url`` (or ``DATABASE_URL``), else the SQLite file in ``data_dir``."""
        url = url or os.environ.get("DATABASE_URL")
        notice = None
        path: Path | None = None
        if not url:
            folder = data_dir or Path(os.environ.get("MATRIX_DATA_DIR", DEFAULT_DATA_DIR))
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreUnavailable(
                    f"the data folder {folder} cannot be created ({error.strerror or error}); "
                    "check MATRIX_DATA_DIR and the folder's permissions"
                ) from None
            path = folder / "matrix.db"
        else:
            path = _sqlite_file_path(url)
        sqlite_file = None
        if path is not None:
            aside = set_aside_if_unreadable(path)
            if aside is not None:
                notice = (
                    f"The store file could not be read, so it was moved to {aside} and a new one started. Nothing was deleted."
                )
            sqlite_file = _SqliteFile.open(path)
            # A fresh connection for every operation: each one opens the file at the path again
            # (and is refused if it is gone or not the same file), so none keeps writing to a file
            # that was moved, deleted or replaced.
            engine = sa.create_engine(
                sa.engine.URL.create("sqlite", database=str(path)), creator=sqlite_file.connect, poolclass=sa.pool.NullPool
            )
        else:
            assert url is not None
            if url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgres://")
            elif url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            try:
                parsed = sa.engine.make_url(url)
                # A server that does not answer is said after a few seconds, not after the system's minutes.
                waits = {"connect_timeout": CONNECT_TIMEOUT_S} if parsed.get_backend_name() == "postgresql" else {}
                engine = sa.create_engine(parsed, pool_pre_ping=True, connect_args=waits)
            except (sa.exc.ArgumentError, ImportError) as error:
                raise StoreError(f"the database address cannot be used: {error}") from None
            if engine.dialect.name == "sqlite":
                sa.event.listen(engine, "connect", _sqlite_pragmas)
        try:
            store = cls(engine, notice)
        except StoreError:
            engine.dispose()
            if sqlite_file is not None:
                sqlite_file.anchor.close()
            raise
        store._file = sqlite_file
        return store

    def _where(self) -> str:
        """The store's location in words, for messages (never a password)."""
        if self._file is not None:
            return self._file.where
        url = self.engine.url
        if url.get_backend_name() == "sqlite":
            return f"the store file {url.database or '(in memory)'}"
        name = f"the database '{url.database}'" if url.database else "the database"
        return f"{name} on {url.host or 'localhost'}:{url.port or 5432}"

    def _fault(self, error: BaseException, committing: bool = False) -> StoreUnavailable:
        """A database error, said in words with what to do."""
        original = getattr(error, "orig", None)
        if isinstance(original, sqlite3.Error):
            path = self._file.path if self._file is not None else Path(self.engine.url.database or ":memory:")
            return StoreUnavailable(_sqlite_words(original, path))
        return StoreUnavailable(_server_words(error, self._where(), committing))

    def _check_file(self) -> None:
        if self._file is not None:
            self._file.check()

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest migration (nothing to do when it is current).

        Alembic loads its environment script as a module, which is not safe from several threads
        at once, so migrations in one process take turns.
        """
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        head = ScriptDirectory.from_config(config).get_current_head()
        try:
            with _MIGRATION_LOCK, self.engine.begin() as connection:
                # Processes starting together: one migrates, the others wait and then find it current.
                if connection.dialect.name == "postgresql":
                    connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                elif connection.dialect.name == "sqlite":
                    connection.exec_driver_sql("BEGIN IMMEDIATE")  # the file's write lock, before the revision is read
                if MigrationContext.configure(connection).get_current_revision() == head:
                    return
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except _DATABASE_ERRORS as error:
            raise self._fault(error) from None
        except CommandError as error:
            raise StoreError(
                f"{self._where()} was made by a different version of the app ({_detail(error)}), so this version cannot use it"
            ) from None

    def schema_revision(self) -> str | None:
        with self._reading() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A connection for reading; database faults become ``StoreUnavailable``."""
        try:
            with self.engine.connect() as connection:
                yield connection
        except _DATABASE_ERRORS as error:
            raise self._fault(error) from None

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """One write, committed only into the file opened at the start; faults become ``StoreUnavailable``.

        A clash on a unique key becomes ``_Conflict`` (the caller may try again). A connection lost
        during the commit itself is said as "not known whether it was kept".
        """
        try:
            connection = self.engine.connect()
        except _DATABASE_ERRORS as error:
            raise self._fault(error) from None
        try:
            try:
                transaction = connection.begin()
                yield connection
                self._check_file()  # never commit into a file that is no longer at the path
            except sa.exc.IntegrityError:
                raise _Conflict("the change clashes with one saved at the same moment; try again") from None
            except _DATABASE_ERRORS as error:
                raise self._fault(error) from None
            try:
                transaction.commit()
            except _DATABASE_ERRORS as error:
                raise self._fault(error, committing=True) from None
        finally:
            with suppress(*_DATABASE_ERRORS):
                connection.close()  # rolls back whatever was not committed

    def _confirm(self, query: sa.Select[Any], what: str) -> None:
        """Read a change back after its commit, from the file at the path; refuse to report it saved otherwise."""
        try:
            self._check_file()
            with self._reading() as connection:
                found = connection.execute(query).first()
        except StoreUnavailable as error:
            raise StoreUnavailable(
                f"{what} could not be checked after saving, so it may not have been kept ({error}); "
                "look at the saved scenarios (or the workshop) before trying again"
            ) from None
        if found is None:
            raise StoreUnavailable(f"{what} was not found in {self._where()} after saving, so it was not kept; try again")

    # The audit log -----------------------------------------------------------------------------

    @staticmethod
    def _audit(connection: Connection, actor: str, action: str, target: str, detail: str = "") -> int:
        """One entry in the append-only audit log, in the same transaction as the change it records."""
        inserted = connection.execute(
            sa.insert(audit_events).values(
                at=_now(), actor=actor[:400], action=action[:60], target=target[:400], detail=detail[:20_000]
            )
        ).inserted_primary_key
        return int(inserted[0]) if inserted else 0

    def record_event(self, actor: str, action: str, target: str, detail: str = "") -> AuditEvent:
        """Record a change made outside the store (the catalogue file saved, YEF ratings applied)."""
        who = _clean_name(actor, "the person's name", 400)
        with self._transaction() as connection:
            event_id = self._audit(connection, who, action, target, detail)
        self._confirm(sa.select(audit_events.c.id).where(audit_events.c.id == event_id), "the audit entry")
        return self.audit_log(after=event_id - 1, limit=1)[0]

    def audit_log(self, after: int = 0, limit: int | None = None) -> list[AuditEvent]:
        """Audit entries, oldest first (from ``after``'s next entry on)."""
        query = sa.select(audit_events).where(audit_events.c.id > after).order_by(audit_events.c.id)
        if limit is not None:
            query = query.limit(limit)
        with self._reading() as connection:
            return [AuditEvent(r.id, _aware(r.at), r.actor, r.action, r.target, r.detail) for r in connection.execute(query)]

    # Roles granted in the app ------------------------------------------------------------------

    def granted_roles(self, email: str) -> set[str]:
        """The roles an admin has granted this email address in the app (and not removed)."""
        address = email.strip().lower()
        query = sa.select(role_grants.c.role).where((role_grants.c.email == address) & role_grants.c.revoked_at.is_(None))
        with self._reading() as connection:
            return {str(row.role) for row in connection.execute(query)}

    def role_grants(self) -> list[RoleGrant]:
        query = sa.select(role_grants).where(role_grants.c.revoked_at.is_(None)).order_by(role_grants.c.email, role_grants.c.role)
        with self._reading() as connection:
            return [RoleGrant(r.id, r.email, r.role, r.granted_by, _aware(r.granted_at)) for r in connection.execute(query)]

    def grant_role(self, email: str, role: str, granted_by: str) -> None:
        address = _clean_name(email, "the email address", 320).lower()
        if not _EMAIL.fullmatch(address):
            raise StoreError(f"'{address}' is not an email address; give one person's address (domains go in the roles file)")
        who = _clean_name(granted_by, "your name", 400)
        with self._transaction() as connection:
            held = connection.execute(
                sa.select(role_grants.c.id).where(
                    (role_grants.c.email == address) & (role_grants.c.role == role) & role_grants.c.revoked_at.is_(None)
                )
            ).first()
            if held is not None:
                raise StoreError(f"{address} already has the {role} role")
            connection.execute(sa.insert(role_grants).values(email=address, role=role, granted_by=who, granted_at=_now()))
            self._audit(connection, who, "role granted", address, f"role: {role}")
        self._confirm(
            sa.select(role_grants.c.id).where(
                (role_grants.c.email == address) & (role_grants.c.role == role) & role_grants.c.revoked_at.is_(None)
            ),
            f"the {role} role for {address}",
        )

    def revoke_role(self, email: str, role: str, revoked_by: str) -> None:
        address = email.strip().lower()
        who = _clean_name(revoked_by, "your name", 400)
        with self._transaction() as connection:
            changed = connection.execute(
                sa.update(role_grants)
                .where((role_grants.c.email == address) & (role_grants.c.role == role) & role_grants.c.revoked_at.is_(None))
                .values(revoked_at=_now(), revoked_by=who)
            ).rowcount
            if not changed:
                raise StoreError(f"{address} has no {role} role granted in the app (roles from the roles file are changed there)")
            self._audit(connection, who, "role removed", address, f"role: {role}")

    # Scenarios -------------------------------------------------------------------------------

    def save_scenario(
        self,
        scenario: Scenario,
        saved_by: str,
        catalogue_sha256: str,
        scenario_id: int | None = None,
        action: str = "",
        plan: PlanSettings | None = None,
    ) -> SavedScenario:
        """Save a new scenario, or a new version of ``scenario_id``; earlier versions are kept. ``plan``: the
        settings of a plan over several years kept with it (None: the version has no plan).

        The audit log records who saved what and, for a new version, what changed. Returns only once
        the new version has been read back from the store.
        """
        who = _clean_name(saved_by, "your name", 400)
        for _ in range(5):
            try:
                with self._transaction() as connection:
                    now = _now()
                    scenario_id, version = self._add_version(
                        connection, scenario, plan, who, catalogue_sha256, scenario_id, action, now
                    )
            except _Conflict:
                continue  # another save took this version number at the same moment: try the next
            self._confirm(
                sa.select(versions.c.id).where((versions.c.scenario_id == scenario_id) & (versions.c.version == version)),
                f"scenario {scenario_id} version {version}",
            )
            return SavedScenario(scenario_id, version, scenario.name, _fit(who), now, catalogue_sha256, APP_VERSION, plan)
        raise StoreUnavailable("the scenario could not be saved: too many saves at the same moment; try again")

    def _add_version(
        self,
        connection: Connection,
        scenario: Scenario,
        plan: PlanSettings | None,
        who: str,
        catalogue_sha256: str,
        scenario_id: int | None,
        action: str,
        now: dt.datetime,
    ) -> tuple[int, int]:
        """Within a transaction: a new scenario (or a new version of ``scenario_id``) and its audit entry."""
        previous = None
        if scenario_id is None:
            inserted = connection.execute(sa.insert(scenarios).values(created_at=now)).inserted_primary_key
            scenario_id = int(inserted[0]) if inserted else 0
        else:
            # Write-lock the scenario's row before reading anything, so saves of one
            # scenario queue up instead of racing for the same version number.
            connection.execute(sa.update(scenarios).where(scenarios.c.id == scenario_id).values(id=scenarios.c.id))
            if not self._exists(connection, scenario_id):
                raise StoreError(f"there is no saved scenario number {scenario_id}")
            previous = connection.execute(
                sa.select(versions.c.scenario_json, versions.c.plan_json)
                .where(versions.c.scenario_id == scenario_id)
                .order_by(versions.c.version.desc())
            ).first()
        latest = connection.execute(
            sa.select(sa.func.max(versions.c.version)).where(versions.c.scenario_id == scenario_id)
        ).scalar()
        version = int(latest or 0) + 1
        connection.execute(
            sa.insert(versions).values(
                scenario_id=scenario_id,
                version=version,
                name=scenario.name,
                scenario_json=scenario.model_dump_json(),
                saved_by=_fit(who),
                saved_at=now,
                catalogue_sha256=catalogue_sha256,
                app_version=APP_VERSION,
                plan_json=None if plan is None else plan.model_dump_json(),
            )
        )
        self._audit(
            connection,
            who,
            action or ("scenario saved" if previous is None else "scenario version saved"),
            f"scenario {scenario_id} version {version}: {scenario.name}",
            _changes(None if previous is None else (previous.scenario_json, previous.plan_json), scenario, plan),
        )
        return scenario_id, version

    def _exists(self, connection: Connection, scenario_id: int) -> bool:
        row = connection.execute(sa.select(scenarios.c.deleted_at).where(scenarios.c.id == scenario_id)).first()
        return row is not None and row.deleted_at is None

    def list_scenarios(self) -> list[SavedScenario]:
        """The latest version of every scenario not deleted, newest first."""
        latest = (
            sa.select(versions.c.scenario_id, sa.func.max(versions.c.version).label("version"))
            .group_by(versions.c.scenario_id)
            .subquery()
        )
        query = (
            sa.select(versions)
            .join(latest, (versions.c.scenario_id == latest.c.scenario_id) & (versions.c.version == latest.c.version))
            .join(scenarios, scenarios.c.id == versions.c.scenario_id)
            .where(scenarios.c.deleted_at.is_(None))
            .order_by(versions.c.saved_at.desc(), versions.c.scenario_id.desc())
        )
        with self._reading() as connection:
            return [self._saved(row) for row in connection.execute(query)]

    def history(self, scenario_id: int) -> list[SavedScenario]:
        """Every version of one scenario, oldest first."""
        query = sa.select(versions).where(versions.c.scenario_id == scenario_id).order_by(versions.c.version)
        with self._reading() as connection:
            rows = [self._saved(row) for row in connection.execute(query)]
        if not rows:
            raise StoreError(f"there is no saved scenario number {scenario_id}")
        return rows

    def load_scenario(self, scenario_id: int, version: int | None = None) -> tuple[Scenario, SavedScenario]:
        """A saved scenario (its latest version unless one is named)."""
        query = sa.select(versions).where(versions.c.scenario_id == scenario_id)
        query = query.where(versions.c.version == version) if version else query.order_by(versions.c.version.desc())
        with self._reading() as connection:
            row = connection.execute(query).first()
        if row is None:
            raise StoreError(f"there is no saved scenario number {scenario_id}" + (f" version {version}" if version else ""))
        try:
            return Scenario.model_validate_json(row.scenario_json), self._saved(row, strict=True)
        except ValueError as error:  # pydantic's ValidationError is a ValueError
            raise StoreError(
                f"scenario {scenario_id} version {row.version} is stored in a form this version of the app cannot read "
                f"({_detail(error)}); it stays in the database"
            ) from None

    def rename(self, scenario_id: int, name: str, renamed_by: str) -> SavedScenario:
        """A new version with the new name (and the same plan, if the latest version has one)."""
        scenario, saved = self.load_scenario(scenario_id)
        new_name = _clean_name(name, "the name", 120)
        return self.save_scenario(
            scenario.model_copy(update={"name": new_name}),
            renamed_by,
            saved.catalogue_sha256,
            scenario_id,
            "scenario renamed",
            saved.plan,
        )

    def delete(self, scenario_id: int, deleted_by: str) -> None:
        """Mark a scenario deleted; its versions stay in the database."""
        who = _clean_name(deleted_by, "your name", 400)
        with self._transaction() as connection:
            if not self._exists(connection, scenario_id):
                raise StoreError(f"there is no saved scenario number {scenario_id}")
            connection.execute(
                sa.update(scenarios).where(scenarios.c.id == scenario_id).values(deleted_at=_now(), deleted_by=_fit(who))
            )
            self._audit(connection, who, "scenario deleted", f"scenario {scenario_id}", "its versions stay in the database")
        self._confirm(
            sa.select(scenarios.c.id).where((scenarios.c.id == scenario_id) & scenarios.c.deleted_at.is_not(None)),
            f"the deletion of scenario {scenario_id}",
        )

    @staticmethod
    def _saved(row: Any, strict: bool = False) -> SavedScenario:
        """A version's details. Its plan, if any, is read too: a plan this version of the app cannot read
        raises ValueError when ``strict`` (loading it) and is left out when listing (it stays in the database)."""
        plan = None
        if row.plan_json is not None:
            try:
                plan = PlanSettings.model_validate_json(row.plan_json)
            except ValueError:
                if strict:
                    raise
        return SavedScenario(
            row.scenario_id,
            row.version,
            row.name,
            row.saved_by,
            _aware(row.saved_at),
            row.catalogue_sha256,
            row.app_version,
            plan,
        )

    # Workshops -------------------------------------------------------------------------------

    def create_workshop(self, name: str, created_by: str, lifetime: dt.timedelta = WORKSHOP_LIFETIME) -> Workshop:
        """A new open workshop: a short code for the facilitator, an unguessable link token for
        participants, and an expiry after which it accepts nothing."""
        title = _clean_name(name, "the workshop name", 120)
        who = _clean_name(created_by, "your name", 400)
        if not dt.timedelta(minutes=10) <= lifetime <= MAX_WORKSHOP_LIFETIME:
            raise StoreError(f"a workshop lasts between ten minutes and {MAX_WORKSHOP_LIFETIME.days} days")
        for _ in range(10):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
            token = secrets.token_urlsafe(TOKEN_BYTES)
            try:
                with self._transaction() as connection:
                    now = _now()
                    inserted = connection.execute(
                        sa.insert(workshops).values(
                            code=code,
                            name=title,
                            created_by=_fit(who),
                            created_at=now,
                            participant_token=token,
                            expires_at=now + lifetime,
                        )
                    ).inserted_primary_key
                    new_id = int(inserted[0]) if inserted else 0
                    self._audit(
                        connection,
                        who,
                        "workshop created",
                        f"workshop {code}: {title}",
                        f"expires {now + lifetime:%Y-%m-%d %H:%M} UTC",
                    )
            except _Conflict:
                continue
            self._confirm(sa.select(workshops.c.id).where(workshops.c.code == code), f"the workshop '{title}'")
            return Workshop(new_id, code, title, _fit(who), now, None, None, token, now + lifetime)
        raise StoreUnavailable("could not find a free workshop code; try again")

    @staticmethod
    def _workshop(row: Any) -> Workshop:
        return Workshop(
            row.id,
            row.code,
            row.name,
            row.created_by,
            _aware(row.created_at),
            _aware(row.closed_at) if row.closed_at else None,
            row.scenario_id,
            row.participant_token or "",
            _aware(row.expires_at) if row.expires_at else None,
        )

    def workshop(self, code: str) -> Workshop:
        """A workshop by its short code (the facilitator's view; participants never use the code)."""
        clean = str(code).strip().upper()
        with self._reading() as connection:
            row = connection.execute(sa.select(workshops).where(workshops.c.code == clean)).first()
        if row is None:
            raise StoreError(f"there is no workshop with the code '{clean[:12]}'")
        return self._workshop(row)

    def workshops(self) -> list[Workshop]:
        """Every workshop, newest first."""
        with self._reading() as connection:
            return [self._workshop(row) for row in connection.execute(sa.select(workshops).order_by(workshops.c.id.desc()))]

    def workshop_for_participant(self, token: str) -> Workshop:
        """The workshop a participant link's token opens; an unknown token is a ``StoreError``."""
        clean = str(token).strip()
        if not clean or len(clean) > 64:
            raise StoreError("this workshop link is not known")
        with self._reading() as connection:
            row = connection.execute(sa.select(workshops).where(workshops.c.participant_token == clean)).first()
        if row is None:
            raise StoreError("this workshop link is not known")
        return self._workshop(row)

    def submit(self, token: str, participant_key: str, participant: str, weights: Weights) -> Submission:
        """Record a participant's weights. ``participant_key`` is their browser's token: a later
        submission with the same key replaces theirs in the count; another key is another person,
        whatever name they type."""
        name = _clean_name(participant, "your name", 80)
        key = str(participant_key).strip()
        if not 16 <= len(key) <= 80:
            raise StoreError("this page has lost its participant token; open the workshop link again")
        workshop = self.workshop_for_participant(token)
        if not workshop.is_open:
            raise StoreError("this workshop is closed; no more weights can be submitted")
        now = _now()
        with self._transaction() as connection:
            # Take the workshop's row lock and look again inside the transaction: a submission racing a
            # close either lands before it (and counts) or is refused, never stored after it.
            still_open = connection.execute(
                sa.update(workshops)
                .where((workshops.c.id == workshop.id) & workshops.c.closed_at.is_(None))
                .values(id=workshops.c.id)
            ).rowcount
            if not still_open:
                raise StoreError("this workshop is closed; no more weights can be submitted")
            inserted = connection.execute(
                sa.insert(submissions).values(
                    workshop_id=workshop.id,
                    participant=name,
                    participant_key=key,
                    weights_json=weights.model_dump_json(),
                    submitted_at=now,
                )
            ).inserted_primary_key
            submission_id = int(inserted[0]) if inserted else 0
        self._confirm(sa.select(submissions.c.id).where(submissions.c.id == submission_id), "your weights")
        return Submission(name, weights, now, key)

    def participant_name(self, token: str, participant_key: str) -> str | None:
        """The name a participant's browser token last submitted with in this workshop, if any."""
        workshop = self.workshop_for_participant(token)
        query = (
            sa.select(submissions.c.participant)
            .where((submissions.c.workshop_id == workshop.id) & (submissions.c.participant_key == participant_key))
            .order_by(submissions.c.id.desc())
        )
        with self._reading() as connection:
            name = connection.execute(query).scalar()
        return None if name is None else str(name)

    def latest_submissions(self, code: str) -> list[Submission]:
        """Each participant's latest weights, in the order they first took part."""
        workshop = self.workshop(code)
        query = sa.select(submissions).where(submissions.c.workshop_id == workshop.id).order_by(submissions.c.id)
        latest: dict[str, Submission] = {}
        with self._reading() as connection:
            for row in connection.execute(query):
                try:
                    weights = Weights.model_validate(json.loads(row.weights_json))
                except ValueError as error:  # JSON and validation errors alike
                    raise StoreError(
                        f"a participant's weights are stored in a form this version of the app cannot read ({_detail(error)})"
                    ) from None
                latest[row.participant_key] = Submission(row.participant, weights, _aware(row.submitted_at), row.participant_key)
        return list(latest.values())

    def close_workshop(
        self, code: str, closed_by: str, group_scenario: Scenario | None = None, catalogue_sha256: str = ""
    ) -> tuple[Workshop, SavedScenario | None]:
        """Close a workshop, saving the group's scenario with it in one transaction: the workshop's row is
        locked first, so of two facilitators closing at once exactly one closes it and saves one scenario,
        and the other is told it is already closed (nothing of theirs is kept)."""
        who = _clean_name(closed_by, "your name", 400)
        workshop = self.workshop(code)
        now = _now()
        saved: tuple[int, int] | None = None
        with self._transaction() as connection:
            closed = connection.execute(
                sa.update(workshops)
                .where((workshops.c.id == workshop.id) & workshops.c.closed_at.is_(None))
                .values(closed_at=now)
            ).rowcount
            if not closed:
                raise StoreError(f"the workshop '{workshop.name}' is already closed")
            if group_scenario is not None:
                saved = self._add_version(
                    connection, group_scenario, None, who, catalogue_sha256, None, "workshop scenario saved", now
                )
                connection.execute(sa.update(workshops).where(workshops.c.id == workshop.id).values(scenario_id=saved[0]))
            self._audit(
                connection,
                who,
                "workshop closed",
                f"workshop {workshop.code}: {workshop.name}",
                f"group's scenario saved as scenario {saved[0]}" if saved else "",
            )
        self._confirm(
            sa.select(workshops.c.id).where((workshops.c.id == workshop.id) & workshops.c.closed_at.is_not(None)),
            f"the closing of the workshop '{workshop.name}'",
        )
        result = None
        if saved is not None and group_scenario is not None:
            result = SavedScenario(saved[0], saved[1], group_scenario.name, _fit(who), now, catalogue_sha256, APP_VERSION)
        return self.workshop(code), result

    # Personal data ---------------------------------------------------------------------------

    def erase_participant(self, code: str, participant_key: str, erased_by: str) -> int:
        """Delete every submission of one participant of a workshop; returns how many were deleted.

        The audit entry says which workshop and how many, never the participant's name.
        """
        who = _clean_name(erased_by, "your name", 400)
        workshop = self.workshop(code)
        with self._transaction() as connection:
            erased = connection.execute(
                sa.delete(submissions).where(
                    (submissions.c.workshop_id == workshop.id) & (submissions.c.participant_key == participant_key)
                )
            ).rowcount
            if not erased:
                raise StoreError("that participant has no weights in this workshop")
            self._audit(
                connection,
                who,
                "participant erased",
                f"workshop {workshop.code}: {workshop.name}",
                f"{erased} submission(s) deleted",
            )
        return int(erased)

    def apply_retention(self, keep_days: int, actor: str = "retention rule") -> int:
        """Replace participants' names with "Participant N" (and drop their browser tokens) in every
        workshop closed or expired more than ``keep_days`` days ago; their weights, the group's result
        and the saved group scenario stay. Returns how many submissions were pseudonymised."""
        try:
            cutoff = _now() - dt.timedelta(days=keep_days)
        except OverflowError:  # a period longer than the calendar: keep for ever
            return 0
        ended = sa.func.coalesce(workshops.c.closed_at, workshops.c.expires_at)
        query = (
            sa.select(submissions.c.id, submissions.c.workshop_id, submissions.c.participant_key)
            .join(workshops, workshops.c.id == submissions.c.workshop_id)
            .where(submissions.c.pseudonymised_at.is_(None) & ended.is_not(None) & (ended < cutoff))
            .order_by(submissions.c.id)
        )
        with self._transaction() as connection:
            rows = connection.execute(query).all()
            numbers: dict[tuple[int, str], int] = {}
            for row in rows:
                number = numbers.setdefault(
                    (row.workshop_id, row.participant_key),
                    1 + sum(1 for w, _ in numbers if w == row.workshop_id),
                )
                connection.execute(
                    sa.update(submissions)
                    .where(submissions.c.id == row.id)
                    .values(
                        participant=f"Participant {number}",
                        participant_key=f"pseudonym-{row.workshop_id}-{number}",
                        pseudonymised_at=_now(),
                    )
                )
            if rows:
                self._audit(
                    connection,
                    actor,
                    "retention applied",
                    f"{len({w for w, _ in numbers})} workshop(s)",
                    f"{len(rows)} submission(s) pseudonymised after {keep_days} days",
                )
        return len(rows)


def _changes(previous: tuple[str, str | None] | None, scenario: Scenario, plan: PlanSettings | None) -> str:
    """What a save changed, in a line per field (a new scenario: its main settings); ``previous`` is the
    last version's scenario and plan JSON."""
    now = scenario.model_dump(mode="json")
    plan_now = None if plan is None else plan.model_dump(mode="json")
    if previous is None:
        years = "" if plan is None else f"; a {plan.years}-year plan"
        return (
            f"budget £{scenario.budget_gbp:,.0f}; weights "
            + ", ".join(f"{k} {v:g}" for k, v in scenario.weights.as_dict().items())
            + years
        )
    try:
        before = json.loads(previous[0])
    except ValueError:
        before = {}
    try:  # read as a plan, so a field added since (with its default) is not taken for a change
        plan_before = None if previous[1] is None else PlanSettings.model_validate_json(previous[1]).model_dump(mode="json")
    except ValueError:
        plan_before = {}
    changed = [
        f"{key}: {json.dumps(before.get(key))} -> {json.dumps(value)}" for key, value in now.items() if before.get(key) != value
    ]
    if plan_before != plan_now:
        changed.append(f"plan: {json.dumps(plan_before)} -> {json.dumps(plan_now)}")
    return "; ".join(changed) or "no setting changed"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL for concurrent readers, a busy timeout for concurrent writers, foreign keys on."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
