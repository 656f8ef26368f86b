"""The real app with sign-in on: a real OpenID provider on loopback, the roles file, and people with
different roles in Chromium. What each sees, what each can do, and what the audit log keeps."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_playwright.pytest_playwright import CreateContextCallback

from matrix.catalogue import Weights
from matrix.persistence import Store
from tests.conftest import ROOT
from tests.e2e.conftest import require_browser, start_app
from tests.e2e.oidc import QUIET_PROVIDER, OidcProvider, run_oidc_provider, sign_in, sign_out, start_app_with_sign_in, wait_idle
from tests.e2e.test_part_runs import nudge

pytestmark = [pytest.mark.e2e, *QUIET_PROVIDER]

ROLES = """
default_role = "viewer"

[[rule]]
email = "cara@city.gov.uk"
roles = ["commissioner"]

[[rule]]
group = "vrp-admins"
roles = ["admin"]
"""


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    require_browser()
    with run_oidc_provider() as running:
        yield running


@pytest.fixture(scope="module")
def deployment(provider: OidcProvider, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app as a partnership would run it: sign-in required, a roles file, its own store."""
    folder = tmp_path_factory.mktemp("deployment")
    roles = folder / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    data = folder / "var"
    env = {"MATRIX_ROLES": str(roles), "MATRIX_DATA_DIR": str(data), "MATRIX_REQUIRE_SIGNIN": "1"}
    with start_app_with_sign_in(
        ROOT / "streamlit_app.py", provider, folder / "server", env=env, unset={"MATRIX_CATALOGUE", "DATABASE_URL"}
    ) as url:
        yield url, data


def signed_out(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_idle(page)


def test_a_viewer_and_a_commissioner_see_and_do_different_things(
    new_context: CreateContextCallback, deployment: tuple[str, Path]
) -> None:
    url, data = deployment
    vic, cara = new_context().new_page(), new_context().new_page()
    signed_out(vic, url)
    expect(vic.get_by_role("tab", name="Funding")).to_have_count(0)  # nothing but the sign-in before signing in

    sign_in(vic, url, "vic@city.gov.uk", "Vic Viewer")
    expect(vic.get_by_text("Signed in as Vic Viewer")).to_be_visible(timeout=30_000)
    expect(vic.get_by_role("tab", name="Admin")).to_have_count(0)
    expect(vic.locator(".st-key-user_name")).to_have_count(0)  # no typed name: the sign-in signs
    open_tab(vic, "Funding")
    vic.get_by_text("Saved scenarios (kept in the database, every version)").click()
    expect(vic.get_by_text("saving them needs the commissioner role")).to_be_visible(timeout=15_000)
    expect(vic.locator(".st-key-lib_save_new")).to_have_count(0)
    vic.get_by_text("Decision record: download, or import to restore").click()
    expect(vic.get_by_text("Decision records are downloaded by commissioners.")).to_be_visible()
    open_tab(vic, "Workshop")
    expect(vic.get_by_text("Workshops are run by facilitators")).to_be_visible()
    expect(vic.locator(".st-key-ws_create")).to_have_count(0)
    open_tab(vic, "Data")
    expect(vic.get_by_text("need the editor role")).to_be_visible()
    expect(vic.locator(".st-key-data_editor")).to_have_count(0)

    sign_in(cara, url, "cara@city.gov.uk", "Cara Commissioner")
    open_tab(cara, "Funding")
    cara.get_by_text("Saved scenarios (kept in the database, every version)").click()
    cara.locator(".st-key-lib_save_new").get_by_role("button").click()
    expect(cara.get_by_text("Saved as scenario 1, version 1.")).to_be_visible(timeout=20_000)
    expect(cara.locator(".st-key-lib_delete")).to_have_count(0)  # deleting is for admins
    open_tab(cara, "Workshop")
    expect(cara.get_by_text("Workshops are run by facilitators")).to_be_visible()

    store = Store.open(data_dir=data)
    [saved] = store.list_scenarios()
    assert saved.saved_by == "Cara Commissioner <cara@city.gov.uk>"
    assert [(e.actor, e.action) for e in store.audit_log() if e.action.startswith("scenario")] == [
        ("Cara Commissioner <cara@city.gov.uk>", "scenario saved")
    ]

    sign_out(vic, url)
    expect(vic.get_by_role("button", name="Sign in")).to_be_visible()
    expect(vic.get_by_role("tab", name="Funding")).to_have_count(0)


def test_an_admin_by_group_reads_the_audit_log_and_a_participant_needs_no_account(
    new_context: CreateContextCallback, deployment: tuple[str, Path]
) -> None:
    url, data = deployment
    store = Store.open(data_dir=data)
    workshop = store.create_workshop("Board workshop", "Fran <fran@city.gov.uk>")

    participant = new_context().new_page()
    participant.goto(f"{url}/?workshop={workshop.participant_token}")
    expect(participant.get_by_text("Board workshop")).to_be_visible(timeout=30_000)
    expect(participant.get_by_text("Privacy:")).to_be_visible()
    participant.goto(f"{url}/?workshop=ABCDEF")  # the facilitator's short code is no way in
    expect(participant.get_by_text("this workshop link is not known")).to_be_visible(timeout=30_000)
    participant.goto(url)  # the link without its token: only the sign-in
    expect(participant.get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)
    expect(participant.get_by_role("tab", name="Workshop")).to_have_count(0)

    ada = new_context().new_page()
    sign_in(ada, url, "ada@county.gov.uk", "Ada Admin", ["vrp-admins"])
    open_tab(ada, "Admin")
    expect(ada.get_by_text("Audit log", exact=True)).to_be_visible(timeout=20_000)
    expect(ada.get_by_role("button", name="Download the audit log (CSV)")).to_be_visible()
    open_tab(ada, "Workshop")
    expect(ada.get_by_text("Board workshop").first).to_be_visible(timeout=20_000)


def test_a_secrets_file_that_cannot_be_read_serves_nothing(page: Page, tmp_path: Path) -> None:
    """Streamlit treats an unparseable secrets file like none at all; the app must not fall back to local mode
    (where everyone may do everything): it refuses to serve, and says why without showing the file's contents."""
    broken = tmp_path / "secrets.toml"
    broken.write_text('[auth]\nclient_secret = "s3cret-value\nclient_id = "x"\n', encoding="utf-8")
    with start_app(
        ROOT / "streamlit_app.py",
        log=tmp_path / "streamlit.log",
        env={"MATRIX_DATA_DIR": str(tmp_path / "var")},
        unset={"MATRIX_CATALOGUE", "DATABASE_URL", "MATRIX_REQUIRE_SIGNIN"},
        extra_args=["--secrets.files", str(broken)],
    ) as url:
        page.goto(url)
        expect(page.get_by_text("Nothing is served: the secrets file cannot be read")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("tab", name="Admin")).to_have_count(0)
        expect(page.get_by_text("s3cret-value")).to_have_count(0)


ADA = "Ada Admin <ada@county.gov.uk>"


@contextmanager
def granted(tmp_path: Path, email: str, role: str) -> Iterator[tuple[str, Store]]:
    """An app of its own with sign-in required, everyone a viewer by the roles file and ``email`` granted ``role``
    in the app by an admin: its URL and its store (to take the role away while the person is on the page)."""
    roles, data = tmp_path / "roles.toml", tmp_path / "var"
    roles.write_text('default_role = "viewer"\n', encoding="utf-8")
    store = Store.open(data_dir=data)
    store.grant_role(email, role, ADA)
    env = {"MATRIX_ROLES": str(roles), "MATRIX_DATA_DIR": str(data), "MATRIX_REQUIRE_SIGNIN": "1"}
    with (
        run_oidc_provider() as provider,
        start_app_with_sign_in(
            ROOT / "streamlit_app.py", provider, tmp_path / "server", env=env, unset={"MATRIX_CATALOGUE", "DATABASE_URL"}
        ) as url,
    ):
        yield url, store


def test_a_removed_facilitator_stops_seeing_participants(new_context: CreateContextCallback, tmp_path: Path) -> None:
    """The facilitator's live view refreshes by itself; once an admin removes the role, the next refresh
    shows no names and no Close button (from the attack review)."""
    with granted(tmp_path, "fran@city.gov.uk", "facilitator") as (url, store):
        workshop = store.create_workshop("Board workshop", ADA)
        page = new_context().new_page()
        sign_in(page, url, "fran@city.gov.uk", "Fran Facilitator")
        open_tab(page, "Workshop")
        expect(page.get_by_text("0 participant(s) have submitted.")).to_be_visible(timeout=30_000)
        store.revoke_role("fran@city.gov.uk", "facilitator", ADA)
        store.submit(workshop.participant_token, "zeb-browser-token-0001", "Zebedee", Weights(impact=1, reach=0, cost=0, risk=0))
        expect(page.get_by_text("Workshops are run by facilitators")).to_be_visible(timeout=15_000)
        expect(page.get_by_text("1 participant(s) have submitted.")).to_have_count(0)
        expect(page.locator(".st-key-ws_close")).to_have_count(0)


def test_a_role_removed_mid_session_applies_at_the_next_nudge(new_context: CreateContextCallback, tmp_path: Path) -> None:
    """On the Ranking tab a nudge runs only the part of the page the weights move, with the person the last whole
    run found; it asks again who that is, and with the commissioner role taken away the whole page runs: the
    sidebar (drawn only by a whole run) no longer says she may save."""
    with granted(tmp_path, "cara@city.gov.uk", "commissioner") as (url, store):
        page = new_context().new_page()
        sign_in(page, url, "cara@city.gov.uk", "Cara Commissioner")
        open_tab(page, "Ranking")
        may_save = page.get_by_text("save and version scenarios", exact=False)
        expect(may_save).to_be_visible(timeout=20_000)
        nudge(page, "impact")
        expect(may_save).to_be_visible()  # nothing changed: still the commissioner

        store.revoke_role("cara@city.gov.uk", "commissioner", ADA)
        nudge(page, "impact")
        expect(may_save).to_have_count(0, timeout=15_000)
        expect(page.get_by_text("explore, compare and download", exact=False)).to_be_visible()
