"""What is kept: the scenario and workshop store (SQLite or PostgreSQL, Alembic migrations) and decision records."""

from matrix.persistence.record import (
    MAX_RECORD_BYTES,
    DecisionRecord,
    RecordError,
    build_record,
    read_record,
    record_json,
    replay,
)
from matrix.persistence.store import (
    AuditEvent,
    RoleGrant,
    SavedScenario,
    Store,
    StoreError,
    StoreUnavailable,
    Submission,
    Workshop,
)

__all__ = [
    "MAX_RECORD_BYTES",
    "AuditEvent",
    "DecisionRecord",
    "RecordError",
    "RoleGrant",
    "SavedScenario",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "Submission",
    "Workshop",
    "build_record",
    "read_record",
    "record_json",
    "replay",
]
