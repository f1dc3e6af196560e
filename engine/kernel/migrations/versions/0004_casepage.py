"""letters as PDF: one document per letter with all its recipients

Revision ID: 0004_casepage
Revises: 0001

A branch of its own (``Database.migrate`` upgrades every head). ``document.recipient`` (one
row per recipient) becomes ``document.recipients`` (a list); the rows written before keep
their one recipient. The PDF that was sent is the letter's attachment (``attachment``).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_casepage"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipients", JSON, nullable=True))
    document = sa.table("document", sa.column("id", sa.Integer()),
                        sa.column("recipient", sa.String()), sa.column("recipients", JSON))
    bind = op.get_bind()
    for row in bind.execute(sa.select(document.c.id, document.c.recipient)).all():
        bind.execute(document.update().where(document.c.id == row.id).values(
            recipients=[row.recipient] if row.recipient else []))
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.alter_column("recipients", existing_type=JSON, nullable=False)
        batch_op.drop_column("recipient")


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient", sa.String(length=200), nullable=True))
        batch_op.drop_column("recipients")
