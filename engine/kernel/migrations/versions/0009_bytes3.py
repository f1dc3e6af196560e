"""bytes3: the task table's index on case_id alone is dropped

Revision ID: 0009_bytes3
Revises: 0001

Two other indexes lead with ``task.case_id``: the unique (case_id, spiff_id) and
``ix_task_case_state_due`` (case_id, state, due_at). Every lookup of a case's tasks uses one
of them on both databases (docs/benchmarks.md, "Storage at 30 KB a case", has the plans), so
``ix_task_case_id`` only cost space: 56 bytes a case on SQLite and 63 on PostgreSQL
(issue 12's 30 KB a case). The downgrade creates it again.
"""

from alembic import op

revision = "0009_bytes3"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_task_case_id", table_name="task")


def downgrade() -> None:
    op.create_index("ix_task_case_id", "task", ["case_id"])
