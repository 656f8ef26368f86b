"""A plan over several years kept with a scenario version: the plan's settings (years, inflation,
contracts, stream changes) as JSON, empty for a version saved without one.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("scenario_versions", sa.Column("plan_json", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("scenario_versions", "plan_json")
