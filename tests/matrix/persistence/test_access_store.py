"""The store's side of sign-in and roles, on SQLite and on a real PostgreSQL server: the append-only
audit log, roles granted in the app, workshop tokens and expiry, erasure and the retention rule."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from matrix.catalogue import Weights
from matrix.decision import Scenario
from matrix.persistence import Store, StoreError
from matrix.persistence import store as store_module

SHA = "c" * 64
WEIGHTS = Weights(impact=40, reach=20, cost=20, risk=20)
ANN, BOB = "ann-browser-token-0001", "bob-browser-token-0002"


def test_the_audit_log_is_append_only_in_the_database_itself(store_url: str) -> None:
    """Even a program with the database's password cannot change or delete an entry: the database refuses."""
    store = Store.open(store_url)
    store.save_scenario(Scenario(name="Cut", weights=WEIGHTS, budget_gbp=600_000), "Ann <ann@city.gov.uk>", SHA)
    [event] = store.audit_log()
    assert (event.actor, event.action, event.target) == ("Ann <ann@city.gov.uk>", "scenario saved", "scenario 1 version 1: Cut")
    for statement in ("UPDATE audit_events SET actor = 'Mallory'", "DELETE FROM audit_events"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as connection:
            connection.execute(sa.text(statement))
    assert store.audit_log() == [event]
    store.engine.dispose()


def test_roles_granted_in_the_app(store_url: str) -> None:
    store = Store.open(store_url)
    store.grant_role(" Eve@City.gov.uk ", "editor", "Ada <ada@city.gov.uk>")
    assert store.granted_roles("eve@city.gov.uk") == {"editor"}
    with pytest.raises(StoreError, match="already has the editor role"):
        store.grant_role("eve@city.gov.uk", "editor", "Ada")
    store.revoke_role("EVE@city.gov.uk", "editor", "Ada <ada@city.gov.uk>")
    assert store.granted_roles("eve@city.gov.uk") == set()
    with pytest.raises(StoreError, match="has no editor role granted in the app"):
        store.revoke_role("eve@city.gov.uk", "editor", "Ada")
    assert [(e.action, e.target, e.detail) for e in store.audit_log()] == [
        ("role granted", "eve@city.gov.uk", "role: editor"),
        ("role removed", "eve@city.gov.uk", "role: editor"),
    ]
    store.engine.dispose()


def test_workshops_expire_and_links_are_unguessable(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(store_url)
    workshop = store.create_workshop("Board", "Fran", dt.timedelta(hours=2))
    other = store.create_workshop("Other", "Fran")
    assert workshop.participant_token != other.participant_token
    assert len(workshop.participant_token) * 6 >= 128  # URL-safe base64: 6 bits a character
    assert workshop.is_open and workshop.expires_at is not None
    store.submit(workshop.participant_token, ANN, "Ann", WEIGHTS)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    monkeypatch.setattr(store_module, "_now", lambda: later)
    expired = store.workshop(workshop.code)
    assert expired.state == "expired" and not expired.is_open
    with pytest.raises(StoreError, match="closed"):
        store.submit(workshop.participant_token, BOB, "Bob", WEIGHTS)
    with pytest.raises(StoreError, match="between ten minutes and 30 days"):
        store.create_workshop("Forever", "Fran", dt.timedelta(days=365))
    for bad in ("", " ", "x" * 500, workshop.code):
        with pytest.raises(StoreError, match="this workshop link is not known"):
            store.workshop_for_participant(bad)
    store.engine.dispose()


def test_erasing_one_participant(store_url: str) -> None:
    store = Store.open(store_url)
    workshop = store.create_workshop("Board", "Fran")
    store.submit(workshop.participant_token, ANN, "Ann", WEIGHTS)
    store.submit(workshop.participant_token, ANN, "Ann", WEIGHTS)
    store.submit(workshop.participant_token, BOB, "Bob", WEIGHTS)
    assert store.erase_participant(workshop.code, ANN, "Ada") == 2
    assert [s.participant for s in store.latest_submissions(workshop.code)] == ["Bob"]
    with pytest.raises(StoreError, match="no weights in this workshop"):
        store.erase_participant(workshop.code, ANN, "Ada")
    [event] = [e for e in store.audit_log() if e.action == "participant erased"]
    assert "Ann" not in event.target + event.detail and "2 submission(s)" in event.detail
    store.engine.dispose()


def test_retention_pseudonymises_old_closed_workshops_only(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(store_url)
    old = store.create_workshop("Old", "Fran")
    recent = store.create_workshop("Recent", "Fran")
    for workshop in (old, recent):
        store.submit(workshop.participant_token, ANN, "Ann", WEIGHTS)
        store.submit(workshop.participant_token, BOB, "Bob", Weights(impact=1, reach=0, cost=0, risk=0))
    store.close_workshop(old.code, "Fran")
    assert store.apply_retention(90) == 0  # closed today: kept
    monkeypatch.setattr(store_module, "_now", lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=91))
    store.close_workshop(recent.code, "Fran")  # closed "now", 91 days on
    assert store.apply_retention(90) == 4 - 2
    kept = store.latest_submissions(old.code)
    assert [(s.participant, s.weights.impact) for s in kept] == [("Participant 1", 40), ("Participant 2", 1)]
    assert [s.participant for s in store.latest_submissions(recent.code)] == ["Ann", "Bob"]
    assert store.apply_retention(90) == 0  # nothing twice
    assert [e.action for e in store.audit_log()].count("retention applied") == 1
    store.engine.dispose()
