"""draft ids are never reused: process_draft with AUTOINCREMENT on SQLite

Revision ID: 0004_search_drafts
Revises: 0002_designer

SQLite gives a new row the highest id plus one, so deleting the newest draft hands its id to
the next; AUTOINCREMENT keeps counting instead. SQLite cannot add it to a table, so the table
is copied (batch mode). PostgreSQL's sequence never reuses an id: nothing to do there.
"""

from alembic import op

revision = "0004_search_drafts"
down_revision = "0002_designer"
branch_labels = None
depends_on = None


def _recreate(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("process_draft", recreate="always",
                              table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass


def upgrade() -> None:
    _recreate(True)


def downgrade() -> None:
    _recreate(False)
