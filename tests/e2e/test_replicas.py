"""Two app replicas on one PostgreSQL database, as a partnership deployment runs them behind a sticky proxy.

Two real ``streamlit run streamlit_app.py`` servers on their own ports share one fresh database on the
session's PostgreSQL server. A facilitator runs a workshop on replica A while two participants, each in their
own browser, submit through replica B; the facilitator's live view on A counts them and closes the workshop,
after which B refuses the link. Meanwhile two commissioners save a scenario each, one on each replica, at about
the same moment. The database itself is then read: every save, submission and audit entry is there exactly
once, whichever replica wrote it.
"""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from pytest_playwright.pytest_playwright import CreateContextCallback

from matrix.persistence import Store
from tests.e2e.conftest import require_browser, start_app

pytestmark = pytest.mark.e2e

IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
# Two app servers, PostgreSQL and five browsers on one machine: generous, so that CPU load slows the test
# down rather than failing it. A healthy run waits a few seconds at most for any of these.
TIMEOUT_MS = 90_000
START_TIMEOUT_S = 120
WORKSHOP = "Replica workshop"
LIBRARY = "Saved scenarios (kept in the database, every version)"
# The replicas get the database from us and nothing else from the environment that could change what they do.
UNSET = (
    "DATABASE_URL",
    "MATRIX_DATA_DIR",
    "MATRIX_CATALOGUE",
    "MATRIX_ROLES",
    "MATRIX_REQUIRE_SIGNIN",
    "MATRIX_TRUST_PROXY",
    "MATRIX_ALLOW_SAVE",
    "MATRIX_RETENTION_DAYS",
)


@pytest.fixture
def shared_database(postgres_server: str) -> str:
    """A new, empty database on the session's PostgreSQL server (the replicas migrate it themselves)."""
    name = f"replicas_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"{postgres_server}/{name}"


@pytest.fixture
def replicas(shared_database: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two app servers (replica A and replica B) on free ports, both with ``DATABASE_URL`` = the shared database.

    Each gets its own secrets file with no ``[auth]`` section, so a developer's ``.streamlit/secrets.toml``
    cannot turn sign-in on: both run in local mode, where the one person has every role and "Your name" signs
    saves. (The file is valid TOML and not empty: a secrets file the app cannot read stops it.)
    """
    require_browser()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("# Local mode: no [auth] section.\n[replica_test]\nlocal_mode = true\n", encoding="utf-8")
    with ExitStack() as stack:
        urls = tuple(
            stack.enter_context(
                start_app(
                    "streamlit_app.py",
                    log=tmp_path / f"replica-{name}.log",
                    env={"DATABASE_URL": shared_database},
                    unset=UNSET,
                    extra_args=["--secrets.files", str(secrets)],
                    timeout=START_TIMEOUT_S,
                )
            )
            for name in ("a", "b")
        )
        yield urls[0], urls[1]


def wait_idle(page: Page) -> None:
    """Wait until the page's script run has finished (the attribute reads ``initial`` before the first)."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)


def open_app(page: Page, url: str) -> None:
    page.goto(url, timeout=TIMEOUT_MS)
    expect(page.get_by_text("Interventions matrix", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)


def enter(page: Page, key: str, text: str) -> None:
    """Type into the text input with this widget key and wait for the run it starts."""
    box = page.locator(f".st-key-{key} input")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value(text, timeout=TIMEOUT_MS)
    wait_idle(page)


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click(timeout=TIMEOUT_MS)
    wait_idle(page)


def submit_weights(page: Page, replica: str, token: str, name: str, criterion: str) -> None:
    """A participant opens the workshop link on ``replica``, pushes one criterion to 100 and submits."""
    page.goto(f"{replica}/?workshop={token}", timeout=TIMEOUT_MS)
    expect(page.get_by_role("heading", name=WORKSHOP)).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)
    enter(page, "p_name", name)
    thumb = page.locator(f".st-key-p_{criterion}").get_by_role("slider")
    thumb.focus()
    thumb.press("End")
    expect(page.locator(f".st-key-p_{criterion} [data-testid=stSliderThumbValue]")).to_have_text("100", timeout=TIMEOUT_MS)
    wait_idle(page)
    page.locator(".st-key-p_submit").get_by_role("button").click(timeout=TIMEOUT_MS)
    expect(page.get_by_text(f"Thank you, {name}: your weights are in.")).to_be_visible(timeout=TIMEOUT_MS)


def ready_to_save(page: Page, replica: str, person: str, scenario: str) -> None:
    """A commissioner on ``replica``: signs with their name, names the scenario and opens the library."""
    open_app(page, replica)
    enter(page, "user_name", person)
    open_tab(page, "Funding")
    enter(page, "sc_name", scenario)
    page.locator("summary", has_text=LIBRARY).click(timeout=TIMEOUT_MS)
    expect(page.locator(".st-key-lib_save_new").get_by_role("button")).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)


def saved_id(page: Page) -> int:
    """The scenario number in the page's "Saved as scenario N, version 1." message."""
    message = page.get_by_text(re.compile(r"Saved as scenario \d+, version 1\."))
    expect(message).to_be_visible(timeout=TIMEOUT_MS)
    found = re.search(r"Saved as scenario (\d+), version 1\.", message.inner_text())
    assert found is not None
    return int(found.group(1))


def wait_for(condition: str, check: Callable[[], bool], timeout_s: float = TIMEOUT_MS / 1000) -> None:
    """Poll ``check()`` until it is true, failing with ``condition`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {condition}")
        time.sleep(0.5)


def test_two_replicas_share_workshops_and_saves(
    new_context: CreateContextCallback, replicas: tuple[str, str], shared_database: str
) -> None:
    """A workshop run on A with participants on B, saves on both at once: the database has each exactly once."""
    replica_a, replica_b = replicas

    # The facilitator creates the workshop on replica A (the first run there also migrates the new database).
    facilitator = new_context().new_page()
    open_app(facilitator, replica_a)
    enter(facilitator, "user_name", "Fran")
    open_tab(facilitator, "Workshop")
    enter(facilitator, "ws_name", WORKSHOP)
    facilitator.locator(".st-key-ws_create").get_by_role("button").click(timeout=TIMEOUT_MS)
    wait_idle(facilitator)
    link_block = facilitator.locator("[data-testid=stCode]").filter(has_text="?workshop=")
    expect(link_block).to_be_visible(timeout=TIMEOUT_MS)
    link = link_block.inner_text().strip()
    assert link.startswith(replica_a), link  # the link names the replica the facilitator is on
    token = link.split("?workshop=")[1]
    assert len(token) >= 32
    expect(facilitator.get_by_text("0 participant(s) have submitted.")).to_be_visible(timeout=TIMEOUT_MS)

    # Two participants, each in their own browser, submit through replica B.
    ann = new_context().new_page()
    bo = new_context().new_page()
    submit_weights(ann, replica_b, token, "Ann", "reach")
    submit_weights(bo, replica_b, token, "Bo", "impact")

    # The facilitator's live view on A (it refreshes every 3 s) counts both.
    expect(facilitator.get_by_text("2 participant(s) have submitted.")).to_be_visible(timeout=TIMEOUT_MS)

    # One commissioner on each replica saves a new scenario at about the same moment: the second click goes
    # right after the first, without waiting for its answer, while the facilitator's live view keeps reading.
    alex = new_context().new_page()
    bea = new_context().new_page()
    ready_to_save(alex, replica_a, "Alex", "Plan saved on A")
    ready_to_save(bea, replica_b, "Bea", "Plan saved on B")
    alex.locator(".st-key-lib_save_new").get_by_role("button").click(timeout=TIMEOUT_MS)
    bea.locator(".st-key-lib_save_new").get_by_role("button").click(timeout=TIMEOUT_MS)
    id_a, id_b = saved_id(alex), saved_id(bea)
    assert id_a != id_b

    # The facilitator closes the workshop on A; it saves the group's scenario as it closes.
    close = facilitator.locator(".st-key-ws_close").get_by_role("button")
    close.click(timeout=TIMEOUT_MS)
    store = Store.open(shared_database)
    code = store.workshops()[0].code
    wait_for("the workshop is closed in the database", lambda: store.workshop(code).closed_at is not None)
    # The next refresh of the live view no longer offers to close it (the success message lasts one refresh).
    expect(facilitator.locator(".st-key-ws_close")).to_have_count(0, timeout=TIMEOUT_MS)

    # A participant who reloads on replica B now sees that it is closed, and no form.
    ann.reload(timeout=TIMEOUT_MS)
    expect(ann.get_by_text("This workshop is closed")).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(ann)
    expect(ann.locator(".st-key-p_submit")).to_have_count(0)

    # What the database holds, whichever replica wrote it: everything once.
    workshops = store.workshops()
    assert [(w.name, w.created_by, w.state) for w in workshops] == [(WORKSHOP, "Fran", "closed")]
    group_id = workshops[0].scenario_id
    assert group_id is not None

    submitted = store.latest_submissions(code)
    assert sorted(s.participant for s in submitted) == ["Ann", "Bo"]
    assert len({s.key for s in submitted}) == 2
    weights = {s.participant: s.weights.as_dict() for s in submitted}
    assert weights["Ann"] == {"impact": 25, "reach": 100, "cost": 25, "risk": 25}
    assert weights["Bo"] == {"impact": 100, "reach": 25, "cost": 25, "risk": 25}
    with store.engine.connect() as connection:  # every submission row, not only each participant's latest
        rows = connection.execute(sa.text("SELECT participant FROM submissions ORDER BY id")).scalars().all()
    assert sorted(rows) == ["Ann", "Bo"]

    saved = store.list_scenarios()
    assert len({s.id for s in saved}) == len(saved) == 3
    assert {s.id: (s.name, s.saved_by, s.version) for s in saved} == {
        id_a: ("Plan saved on A", "Alex", 1),
        id_b: ("Plan saved on B", "Bea", 1),
        group_id: (f"{WORKSHOP}: group weights", "Fran", 1),
    }
    for scenario_id in (id_a, id_b, group_id):
        assert [v.version for v in store.history(scenario_id)] == [1]

    log = store.audit_log()
    assert len({e.id for e in log}) == len(log)
    assert Counter((e.actor, e.action, e.target) for e in log) == Counter(
        {
            ("Fran", "workshop created", f"workshop {code}: {WORKSHOP}"): 1,
            ("Alex", "scenario saved", f"scenario {id_a} version 1: Plan saved on A"): 1,
            ("Bea", "scenario saved", f"scenario {id_b} version 1: Plan saved on B"): 1,
            ("Fran", "workshop scenario saved", f"scenario {group_id} version 1: {WORKSHOP}: group weights"): 1,
            ("Fran", "workshop closed", f"workshop {code}: {WORKSHOP}"): 1,
        }
    )
    store.engine.dispose()
