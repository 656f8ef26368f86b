"""Who may do what: roles from the signed-in identity, the server-side checks on every change, and
the limit on guessing workshop links."""

from matrix.access.desk import (
    AuditGap,
    Desk,
    audit_table,
)
from matrix.access.limits import (
    AttemptLimiter,
    TooManyAttempts,
)
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
