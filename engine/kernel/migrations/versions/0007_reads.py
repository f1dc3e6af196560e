"""reads: the inbox's and the monitor's indexes, and each case's last progress

Revision ID: 0007_reads
Revises: 0001

Measured at 100,000 cases (docs/benchmarks.md, ``ipflow bench reads``): a partial index over
ready tasks for the inbox's counts and order, indexes for the monitor's overdue and unclaimed
open tasks, and ``case_.last_progress_at`` (filled from the event history here, kept by the
engine afterwards) so idle cases are found by an index. A branch of its own on 0001;
``Database.migrate`` upgrades every head.
"""

import sqlalchemy as sa
from alembic import op

import engine.kernel.models

revision = "0007_reads"
down_revision = "0001"
branch_labels = None
depends_on = None

READY = sa.text("state = 'ready'")
OPEN = sa.text("completed_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("case_") as batch:
        batch.add_column(sa.Column("last_progress_at",
                                   engine.kernel.models.UTCDateTime(timezone=True),
                                   nullable=True))
    op.execute("UPDATE case_ SET last_progress_at = coalesce((SELECT max(e.at) FROM event e "
               "WHERE e.case_id = case_.id "
               "AND e.kind NOT IN ('task_escalated', 'reminder_sent')), created_at)")
    op.create_index("ix_case_progress", "case_", ["last_progress_at", "closed_at", "created_at",
                                                  "service_area"])
    op.create_index("ix_case_open", "case_", ["id", "closed_at", "created_at", "service_area"])
    op.create_index("ix_task_ready", "task", ["role", "service_area", "claimed_by", "assignee",
                                              "due_at", "id"],
                    sqlite_where=READY, postgresql_where=READY)
    op.create_index("ix_task_open_due", "task", ["due_at"], sqlite_where=OPEN,
                    postgresql_where=OPEN)
    op.create_index("ix_task_open_created", "task", ["created_at"], sqlite_where=OPEN,
                    postgresql_where=OPEN)
    op.create_index("ix_task_completed", "task", ["completed_at"])


def downgrade() -> None:
    for name in ("ix_task_completed", "ix_task_open_created", "ix_task_open_due",
                 "ix_task_ready"):
        op.drop_index(name, "task")
    op.drop_index("ix_case_open", "case_")
    op.drop_index("ix_case_progress", "case_")
    with op.batch_alter_table("case_") as batch:
        batch.drop_column("last_progress_at")
