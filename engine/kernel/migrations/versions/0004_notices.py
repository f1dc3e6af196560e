"""notices: when a person last read a case's thread and letters, or a task

Revision ID: 0004_notices
Revises: 0001

A branch of its own (features add their own revisions on 0001); ``Database.migrate`` upgrades
every head.
"""

import sqlalchemy as sa
from alembic import op

import engine.kernel.models

revision = "0004_notices"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "read_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("topic", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("read_at", engine.kernel.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username", "topic", "item_id"),
    )


def downgrade() -> None:
    op.drop_table("read_mark")
