"""What is kept: the scenario and workshop store (SQLite or PostgreSQL, Alembic migrations) and decision records."""

from matrix.persistence.record import (
    DecisionRecord,
    Elicited,
    PlanRecord,
    RecordError,
    TradeOffAnswer,
    build_record,
    elicited_weights,
    max_record_bytes,
    plan_of,
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
    "AuditEvent",
    "DecisionRecord",
    "Elicited",
    "PlanRecord",
    "RecordError",
    "RoleGrant",
    "SavedScenario",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "Submission",
    "TradeOffAnswer",
    "Workshop",
    "build_record",
    "elicited_weights",
    "max_record_bytes",
    "plan_of",
    "read_record",
    "record_json",
    "replay",
]
