"""The sign-in plumbing itself: a throwaway script, a real OpenID provider on loopback, two users in Chromium."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.e2e.conftest import require_browser
from tests.e2e.oidc import QUIET_PROVIDER, OidcProvider, run_oidc_provider, sign_in, sign_out, start_app_with_sign_in

pytestmark = [pytest.mark.e2e, *QUIET_PROVIDER]

SCRIPT = textwrap.dedent(
    """
    import streamlit as st

    # st.user.is_logged_in raises where no [auth] is configured; .get does not.
    if not st.user.get("is_logged_in", False):
        st.markdown("Signed out")
        if st.button("Sign in"):
            st.login()
    else:
        with st.container(key="who"):
            st.text(f"email: {st.user.email}")
            st.text(f"name: {st.user.name}")
            st.text("groups: " + ",".join(st.user.get("groups") or []))
        if st.button("Sign out"):
            st.logout()
    """
)


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    require_browser()
    with run_oidc_provider() as running:
        yield running


@pytest.fixture(scope="module")
def signin_app_url(provider: OidcProvider, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("signin")
    script = folder / "signin_app.py"
    script.write_text(SCRIPT, encoding="utf-8")
    with start_app_with_sign_in(script, provider, folder / "server", cwd=folder) as url:
        yield url


def open_signed_out(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)


def test_two_users_sign_in_and_out(new_context: CreateContextCallback, signin_app_url: str, tmp_path: Path) -> None:
    """Each browser sees its own user's email, name and groups; signing one out leaves the other signed in."""
    alice = new_context().new_page()
    bob = new_context().new_page()
    open_signed_out(alice, signin_app_url)
    open_signed_out(bob, signin_app_url)

    sign_in(alice, signin_app_url, "alice@example.org", "Alice Admin", ["matrix-admins", "analysts"])
    sign_in(bob, signin_app_url, "bob@example.org", "Bob Viewer", ["viewers"])

    who_alice, who_bob = alice.locator(".st-key-who"), bob.locator(".st-key-who")
    expect(who_alice).to_contain_text("email: alice@example.org")
    expect(who_alice).to_contain_text("name: Alice Admin")
    expect(who_alice).to_contain_text("groups: matrix-admins,analysts")
    expect(who_bob).to_contain_text("email: bob@example.org")
    expect(who_bob).to_contain_text("name: Bob Viewer")
    expect(who_bob).to_contain_text("groups: viewers")
    assert {c["name"] for c in alice.context.cookies()} >= {"_streamlit_user", "_streamlit_user_tokens"}

    sign_out(bob, signin_app_url)
    expect(bob.get_by_role("button", name="Sign in")).to_be_visible()
    expect(bob.locator(".st-key-who")).to_have_count(0)
    assert "_streamlit_user" not in {c["name"] for c in bob.context.cookies()}

    # Alice's browser is untouched, also after a reload (a new session reads her cookie again).
    alice.reload()
    expect(alice.locator(".st-key-who")).to_contain_text("email: alice@example.org", timeout=30_000)
    expect(alice.locator(".st-key-who")).to_contain_text("groups: matrix-admins,analysts")
    alice.screenshot(path=str(tmp_path / "alice.png"))
