"""name search: the citizen's name casefolded in a column of its own, indexed

Revision ID: 0005_name_search
Revises: 0004_search

SQLite's ``lower()`` and ``LIKE`` fold only ASCII, so "øyvind" did not find "Øyvind Ås"; the
engine now keeps ``citizen_name_folded`` (Python's casefold, the same on SQLite and
PostgreSQL) and searches and sorts by it. Existing cases are filled in here; the index on
``lower(citizen_name)`` gives way to one on the new column.
"""

import sqlalchemy as sa
from alembic import op

from engine.kernel.models import searchable

revision = "0005_name_search"
down_revision = "0004_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_", sa.Column("citizen_name_folded", sa.String(length=200),
                                     nullable=False, server_default=""))
    cases = sa.table("case_", sa.column("id", sa.Integer()),
                     sa.column("citizen_name", sa.String()),
                     sa.column("citizen_name_folded", sa.String()))
    bind = op.get_bind()
    for case_id, name in bind.execute(sa.select(cases.c.id, cases.c.citizen_name)).all():
        bind.execute(cases.update().where(cases.c.id == case_id)
                     .values(citizen_name_folded=searchable(name)))
    op.drop_index("ix_case_name_lower", table_name="case_")
    op.create_index("ix_case_name_folded", "case_", ["citizen_name_folded"])


def downgrade() -> None:
    op.drop_index("ix_case_name_folded", table_name="case_")
    op.create_index("ix_case_name_lower", "case_", [sa.text("lower(citizen_name)")])
    with op.batch_alter_table("case_") as batch:
        batch.drop_column("citizen_name_folded")
