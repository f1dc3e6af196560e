"""storage: what PostgreSQL does with large values, and the event index no query needs

Revision ID: 0008_storage
Revises: 0001

Measured with ``ipflow bench reads`` (docs/benchmarks.md, issue 12):

- ``attachment.content`` is stored without TOAST compression (``STORAGE EXTERNAL``): the files
  are PDFs and scans, compressed already, so PostgreSQL's pglz pass over every one only cost
  CPU (copying 10,000 cases' letters took 20 s instead of 5 s, for the same bytes).
- ``case_.state`` is compressed with lz4 instead of pglz where the server has it: each engine
  call reads and writes it, lz4 is several times faster both ways, and it stores the same size
  (5.4 KB per case). Rows keep the method they were written with until they are written again.
- ``ix_event_case_id`` goes: ``ix_event_case_at`` (case, time) begins with the same column and
  serves every lookup by case; one index less to keep on the largest table by rows.

Neither storage setting is part of the models (SQLAlchemy has no words for them); both are
PostgreSQL's alone. A branch of its own on 0001, after the branches that made the attachment
table and ``ix_event_case_at``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_storage"
down_revision = "0001"
branch_labels = None
depends_on = ("0002_monitor", "0004_events")  # ix_event_case_at; the attachment table


def _has_lz4() -> bool:
    values = op.get_bind().scalar(sa.text(
        "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"))
    return "lz4" in (values or [])


def upgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.drop_index("ix_event_case_id")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE attachment ALTER COLUMN content SET STORAGE EXTERNAL")
    if _has_lz4():
        op.execute("ALTER TABLE case_ ALTER COLUMN state SET COMPRESSION lz4")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE case_ ALTER COLUMN state SET COMPRESSION default")
        op.execute("ALTER TABLE attachment ALTER COLUMN content SET STORAGE EXTENDED")
    with op.batch_alter_table("event") as batch:
        batch.create_index("ix_event_case_id", ["case_id"], unique=False)
