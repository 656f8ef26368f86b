"""Local mode and the deployment setting, in AppTest (sign-in itself is tested in a real browser: tests/e2e/test_signin.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.test_app import APP, start

AUTH = {
    "redirect_uri": "http://127.0.0.1:1/oauth2callback",
    "cookie_secret": "x" * 40,
    "client_id": "matrix",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
}


def test_local_mode_says_so_and_everything_is_there() -> None:
    at = start()
    assert not at.exception
    assert any("Local mode: sign-in is off" in c.value for c in at.caption)
    assert at.text_input(key="user_name")
    assert "Admin" in [t.label for t in at.tabs]


@pytest.mark.parametrize("query", [{}, {"workshop": "a" * 32}])
def test_a_deployment_without_sign_in_serves_nothing(monkeypatch: pytest.MonkeyPatch, query: dict[str, str]) -> None:
    """MATRIX_REQUIRE_SIGNIN with no [auth]: not the page, not a workshop link; the reason in words."""
    monkeypatch.setenv("MATRIX_REQUIRE_SIGNIN", "1")
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "This deployment requires sign-in (MATRIX_REQUIRE_SIGNIN is set), but no [auth] section is configured in "
        ".streamlit/secrets.toml, so nothing is served. See the README's section on sign-in."
    ]
    assert not at.tabs and not at.slider and not at.text_input


def test_sign_in_with_a_broken_roles_file_serves_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    roles = tmp_path / "roles.toml"
    roles.write_text('[[rule]]\nemail = "a@b.org"\nroles = ["boss"]\n', encoding="utf-8")
    monkeypatch.setenv("MATRIX_ROLES", str(roles))
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert error.startswith("Sign-in is configured but the roles file cannot be used:")
    assert "rule 1 roles 1" in error and not at.tabs


def test_sign_in_configured_shows_only_the_sign_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    roles = tmp_path / "roles.toml"
    roles.write_text('default_role = "viewer"\n', encoding="utf-8")
    monkeypatch.setenv("MATRIX_ROLES", str(roles))
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.tabs and not at.slider


def test_guessing_workshop_links_is_slowed_but_a_good_link_is_not(isolated_store: Path) -> None:
    """Five unknown links from one client, then even a sixth try is refused with how long to wait;
    the limiter counts only failures, so opening a real link again and again is never slowed."""
    from matrix.persistence import Store
    from ui import access

    access.link_limiter.clear()
    try:
        token = Store.open(data_dir=isolated_store).create_workshop("Board", "Fran").participant_token
        for _ in range(3):
            assert not start({"workshop": token}).error
        for attempt in range(5):
            assert start({"workshop": f"guess{attempt:027d}"}).error[0].value.startswith("this workshop link is not known")
        refused = start({"workshop": "guess-number-six-xxxxxxxxxxxxxxxxx"})
        assert refused.error[0].value.startswith("too many unknown workshop links were tried from this device; wait ")
        assert start({"workshop": token}).error[0].value.startswith("too many unknown workshop links")
    finally:
        access.link_limiter.clear()
