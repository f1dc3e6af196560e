"""user_changes: an append-only record of the leder's changes to users

Revision ID: 0010_user_changes
Revises: 0001

The user administration page (``webapp/user_pages.py``) creates users, changes their roles and
service areas, and deactivates and reactivates them; each change is a row here with who made
it and when, as the case history records who acted on a case. A branch of its own on 0001;
``Database.migrate`` upgrades every head.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from engine.kernel.models.base import UTCDateTime

revision = "0010_user_changes"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("what", sa.String(length=30), nullable=False),
        sa.Column("data", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_user_change_username", "user_change", ["username"])


def downgrade() -> None:
    op.drop_index("ix_user_change_username", "user_change")
    op.drop_table("user_change")
