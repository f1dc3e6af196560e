"""inbox_counts: the ready tasks counted by who may act on them and the inbox's filters

Revision ID: 0008_inbox_counts
Revises: 0001

The inbox's tab counts, step list and filtered totals summed every ready task on each request
(seconds at 100,000 cases). ``inbox_count`` holds one row per group of ready tasks with the
same step, role, service area, claim and assignee, and how many there are
(``engine/kernel/models/inbox_counts.py`` keeps it at every commit); it is filled here from
the tasks there are. A partial index of the ready tasks in the inbox's order (soonest due
first, no deadline last) lets a page be read without sorting them all. A branch of its own on
0001; ``Database.migrate`` upgrades every head.
"""

import sqlalchemy as sa
from alembic import op

from engine.kernel.models import inbox_counts

revision = "0008_inbox_counts"
down_revision = "0001"
branch_labels = None
depends_on = None

READY = sa.text("state = 'ready'")


def upgrade() -> None:
    op.create_table(
        "inbox_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("bpmn_id", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("service_area", sa.String(length=40), nullable=True),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        sa.Column("assignee", sa.String(length=80), nullable=True),
        sa.Column("tasks", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    inbox_counts.rebuild(op.get_bind())
    op.create_index("ix_task_inbox", "task", [sa.text("(due_at IS NULL)"), "due_at", "id",
                                              "role", "service_area", "claimed_by", "assignee"],
                    sqlite_where=READY, postgresql_where=READY)


def downgrade() -> None:
    op.drop_index("ix_task_inbox", "task")
    op.drop_table("inbox_count")
