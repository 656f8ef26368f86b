"""A security review of sign-in, roles, workshops and the audit trail, written as attacks.

Each test is one attack by a hostile viewer, a hostile participant or a careless admin. A test that
passes is an attack the app refuses (kept as a regression test); the review's sixteen findings were
fixed and their tests kept. (A broken secrets file is tested with a real server in
``tests/e2e/test_signin.py``: AppTest does not pass the secrets-file option to the script.)

Signed-in people are simulated with AppTest's ``user`` (the claims ``st.user`` gives), as the real
OpenID sign-in is tested in ``tests/e2e/test_signin.py``. Forged browser messages are simulated with
AppTest's ``_run(widget_states)``, the same path a websocket ``rerun_script`` message takes
(``SessionState.on_script_will_rerun``): the states of every widget the page shows, plus forged ones.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
import streamlit
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.secrets import Secrets, secrets_singleton
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from matrix.access import AccessError, Desk, Principal, Role, identity_from_claims, local_principal, parse_roles
from matrix.access.limits import AttemptLimiter, TooManyAttempts
from matrix.catalogue import Weights
from matrix.decision import Scenario, distinct_names, to_safe_csv, weights_table
from matrix.persistence import Store, StoreError
from matrix.persistence import store as store_module
from tests.conftest import ROOT
from tests.ui.test_app import FUNDING_FOLDS

APP = str(ROOT / "streamlit_app.py")
SHA = "d" * 64
WEIGHTS = Weights(impact=40, reach=20, cost=20, risk=20)
AUTH = {
    "redirect_uri": "http://127.0.0.1:1/oauth2callback",
    "cookie_secret": "x" * 40,
    "client_id": "matrix",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
}
ROLES = """
default_role = "viewer"

[[rule]]
email = "cara@city.gov.uk"
roles = ["commissioner"]

[[rule]]
domain = "city.gov.uk"
roles = ["viewer"]

[[rule]]
group = "vrp-admins"
roles = ["admin"]
"""
ADA = {"email": "ada@county.gov.uk", "name": "Ada Admin", "groups": ["vrp-admins"]}
VIC = {"email": "vic@city.gov.uk", "name": "Vic Viewer", "groups": []}

# Every control a viewer must not use, with the tab it is on (as an admin sees it).
GUARDED = {
    "Funding": ["lib_save_new", "lib_save_version", "lib_rename", "lib_delete"],
    "Workshop": ["ws_create", "ws_close", "ws_erase"],
    "Admin": ["admin_grant", "admin_revoke", "admin_retention"],
}


# Fixtures and helpers --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty SQLite store and a roles file of this test's own; no deployment settings; a fresh limiter."""
    from ui import access

    for name in ("DATABASE_URL", "MATRIX_TRUST_PROXY", "MATRIX_REQUIRE_SIGNIN", "MATRIX_RETENTION_DAYS", "MATRIX_CATALOGUE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MATRIX_DATA_DIR", str(tmp_path / "store"))
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("MATRIX_ROLES", str(roles))
    access.link_limiter.clear()
    yield tmp_path / "store"
    access.link_limiter.clear()


def store_of(folder: Path) -> Store:
    return Store.open(data_dir=folder)


def app(user: dict[str, Any] | None = None, query: dict[str, str] | None = None) -> AppTest:
    """The app with sign-in configured; ``user`` is the signed-in person's claims (None: nobody signed in)."""
    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email_verified": True, **user} if user else {"is_logged_in": False}
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def on_tab(at: AppTest, tab: str) -> AppTest:
    """This tab open, with the Funding tab's folds open too (their controls are drawn only while open)."""
    at.session_state["tab"] = tab
    for key in FUNDING_FOLDS:
        at.session_state[key] = True
    return at.run()


def keys_shown(at: AppTest) -> set[str]:
    found: set[str] = set()
    for kind in ("button", "text_input", "selectbox", "download_button", "file_uploader"):
        found |= {str(w.key) for w in at.get(kind) if getattr(w, "key", None)}
    return found


def page_text(at: AppTest) -> str:
    """Every text the page shows: titles, markdown, captions, messages, code and widget labels."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "code", "text"):
        parts += [str(e.value) for e in at.get(kind)]
    for kind in ("button", "text_input", "slider", "selectbox", "radio", "download_button"):
        parts += [str(getattr(w, "label", "")) for w in at.get(kind)]
    parts += [str(t.label) for t in at.tabs]
    return "\n".join(parts)


def participant(token: str, name: str, me: str | None = None, weights: dict[str, int] | None = None) -> AppTest:
    """A participant's browser (no account) that opens the link and submits under ``name``."""
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["workshop"] = token
    if me is not None:
        at.query_params["me"] = me
    at.run()
    at.text_input(key="p_name").set_value(name)
    for criterion, weight in (weights or {}).items():
        at.slider(key=f"p_{criterion}").set_value(weight)
    return at.button(key="p_submit").click().run()


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> str:
    """A fresh database on the test PostgreSQL server (started by tests/conftest.py)."""
    base = request.getfixturevalue("postgres_server")
    name = f"attack_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"{base}/{name}"


# (2) A viewer cannot change anything, whatever the browser sends -----------------------------


def test_a_viewer_forging_clicks_on_every_hidden_control_changes_nothing(isolated: Path) -> None:
    """The viewer's browser sends the admin's widget ids (save, version, rename, delete, workshop create and close,
    erase, grant, revoke, retention) as clicked, with a forged email for the grant: Streamlit ignores state for
    widgets this session never drew, and nothing is saved, created, closed, granted or audited."""
    store = store_of(isolated)
    store.save_scenario(Scenario(name="Cut", weights=WEIGHTS, budget_gbp=600_000), "Seed <seed@city.gov.uk>", SHA)
    workshop = store.create_workshop("Board", "Fran <fran@city.gov.uk>")
    store.submit(workshop.participant_token, "ann-browser-token-0001", "Ann", WEIGHTS)

    ada = app(ADA)
    ids: dict[str, str] = {}
    for tab, keys in GUARDED.items():
        on_tab(ada, tab)
        assert not ada.exception
        shown = {str(b.key): b.id for b in ada.button if b.key}
        for key in keys:
            if key in shown:
                ids[key] = str(shown[key])
        for box in ada.text_input:
            if box.key == "admin_email":
                ids["admin_email"] = str(box.id)
    assert {"lib_save_new", "lib_delete", "ws_create", "ws_close", "ws_erase", "admin_grant", "admin_retention"} <= set(ids)

    audit_before = store.audit_log()
    vic = app(VIC)
    for tab in GUARDED:
        on_tab(vic, tab)
        assert not (set(GUARDED[tab]) & keys_shown(vic)), f"{tab} shows a guarded control to a viewer"
        states = vic._tree.get_widget_states()
        for key, widget_id in ids.items():
            if key == "admin_email":
                states.widgets.append(WidgetState(id=widget_id, string_value="vic@city.gov.uk"))
            else:
                states.widgets.append(WidgetState(id=widget_id, trigger_value=True))
        vic._run(states)
        assert not vic.exception
        assert not vic.success
    assert [s.name for s in store.list_scenarios()] == ["Cut"]
    assert [(w.code, w.state) for w in store.workshops()] == [(workshop.code, "open")]
    assert [s.participant for s in store.latest_submissions(workshop.code)] == ["Ann"]
    assert store.granted_roles("vic@city.gov.uk") == set()
    assert store.audit_log() == audit_before


def test_a_forged_choice_cannot_load_a_deleted_scenario(isolated: Path) -> None:
    """The saved-scenarios box sent with a deleted scenario's label (or a bare id) falls back to a listed one."""
    store = store_of(isolated)
    store.save_scenario(Scenario(name="Visible", weights=WEIGHTS, budget_gbp=600_000), "Seed <seed@city.gov.uk>", SHA)
    store.save_scenario(Scenario(name="Deleted secret", weights=WEIGHTS, budget_gbp=777_777), "Seed <seed@city.gov.uk>", SHA)
    store.delete(2, "Ada <ada@county.gov.uk>")
    vic = on_tab(app(VIC), "Funding")
    box, load = vic.selectbox(key="lib_choice"), vic.button(key="lib_load")
    assert box.options == [o for o in box.options if o.startswith("1. ")]
    for forged in (box.options[0].replace("1. Visible", "2. Deleted secret"), "2"):
        states = vic._tree.get_widget_states()
        for widget in states.widgets:
            if widget.id == box.id:
                widget.string_value = forged
        states.widgets.append(WidgetState(id=str(load.id), trigger_value=True))
        vic._run(states)
        assert not vic.exception
        assert vic.session_state["loaded_scenario_id"] == 1


def test_the_admin_tab_in_the_link_gives_a_viewer_nothing() -> None:
    """``?tab=Admin`` (and the facilitator's tab) for a viewer: no Admin tab, no audit log, no role controls."""
    vic = app(VIC, {"tab": "Admin"})
    assert not vic.exception
    assert "Admin" not in [t.label for t in vic.tabs]
    assert not [s for s in (*vic.header, *vic.subheader) if s.value in {"Audit log", "Roles", "Personal data"}]
    assert not {k for k in keys_shown(vic) if k.startswith(("admin_", "ws_"))}
    vic = app(VIC, {"tab": "Workshop"})
    assert not {k for k in keys_shown(vic) if k.startswith("ws_")}


def test_a_viewer_gets_board_papers_but_never_their_records(isolated: Path) -> None:
    """A viewer downloads the Funding tab's board paper and a saved scenario's (Word and PDF), but not the decision
    record either is built from (records are exported by commissioners); a commissioner gets both records."""
    store_of(isolated).save_scenario(Scenario(name="Cut", weights=WEIGHTS, budget_gbp=600_000), "Seed <seed@city.gov.uk>", SHA)
    papers = {"download_report_docx", "download_report_pdf", "lib_report_docx", "lib_report_pdf"}
    records = {"download_report_record", "lib_report_record", "download_record"}
    vic = on_tab(app(VIC), "Funding")
    assert not vic.exception
    assert papers <= keys_shown(vic) and not records & keys_shown(vic)
    cara = on_tab(app({"email": "cara@city.gov.uk", "name": "Cara Commissioner"}), "Funding")
    assert papers | records <= keys_shown(cara)


def test_a_signed_in_person_with_no_role_gets_nothing(tmp_path: Path) -> None:
    """``default_role = "none"``: a stranger from another domain, or one whose groups claim is a look-alike string,
    sees only the refusal and a sign-out."""
    (tmp_path / "roles.toml").write_text(
        'default_role = "none"\n[[rule]]\ndomain = "city.gov.uk"\nroles = ["viewer"]\n'
        '[[rule]]\ngroup = "vrp-admins"\nroles = ["admin"]\n',
        encoding="utf-8",
    )
    for claims in (
        {"email": "eve@evil.city.gov.uk", "name": "Eve"},  # a subdomain is not the domain
        {"email": "eve@city.gov.uk.evil.org", "name": "Eve"},  # nor a domain that only starts with it
        {"email": "eve@evil.org", "name": "Eve", "groups": "vrp-admins-not"},  # a string that is not the group
        {"email": "eve@evil.org", "name": "Eve", "groups": ["VRP-ADMINS"]},  # groups match exactly
    ):
        at = app(claims)
        assert not at.exception
        assert not at.tabs, claims
        assert [b.key for b in at.button] == ["sign_out_norole"], claims


def test_roles_file_tricks_are_refused() -> None:
    """Domain suffixes, case, a groups claim as one string, and unverified or missing emails."""
    rules = parse_roles(
        b'default_role = "none"\n[[rule]]\ndomain = "example.gov.uk"\nroles = ["editor"]\n'
        b'[[rule]]\nemail = "boss@example.gov.uk"\nroles = ["admin"]\n',
        "roles.toml",
    )
    assert rules.roles_for("x@evil.example.gov.uk") == frozenset()
    assert rules.roles_for("x@example.gov.uk.evil.org") == frozenset()
    assert rules.roles_for("x@notexample.gov.uk") == frozenset()
    assert rules.roles_for(" X@EXAMPLE.GOV.UK ") == {Role.EDITOR}
    assert Role.ADMIN in rules.roles_for("BOSS@example.gov.uk")
    assert rules.roles_for("x@example.gov.uk", granted=["superuser", "ADMIN"]) == {Role.EDITOR}  # unknown grants ignored
    for claims in (
        {"email": "boss@example.gov.uk", "email_verified": False},
        {"email": "boss@example.gov.uk", "email_verified": "FALSE"},
        {"name": "Boss"},
        {"email": "   "},
    ):
        with pytest.raises(AccessError):
            identity_from_claims(claims)


def test_an_unverified_email_cannot_claim_an_admins_roles_in_the_app() -> None:
    """The sign-in page refuses an account whose provider says the email is not verified, before any role applies."""
    at = app({"email": "cara@city.gov.uk", "name": "Not Cara", "email_verified": False})
    assert not at.exception
    assert not at.tabs
    assert any("not verified" in e.value for e in at.error)


def test_the_desk_refuses_every_write_without_a_name() -> None:
    """Local mode with no name typed: every write is refused and nothing reaches the audit log."""
    store = Store.open("sqlite://")
    workshop = store.create_workshop("Board", "Fran")
    store.submit(workshop.participant_token, "ann-browser-token-0001", "Ann", WEIGHTS)
    desk = Desk(store, local_principal("   "))
    scenario = Scenario(name="New", weights=WEIGHTS, budget_gbp=500_000)
    before = store.audit_log()
    for action in (
        lambda: desk.save_scenario(scenario, SHA),
        lambda: desk.create_workshop("Another", dt.timedelta(hours=2)),
        lambda: desk.close_workshop(workshop.code, scenario, SHA),
        lambda: desk.erase_participant(workshop.code, "ann-browser-token-0001"),
        lambda: desk.grant_role("new@city.gov.uk", Role.EDITOR),
        lambda: desk.yef_applied(1, "yef_import_x"),
        lambda: desk.apply_retention(0),
    ):
        with pytest.raises(StoreError, match="name cannot be empty"):
            action()
    assert store.audit_log() == before
    assert store.list_scenarios() == []


# (1) A participant holding a link reaches nothing else ------------------------------------------


def test_a_participant_link_shows_nothing_of_the_facilitators(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The link with ``&tab=Workshop``/``Admin`` gives the participant form only: no other workshop, no names, no
    code, no creator; an expired workshop shows neither its name nor the form."""
    store = store_of(isolated)
    mine = store.create_workshop("Board workshop", "Fran <fran@city.gov.uk>", dt.timedelta(hours=2))
    other = store.create_workshop("Secret other workshop", "Fran <fran@city.gov.uk>")
    store.submit(mine.participant_token, "ann-browser-token-0001", "Annabel Secretname", WEIGHTS)
    for tab in ("Workshop", "Admin"):
        at = app(None, {"workshop": mine.participant_token, "tab": tab})
        assert not at.exception
        shown = page_text(at)
        for secret in ("Annabel", other.name, mine.code, "fran@city.gov.uk", other.participant_token):
            assert secret not in shown
        assert not at.tabs and not at.dataframe
        # The participant's own form: name and Submit; unfolded, the trade-off question's answers (A, B, about the same).
        assert keys_shown(at) == {"p_name", "p_submit"}
        at.session_state["p_to_fold"] = True
        at.run()
        assert not at.exception
        assert keys_shown(at) == {"p_name", "p_submit", "p_to_first", "p_to_second", "p_to_same"}
        assert not any(secret in page_text(at) for secret in ("Annabel", other.name, mine.code, "fran@city.gov.uk"))
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    monkeypatch.setattr(store_module, "_now", lambda: later)
    expired = app(None, {"workshop": mine.participant_token})
    assert any("closed" in i.value for i in expired.info)
    assert "Board workshop" not in [t.value for t in expired.title] and not expired.text_input and not expired.slider


def test_a_participant_cannot_submit_after_the_workshop_closes_under_their_open_page(isolated: Path) -> None:
    store = store_of(isolated)
    workshop = store.create_workshop("Board", "Fran")
    ann = participant(workshop.participant_token, "Ann")
    assert any("your weights are in" in s.value for s in ann.success)
    store.close_workshop(workshop.code, "Fran")
    ann.button(key="p_submit").click().run()
    assert not ann.exception and not ann.text_input
    assert len(store.latest_submissions(workshop.code)) == 1


def test_a_facilitator_role_is_needed_for_the_participants_own_weights_pool(isolated: Path) -> None:
    """A viewer whose session holds a workshop code cannot have the Monte Carlo draw from its participants' weights."""
    store = store_of(isolated)
    workshop = store.create_workshop("Board", "Fran")
    store.submit(workshop.participant_token, "ann-browser-token-0001", "Ann", WEIGHTS)
    vic = app(VIC)
    vic.session_state["ws_code"] = workshop.code
    on_tab(vic, "Sensitivity")
    assert not vic.exception
    assert "The workshop participants' own weights" not in vic.radio(key="mc_mode").options


# (5), (6) Names: look-alikes flagged, shown as typed, never in the audit log ---------------------


def test_hostile_participant_names_are_inert_where_facilitators_see_them(isolated: Path) -> None:
    """Markdown links, HTML and spreadsheet formulas typed as names: escaped in the look-alike warning, shown as
    data in tables, neutralised in the participants' CSV."""
    store = store_of(isolated)
    workshop = store.create_workshop("Board", "Fran")
    names = ["[Click me](http://evil.example)", "[click ME](http://evil.example)", "<img src=x onerror=alert(1)>"]
    names += ['=HYPERLINK("http://evil.example","x")', "@SUM(1+1)", "+1", "-1"]
    for number, name in enumerate(names):
        store.submit(workshop.participant_token, f"browser-token-{number:010d}", name, WEIGHTS)
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["ws_code"] = workshop.code
    at.run()
    on_tab(at, "Workshop")
    assert not at.exception
    [warning] = [w.value for w in at.warning if "look alike" in w.value]
    assert "\\[Click me\\]\\(http" in warning and "](http" not in warning
    entries = [(n, s.weights) for n, s in zip(distinct_names(names), store.latest_submissions(workshop.code), strict=True)]
    csv = to_safe_csv(weights_table(entries).round(1).reset_index()).decode()
    for line in csv.splitlines()[1:]:
        assert not line.startswith(("=", "@", "+", "-", '"=', '"@', '"+', '"-')), line


def test_the_audit_log_never_holds_a_participants_name(isolated: Path) -> None:
    """A whole workshop (create, submit, close, erase, retention) as an admin: no participant's name in any entry."""
    store = store_of(isolated)
    desk = Desk(store, Principal("Ada", "ada@county.gov.uk", frozenset({Role.ADMIN}), signed_in=True))
    workshop = desk.create_workshop("Board", dt.timedelta(hours=2))
    store.submit(workshop.participant_token, "browser-token-0000000001", "Zebedee Uniquename", WEIGHTS)
    store.submit(workshop.participant_token, "browser-token-0000000002", "Xanthippe Othername", WEIGHTS)
    desk.erase_participant(workshop.code, "browser-token-0000000002")
    desk.close_workshop(workshop.code, Scenario(name="Board: group weights", weights=WEIGHTS, budget_gbp=1), SHA)
    desk.apply_retention(0)
    text = " ".join(f"{e.actor} {e.action} {e.target} {e.detail}" for e in store.audit_log())
    assert "Zebedee" not in text and "Xanthippe" not in text
    assert [s.participant for s in store.latest_submissions(workshop.code)] == ["Participant 1"]


# (3) The audit log: append-only in the database ---------------------------------------------------


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_an_upsert_cannot_rewrite_an_audit_entry(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """``INSERT ... ON CONFLICT DO UPDATE`` on an entry's id fires the UPDATE trigger and is refused."""
    url = f"sqlite:///{tmp_path / 'a.db'}" if kind == "sqlite" else request.getfixturevalue("pg_url")
    store = Store.open(url)
    event = store.record_event("Ada <ada@county.gov.uk>", "role granted", "bob@city.gov.uk", "role: admin")
    upsert = (
        "INSERT INTO audit_events (id, at, actor, action, target, detail) VALUES (:id, :at, 'Nobody', 'nothing', 'x', '') "
        "ON CONFLICT (id) DO UPDATE SET actor = excluded.actor"
    )
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as connection:
        connection.execute(sa.text(upsert), {"id": event.id, "at": dt.datetime.now(dt.UTC)})
    assert store.audit_log() == [event]
    store.engine.dispose()


def test_sqlite_insert_or_replace_cannot_rewrite_an_audit_entry(isolated: Path) -> None:
    store = store_of(isolated)
    event = store.record_event("Ada <ada@county.gov.uk>", "role granted", "mallory@city.gov.uk", "role: admin")
    with sqlite3.connect(isolated / "matrix.db") as connection, contextlib.suppress(sqlite3.DatabaseError):
        connection.execute(
            "INSERT OR REPLACE INTO audit_events (id, at, actor, action, target, detail) "
            "VALUES (?, '2026-01-01 00:00:00', 'Nobody', 'nothing', 'nothing', '')",
            (event.id,),
        )
    assert store.audit_log() == [event]


def test_postgresql_truncate_cannot_empty_the_audit_log(pg_url: str) -> None:
    store = Store.open(pg_url)
    event = store.record_event("Ada <ada@county.gov.uk>", "role granted", "mallory@city.gov.uk", "role: admin")
    try:
        with store.engine.begin() as connection:
            connection.execute(sa.text("TRUNCATE audit_events"))
    except sa.exc.DBAPIError:
        pass
    try:
        assert store.audit_log() == [event]
    finally:
        store.engine.dispose()


def test_postgresql_a_long_signed_in_identity_can_still_save(pg_url: str) -> None:
    store = Store.open(pg_url)
    person = Principal(
        "Dr " + "Alexandra Catherine Montgomery-Fotheringham " * 3, "a.montgomery@city.gov.uk", frozenset({Role.ADMIN}), True
    )
    try:
        saved = Desk(store, person).save_scenario(Scenario(name="Cut", weights=WEIGHTS, budget_gbp=1), SHA)
        assert "a.montgomery@city.gov.uk" in saved.saved_by
    finally:
        store.engine.dispose()


def test_a_display_name_cannot_impersonate_another_address_in_the_audit_log(isolated: Path) -> None:
    claims = {"email": "mallory@city.gov.uk", "name": "Ada Admin <ada@county.gov.uk>", "email_verified": True}
    identity = identity_from_claims(claims)
    mallory = Principal(identity.name, identity.email, frozenset({Role.COMMISSIONER}), signed_in=True)
    store = store_of(isolated)
    Desk(store, mallory).save_scenario(Scenario(name="Cut", weights=WEIGHTS, budget_gbp=1), SHA)
    [event] = store.audit_log()
    assert "ada@county.gov.uk" not in event.actor and event.actor == "mallory@city.gov.uk"


def test_a_closed_workshop_cannot_be_closed_again(isolated: Path) -> None:
    store = store_of(isolated)
    desk = Desk(store, Principal("Fran", "fran@city.gov.uk", frozenset({Role.FACILITATOR}), signed_in=True))
    workshop = desk.create_workshop("Board", dt.timedelta(hours=2))
    group = Scenario(name="Board: group weights", weights=WEIGHTS, budget_gbp=1)
    closed, first = desk.close_workshop(workshop.code, group, SHA)
    with pytest.raises(StoreError):
        desk.close_workshop(workshop.code, group, SHA)
    assert store.workshop(workshop.code).scenario_id == first.id
    assert store.workshop(workshop.code).closed_at == closed.closed_at
    assert len(store.list_scenarios()) == 1


def test_a_role_cannot_be_granted_to_something_that_is_not_an_email_address(isolated: Path) -> None:
    desk = Desk(store_of(isolated), Principal("Ada", "ada@county.gov.uk", frozenset({Role.ADMIN}), signed_in=True))
    for not_an_email in ("city.gov.uk", "@city.gov.uk", "vrp-admins"):
        with pytest.raises(StoreError):
            desk.grant_role(not_an_email, Role.EDITOR)


# (4) Workshop links: the rate limit -----------------------------------------------------------


def _fake_request(monkeypatch: pytest.MonkeyPatch, forwarded: str, peer: str) -> None:
    from ui import access

    fake = SimpleNamespace(context=SimpleNamespace(headers={"X-Forwarded-For": forwarded}, ip_address=peer))
    monkeypatch.setattr(access, "st", fake)


def test_without_trust_proxy_a_forged_forwarded_for_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import access

    _fake_request(monkeypatch, "1.2.3.4", "203.0.113.9")
    assert access.client_key() == "203.0.113.9"


def test_with_trust_proxy_the_client_cannot_choose_its_own_rate_limit_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import access

    monkeypatch.setenv("MATRIX_TRUST_PROXY", "1")
    limiter = AttemptLimiter()
    with pytest.raises(TooManyAttempts):
        for attempt in range(20):
            # What nginx's $proxy_add_x_forwarded_for sends when the client itself sent "X-Forwarded-For: 10.9.8.N".
            _fake_request(monkeypatch, f"10.9.8.{attempt}, 203.0.113.9", "127.0.0.1")
            key = access.client_key()
            limiter.check(key)
            limiter.failed(key)


def test_guessers_on_the_same_network_do_not_stop_a_participant_already_in(isolated: Path) -> None:
    workshop = store_of(isolated).create_workshop("Board", "Fran")
    ann = participant(workshop.participant_token, "Ann")
    assert any("your weights are in" in s.value for s in ann.success)
    for attempt in range(5):
        guess = AppTest.from_file(APP, default_timeout=90)
        guess.query_params["workshop"] = f"guess{attempt:027d}"
        guess.run()
    ann.slider(key="p_impact").set_value(90)
    ann.button(key="p_submit").click().run()
    assert not ann.error, [e.value for e in ann.error]
    assert store_of(isolated).latest_submissions(workshop.code)[0].weights.impact == 90


def test_odd_workshop_links_and_participant_tokens(isolated: Path) -> None:
    """A link of 10,000 characters, a path, or the facilitator's code is unknown; an odd ``&me=`` (too short,
    path-like, too long) is replaced by a fresh random token before anything is submitted under it."""
    workshop = store_of(isolated).create_workshop("Board", "Fran")
    for token in ("x" * 10_000, "../" * 20, workshop.code):
        at = AppTest.from_file(APP, default_timeout=90)
        at.query_params["workshop"] = token
        assert at.run().error[0].value.startswith("this workshop link is not known")
    from ui import access

    access.link_limiter.clear()
    for odd in ("short", "../../../../etc/passwd/xx", "a" * 65, "<script>alert(1)</script>xxxxxxx"):
        at = participant(workshop.participant_token, "Ann", me=odd)
        assert not at.exception
        me = str(at.query_params["me"])
        assert me != odd and 16 <= len(me) <= 64
    keys = {s.key for s in store_of(isolated).latest_submissions(workshop.code)}
    assert len(keys) == 4 and not keys & {"short", "a" * 65}


# (5) One participant cannot replace another ------------------------------------------------------


def test_typing_anothers_name_adds_a_participant_and_is_flagged(isolated: Path) -> None:
    workshop = store_of(isolated).create_workshop("Board", "Fran")
    participant(workshop.participant_token, "Zoë Smith", weights={"impact": 90})
    participant(workshop.participant_token, "zoe  smith", weights={"impact": 0, "cost": 90})
    kept = store_of(isolated).latest_submissions(workshop.code)
    assert [s.participant for s in kept] == ["Zoë Smith", "zoe smith"]


def test_confusable_names_are_flagged() -> None:
    """Cyrillic, full-width, accents, digits for letters and invisible spaces are flagged as look-alikes."""
    from matrix.decision import look_alike_names

    for pair in (
        ["Ann", "\u0410nn"],
        ["Ann", "\uff21\uff4e\uff4e"],
        ["Jose", "Jos\u00e9"],
        ["Olga", "0lga"],
        ["Ann", "Ann\u00a0"],
    ):
        assert look_alike_names(pair), pair


def test_capital_i_for_small_l_is_flagged() -> None:
    from matrix.decision import look_alike_names

    assert look_alike_names(["Bill", "BiII"])


def test_a_copied_address_does_not_silently_replace_another_participant(isolated: Path) -> None:
    workshop = store_of(isolated).create_workshop("Board", "Fran")
    ann = participant(workshop.participant_token, "Ann", weights={"impact": 90})
    copied = str(ann.query_params["me"])
    participant(workshop.participant_token, "Bob", me=copied, weights={"impact": 0, "cost": 90})
    kept = store_of(isolated).latest_submissions(workshop.code)
    assert sorted(s.participant for s in kept) == ["Ann", "Bob"]


# (7) and careless admins: the deployment fails closed ---------------------------------------------


def test_local_mode_listens_on_localhost_and_warns_when_it_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    """(7) The shipped config keeps local mode on this computer; started for the network it says anyone can change anything."""
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert 'address = "localhost"' in config
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception and not [w for w in at.sidebar if "anyone who reaches it" in str(getattr(w, "value", ""))]
    real = streamlit.get_option
    monkeypatch.setattr(streamlit, "get_option", lambda key: "0.0.0.0" if key == "server.address" else real(key))
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert any("anyone who reaches it can change anything" in w.value for w in at.warning)


@pytest.fixture
def secrets_files(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fresh ``st.secrets`` for the test, and Streamlit's own secrets singleton (read by st.user) forgotten before
    and after, so a secrets file read here never leaks into another test."""
    singleton = secrets_singleton
    singleton._reset()
    monkeypatch.setattr(streamlit, "secrets", Secrets())
    yield
    singleton._reset()


@pytest.mark.usefixtures("secrets_files")
def test_a_valid_secrets_file_read_the_same_way_turns_sign_in_on(tmp_path: Path) -> None:
    """The control for the next test: the same mechanism with a well-formed file gives only the sign-in."""
    good = tmp_path / "secrets.toml"
    good.write_text('[auth]\nredirect_uri = "https://matrix.example.gov.uk/oauth2callback"\nclient_id = "x"\n')
    with patch_config_options({"secrets.files": [str(good)]}):
        at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception and not at.tabs
    assert [b.label for b in at.button] == ["Sign in"]


def test_nothing_about_the_server_is_shown_before_sign_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "private-share" / "interventions.toml"
    broken.parent.mkdir()
    broken.write_text('title = "x"\n[[intervention]]\nid = "secret-pilot"\n', encoding="utf-8")
    monkeypatch.setenv("MATRIX_CATALOGUE", str(broken))
    monkeypatch.setenv("MATRIX_REQUIRE_SIGNIN", "1")
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert "private-share" not in page_text(at)


def test_a_huge_retention_period_does_not_break_the_app(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token = store_of(isolated).create_workshop("Board", "Fran").participant_token
    monkeypatch.setenv("MATRIX_RETENTION_DAYS", "1000000")
    for tab in ("Funding", "Workshop"):
        at = AppTest.from_file(APP, default_timeout=90)
        at.session_state["tab"] = tab
        assert not at.run().exception, tab
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["workshop"] = token
    assert not at.run().exception, "the participant's page"


def test_yef_ratings_are_not_applied_unaudited_when_the_store_is_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("MATRIX_DATA_DIR", str(blocker / "store"))
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.text_input(key="user_name").set_value("Eddie Editor").run()
    on_tab(at, "Data")
    strand = "Mentoring,mentoring-2 (current); mentoring (older version),MODERATE,-23% violence,3,2\n"
    at.file_uploader(key="yef_upload").set_value(
        ("yef.csv", ("strand,slug,impact_label,impact_pct,evidence_rating,cost_rating\n" + strand).encode(), "text/csv")
    ).run()
    assert at.button(key="yef_apply")
    at.button(key="yef_apply").click().run()
    assert not at.exception
    assert "working_text" not in at.session_state, "applied, with no audit entry"


def test_a_forged_message_does_not_show_a_participant_the_servers_traceback(isolated: Path) -> None:
    workshop = store_of(isolated).create_workshop("Board", "Fran")
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["workshop"] = workshop.participant_token
    at.run()
    states = at._tree.get_widget_states()
    states.widgets.append(WidgetState(id="made-up", string_value="x"))
    at._run(states)
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    shows_details = (
        not any(f'showErrorDetails = "{v}"' in config for v in ("none", "type")) and "showErrorDetails = false" not in config
    )
    assert not (at.exception and shows_details), at.exception[0].stack_trace[:3]
