"""Roles: the file's rules (email, domain, groups claim), the default, grants from the app, and refusals in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from matrix.access import (
    ROLE_PERMISSIONS,
    AccessError,
    Forbidden,
    Permission,
    Principal,
    Role,
    identity_from_claims,
    load_roles,
    local_principal,
    parse_roles,
)

RULES = b"""
default_role = "viewer"

[[rule]]
email = "Cara.Commissioner@NottinghamCity.gov.uk"
roles = ["commissioner"]

[[rule]]
domain = "nottinghamshire.police.uk"
roles = ["facilitator"]

[[rule]]
group = "9f1c2d3e-editors"
roles = ["editor"]
"""


def test_each_rule_kind_matches_and_roles_add_up() -> None:
    rules = parse_roles(RULES, "roles.toml")
    assert rules.roles_for("cara.commissioner@nottinghamcity.gov.uk") == {Role.COMMISSIONER, Role.VIEWER}
    assert rules.roles_for(" CARA.commissioner@nottinghamcity.gov.uk ") == {Role.COMMISSIONER, Role.VIEWER}
    assert rules.roles_for("pc@nottinghamshire.police.uk", ["9f1c2d3e-editors"]) == {Role.FACILITATOR, Role.EDITOR, Role.VIEWER}
    # a look-alike domain is not the domain
    assert rules.roles_for("x@evil-nottinghamshire.police.uk.example.com") == {Role.VIEWER}
    assert rules.roles_for("x@sub.nottinghamshire.police.uk") == {Role.VIEWER}
    assert rules.roles_for("board@nottinghamcity.gov.uk", granted=["admin", "not-a-role"]) == {Role.ADMIN, Role.VIEWER}


def test_default_none_leaves_strangers_without_a_role() -> None:
    rules = parse_roles(b'default_role = "none"\n[[rule]]\nemail = "a@b.org"\nroles = ["viewer"]\n', "roles.toml")
    assert rules.roles_for("stranger@example.org") == frozenset()
    assert rules.roles_for("a@b.org") == {Role.VIEWER}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (b'[[rule]]\nemail = "a@b.org"\nroles = ["boss"]\n', "rule 1 roles 1: Input should be 'viewer'"),
        (b'[[rule]]\nroles = ["viewer"]\n', "rule 1: give exactly one of email, domain or group"),
        (b'[[rule]]\nemail = "a@b.org"\ndomain = "b.org"\nroles = ["viewer"]\n', "give exactly one of email, domain or group"),
        (b'[[rule]]\nemail = "a@b.org"\nroles = []\n', "rule 1 roles"),
        (b'default_role = "boss"\n', "default_role must be one of viewer, commissioner"),
        (b"surprise = 1\n", "surprise: Extra inputs are not permitted"),
        (b'[[rule]\nemail = "a"\n', "roles.toml:1:"),
        (b"\xff\xfe", "not UTF-8"),
        (b"", "the file is empty"),
    ],
)
def test_a_broken_roles_file_is_refused_in_words(text: bytes, words: str) -> None:
    with pytest.raises(AccessError, match="the roles file cannot be used") as caught:
        parse_roles(text, "roles.toml")
    assert words in str(caught.value)


def test_a_missing_or_odd_roles_file(tmp_path: Path) -> None:
    with pytest.raises(AccessError, match="no such file"):
        load_roles(tmp_path / "absent.toml")
    with pytest.raises(AccessError, match="folder"):
        load_roles(tmp_path)


def test_the_shipped_example_is_valid() -> None:
    example = Path(__file__).resolve().parents[3] / "roles.example.toml"
    rules = load_roles(example)
    assert rules.rule


def test_permissions_per_role() -> None:
    """Viewers change nothing; each role adds only its own powers; admin has every one."""
    assert ROLE_PERMISSIONS[Role.VIEWER] == frozenset()
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert Permission.DELETE_SCENARIOS not in ROLE_PERMISSIONS[Role.COMMISSIONER]
    assert Permission.RUN_WORKSHOPS not in ROLE_PERMISSIONS[Role.COMMISSIONER]
    assert Permission.EDIT_CATALOGUE not in ROLE_PERMISSIONS[Role.FACILITATOR]


def test_a_refusal_names_the_role_needed() -> None:
    viewer = Principal("Vic", "vic@city.gov.uk", frozenset({Role.VIEWER}), signed_in=True)
    with pytest.raises(
        Forbidden, match=r"Vic <vic@city.gov.uk> with viewer; to save and version scenarios you need the commissioner role"
    ):
        viewer.require(Permission.SAVE_SCENARIOS)
    with pytest.raises(Forbidden, match="you need the admin role"):
        viewer.require(Permission.VIEW_AUDIT)


def test_local_mode_is_one_person_with_every_role() -> None:
    person = local_principal("  Fran   Smith ")
    assert person.actor == "Fran Smith" and not person.signed_in
    assert all(person.may(p) for p in Permission)


def test_identity_from_claims() -> None:
    """Email lower-cased, name tidied, groups as a list even when the provider sends one string;
    an unverified or missing email is refused (roles by email must not be claimable)."""
    identity = identity_from_claims({"email": " Ann@City.gov.uk ", "name": " Ann   Smith ", "groups": "vrp-admins"})
    assert (identity.email, identity.name, identity.groups) == ("ann@city.gov.uk", "Ann Smith", {"vrp-admins"})
    assert identity_from_claims({"email": "a@b.org", "groups": ["x", "y"], "email_verified": True}).groups == {"x", "y"}
    assert identity_from_claims({"email": "a@b.org"}).name == "a@b.org"
    for claims in (
        {"email": "a@b.org", "email_verified": False},
        {"email": "a@b.org", "email_verified": "false"},
        {},
        {"email": "nobody"},
    ):
        with pytest.raises(AccessError, match="email"):
            identity_from_claims(claims)
