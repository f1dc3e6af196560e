"""bytes: the workflow state stored as compact JSON compressed with zlib

Revision ID: 0009_bytes
Revises: 0001

Measured with ``ipflow bench reads`` (docs/benchmarks.md, issue 12's 30 KB a case): the state
was 16 KB a case on SQLite (plain JSON text) and 5.4 KB on PostgreSQL (JSON compressed by
TOAST). zlib over the JSON without its spaces makes it 2.7 KB on both
(``engine.kernel.models.base.PackedJson``). Every row is rewritten here, a batch at a time;
the pack is done here rather than with the model's function, so this file keeps meaning what
it says when the model changes.

On PostgreSQL the column becomes ``bytea`` stored out of line without a second compression
(``STORAGE EXTERNAL``: pglz over zlib's output only costs time). SQLite keeps the column's
declared type (its rows take whatever they are given). A branch of its own on 0001, after
``0008_storage`` (which set the old column's compression).
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
depends_on = ("0008_storage",)

BATCH = 500


def _pack(state: Any) -> bytes:
    value = json.loads(state) if isinstance(state, str | bytes) else state
    return zlib.compress(json.dumps(value, separators=(",", ":"), ensure_ascii=False)
                         .encode("utf-8"))


def _unpack(packed: bytes) -> str:
    return zlib.decompress(packed).decode("utf-8")


def _rewrite(source: str, target: str, change: Callable[[Any], Any]) -> None:
    """Each case's ``source`` column, changed, into ``target``, in batches by id."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(sa.text(
            f"SELECT id, {source} FROM case_ WHERE id > :last ORDER BY id LIMIT {BATCH}"),
            {"last": last}).all()
        if not rows:
            return
        bind.execute(sa.text(f"UPDATE case_ SET {target} = :value WHERE id = :id"),
                     [{"id": row[0], "value": change(row[1])} for row in rows])
        last = rows[-1][0]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _rewrite("state", "state", _pack)
        return
    op.add_column("case_", sa.Column("state_packed", sa.LargeBinary()))
    _rewrite("CAST(state AS TEXT)", "state_packed", _pack)
    op.drop_column("case_", "state")
    op.alter_column("case_", "state_packed", new_column_name="state", nullable=False)
    op.execute("ALTER TABLE case_ ALTER COLUMN state SET STORAGE EXTERNAL")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _rewrite("state", "state", _unpack)
        return
    op.add_column("case_", sa.Column("state_json", sa.JSON()))
    _rewrite("state", "state_json", _unpack)
    op.drop_column("case_", "state")
    op.alter_column("case_", "state_json", new_column_name="state", nullable=False)
