"""incident_resolved: the monitor finds open incidents by an index range

Revision ID: 0009_incident_resolved
Revises: 0001

The stuck list's incidents (unresolved, or resolved after the moment asked about, and
created before it) had no index on ``resolved_at``: SQLite read every case (100,000 at the
bench's scale) to join the few incidents to them. ``(resolved_at, created_at)`` lets it start
from the incidents, and tells in one look-up whether any was resolved after now
(``monitor_stuck.changed_after``). A branch of its own on 0001; ``Database.migrate``
upgrades every head.
"""

from alembic import op

revision = "0009_incident_resolved"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_incident_resolved", "incident", ["resolved_at", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_incident_resolved", "incident")
