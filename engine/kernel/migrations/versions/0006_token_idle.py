"""token_idle: when an API token was last used, so an idle token ends like an idle session

Revision ID: 0006_token_idle
Revises: 0001

Existing tokens count as used when they were issued. A branch of its own on 0001;
``Database.migrate`` upgrades every head.
"""

import sqlalchemy as sa
from alembic import op

import engine.kernel.models

revision = "0006_token_idle"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("used_at", engine.kernel.models.UTCDateTime(timezone=True),
                                   nullable=True))
    op.execute("UPDATE api_token SET used_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("used_at")
