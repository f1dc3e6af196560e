"""outbox recipient_nin: a letter's guardian by fødselsnummer, for digital post

Revision ID: 0011_outbox_recipient_nin
Revises: 0001

A child's letters are addressed to the guardians; where the report recorded a guardian's
fødselsnummer, their copy can go by digital post as the citizen's does, and the worker needs the
number at delivery. A branch of its own on 0001; ``Database.migrate`` upgrades every head.
Existing rows have none: they are delivered as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_outbox_recipient_nin"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient_nin", sa.String(length=11), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("recipient_nin")
