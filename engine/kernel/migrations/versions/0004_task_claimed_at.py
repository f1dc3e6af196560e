"""task claimed at: since when the person who holds a group task has held it

Revision ID: 0004_task_claimed_at
Revises: 0001

A branch of its own (features add their own revisions on 0001); ``Database.migrate`` upgrades
every head. A page tells the colleague who opens a held task who holds it and since when.
"""

import sqlalchemy as sa
from alembic import op

import engine.kernel.models

revision = "0004_task_claimed_at"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", engine.kernel.models.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
