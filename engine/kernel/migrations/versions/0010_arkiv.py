"""arkiv: the archive queue and the saksmappe's keys from the archive's kvittering

Revision ID: 0010_arkiv
Revises: 0001

``archive_record`` is one row per document handed to the archive transport (Fiks Arkiv
arkivmelding), unique per document; ``case_archive`` holds the saksmappe's systemID and
saksnummer the archive returned, so later records of the case land in the same saksmappe
(``engine.features.archiving``). New tables only: nothing to fill. A branch of its own on
0001; ``Database.migrate`` upgrades every head.
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

import engine.kernel.models

revision = "0010_arkiv"
down_revision = "0001"
branch_labels = None
depends_on = None


def _moment(name: str, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, engine.kernel.models.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "case_archive",
        sa.Column("case_id", sa.Integer, sa.ForeignKey("case_.id"), primary_key=True),
        sa.Column("system_id", sa.String(100), nullable=False),
        sa.Column("saksnummer", sa.String(40), nullable=True),
        _moment("recorded_at", nullable=False))
    op.create_table(
        "archive_record",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("document.id"), nullable=False,
                  unique=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("case_.id"), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        _moment("sent_at"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("system_id", sa.String(100), nullable=True),
        _moment("receipt_at"))
    op.create_index("ix_archive_record_case_id", "archive_record", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_archive_record_case_id", "archive_record")
    op.drop_table("archive_record")
    op.drop_table("case_archive")
