"""Sign-in and roles: the audit log (append-only), roles granted in the app, workshop tokens and expiry,
and when a participant's name was replaced by a pseudonym. (A participant's weights are keyed by a
per-browser token from now on; earlier ones keep their name as the key.)

Revision ID: 0003
Revises: 0002
"""

import datetime as dt
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Workshops made before this revision stay readable by their facilitator; participants get a fresh
# unguessable link, and an open one expires a week after this upgrade.
_GRACE = dt.timedelta(days=7)

_APPEND_ONLY = "the audit log is append-only: its entries cannot be changed or deleted"


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(400), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("target", sa.String(400), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_table(
        "role_grants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("granted_by", sa.String(400), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_by", sa.String(400), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_role_grants_email", "role_grants", ["email"])
    # Plain ADD COLUMN (no table rebuild, which SQLite's foreign keys would refuse for workshops).
    op.add_column("workshops", sa.Column("participant_token", sa.String(64), nullable=True))
    op.add_column("workshops", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("uq_workshop_participant_token", "workshops", ["participant_token"], unique=True)
    op.add_column("submissions", sa.Column("pseudonymised_at", sa.DateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    workshops = sa.table(
        "workshops",
        sa.column("id", sa.Integer),
        sa.column("participant_token", sa.String),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    expires = dt.datetime.now(dt.UTC) + _GRACE
    for (workshop_id,) in connection.execute(sa.select(workshops.c.id)).all():
        connection.execute(
            sa.update(workshops)
            .where(workshops.c.id == workshop_id)
            .values(participant_token=secrets.token_urlsafe(24), expires_at=expires)
        )
    if connection.dialect.name == "postgresql":
        op.execute(
            f"""CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{_APPEND_ONLY}'; END; $$ LANGUAGE plpgsql"""
        )
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
        # Row triggers do not see TRUNCATE: a statement trigger refuses it too.
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events "
                f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
            )
        # INSERT OR REPLACE deletes the old row without firing DELETE triggers (unless recursive
        # triggers are on): refuse any insert that reuses an existing entry's id.
        op.execute(
            "CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events "
            "WHEN EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    op.drop_column("submissions", "pseudonymised_at")
    op.drop_index("uq_workshop_participant_token", "workshops")
    op.drop_column("workshops", "expires_at")
    op.drop_column("workshops", "participant_token")
    op.drop_index("ix_role_grants_email", "role_grants")
    op.drop_table("role_grants")
    op.drop_table("audit_events")
