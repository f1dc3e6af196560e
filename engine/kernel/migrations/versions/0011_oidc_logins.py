"""oidc_logins: the logins through an OpenID provider, for its back-channel logout

Revision ID: 0011_oidc_logins
Revises: 0001

A provider's logout token names a login by its ``sid`` (or the person by ``sub``), which ipflow
must map to the user whose sessions end (``engine.runtime.logins.end_provider_login``). Rows
live no longer than a session can. A branch of its own on 0001; ``Database.migrate`` upgrades
every head.
"""

import sqlalchemy as sa
from alembic import op

from engine.kernel.models.base import UTCDateTime

revision = "0011_oidc_logins"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oidc_login",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("sub", sa.String(length=255), nullable=False),
        sa.Column("sid", sa.String(length=255), nullable=True),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_oidc_login_sid", "oidc_login", ["provider", "sid"])
    op.create_index("ix_oidc_login_sub", "oidc_login", ["provider", "sub"])
    op.create_index("ix_oidc_login_at", "oidc_login", ["at"])


def downgrade() -> None:
    op.drop_index("ix_oidc_login_at", "oidc_login")
    op.drop_index("ix_oidc_login_sub", "oidc_login")
    op.drop_index("ix_oidc_login_sid", "oidc_login")
    op.drop_table("oidc_login")
