"""the manager's monitor: derived action items, escalation steps, event indexes

Revision ID: 0002_monitor
Revises: 0001

A branch of its own (other features add their own 0002_* revisions on 0001);
``Database.migrate`` upgrades every head.
"""

import sqlalchemy as sa
from alembic import op

import engine.kernel.models

revision = "0002_monitor"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "action_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("recorded_at", engine.kernel.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.create_index("ix_action_item_case_id", ["case_id"], unique=False)
        batch_op.create_index("ix_action_item_open", ["status", "deadline"], unique=False)

    op.create_table(
        "task_escalation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("at", engine.kernel.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "level"),
    )
    with op.batch_alter_table("task_escalation", schema=None) as batch_op:
        batch_op.create_index("ix_task_escalation_task_id", ["task_id"], unique=False)

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index("ix_event_case_at", ["case_id", "at"], unique=False)
        batch_op.create_index("ix_event_kind_at", ["kind", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_kind_at")
        batch_op.drop_index("ix_event_case_at")
    with op.batch_alter_table("task_escalation", schema=None) as batch_op:
        batch_op.drop_index("ix_task_escalation_task_id")
    op.drop_table("task_escalation")
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_index("ix_action_item_open")
        batch_op.drop_index("ix_action_item_case_id")
    op.drop_table("action_item")
