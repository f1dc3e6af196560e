"""case search: indexes for finding any case among many

Revision ID: 0004_search
Revises: 0001

The case list filters by open and overdue tasks, works out where each case waits from its open
tasks, and sorts by the citizen's name without regard to case; these indexes keep that a seek
per case instead of a scan of the task table. A branch of its own; ``Database.migrate``
upgrades every head.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_search"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_task_case_state_due", "task", ["case_id", "state", "due_at"])
    op.create_index("ix_case_name_lower", "case_", [sa.text("lower(citizen_name)")])


def downgrade() -> None:
    op.drop_index("ix_case_name_lower", table_name="case_")
    op.drop_index("ix_task_case_state_due", table_name="task")
