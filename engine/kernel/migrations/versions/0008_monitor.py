"""monitor: the open tasks' indexes carry what the stuck list counts by

Revision ID: 0008_monitor
Revises: 0001

The stuck list counts overdue and long unclaimed open tasks (docs/benchmarks.md, "The
monitor"): ``ix_task_open_due`` and ``ix_task_open_created`` (0007_reads) gain the columns the
count tests (creation, claims, the case), so a count reads the index and not the task rows. A
branch of its own on 0001, after 0007_reads (whose indexes it replaces).
"""

from alembic import op
from sqlalchemy import text

revision = "0008_monitor"
down_revision = "0001"
branch_labels = None
depends_on = "0007_reads"

OPEN = text("completed_at IS NULL")
COVERING = {"ix_task_open_due": ["due_at", "created_at", "case_id"],
            "ix_task_open_created": ["created_at", "claimed_by", "assignee", "due_at",
                                     "case_id"]}


def _replace(columns: dict[str, list[str]]) -> None:
    for name, indexed in columns.items():
        op.drop_index(name, "task")
        op.create_index(name, "task", indexed, sqlite_where=OPEN, postgresql_where=OPEN)


def upgrade() -> None:
    _replace(COVERING)


def downgrade() -> None:
    _replace({name: columns[:1] for name, columns in COVERING.items()})
