"""letters_once: an outbox letter refers to its archived document instead of copying its text

Revision ID: 0007_letters_once
Revises: 0001

Existing letters are moved over where their copy matches a letter document of the same case
(same title and text, the oldest such document): their copy is dropped. A row that matches
none (a letter written by hand into the outbox, say) keeps its own text, which the worker
still delivers. A branch of its own on 0001; ``Database.migrate`` upgrades every head.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_letters_once"
down_revision = "0001"
branch_labels = None
depends_on = None

MATCHING_DOCUMENT = """
    SELECT MIN(document.id) FROM document
    WHERE document.case_id = outbox.case_id AND document.kind = 'letter'
      AND document.title = outbox.subject AND document.body = outbox.body"""


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("body", existing_type=sa.Text(), nullable=True)
        batch.add_column(sa.Column("document_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_outbox_document_id", "document", ["document_id"], ["id"])
    op.execute(f"UPDATE outbox SET document_id = ({MATCHING_DOCUMENT}) WHERE kind = 'letter'")
    op.execute("UPDATE outbox SET body = NULL WHERE document_id IS NOT NULL")


def downgrade() -> None:
    op.execute("UPDATE outbox SET body = (SELECT document.body FROM document "
               "WHERE document.id = outbox.document_id) WHERE document_id IS NOT NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("fk_outbox_document_id", type_="foreignkey")
        batch.drop_column("document_id")
        batch.alter_column("body", existing_type=sa.Text(), nullable=False)
