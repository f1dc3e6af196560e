"""Rows a transaction only adds, written together just before its commit, in as few
statements as the database allows.

An engine call adds events, letters (a document, its PDF, an outbox row per recipient), KPR
periods and consents, and moves the inbox counts; nothing reads these rows back in the
transaction that writes them. As ORM objects each table is a statement of its own at the
flush (on SQLite one ``INSERT … RETURNING`` per row whose id is wanted), and on PostgreSQL each
statement is a round trip. Queued here instead, they are written at the commit after its last
flush, as one statement: on PostgreSQL data-modifying ``WITH`` queries (a letter's PDF and
outbox rows take their document's id from the document's own ``RETURNING``), on SQLite an
executemany into a view whose triggers put each row into its table
(:mod:`engine.kernel.commit_rows_sqlite`). A bulk job's many rows go one ``INSERT`` per
document (its rows need its id) and one executemany per table.

An object is read when it is written, so the call may still change it (a KPR period started
and ended in one call is written ended). The events keep the order they were added in (their
ids keep it: the history is read in id order); so do a table's other rows, except that on
PostgreSQL a letter's rows (each a ``WITH`` query of its own) may take their ids in any order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from sqlalchemy import Column, Table, bindparam, event, insert, inspect, literal_column, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import Insert

from engine.kernel.commit_rows_sqlite import RowView, default_of
from engine.kernel.models import Base, Document, Event, InboxCount, inbox_counts

_PENDING = "ipflow.pending_rows"
# More rows than an engine call adds (a bulk job's thousands of events) go table by table, in
# executemany batches: one statement's parameters are limited (PostgreSQL: 65,535).
ONE_STATEMENT_ROWS = 200
# SQLite's view for the one statement, with a trigger for every table.
_DOCUMENTS = Base.metadata.tables[Document.__tablename__]
_COUNTS = Base.metadata.tables[InboxCount.__tablename__]
_SQLITE_VIEW = RowView(Base.metadata.sorted_tables, _DOCUMENTS, {_COUNTS.name: inbox_counts.ADDS})


def add(session: Session, row: Base) -> None:
    """A new row (an ORM object not added to the session), written at the commit. A row whose
    ``document`` is a queued :class:`Document` is written with that document's id."""
    session.info.setdefault(_PENDING, []).append(row)


def add_values(session: Session, table: type[Base], values: dict[str, Any]) -> None:
    """A new row given by its column values, written at the commit (the history's events)."""
    session.info.setdefault(_PENDING, []).append((table, values))


def queued(session: Session, kind: type[Base]) -> Iterator[Any]:
    """The objects of one kind waiting for the commit (a call that looks for what it added)."""
    return (row for row in session.info.get(_PENDING, ()) if isinstance(row, kind))


def _values(row: Base) -> dict[str, Any]:
    """An object's column values as an ``INSERT`` takes them: its own, or the column's default
    where it has none (as a flush would do); not its id. A queued document's id is not known
    yet: its rows' ``document_id`` is filled in when it is."""
    values = {}
    for prop in inspect(row).mapper.column_attrs:
        column = cast("Column[Any]", prop.columns[0])
        if column.primary_key:
            continue
        value = getattr(row, prop.key)
        values[prop.key] = default_of(column) if value is None else value
    return values


Batch = tuple[Table, list[tuple[dict[str, Any], Document | None]]]


def _batches(pending: list[Any]) -> tuple[list[Document], list[Batch]]:
    """The queued documents, and the other rows in batches of one table and the same columns,
    each row with the queued document it belongs to (if any), in the order they were added;
    events last, as the history was always written."""
    documents = [row for row in pending if isinstance(row, Document)]
    batches: dict[tuple[Any, ...], Batch] = {}
    for row in pending:
        if isinstance(row, Document):
            continue
        if isinstance(row, tuple):
            model, values = row
            document = None
        else:
            model, values = type(row), _values(row)
            owner = getattr(row, "document", None)
            document = owner if isinstance(owner, Document) else None
        table: Table = model.__table__
        key = (model is Event, table.name, tuple(values))
        batches.setdefault(key, (table, []))[1].append((values, document))
    return documents, [batches[key] for key in sorted(batches, key=lambda key: key[0])]


def _write(session: Session) -> None:
    session.flush()
    pending: list[Any] = session.info.pop(_PENDING, [])
    moves = inbox_counts.moves_at_commit(session)
    if not pending and not moves:
        return
    documents, batches = _batches(pending)
    dialect = session.get_bind().dialect.name
    one_statement = len(pending) + bool(moves) <= ONE_STATEMENT_ROWS
    if one_statement and dialect != "postgresql":
        _write_through_view(session, documents, batches, moves)
        return
    counts = inbox_counts.upsert(dialect, moves) if moves else None
    if one_statement:
        _write_at_once(session, documents, batches, counts)
        return
    connection = session.connection()
    ids = {}
    for document in documents:
        result = connection.execute(insert(Document).values(_values(document)))
        ids[id(document)] = result.inserted_primary_key[0]  # type: ignore[index]
    for table, rows in batches:
        if table.name == Event.__tablename__ and counts is not None:
            connection.execute(counts)
            counts = None
        connection.execute(insert(table), [
            values if owner is None else {**values, "document_id": ids[id(owner)]}
            for values, owner in rows])
    if counts is not None:
        connection.execute(counts)


def _write_through_view(session: Session, documents: list[Document], batches: list[Batch],
                        moves: list[dict[str, Any]]) -> None:
    """Every queued row and count move as one executemany into SQLite's view, in the order
    the other paths write them: the documents, each other table's rows, the counts before
    the events."""
    dialect = session.get_bind().dialect
    view = _SQLITE_VIEW
    rows = [view.row(_DOCUMENTS, _values(document), None, dialect)
            for document in documents]
    back = {id(document): len(documents) - 1 - number
            for number, document in enumerate(documents)}
    counts = [view.row(_COUNTS, move, None, dialect) for move in moves]
    for table, batch in batches:
        if table.name == Event.__tablename__:
            rows.extend(counts)
            counts = []
        rows.extend(view.row(table, values, None if owner is None else back[id(owner)], dialect)
                    for values, owner in batch)
    rows.extend(counts)
    view.write(session.connection(), rows)


def _write_at_once(session: Session, documents: list[Document], batches: list[Batch],
                   counts: Insert | None) -> None:
    """Every queued row and the counts' upsert as one statement, each table's rows a ``WITH``
    query of their own (PostgreSQL runs every one of them, referred to or not); a document's
    rows each select its id from the document's own query."""
    returned = {id(document): insert(Document).values(_values(document))
                .returning(Document.id).cte(f"document_{number}")
                for number, document in enumerate(documents)}
    parts: list[Insert] = []
    for table, rows in batches:
        own = [values for values, owner in rows if owner is None]
        if own:
            parts.append(insert(table).values(own))
        for values, owner in rows:
            if owner is None:
                continue
            given = {name: value for name, value in values.items() if name != "document_id"}
            parts.append(insert(table).from_select(
                [*given, "document_id"],
                select(*(bindparam(None, value, type_=table.c[name].type)
                         for name, value in given.items()),
                       returned[id(owner)].c.id)))
    if counts is not None:
        parts.append(counts)
    if not returned and len(parts) == 1:
        session.connection().execute(parts[0])
        return
    ctes = [*returned.values(), *(part.cte(f"rows_{number}") for number, part in enumerate(parts))]
    session.connection().execute(select(literal_column("1")).add_cte(*ctes))


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_PENDING, None)


def write_at_commit(sessions: sessionmaker[Session]) -> None:
    """Write each session's queued rows and counts before it commits; drop them when it rolls
    back."""
    event.listen(sessions, "before_commit", _write)
    event.listen(sessions, "after_rollback", _forget)


def before_migration(connection: Connection) -> None:
    """Make way for a change of the schema (SQLite's view is made anew by the next write)."""
    if connection.dialect.name == "sqlite":
        RowView.remove(connection)
