"""case coordinator: each coordinator's open cases counted from an index

Revision ID: 0008_case_coordinator
Revises: 0001

``users.with_case_counts`` (a coordinator's open cases, shown wherever a coordinator is
chosen) counts the cases of the listed people by status. With an index on the coordinator
alone every case was read to see its status (on SQLite its row, with the workflow state);
on (coordinator, status) the count is a search of the index only. The new index serves every
lookup by coordinator too, so it replaces ``ix_case__coordinator``. A branch of its own on
0001; ``Database.migrate`` upgrades every head.
"""

from alembic import op

revision = "0008_case_coordinator"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_case_coordinator_status", "case_", ["coordinator", "status"])
    op.drop_index("ix_case__coordinator", "case_")


def downgrade() -> None:
    op.create_index("ix_case__coordinator", "case_", ["coordinator"])
    op.drop_index("ix_case_coordinator_status", "case_")
