"""A real OpenID Connect sign-in for the browser tests: oidc-provider-mock on loopback and Streamlit's st.login.

``run_oidc_provider()`` serves the provider from a thread on a free 127.0.0.1 port. ``start_app_with_sign_in``
registers a client with it, writes an ``[auth]`` secrets file into a temporary folder and serves a script
with ``--secrets.files`` pointing there (nothing is written into the repository's ``.streamlit/``).
``sign_in`` and ``sign_out`` drive Chromium through the app's button and the provider's pages.

The provider chooses claims per subject: ``set_user`` (or ``sign_in``) stores them under the subject
(the email here) with ``PUT /users/<sub>``, and typing that subject into the provider's authorization form
issues an ID token carrying them. Claims outside the standard scopes (``groups``) are always included;
Streamlit copies the ID token's claims into ``st.user``, so ``st.user["groups"]`` is the list as given.
"""

from __future__ import annotations

import importlib
import json
import secrets
import threading
import urllib.parse
import urllib.request
import warnings
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomli_w
import werkzeug.serving
from playwright.sync_api import Page, expect

from tests.conftest import ROOT
from tests.e2e.conftest import free_port, start_app

# Its imports of authlib.jose and Authlib's httpx client warn of Authlib 2; not ours to fix. authlib.deprecate
# goes first, outside the block: on import it puts an "always" filter for its warnings in front of any other.
importlib.import_module("authlib.deprecate")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import oidc_provider_mock  # type: ignore[import-untyped]  # no py.typed

# For a test module's pytestmark: the provider thread's Authlib calls warn of Authlib 1.8's API on each sign-in.
QUIET_PROVIDER = (pytest.mark.filterwarnings(r"ignore:get_jwt_config\(self, grant\) is deprecated:DeprecationWarning"),)

IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
CALLBACK_PATH = "/oauth2callback"  # Streamlit's fixed callback route; redirect_uri must end with it
# Sign-in is three redirects and a token exchange on loopback; slow only under load.
SIGN_IN_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class Client:
    """A client registered with the provider (what ``[auth]`` needs besides the issuer)."""

    client_id: str
    client_secret: str
    redirect_uri: str


@dataclass(frozen=True)
class OidcProvider:
    """A running oidc-provider-mock; ``issuer`` is its base URL, e.g. ``http://127.0.0.1:41234``."""

    issuer: str
    require_registration: bool

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def register_client(self, redirect_uri: str) -> Client:
        """Register a confidential client for ``redirect_uri`` (dynamic client registration, RFC 7591).

        With ``require_registration`` (the default of ``run_oidc_provider``) only registered clients, with
        their own secret and exactly this redirect URI, may sign in; without it any id and secret work.
        """
        reply = _request(self.issuer + "/oauth2/clients", "POST", {"redirect_uris": [redirect_uri]})
        return Client(str(reply["client_id"]), str(reply["client_secret"]), redirect_uri)

    def set_user(self, email: str, name: str, groups: Sequence[str] = (), **claims: Any) -> None:
        """Make the provider issue these claims to the subject ``email``; see ``set_user_claims``."""
        set_user_claims(self.issuer, email, name, groups, **claims)


def set_user_claims(issuer: str, email: str, name: str, groups: Sequence[str] = (), **claims: Any) -> None:
    """Store the claims the provider at ``issuer`` issues to the subject ``email`` (replacing any it had).

    The ID token then carries ``sub`` = ``email``, ``email``, ``email_verified`` (true), ``name``, ``groups``
    (a list, possibly empty) and ``claims`` (any other JSON values, which may also override these).
    """
    body = {"email": email, "email_verified": True, "name": name, "groups": list(groups), **claims}
    _request(f"{issuer}/users/{urllib.parse.quote(email, safe='')}", "PUT", body)


def _request(url: str, method: str, body: Mapping[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        text = reply.read()
    return dict(json.loads(text)) if text else {}


@contextmanager
def run_oidc_provider(*, require_registration: bool = True) -> Iterator[OidcProvider]:
    """Serve oidc-provider-mock from a thread on a free 127.0.0.1 port until the block ends.

    The port is bound before the URL is handed out (no race for it). The issuer is the URL as requested,
    so everything (Streamlit's server-side calls and the browser) must use this same ``127.0.0.1`` URL.
    """
    app = oidc_provider_mock.app(require_client_registration=require_registration)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield OidcProvider(f"http://127.0.0.1:{server.server_port}", require_registration)
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


def write_auth_secrets(
    folder: Path,
    *,
    redirect_uri: str,
    client_id: str,
    client_secret: str,
    server_metadata_url: str,
    cookie_secret: str | None = None,
) -> Path:
    """Write ``folder/secrets.toml`` with Streamlit's ``[auth]`` section for one default provider; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secrets.toml"
    auth = {
        "redirect_uri": redirect_uri,
        "cookie_secret": cookie_secret or secrets.token_urlsafe(32),
        "client_id": client_id,
        "client_secret": client_secret,
        "server_metadata_url": server_metadata_url,
    }
    path.write_text(tomli_w.dumps({"auth": auth}), encoding="utf-8")
    return path


@contextmanager
def start_app_with_sign_in(
    script: str | Path,
    provider: OidcProvider,
    folder: Path,
    *,
    env: Mapping[str, str] | None = None,
    unset: Collection[str] = (),
    extra_args: Sequence[str] = (),
    cwd: Path = ROOT,
) -> Iterator[str]:
    """Serve ``script`` with sign-in through ``provider``; yield the app's URL (``http://127.0.0.1:PORT``).

    Picks the app's port, registers a client for its ``/oauth2callback``, writes the secrets file and the
    server log into ``folder`` and passes the file with ``--secrets.files`` (which replaces Streamlit's
    default secrets locations, so no ``.streamlit/secrets.toml`` is read or written). ``env``, ``unset``,
    ``extra_args`` and ``cwd`` are as for ``start_app``; the default ``cwd`` (the repository) keeps the
    repository's ``.streamlit/config.toml`` in force.
    """
    port = free_port()
    client = provider.register_client(f"http://127.0.0.1:{port}{CALLBACK_PATH}")
    path = write_auth_secrets(
        folder,
        redirect_uri=client.redirect_uri,
        client_id=client.client_id,
        client_secret=client.client_secret,
        server_metadata_url=provider.metadata_url,
    )
    with start_app(
        script,
        log=folder / "streamlit.log",
        port=port,
        env=env,
        unset=unset,
        extra_args=["--secrets.files", str(path), *extra_args],
        cwd=cwd,
    ) as url:
        yield url


def wait_idle(page: Page, timeout_ms: int = SIGN_IN_TIMEOUT_MS) -> None:
    """Wait until the app has finished a script run (the attribute reads ``initial`` before the first)."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def sign_in(
    page: Page,
    app_url: str,
    email: str,
    name: str,
    groups: Sequence[str] = (),
    *,
    button: str = "Sign in",
    claims: Mapping[str, Any] | None = None,
) -> None:
    """Sign in through the provider as ``email`` with these claims, and wait until the app is idle again.

    Opens ``app_url`` (unless the page is already on it), clicks the app's ``button``, stores the claims
    with the provider that the browser was sent to (so no provider handle is needed), types the subject
    into its form, authorizes, and waits for Streamlit's callback to land back on the app and finish a run.
    """
    if not page.url.startswith(app_url):
        page.goto(app_url)
    page.get_by_role("button", name=button).click(timeout=SIGN_IN_TIMEOUT_MS)
    page.wait_for_url("**/oauth2/authorize?**", timeout=SIGN_IN_TIMEOUT_MS)
    parts = urllib.parse.urlsplit(page.url)
    set_user_claims(f"{parts.scheme}://{parts.netloc}", email, name, groups, **(claims or {}))
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(app_url.rstrip("/") + "/", timeout=SIGN_IN_TIMEOUT_MS)
    expect(page.locator("[data-testid=stApp]")).to_be_attached(timeout=SIGN_IN_TIMEOUT_MS)
    wait_idle(page)


def sign_out(page: Page, app_url: str, *, button: str = "Sign out") -> None:
    """Click the app's ``button`` (``st.logout()``), confirm the provider's end-session page, wait for the app.

    Streamlit clears its cookies and sends the browser to the provider's ``end_session_endpoint`` with
    ``/oauth2callback`` as the way back; the callback, having no sign-in in progress, redirects to the app.
    """
    page.get_by_role("button", name=button).click(timeout=SIGN_IN_TIMEOUT_MS)
    page.wait_for_url("**/oauth2/end_session?**", timeout=SIGN_IN_TIMEOUT_MS)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(app_url.rstrip("/") + "/", timeout=SIGN_IN_TIMEOUT_MS)
    wait_idle(page)
