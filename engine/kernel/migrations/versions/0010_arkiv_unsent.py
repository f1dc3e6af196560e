"""archive_record: an index of the documents whose sending failed

Revision ID: 0010_arkiv_unsent
Revises: 0010_arkiv

Each worker round tries the failed documents again; without this partial index finding them
read every record ever sent (one per archived document).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_arkiv_unsent"
down_revision = "0010_arkiv"
branch_labels = None
depends_on = None

UNSENT = sa.text("sent_at IS NULL")


def upgrade() -> None:
    op.create_index("ix_archive_record_unsent", "archive_record", ["document_id"],
                    sqlite_where=UNSENT, postgresql_where=UNSENT)


def downgrade() -> None:
    op.drop_index("ix_archive_record_unsent", "archive_record")
