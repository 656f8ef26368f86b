"""Who may do what: roles, what each permits, and the small file that maps signed-in people to roles.

A signed-in person's roles are the union of every rule in the roles file that matches them (by email,
by email domain, or by a group in the identity provider's ``groups`` claim), the roles an admin has
granted them in the app, and the file's ``default_role`` (``viewer`` unless the file says ``none``).
With no sign-in configured (local mode) the one person at the machine may do everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, StringConstraints, ValidationError, model_validator

from matrix.catalogue import Problem, Strict, decode_text, parse_toml, read_bounded
from scoring import DecisionError

MAX_ROLES_BYTES = 1024 * 1024


class Role(StrEnum):
    VIEWER = "viewer"
    COMMISSIONER = "commissioner"
    FACILITATOR = "facilitator"
    EDITOR = "editor"
    ADMIN = "admin"


class Permission(StrEnum):
    """Each value says what it allows, so a refusal can name it."""

    SAVE_SCENARIOS = "save and version scenarios"
    EXPORT_RECORDS = "download and import decision records"
    RUN_WORKSHOPS = "create, run and close workshops"
    EDIT_CATALOGUE = "change the catalogue, refresh YEF ratings and save the catalogue file"
    DELETE_SCENARIOS = "delete saved scenarios"
    MANAGE_ROLES = "grant and remove roles"
    VIEW_AUDIT = "read and export the audit log"
    ERASE_PERSONAL_DATA = "erase a workshop participant's weights"


# A viewer explores, compares and downloads the shortlist, charts and report: no permission needed.
ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset(),
    Role.COMMISSIONER: frozenset({Permission.SAVE_SCENARIOS, Permission.EXPORT_RECORDS}),
    Role.FACILITATOR: frozenset({Permission.RUN_WORKSHOPS}),
    Role.EDITOR: frozenset({Permission.EDIT_CATALOGUE}),
    Role.ADMIN: frozenset(Permission),
}

ROLE_WORDS: Mapping[Role, str] = {
    Role.VIEWER: "explore, compare and download",
    Role.COMMISSIONER: "save and version scenarios, export decision records",
    Role.FACILITATOR: "create, run and close workshops",
    Role.EDITOR: "change the catalogue, refresh YEF ratings, save the file",
    Role.ADMIN: "everything, plus roles, deletions and the audit log",
}


class AccessError(DecisionError):
    """An action the signed-in person's roles do not allow, or a roles file that cannot be used."""


class Forbidden(AccessError):
    """Refused: the person's roles do not allow this action (said with the role that would)."""


@dataclass(frozen=True)
class Principal:
    """The person behind a session: who they are and what their roles allow.

    ``signed_in`` is False in local mode, where ``name`` is what the person typed in the sidebar.
    """

    name: str
    email: str
    roles: frozenset[Role]
    signed_in: bool

    @property
    def actor(self) -> str:
        """How this person is written in the audit log and on saved versions and records."""
        if self.email:
            return f"{self.name} <{self.email}>" if self.name and self.name != self.email else self.email
        return self.name

    def may(self, permission: Permission) -> bool:
        return any(permission in ROLE_PERMISSIONS[role] for role in self.roles)

    def require(self, permission: Permission) -> None:
        """Refuse (``Forbidden``) unless one of this person's roles allows ``permission``."""
        if self.may(permission):
            return
        needed = sorted(r.value for r in Role if permission in ROLE_PERMISSIONS[r] and r is not Role.ADMIN)
        held = ", ".join(sorted(r.value for r in self.roles)) or "no role"
        raise Forbidden(
            f"you are signed in as {self.actor or 'someone'} with {held}; to {permission.value} you need the "
            + (" or ".join(needed) if needed else "admin")
            + " role (ask an admin)"
        )


@dataclass(frozen=True)
class Identity:
    """What the identity provider says about a signed-in person, checked."""

    email: str
    name: str
    groups: frozenset[str]


def identity_from_claims(claims: Mapping[str, Any]) -> Identity:
    """The email, name and groups in an ID token's claims. An email the provider marks unverified
    (``email_verified`` false) is refused: roles given by email or domain must not be claimable by
    whoever typed that address into an account."""
    email = str(claims.get("email") or "").strip().lower()
    if not email or "@" not in email:
        raise AccessError("your account has no email address the app can use; ask your IT team")
    if claims.get("email_verified") is False or str(claims.get("email_verified")).lower() == "false":
        raise AccessError("your identity provider has not verified the email address on your account")
    raw_groups = claims.get("groups") or ()
    groups = [raw_groups] if isinstance(raw_groups, str) else list(raw_groups) if isinstance(raw_groups, list | tuple) else []
    # A display name is free text: no angle brackets or addresses, so it can never pass itself off as another person.
    name = " ".join(str(claims.get("name") or email).replace("<", " ").replace(">", " ").split())[:200]
    if not name or "@" in name:  # a name that reads like an address shows the real address instead
        name = email
    return Identity(email=email, name=name, groups=frozenset(str(g) for g in groups))


def local_principal(typed_name: str) -> Principal:
    """Local mode: the one person at this machine, with every role, known by the name they typed."""
    return Principal(name=" ".join(typed_name.split()), email="", roles=frozenset(Role), signed_in=False)


RoleName = Literal["viewer", "commissioner", "facilitator", "editor", "admin"]
assert set(get_args(RoleName)) == {r.value for r in Role}

_Email = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
_Domain = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$", max_length=253)
]
_Group = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Rule(Strict):
    """Who (exactly one of email, domain, group) gets which roles."""

    email: _Email | None = None
    domain: _Domain | None = None
    group: _Group | None = None
    roles: tuple[RoleName, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_who(self) -> Rule:
        given = [k for k in ("email", "domain", "group") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of email, domain or group in each rule")
        return self

    def matches(self, email: str, groups: frozenset[str]) -> bool:
        if self.email is not None:
            return email == self.email
        if self.domain is not None:
            return email.rpartition("@")[2] == self.domain
        return self.group in groups


class RoleRules(Strict):
    """The roles file: ``default_role`` and a list of ``[[rule]]`` tables."""

    default_role: str = "viewer"
    rule: tuple[Rule, ...] = ()

    @model_validator(mode="after")
    def _known_default(self) -> RoleRules:
        allowed = [*get_args(RoleName), "none"]
        if self.default_role not in allowed:
            raise ValueError(f"default_role must be one of {', '.join(allowed)}")
        return self

    def roles_for(self, email: str, groups: Iterable[str] = (), granted: Iterable[str] = ()) -> frozenset[Role]:
        """Every role that applies to this person (the file's rules, the default, and grants made in the app)."""
        address = email.strip().lower()
        held = frozenset(str(g) for g in groups)
        roles = {Role(role) for rule in self.rule if rule.matches(address, held) for role in rule.roles}
        roles |= {Role(g) for g in granted if g in set(Role)}
        if self.default_role != "none":
            roles.add(Role(self.default_role))
        return frozenset(roles)


def parse_roles(raw: bytes, shown: str) -> RoleRules:
    """A roles file's bytes as rules; every problem is an ``AccessError`` with the file and place."""
    try:
        document = parse_toml(decode_text(raw, shown), shown)
        return RoleRules.model_validate(_tupled(document))
    except DecisionError as error:  # the catalogue reader's located problems
        raise AccessError(f"the roles file cannot be used: {error}") from None
    except ValidationError as error:
        problems: dict[str, str] = {}
        for item in error.errors():
            where = " ".join(f"{p + 1}" if isinstance(p, int) else str(p) for p in item["loc"])
            problems.setdefault(where, str(Problem(item["msg"].removeprefix("Value error, "), shown, where)))
        raise AccessError("the roles file cannot be used: " + "; ".join(problems.values())) from None


def load_roles(path: str | Path) -> RoleRules:
    raw = read_bounded(path, MAX_ROLES_BYTES, str(path), AccessError, "a roles file")
    return parse_roles(raw, str(path))


def _tupled(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _tupled(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    return value
