"""SQLite's one statement for a call's new rows: an ``INSERT`` into a temporary view whose
triggers put each row into its table.

On PostgreSQL a call's new rows go to every table in one statement (data-modifying ``WITH``
queries, :mod:`engine.kernel.commit_rows`). SQLite has no statement that writes to two tables,
but the ``INSTEAD OF INSERT`` trigger of a view may. Each row of the view :data:`VIEW` names
its table and carries that table's columns by position; the table's trigger inserts them as
they are (the view's columns have no type, so a value reaches its column as a direct
``INSERT`` would give it). A call's documents, PDFs, outbox rows, consents, KPR periods, inbox
counts and events so go in one executemany, as on PostgreSQL.

The triggers repeat no rule of the engine: they are made from the table definitions, on each
new connection, as ``TEMP`` objects. The database file never holds them, so no migration must
keep them in step with the tables, and a backup or another program never sees them. A row for
a table without a trigger stops the statement (it would otherwise vanish without a trace).

A queued document's rows need its id. The statement's documents come first, one after another;
a row that belongs to the k-th document from the last takes ``max(id) - k``: the transaction
holds SQLite's one write lock, so those documents' ids are consecutive and the newest of the
table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Column, Table
from sqlalchemy.engine import Connection, Dialect

VIEW = "commit_row"
# The view's first columns: the row's table, and for a document's row how many documents
# back from the statement's last its document is (NULL: the row gives its own document_id).
ROUTE = ("target", "document_back")


def columns(table: Table) -> list[Column[Any]]:
    """The columns a row of ``table`` carries, in the view's order: all but the id the
    database gives."""
    return [column for column in table.columns if column is not table.autoincrement_column]


class RowView:
    """The view for ``tables`` and its triggers. ``add_on_conflict`` names the tables whose
    rows add to an existing row's count (``{table: (unique key column, count column)}``), as
    the inbox counts do; ``document`` is the table a row's ``document_back`` counts in."""

    def __init__(self, tables: Sequence[Table], document: Table,
                 add_on_conflict: Mapping[str, tuple[str, str]]) -> None:
        self.tables = tuple(tables)
        self.document = document
        self.add_on_conflict = dict(add_on_conflict)
        self.width = max(len(columns(table)) for table in self.tables)

    def statements(self) -> list[str]:
        names = [*ROUTE, *(f"c{number}" for number in range(self.width))]
        made = [f"CREATE TEMP VIEW {VIEW} AS SELECT "
                f"{', '.join(f'NULL AS {name}' for name in names)}"]
        made.extend(self._trigger(table) for table in self.tables)
        known = ", ".join(f"'{table.name}'" for table in self.tables)
        made.append(
            f"CREATE TEMP TRIGGER {VIEW}_unknown INSTEAD OF INSERT ON {VIEW} "
            f"WHEN NEW.target NOT IN ({known}) BEGIN "
            f"SELECT RAISE(ABORT, 'commit_row: no table of that name has a trigger'); END")
        return made

    def _trigger(self, table: Table) -> str:
        own = columns(table)
        values = []
        for number, column in enumerate(own):
            value = f"NEW.c{number}"
            if column.name == "document_id":
                value = (f"CASE WHEN NEW.document_back IS NULL THEN {value} ELSE "
                         f"(SELECT max(id) FROM {self.document.name}) - NEW.document_back END")
            values.append(value)
        upsert = ""
        if table.name in self.add_on_conflict:
            key, count = self.add_on_conflict[table.name]
            upsert = f" ON CONFLICT ({key}) DO UPDATE SET {count} = {count} + excluded.{count}"
        quoted = ", ".join(f'"{column.name}"' for column in own)
        return (f"CREATE TEMP TRIGGER {VIEW}_{table.name} INSTEAD OF INSERT ON {VIEW} "
                f"WHEN NEW.target = '{table.name}' BEGIN "
                f"INSERT INTO {table.name} ({quoted}) VALUES ({', '.join(values)}){upsert}; END")

    def write(self, connection: Connection, rows: list[tuple[Any, ...]]) -> None:
        """Every row in one executemany of the view's ``INSERT``, the view made first if this
        connection has none yet."""
        pooled = connection.connection
        if not pooled.info.get(VIEW):
            cursor = pooled.dbapi_connection.cursor()  # type: ignore[union-attr]
            for statement in self.statements():
                cursor.execute(statement)
            cursor.close()
            pooled.info[VIEW] = True
        marks = ", ".join("?" * (len(ROUTE) + self.width))
        connection.exec_driver_sql(f"INSERT INTO {VIEW} VALUES ({marks})", rows)

    @staticmethod
    def remove(connection: Connection) -> None:
        """Drop the view and its triggers before the schema changes: SQLite checks every
        trigger when a table is renamed, and a migration renames the tables it rebuilds
        (the next write makes them again, from the tables as they then are)."""
        connection.exec_driver_sql(f"DROP VIEW IF EXISTS temp.{VIEW}")
        connection.connection.info.pop(VIEW, None)

    def row(self, table: Table, values: Mapping[str, Any], document_back: int | None,
            dialect: Dialect) -> tuple[Any, ...]:
        """One row of the view: ``values`` of ``table`` in its columns' places, converted for
        the driver, the rest padded to the view's width."""
        converted = []
        for column, processor in _converters(table, dialect):
            value = values[column.name] if column.name in values else _left_out(column)
            converted.append(value if processor is None or value is None else processor(value))
        return (table.name, document_back, *converted, *([None] * (self.width - len(converted))))


@cache
def _converters(table: Table, dialect: Dialect
                ) -> tuple[tuple[Column[Any], Callable[[Any], Any] | None], ...]:
    """The table's columns in the view's order, each with its conversion of a Python value to
    what the driver takes (dates to text, JSON to its text, packed columns compressed), as an
    ``INSERT`` through SQLAlchemy does; worked out once, not for every row."""
    return tuple((column, column.type.dialect_impl(dialect).bind_processor(dialect))
                 for column in columns(table))


def default_of(column: Column[Any]) -> Any:
    """The value a flush gives a column its row has none for: the column's default."""
    default = column.default
    if default is None:
        return None
    return default.arg if default.is_scalar else default.arg(None)  # type: ignore[attr-defined]


def _left_out(column: Column[Any]) -> Any:
    """A column a row leaves out: the view names every column, so the database's own default
    would never apply; the row must give such a column."""
    if column.default is None and column.server_default is not None:
        raise ValueError(f"{column.table.name}.{column.name} has only a database default: "
                         "a row for the view must give it")
    return default_of(column)
