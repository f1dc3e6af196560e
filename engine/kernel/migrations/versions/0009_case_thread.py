"""case thread: the newest message of each case's thread, on the case

Revision ID: 0009_case_thread
Revises: 0001

Every page's unread mark counts the unread messages in the threads the reader follows
(``engine.features.notices``): a coordinator's cases, the cases without one for the
koordinerende enhet. Found through the coordinator alone, that is an index probe of
``case_message`` for each followed case, with or without messages: 28 ms a page on SQLite
for a coordinator who follows 66,667 of 100,000 cases (``ipflow bench reads``). With when the
case's thread last had a message beside the coordinator in an index, only the followed cases
that have a thread are probed. Filled here from the messages; ``overview.post_message`` keeps
it. A branch of its own on 0001; ``Database.migrate`` upgrades every head.
"""

import sqlalchemy as sa
from alembic import op

import engine.kernel.models

revision = "0009_case_thread"
down_revision = "0001"
branch_labels = None
depends_on = "0008_case_coordinator"


def upgrade() -> None:
    with op.batch_alter_table("case_") as batch:
        batch.add_column(sa.Column("last_message_at",
                                   engine.kernel.models.UTCDateTime(timezone=True),
                                   nullable=True))
    op.execute("UPDATE case_ SET last_message_at = (SELECT max(case_message.at) FROM "
               "case_message WHERE case_message.case_id = case_.id) "
               "WHERE id IN (SELECT case_id FROM case_message)")
    op.create_index("ix_case_thread", "case_", ["coordinator", "last_message_at"])


def downgrade() -> None:
    op.drop_index("ix_case_thread", "case_")
    with op.batch_alter_table("case_") as batch:
        batch.drop_column("last_message_at")
