"""sessions: a session version per user, and failed logins per username

Revision ID: 0005_sessions
Revises: 0001

``app_user.session_version`` ends every session cookie of a user at once when it is raised;
``login_throttle`` counts failed logins per username and holds the lock-out. A branch of its
own on 0001; ``Database.migrate`` upgrades every head.
"""

import sqlalchemy as sa
from alembic import op

import engine.kernel.models

revision = "0005_sessions"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("app_user", sa.Column("session_version", sa.Integer(), nullable=False,
                                        server_default="0"))
    op.create_table(
        "login_throttle",
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", engine.kernel.models.UTCDateTime(timezone=True),
                  nullable=True),
        sa.PrimaryKeyConstraint("username"),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("session_version")
