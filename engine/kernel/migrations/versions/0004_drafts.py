"""drafts: what a person typed into a task's form and saved unfinished

Revision ID: 0004_drafts
Revises: 0001

A branch of its own (features add their own revisions on 0001); ``Database.migrate`` upgrades
every head.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import engine.kernel.models

revision = "0004_drafts"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "task_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("saved_at", engine.kernel.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "username"),
    )
    op.create_index("ix_task_draft_task_id", "task_draft", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_task_draft_task_id", table_name="task_draft")
    op.drop_table("task_draft")
