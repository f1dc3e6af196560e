"""a living plan: plan revisions, citizens' proposals, action items with who changed them

Revision ID: 0003_plan
Revises: 0002_monitor

Chains from the monitor's revision, which created ``action_item``.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import engine.kernel.models

revision = "0003_plan"
down_revision = "0002_monitor"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changed_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("changed_at", engine.kernel.models.UTCDateTime(timezone=True),
                                      nullable=True))
    op.create_table(
        "plan_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("base", sa.Integer(), nullable=False),
        sa.Column("changes", JSON, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.String(length=80), nullable=False),
        sa.Column("proposed_at", engine.kernel.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", engine.kernel.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_proposal", schema=None) as batch_op:
        batch_op.create_index("ix_plan_proposal_case_id", ["case_id"], unique=False)
    op.create_table(
        "plan_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.Column("changed", JSON, nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("at", engine.kernel.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["plan_proposal.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "number"),
    )
    with op.batch_alter_table("plan_revision", schema=None) as batch_op:
        batch_op.create_index("ix_plan_revision_case_id", ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plan_revision", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_revision_case_id")
    op.drop_table("plan_revision")
    with op.batch_alter_table("plan_proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_proposal_case_id")
    op.drop_table("plan_proposal")
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_column("changed_at")
        batch_op.drop_column("changed_by")
