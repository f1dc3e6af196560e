"""notice choice: whether a user is sent an e-mail for each notice or none

Revision ID: 0010_notice_choice
Revises: 0001

A branch of its own (features add their own revisions on 0001); ``Database.migrate`` upgrades
every head. Existing users keep getting every notice ("now").
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_notice_choice"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notices", sa.String(length=10), nullable=False,
                                      server_default="now"))


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("notices")
