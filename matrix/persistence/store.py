"""The scenario and workshop store: SQLAlchemy 2, SQLite by default, PostgreSQL by URL.

The schema is created and upgraded on open by Alembic's versioned migrations (``migrations/``).
Nothing is overwritten: every save of a scenario adds a version, a rename adds a version with
the new name, a delete marks the scenario deleted, and every workshop submission is kept (the
latest per participant counts). A SQLite file that cannot be read is moved aside, never replaced.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from matrix.catalogue import Weights
from matrix.decision import Scenario
from matrix.version import APP_VERSION
from scoring import DecisionError

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "var"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = threading.Lock()
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread

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
    sa.Index("ix_submissions_workshop", "workshop_id", "participant_key", "id"),
)


class StoreError(DecisionError):
    """Something the store cannot do, said in words (never a database traceback)."""


@dataclass(frozen=True)
class SavedScenario:
    id: int
    version: int
    name: str
    saved_by: str
    saved_at: dt.datetime
    catalogue_sha256: str
    app_version: str


@dataclass(frozen=True)
class Workshop:
    id: int
    code: str
    name: str
    created_by: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    scenario_id: int | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class Submission:
    participant: str
    weights: Weights
    submitted_at: dt.datetime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _clean_name(text: str, what: str, limit: int) -> str:
    name = " ".join(str(text).split())
    if not name:
        raise StoreError(f"{what} cannot be empty")
    if len(name) > limit:
        raise StoreError(f"{what} is longer than {limit} characters")
    return name


def set_aside_if_unreadable(path: Path) -> Path | None:
    """Move a SQLite file that is not a readable database out of the way; return where it went."""
    if not path.exists():
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as probe:
            result = probe.execute("PRAGMA quick_check").fetchone()
        if result and result[0] == "ok":
            return None
    except sqlite3.Error:
        pass
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


class Store:
    """Saved scenarios and workshops in one database."""

    def __init__(self, engine: Engine, notice: str | None = None) -> None:
        self.engine = engine
        self.notice = notice
        self.migrate()

    @classmethod
    def open(cls, url: str | None = None, data_dir: Path | None = None) -> Store:
        """Open the store at ``url`` (or ``DATABASE_URL``), else the SQLite file in ``data_dir``."""
        url = url or os.environ.get("DATABASE_URL")
        notice = None
        if not url:
            folder = data_dir or Path(os.environ.get("MATRIX_DATA_DIR", DEFAULT_DATA_DIR))
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / "matrix.db"
            aside = set_aside_if_unreadable(path)
            if aside is not None:
                notice = (
                    f"The store file could not be read, so it was moved to {aside} and a new one started. Nothing was deleted."
                )
            url = f"sqlite:///{path}"
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgres://")
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        try:
            engine = sa.create_engine(url, pool_pre_ping=True)
        except (sa.exc.ArgumentError, ImportError) as error:
            raise StoreError(f"the database address cannot be used: {error}") from None
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        try:
            return cls(engine, notice)
        except sa.exc.OperationalError as error:
            raise StoreError(f"the database cannot be reached: {str(error.orig).strip()}") from None

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest migration (nothing to do when it is current).

        Alembic loads its environment script as a module, which is not safe from several threads
        at once, so migrations in one process take turns.
        """
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        head = ScriptDirectory.from_config(config).get_current_head()
        with _MIGRATION_LOCK, self.engine.begin() as connection:
            if MigrationContext.configure(connection).get_current_revision() == head:
                return
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def schema_revision(self) -> str | None:
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as connection:
                yield connection
        except sa.exc.OperationalError as error:
            raise StoreError(f"the database refused the change: {str(error.orig).strip()}") from None

    # Scenarios -------------------------------------------------------------------------------

    def save_scenario(
        self, scenario: Scenario, saved_by: str, catalogue_sha256: str, scenario_id: int | None = None
    ) -> SavedScenario:
        """Save a new scenario, or a new version of ``scenario_id``; earlier versions are kept."""
        who = _clean_name(saved_by, "your name", 120)
        for _ in range(5):
            try:
                with self._transaction() as connection:
                    now = _now()
                    if scenario_id is None:
                        inserted = connection.execute(sa.insert(scenarios).values(created_at=now)).inserted_primary_key
                        scenario_id = int(inserted[0]) if inserted else 0
                    else:
                        # Write-lock the scenario's row before reading anything, so saves of one
                        # scenario queue up instead of racing for the same version number.
                        connection.execute(sa.update(scenarios).where(scenarios.c.id == scenario_id).values(id=scenarios.c.id))
                        if not self._exists(connection, scenario_id):
                            raise StoreError(f"there is no saved scenario number {scenario_id}")
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
                            saved_by=who,
                            saved_at=now,
                            catalogue_sha256=catalogue_sha256,
                            app_version=APP_VERSION,
                        )
                    )
                    return SavedScenario(scenario_id, version, scenario.name, who, now, catalogue_sha256, APP_VERSION)
            except sa.exc.IntegrityError:
                continue  # another save took this version number at the same moment: try the next
        raise StoreError("the scenario could not be saved: too many saves at the same moment; try again")

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
        with self.engine.connect() as connection:
            return [self._saved(row) for row in connection.execute(query)]

    def history(self, scenario_id: int) -> list[SavedScenario]:
        """Every version of one scenario, oldest first."""
        query = sa.select(versions).where(versions.c.scenario_id == scenario_id).order_by(versions.c.version)
        with self.engine.connect() as connection:
            rows = [self._saved(row) for row in connection.execute(query)]
        if not rows:
            raise StoreError(f"there is no saved scenario number {scenario_id}")
        return rows

    def load_scenario(self, scenario_id: int, version: int | None = None) -> tuple[Scenario, SavedScenario]:
        """A saved scenario (its latest version unless one is named)."""
        query = sa.select(versions).where(versions.c.scenario_id == scenario_id)
        query = query.where(versions.c.version == version) if version else query.order_by(versions.c.version.desc())
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            raise StoreError(f"there is no saved scenario number {scenario_id}" + (f" version {version}" if version else ""))
        return Scenario.model_validate_json(row.scenario_json), self._saved(row)

    def rename(self, scenario_id: int, name: str, renamed_by: str) -> SavedScenario:
        scenario, saved = self.load_scenario(scenario_id)
        new_name = _clean_name(name, "the name", 120)
        return self.save_scenario(scenario.model_copy(update={"name": new_name}), renamed_by, saved.catalogue_sha256, scenario_id)

    def delete(self, scenario_id: int, deleted_by: str) -> None:
        """Mark a scenario deleted; its versions stay in the database."""
        who = _clean_name(deleted_by, "your name", 120)
        with self._transaction() as connection:
            if not self._exists(connection, scenario_id):
                raise StoreError(f"there is no saved scenario number {scenario_id}")
            connection.execute(
                sa.update(scenarios).where(scenarios.c.id == scenario_id).values(deleted_at=_now(), deleted_by=who)
            )

    @staticmethod
    def _saved(row: Any) -> SavedScenario:
        return SavedScenario(
            row.scenario_id, row.version, row.name, row.saved_by, row.saved_at, row.catalogue_sha256, row.app_version
        )

    # Workshops -------------------------------------------------------------------------------

    def create_workshop(self, name: str, created_by: str) -> Workshop:
        """A new open workshop with a short code participants type or follow in a link."""
        title = _clean_name(name, "the workshop name", 120)
        who = _clean_name(created_by, "your name", 120)
        for _ in range(10):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
            try:
                with self._transaction() as connection:
                    now = _now()
                    inserted = connection.execute(
                        sa.insert(workshops).values(code=code, name=title, created_by=who, created_at=now)
                    ).inserted_primary_key
                    new_id = inserted[0] if inserted else 0
                    return Workshop(int(new_id), code, title, who, now, None, None)
            except sa.exc.IntegrityError:
                continue
        raise StoreError("could not find a free workshop code; try again")

    def workshop(self, code: str) -> Workshop:
        clean = str(code).strip().upper()
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(workshops).where(workshops.c.code == clean)).first()
        if row is None:
            raise StoreError(f"there is no workshop with the code '{clean}'")
        return Workshop(row.id, row.code, row.name, row.created_by, row.created_at, row.closed_at, row.scenario_id)

    def submit(self, code: str, participant: str, weights: Weights) -> Submission:
        """Record a participant's weights; a later submission by the same name replaces it in the count."""
        name = _clean_name(participant, "your name", 80)
        workshop = self.workshop(code)
        if not workshop.is_open:
            raise StoreError(f"the workshop '{workshop.name}' is closed; no more weights can be submitted")
        now = _now()
        with self._transaction() as connection:
            connection.execute(
                sa.insert(submissions).values(
                    workshop_id=workshop.id,
                    participant=name,
                    participant_key=name.casefold(),
                    weights_json=weights.model_dump_json(),
                    submitted_at=now,
                )
            )
        return Submission(name, weights, now)

    def latest_submissions(self, code: str) -> list[Submission]:
        """Each participant's latest weights, in the order they first took part."""
        workshop = self.workshop(code)
        query = sa.select(submissions).where(submissions.c.workshop_id == workshop.id).order_by(submissions.c.id)
        latest: dict[str, Submission] = {}
        with self.engine.connect() as connection:
            for row in connection.execute(query):
                latest[row.participant_key] = Submission(
                    row.participant, Weights.model_validate(json.loads(row.weights_json)), row.submitted_at
                )
        return list(latest.values())

    def close_workshop(self, code: str, scenario_id: int | None) -> Workshop:
        workshop = self.workshop(code)
        with self._transaction() as connection:
            connection.execute(
                sa.update(workshops).where(workshops.c.id == workshop.id).values(closed_at=_now(), scenario_id=scenario_id)
            )
        return self.workshop(code)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL for concurrent readers, a busy timeout for concurrent writers, foreign keys on."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
