"""attachments: files that came with a case document (an appeal received by post)

Revision ID: 0004_events
Revises: 0001

A branch of its own on 0001, like the other feature revisions; ``Database.migrate`` upgrades
every head.
"""

import sqlalchemy as sa
from alembic import op

import engine.kernel.models

revision = "0004_events"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", engine.kernel.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_.id"]),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index("ix_attachment_case_id", ["case_id"], unique=False)
        batch_op.create_index("ix_attachment_document_id", ["document_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index("ix_attachment_document_id")
        batch_op.drop_index("ix_attachment_case_id")
    op.drop_table("attachment")
