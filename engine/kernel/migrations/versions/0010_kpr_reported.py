"""kpr_reported: when each KPR period was last exported

Revision ID: 0010_kpr_reported
Revises: 0001

``ipflow kpr export`` marks the periods it wrote with the time; a period whose end date is set
later is unmarked again by the engine, so the monitor can show what KPR has not yet been told.
Every row already there counts as not yet reported: no earlier export was recorded. A branch
of its own on 0001; ``Database.migrate`` upgrades every head.
"""

import sqlalchemy as sa
from alembic import op

from engine.kernel.models.base import UTCDateTime

revision = "0010_kpr_reported"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kpr_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reported_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("kpr_record", schema=None) as batch_op:
        batch_op.drop_column("reported_at")
