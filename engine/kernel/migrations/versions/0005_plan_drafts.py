"""plan drafts: what a person typed into a case's plan form and saved unfinished

Revision ID: 0005_plan_drafts
Revises: 0001

A branch of its own (features add their own revisions on 0001); ``Database.migrate`` upgrades
every head.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import engine.kernel.models

revision = "0005_plan_drafts"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "plan_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("base", sa.Integer(), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("saved_at", engine.kernel.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "username"),
    )
    op.create_index("ix_plan_draft_case_id", "plan_draft", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_plan_draft_case_id", table_name="plan_draft")
    op.drop_table("plan_draft")
