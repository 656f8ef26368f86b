"""Sign-in and roles on the page: who is using this session, and the ``Desk`` their roles open. Widgets only.

With ``[auth]`` in Streamlit's secrets the app signs people in through the partnership's identity
provider (``st.login``) and maps them to roles with the roles file; without it, the app is in local
mode for one person on their own machine. ``MATRIX_REQUIRE_SIGNIN=1`` (a deployment) refuses to serve
anything until sign-in and the roles file are both valid.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from matrix.access import (
    ROLE_WORDS,
    AccessError,
    AttemptLimiter,
    Desk,
    Principal,
    RoleRules,
    identity_from_claims,
    load_roles,
    local_principal,
)
from matrix.catalogue import decode_text, parse_toml, read_bounded
from matrix.persistence import StoreError
from scoring import DecisionError
from ui import library
from ui.text import plain

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ROLES_FILE = ROOT / "roles.toml"
MAX_SECRETS_BYTES = 1024 * 1024


def signin_required() -> bool:
    return os.environ.get("MATRIX_REQUIRE_SIGNIN", "").strip().lower() in {"1", "true", "yes"}


def auth_configured() -> bool:
    """Whether Streamlit's secrets hold an ``[auth]`` section (sign-in is then on). A secrets file
    that exists but cannot be read is an ``AccessError``, never a quiet fall back to local mode."""
    # Streamlit treats a secrets file it cannot parse like no file at all; that must not mean local mode.
    for name in st.get_option("secrets.files") or []:
        try:
            mtime = Path(name).stat().st_mtime_ns
        except OSError:
            continue  # no file there
        problem = _secrets_problem(str(name), mtime)
        if problem:
            raise AccessError(f"the secrets file cannot be read ({problem}), so it is not known whether sign-in is configured")
    return bool(st.secrets.load_if_toml_exists()) and "auth" in st.secrets


@st.cache_resource(show_spinner=False, max_entries=8)
def _secrets_problem(path: str, mtime_ns: int) -> str:
    """What is wrong with a secrets file ('' when it parses); read once per change of the file, not every run."""
    del mtime_ns
    try:
        parse_toml(decode_text(read_bounded(path, MAX_SECRETS_BYTES, path), path), path)
    except DecisionError as error:
        return str(error)
    return ""


def roles_path() -> Path:
    return Path(os.environ.get("MATRIX_ROLES", str(DEFAULT_ROLES_FILE)))


@st.cache_resource(show_spinner=False, max_entries=4)
def _rules(path: str, mtime_ns: int) -> RoleRules:
    del mtime_ns
    return load_roles(path)


def role_rules() -> RoleRules:
    """The roles file (re-read when it changes); an ``AccessError`` says what is wrong with it."""
    path = roles_path()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise AccessError(f"the roles file {path} does not exist (set MATRIX_ROLES, or copy roles.example.toml)") from None
    return _rules(str(path), mtime)


def _refuse(message: str) -> None:
    st.title("Interventions matrix")
    st.error(message)
    st.stop()


def check_deployment() -> None:
    """With MATRIX_REQUIRE_SIGNIN set, serve nothing (not even a workshop link) unless sign-in is
    configured and the roles file is valid; with sign-in configured, a broken roles file also stops it,
    and so does a secrets file that cannot be read."""
    try:
        configured = auth_configured()
    except AccessError as error:
        _refuse(f"Nothing is served: {plain(error)}. Fix .streamlit/secrets.toml (see the README's section on sign-in).")
        return
    if not configured:
        if signin_required():
            _refuse(
                "This deployment requires sign-in (MATRIX_REQUIRE_SIGNIN is set), but no [auth] section is configured "
                "in .streamlit/secrets.toml, so nothing is served. See the README's section on sign-in."
            )
        return
    try:
        role_rules()
    except AccessError as error:
        _refuse(f"Sign-in is configured but {plain(error)}. Nothing is served until it is fixed.")


@dataclass(frozen=True)
class _Refusal:
    """Why nobody may use the page as things stand: not signed in, or signed in without an email or a role."""

    message: str  # empty: nobody is signed in (the sign-in page)
    sign_out_key: str = ""


def _identify(warn: bool) -> Principal | _Refusal:
    """The person using this session, or why nobody may; with ``warn``, a store that cannot say which roles
    were granted in the app is said on the page (only the roles file then applies)."""
    if not auth_configured():
        return local_principal(str(st.session_state.get("user_name", "")))
    rules = role_rules()  # checked by check_deployment
    if not st.user.get("is_logged_in", False):
        return _Refusal("")
    try:
        identity = identity_from_claims(st.user.to_dict())
    except AccessError as error:
        return _Refusal(f"You are signed in, but {plain(error)}.", "sign_out_noemail")
    email, name = identity.email, identity.name
    granted: set[str] = set()
    store = library.open_store(os.environ.get("DATABASE_URL"), os.environ.get("MATRIX_DATA_DIR"))
    if not isinstance(store, str):
        try:
            granted = store.granted_roles(email)
        except StoreError as error:
            if warn:
                st.warning(f"Roles granted in the app cannot be read just now, so only the roles file applies: {plain(error)}")
    roles = rules.roles_for(email, identity.groups, granted)
    if not roles:
        return _Refusal(
            f"You are signed in as {plain(name)}, but that account has no role here. "
            "Ask an admin of the partnership to give you one.",
            "sign_out_norole",
        )
    return Principal(name=name, email=email, roles=roles, signed_in=True)


def principal() -> Principal:
    """The person using this session. Draws the sign-in page and stops the run when nobody is signed in."""
    found = _identify(warn=True)
    if isinstance(found, Principal):
        return found
    st.title("Interventions matrix")
    if not found.message:
        st.markdown("Sign in with your organisation's account to use the interventions matrix.")
        st.button("Sign in", key="sign_in", type="primary", on_click=st.login)
        st.caption("Workshop participants do not need an account: use the link the facilitator gave you.")
    else:
        st.error(found.message)
        st.button("Sign out", key=found.sign_out_key, on_click=st.logout)
    st.stop()
    raise AssertionError("st.stop() ends the run")  # never reached


def still(person: Principal) -> bool:
    """Whether this session's person is still ``person``, with the same roles (and sign-in is still valid):
    a rerun of part of the page checks this, and the whole page runs again when it is not so."""
    try:
        return _identify(warn=False) == person
    except AccessError:
        return False


def identity_sidebar(person: Principal) -> None:
    """Who is signed in and what they may do, or that this is local mode (with the name to sign saves)."""
    with st.sidebar:
        st.header("You")
        if person.signed_in:
            st.markdown(f"Signed in as **{plain(person.name)}**")
            st.caption(plain(person.email))
            st.caption("You can: " + "; ".join(ROLE_WORDS[r] for r in sorted(person.roles, key=list(ROLE_WORDS).index)))
            st.button("Sign out", key="sign_out", on_click=st.logout)
            return
        st.caption(
            "Local mode: sign-in is off, so this app is for one person on this computer, who may do everything. "
            "A partnership deployment turns sign-in on (see the README)."
        )
        if not _listening_locally():
            st.warning(
                "This app can be reached from other computers, but sign-in is off: anyone who reaches it can change anything."
            )
        st.text_input(
            "Your name",
            key="user_name",
            max_chars=120,
            help="Signs saved scenarios and decision records.",
            persist_state="session",
        )


def _listening_locally() -> bool:
    address = str(st.get_option("server.address") or "").strip()
    if address in {"localhost", ""}:
        return address == "localhost"
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def desk(person: Principal) -> Desk | None:
    """This person's desk on the store, or None (with a message) when the store cannot be opened."""
    store = library.store_or_message()
    return None if store is None else Desk(store, person)


@st.cache_resource(show_spinner=False)
def link_limiter() -> AttemptLimiter:
    """One limiter for the process: unknown workshop links tried per client."""
    return AttemptLimiter()


def client_key() -> str:
    """Who is asking, for the rate limit: the address the request came from (with MATRIX_TRUST_PROXY=1,
    behind the deployment's reverse proxy, the address that proxy added to X-Forwarded-For)."""
    if os.environ.get("MATRIX_TRUST_PROXY") == "1":
        # The last address is the one our proxy added; earlier ones are whatever the client sent.
        forwarded = str(st.context.headers.get("X-Forwarded-For") or "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "unknown"
