"""sharing consents as rows: participant, scope, period, withdrawal

Revision ID: 0002_sharing_consent
Revises: 0001

A branch of its own on 0001, like the other 0002_* revisions; ``Database.migrate`` upgrades
every head.
"""

import sqlalchemy as sa
from alembic import op

import engine.kernel.models

revision = "0002_sharing_consent"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sharing_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("participant", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("recorded_at", engine.kernel.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sharing_consent", schema=None) as batch_op:
        batch_op.create_index("ix_sharing_consent_case_id", ["case_id"], unique=False)
        batch_op.create_index("ix_sharing_consent_open", ["withdrawn_on", "valid_until"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sharing_consent", schema=None) as batch_op:
        batch_op.drop_index("ix_sharing_consent_open")
        batch_op.drop_index("ix_sharing_consent_case_id")
    op.drop_table("sharing_consent")
