"""Who may do what: roles from the signed-in identity, the server-side checks on every change, and
the limit on guessing workshop links.

Names are imported from their module on first use (PEP 562): checking a roles file does not load
the store behind the desk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scoring import lazy_names

if TYPE_CHECKING:
    from matrix.access.desk import AuditGap, Desk, audit_table
    from matrix.access.limits import AttemptLimiter, TooManyAttempts
    from matrix.access.roles import (
        ROLE_PERMISSIONS,
        ROLE_WORDS,
        AccessError,
        Forbidden,
        Identity,
        Permission,
        Principal,
        Role,
        RoleRules,
        identity_from_claims,
        load_roles,
        local_principal,
        parse_roles,
    )

# Which module of the package each public name lives in.
_MODULES = {
    "desk": ("AuditGap", "Desk", "audit_table"),
    "limits": ("AttemptLimiter", "TooManyAttempts"),
    "roles": (
        "ROLE_PERMISSIONS",
        "ROLE_WORDS",
        "AccessError",
        "Forbidden",
        "Identity",
        "Permission",
        "Principal",
        "Role",
        "RoleRules",
        "identity_from_claims",
        "load_roles",
        "local_principal",
        "parse_roles",
    ),
}
_MODULE_OF, __getattr__, __dir__ = lazy_names(__name__, globals(), _MODULES)


__all__ = [
    "ROLE_PERMISSIONS",
    "ROLE_WORDS",
    "AccessError",
    "AttemptLimiter",
    "AuditGap",
    "Desk",
    "Forbidden",
    "Identity",
    "Permission",
    "Principal",
    "Role",
    "RoleRules",
    "TooManyAttempts",
    "audit_table",
    "identity_from_claims",
    "load_roles",
    "local_principal",
    "parse_roles",
]
