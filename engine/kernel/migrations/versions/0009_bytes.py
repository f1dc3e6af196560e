"""bytes: the workflow state and the letters' text stored compressed with zlib

Revision ID: 0009_bytes
Revises: 0001

Measured with ``ipflow bench reads`` (docs/benchmarks.md, issue 12's 30 KB a case): the state
was 16 KB a case on SQLite (plain JSON text) and 5.4 KB on PostgreSQL (JSON compressed by
TOAST); zlib over the JSON without its spaces makes it 2.7 KB on both
(``engine.kernel.models.base.PackedJson``). A letter's text (``document.body``, 2.4 KB) is
1 KB with zlib (``PackedText``); on SQLite its row no longer fills a page alone. Every row is
rewritten here, a batch at a time; the packing is done here rather than with the models'
functions, so this file keeps meaning what it says when the models change.

On PostgreSQL the columns become ``bytea``; the state is stored out of line without a second
compression (``STORAGE EXTERNAL``: pglz over zlib's output only costs time). SQLite keeps the
columns' declared types (its rows take whatever they are given). A branch of its own on 0001,
after ``0007_letters_once``, which compares documents' text in SQL. ``0008_storage`` may come
before or after: the lz4 compression it sets on the state column is never used on a column
stored out of line uncompressed. (Depending on both made Alembic's walk over the heads fail
for some orders of its sets.)
"""

import json
import zlib
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009_bytes"
down_revision = "0001"
branch_labels = None
depends_on = ("0007_letters_once",)

BATCH = 500


def _pack_state(state: Any) -> bytes:
    value = json.loads(state) if isinstance(state, str | bytes) else state
    return _pack(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"))


def _unpack(packed: bytes) -> str:
    return zlib.decompress(packed).decode("utf-8")


def _rewrite(table: str, source: str, target: str, change: Callable[[Any], Any]) -> None:
    """Each row's ``source``, changed, into ``target``, in batches by id."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(sa.text(
            f"SELECT id, {source} FROM {table} WHERE id > :last ORDER BY id LIMIT {BATCH}"),
            {"last": last}).all()
        if not rows:
            return
        bind.execute(sa.text(f"UPDATE {table} SET {target} = :value WHERE id = :id"),
                     [{"id": row[0], "value": change(row[1])} for row in rows])
        last = rows[-1][0]


def _replace(table: str, column: str, kind: sa.types.TypeEngine[Any], source: str,
             change: Callable[[Any], Any]) -> None:
    """PostgreSQL: ``column`` as a new column of type ``kind``, filled from ``source``."""
    op.add_column(table, sa.Column(f"{column}_new", kind))
    _rewrite(table, source, f"{column}_new", change)
    op.drop_column(table, column)
    op.alter_column(table, f"{column}_new", new_column_name=column, nullable=False)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _rewrite("case_", "state", "state", _pack_state)
        _rewrite("document", "body", "body", _pack)
        return
    _replace("case_", "state", sa.LargeBinary(), "CAST(state AS TEXT)", _pack_state)
    op.execute("ALTER TABLE case_ ALTER COLUMN state SET STORAGE EXTERNAL")
    _replace("document", "body", sa.LargeBinary(), "body", _pack)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _rewrite("case_", "state", "state", _unpack)
        _rewrite("document", "body", "body", _unpack)
        return
    _replace("case_", "state", sa.JSON(), "state", _unpack)
    _replace("document", "body", sa.Text(), "body", _unpack)
