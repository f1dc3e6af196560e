"""monitor_snapshot: the monitor's figures as the worker last computed them

Revision ID: 0009_monitor_snapshot
Revises: 0001

The monitor's heat map, per-area counts and trends read every open case and every milestone
event (6–12 s at 100,000 cases); the worker now computes them every few minutes into this
table and the page reads the newest row (``engine/features/monitor_snapshot.py``). A branch of
its own on 0001; ``Database.migrate`` upgrades every head.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from engine.kernel.models.base import UTCDateTime

revision = "0009_monitor_snapshot"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitor_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("figures", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_monitor_snapshot_computed_at", "monitor_snapshot", ["computed_at"])


def downgrade() -> None:
    op.drop_index("ix_monitor_snapshot_computed_at", "monitor_snapshot")
    op.drop_table("monitor_snapshot")
