"""The store on SQLite and on a real PostgreSQL server: round trips, migrations, concurrency, failures."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from matrix.catalogue import Weights
from matrix.decision import Scenario
from matrix.persistence.store import MIGRATIONS, Store, StoreError, metadata
from tests.conftest import ROOT

SHA = "a" * 64
HEAD = "0004"
ANN, BOB, CY = "ann-browser-token-0001", "bob-browser-token-0002", "cy-browser-token-00003"


def scenario(name: str = "Cut", budget: float = 600_000) -> Scenario:
    return Scenario(name=name, weights=Weights(impact=40, reach=20, cost=20, risk=20), budget_gbp=budget)


def test_schema_is_created_on_open(store_url: str) -> None:
    """Opening an empty database runs every migration."""
    assert Store.open(store_url).schema_revision() == HEAD


def _differences(connection: sa.Connection, declared: sa.MetaData) -> list[str]:
    """The kinds of change Alembic would make for the database to match ``declared`` ("add_column", ...)."""
    found = compare_metadata(MigrationContext.configure(connection), declared)
    return [diff[0] if isinstance(diff, tuple) else diff[0][0] for diff in found]


def test_declared_tables_match_the_migrated_schema(store_url: str) -> None:
    """The tables the store declares are exactly the schema its migrations build: no column, constraint or index differs."""
    store = Store.open(store_url)
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
        # The comparison is not blind: a declared column the migrations lack, and a migrated
        # index the declarations lack, both show up.
        drifted = sa.MetaData()
        for table in metadata.sorted_tables:
            table.to_metadata(drifted)
        submissions = drifted.tables["submissions"]
        submissions.append_column(sa.Column("extra", sa.Integer))
        submissions.indexes.clear()
        assert sorted(_differences(connection, drifted)) == ["add_column", "remove_index"]
    store.engine.dispose()


def test_scenario_round_trip_keeps_every_version(store_url: str) -> None:
    """Save, save again, rename and load: every version is kept with who saved it and the catalogue hash."""
    store = Store.open(store_url)
    first = store.save_scenario(scenario(), "Ann", SHA)
    store.save_scenario(scenario(budget=500_000), "Bob", SHA, first.id)
    store.rename(first.id, "Cut to 500k", "Cat")
    loaded, meta = store.load_scenario(first.id)
    assert (loaded.name, loaded.budget_gbp, meta.version, meta.saved_by) == ("Cut to 500k", 500_000, 3, "Cat")
    assert [(v.version, v.name, v.saved_by) for v in store.history(first.id)] == [
        (1, "Cut", "Ann"),
        (2, "Cut", "Bob"),
        (3, "Cut to 500k", "Cat"),
    ]
    old, _ = store.load_scenario(first.id, version=1)
    assert old == scenario()
    assert [s.name for s in store.list_scenarios()] == ["Cut to 500k"]
    assert meta.catalogue_sha256 == SHA and meta.app_version


def test_delete_hides_but_keeps(store_url: str) -> None:
    """A deleted scenario leaves the list, but its versions can still be read."""
    store = Store.open(store_url)
    saved = store.save_scenario(scenario(), "Ann", SHA)
    store.delete(saved.id, "Ann")
    assert store.list_scenarios() == []
    assert store.history(saved.id)[0].name == "Cut"
    with pytest.raises(StoreError, match="there is no saved scenario number"):
        store.delete(saved.id, "Ann")


def test_names_are_required(store_url: str) -> None:
    """Saving without a name says so."""
    with pytest.raises(StoreError, match="your name cannot be empty"):
        Store.open(store_url).save_scenario(scenario(), "  ", SHA)


@pytest.mark.parametrize("name", ["A\x00B", "A\u202eB", "\u200b"])
def test_names_with_control_or_invisible_characters_are_refused_in_words(store_url: str, name: str) -> None:
    """A NUL (which PostgreSQL cannot store) or an invisible character in a name is the user's input, said so;
    never reported as the database being down. Scenario names are checked the same way."""
    store = Store.open(store_url)
    with pytest.raises(StoreError, match=r"your name (contains|has no visible)"):
        store.save_scenario(scenario(), name, SHA)
    with pytest.raises(StoreError, match=r"the workshop name (contains|has no visible)"):
        store.create_workshop(name, "Fran")
    with pytest.raises(ValueError, match=r"contains|has no visible"):
        scenario(name)
    assert store.list_scenarios() == []


def _at_revision(store_url: str, revision: str) -> sa.Engine:
    engine = sa.create_engine(store_url)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return engine


def test_migrates_an_older_schema_without_losing_data(store_url: str) -> None:
    """A database at the previous revision, with scenarios, a workshop and its participants' weights,
    keeps all of it when the store upgrades it: the workshop gets an unguessable participant link and
    an expiry, earlier submissions still count (keyed by name as before), and the new audit log starts
    empty and append-only."""
    engine = _at_revision(store_url, "0002")
    now = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    weights = Weights(impact=50, reach=50, cost=0, risk=0).model_dump_json()
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO scenarios (id, created_at) VALUES (1, :t)"), {"t": now})
        connection.execute(
            sa.text(
                "INSERT INTO scenario_versions (scenario_id, version, name, scenario_json, saved_by, saved_at, "
                "catalogue_sha256, app_version) VALUES (1, 1, 'Cut', :j, 'Ann', :t, :sha, '1.0.0')"
            ),
            {"j": scenario().model_dump_json(), "t": now, "sha": SHA},
        )
        connection.execute(
            sa.text("INSERT INTO workshops (id, code, name, created_by, created_at) VALUES (1, 'ABCDEF', 'Old', 'Fran', :t)"),
            {"t": now},
        )
        for name in ("Ann", "Bob"):
            connection.execute(
                sa.text(
                    "INSERT INTO submissions (workshop_id, participant, participant_key, weights_json, submitted_at) "
                    "VALUES (1, :n, :k, :w, :t)"
                ),
                {"n": name, "k": name.casefold(), "w": weights, "t": now},
            )
    engine.dispose()
    store = Store.open(store_url)
    assert store.schema_revision() == HEAD
    assert store.load_scenario(1)[0] == scenario()
    workshop = store.workshop("ABCDEF")
    assert len(workshop.participant_token) >= 32 and workshop.is_open and workshop.expires_at is not None
    assert [s.participant for s in store.latest_submissions("ABCDEF")] == ["Ann", "Bob"]
    assert store.audit_log() == []
    store.save_scenario(scenario("Grow"), "Ann <ann@city.gov.uk>", SHA, 1)
    assert [(e.actor, e.action) for e in store.audit_log()] == [("Ann <ann@city.gov.uk>", "scenario version saved")]
    store.engine.dispose()


def test_workshop_flow(store_url: str) -> None:
    """Participants submit through the link's token and resubmit from the same browser (the latest
    counts); someone else typing the same name in other capitals is another participant, not a
    replacement; a closed workshop refuses more, and the short code never opens it for a participant."""
    store = Store.open(store_url)
    workshop = store.create_workshop("Board workshop", "Fran")
    assert len(workshop.code) == 6 and len(workshop.participant_token) >= 32
    token = workshop.participant_token
    store.submit(token, ANN, "Ann", Weights(impact=50, reach=50, cost=0, risk=0))
    store.submit(token, BOB, "Bob", Weights(impact=10, reach=10, cost=10, risk=70))
    store.submit(token, ANN, "Ann", Weights(impact=0, reach=100, cost=0, risk=0))
    store.submit(token, CY, "ann ", Weights(impact=0, reach=0, cost=100, risk=0))
    latest = store.latest_submissions(workshop.code)
    assert [(s.participant, s.weights.reach, s.key) for s in latest] == [("Ann", 100, ANN), ("Bob", 10, BOB), ("ann", 0, CY)]
    with pytest.raises(StoreError, match="this workshop link is not known"):
        store.submit(workshop.code, CY, "Cy", Weights(impact=1, reach=0, cost=0, risk=0))
    with pytest.raises(StoreError, match="lost its participant token"):
        store.submit(token, "", "Cy", Weights(impact=1, reach=0, cost=0, risk=0))
    closed, saved = store.close_workshop(workshop.code, "Fran", scenario("Board: group weights"), SHA)
    assert saved is not None and store.load_scenario(saved.id)[0].name == "Board: group weights"
    assert not closed.is_open and closed.scenario_id == saved.id and closed.state == "closed"
    with pytest.raises(StoreError, match="is closed"):
        store.submit(token, CY, "Cy", Weights(impact=1, reach=0, cost=0, risk=0))
    with pytest.raises(StoreError, match="there is no workshop with the code 'NOPE'"):
        store.workshop("nope")


def test_thirty_participants_at_once(store_url: str) -> None:
    """Thirty participants submitting at the same moment from separate sessions lose nothing and duplicate nothing."""
    workshop = Store.open(store_url).create_workshop("Busy", "Fran")
    code, token = workshop.code, workshop.participant_token
    barrier = threading.Barrier(30, timeout=60)
    errors: list[BaseException] = []

    def participant(number: int) -> None:
        try:
            session = Store.open(store_url)
            barrier.wait()
            session.submit(
                token, f"browser-token-{number:04d}", f"P{number:02d}", Weights(impact=number, reach=1, cost=1, risk=1)
            )
            session.engine.dispose()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=participant, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    latest = Store.open(store_url).latest_submissions(code)
    assert sorted(s.participant for s in latest) == [f"P{n:02d}" for n in range(30)]
    assert sorted(s.weights.impact for s in latest) == list(range(30))


def test_concurrent_saves_of_one_scenario_get_distinct_versions(store_url: str) -> None:
    """Ten people saving the same scenario at once each get their own version number."""
    store = Store.open(store_url)
    first = store.save_scenario(scenario(), "Ann", SHA)
    barrier = threading.Barrier(10, timeout=60)

    def save(number: int) -> None:
        session = Store.open(store_url)
        barrier.wait()
        session.save_scenario(scenario(budget=number), f"P{number}", SHA, first.id)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [v.version for v in store.history(first.id)] == list(range(1, 12))


def test_an_interrupted_write_leaves_no_trace(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A save that fails half-way (after creating the scenario row) is rolled back whole."""
    store = Store.open(store_url)
    broken = scenario()
    monkeypatch.setattr(Scenario, "model_dump_json", lambda self, **_: (_ for _ in ()).throw(RuntimeError("power cut")))
    with pytest.raises(RuntimeError, match="power cut"):
        store.save_scenario(broken, "Ann", SHA)
    monkeypatch.undo()
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("select count(*) from scenarios")).scalar() == 0
    assert store.save_scenario(scenario(), "Ann", SHA).id >= 1


def test_unreadable_sqlite_file_is_set_aside(tmp_path: Path) -> None:
    """A store file that is not a database is moved aside (bytes intact), the user is told where, and a new store starts."""
    bad = tmp_path / "matrix.db"
    bad.write_bytes(b"not a database" * 100)
    store = Store.open(data_dir=tmp_path)
    assert store.notice is not None and "moved to" in store.notice
    [aside] = tmp_path.glob("matrix.db.unreadable-*")
    assert aside.read_bytes() == b"not a database" * 100
    assert str(aside) in store.notice
    assert store.list_scenarios() == []


def test_unreachable_database_gets_a_message() -> None:
    """A PostgreSQL address nobody answers at gives a message in words."""
    with pytest.raises(StoreError, match="the database cannot be reached"):
        Store.open("postgresql://nobody@127.0.0.1:1/none")


def test_two_facilitators_closing_at_once_save_one_group_scenario(store_url: str) -> None:
    """Closing and saving the group's scenario is one transaction on the workshop's locked row: of eight
    simultaneous closes exactly one wins; the others are told it is already closed and leave nothing behind."""
    workshop = Store.open(store_url).create_workshop("Board", "Fran")
    barrier = threading.Barrier(8, timeout=60)
    outcomes: list[str] = []

    def close(number: int) -> None:
        session = Store.open(store_url)
        barrier.wait()
        try:
            session.close_workshop(workshop.code, f"F{number}", scenario(f"group {number}"), SHA)
            outcomes.append("closed")
        except StoreError as error:
            outcomes.append(str(error))
        session.engine.dispose()

    threads = [threading.Thread(target=close, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("closed") == 1
    assert all("already closed" in o or "busy" in o for o in outcomes if o != "closed")
    store = Store.open(store_url)
    assert len(store.list_scenarios()) == 1
    assert store.workshop(workshop.code).scenario_id == store.list_scenarios()[0].id
    actions = [e.action for e in store.audit_log()]
    assert actions.count("workshop closed") == 1 and actions.count("workshop scenario saved") == 1


def test_replicas_migrating_a_new_database_at_once(store_url: str) -> None:
    """Several app processes opening a new database at the same moment: one migrates, the others wait (an
    advisory lock on PostgreSQL, the file lock on SQLite) and every one opens it."""
    script = "import sys; from matrix.persistence import Store; Store.open(sys.argv[1]).engine.dispose(); print('ok')"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, store_url], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(5)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [out.strip() for out, _ in outputs] == ["ok"] * 5, [err[-500:] for _, err in outputs]
    assert Store.open(store_url).schema_revision() == HEAD
