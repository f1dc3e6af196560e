"""list_indexes: the paged lists read their page in an index's order

Revision ID: 0007_list_indexes
Revises: 0001

A case's access log (thousands of reads over a long case) is read newest first a page at a
time: (case_id, at, id) replaces the index on case_id alone, which it serves as well. The open
incidents, oldest first, come from a partial index, so the resolved ones (which only grow)
are never read. A branch of its own on 0001; ``Database.migrate`` upgrades every head.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_list_indexes"
down_revision = "0001"
branch_labels = None
depends_on = None

OPEN = sa.text("resolved_at IS NULL")


def upgrade() -> None:
    op.create_index("ix_access_log_case_at", "access_log", ["case_id", "at", "id"])
    op.drop_index("ix_access_log_case_id", "access_log")
    op.create_index("ix_incident_open", "incident", ["id"], sqlite_where=OPEN,
                    postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index("ix_incident_open", "incident")
    op.create_index("ix_access_log_case_id", "access_log", ["case_id"])
    op.drop_index("ix_access_log_case_at", "access_log")
