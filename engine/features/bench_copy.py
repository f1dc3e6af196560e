"""Many cases fast, for ``ipflow bench reads``: copies of a few cases the engine ran.

Running 100,000 cases through the engine would take hours, so the benchmark runs a sample that
waits at every step and copies it in bulk, one ``INSERT ... SELECT`` per table and chunk: each
copy gets new ids (``id + stride × n``, the stride being the table's highest sample id, so
foreign keys follow by the same rule), its own citizen (a valid fødselsnummer and a name, also
written into its workflow state, which is packed in Python as the engine packs it) and
otherwise the sample's rows: state, tasks, timers, events,
documents, access log. The copies are consistent cases the pages and the API read like any.
Only a scratch database is ever seeded (the command makes one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from itertools import cycle

from sqlalchemy import (
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    select,
    text,
)
from sqlalchemy.engine import Connection

from engine.kernel.db import Database
from engine.kernel.models import Base, inbox_counts, searchable
from engine.kernel.models.base import compact, pack_text

CHUNK = 5_000
FIRST_NAMES = ("Kari", "Ola", "Emma", "Per", "Ingrid", "Lars", "Nora", "Jonas", "Sofie", "Aksel",
               "Åse", "Øystein", "Hanne", "Tor", "Sigrid", "Magnus", "Liv", "Håkon")
LAST_NAMES = ("Nordmann", "Hansen", "Berg", "Olsen", "Johansen", "Larsen", "Andersen",
              "Pedersen", "Nilsen", "Kristiansen", "Jensen", "Karlsen", "Dahl", "Lie", "Bakke",
              "Haugen", "Strand", "Sæther", "Ødegård", "Aas")
FIRST_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
SECOND_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    value = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return 0 if value == 11 else value


def citizens() -> Iterator[tuple[str, str]]:
    """Distinct (fødselsnummer, name) pairs with valid check digits, born 1940–1999 (the
    individual numbers 000–499 are that century's)."""
    names = cycle([f"{first} {last}" for last in LAST_NAMES for first in FIRST_NAMES])
    start, days = date(1940, 1, 1), (date(1999, 12, 31) - date(1940, 1, 1)).days
    for individual in range(500):
        for offset in range(0, days, 7):
            born = start + timedelta(days=offset + individual % 7)
            base = f"{born:%d%m%y}{individual:03d}"
            first = _check_digit(base, FIRST_WEIGHTS)
            second = _check_digit(base + str(first % 10), SECOND_WEIGHTS)
            if first != 10 and second != 10:
                yield f"{base}{first}{second}", next(names)


def _copied_tables() -> list[Table]:
    """``case_`` and every table that hangs off it by a foreign key, parents first."""
    copied: list[Table] = []
    for table in Base.metadata.sorted_tables:
        if table.name == "case_" or any(fk.column.table in copied for fk in table.foreign_keys):
            copied.append(table)
    return copied


def _case_link(table: Table, copied: list[Table]) -> tuple[str, str]:
    """The join that finds a row's sample case: its ``case_id``, or its parent's."""
    if table.name == "case_":
        return "", "t.id"
    if "case_id" in table.c:
        return "", "t.case_id"
    for fk in table.foreign_keys:
        parent = fk.column.table
        if parent in copied and "case_id" in parent.c:
            return (f" JOIN {parent.name} p ON p.id = t.{fk.parent.name}", "p.case_id")
    raise LookupError(f"{table.name} does not lead to a case")


def _copy_sql(table: Table, copied: list[Table]) -> str:
    """One ``INSERT ... SELECT`` that copies the sample rows of ``table`` for copies
    ``:low``–``:high`` (strides are bound as ``:stride_<table>``)."""
    exprs = []
    for column in table.c:
        name = column.name
        targets = [fk.column.table for fk in column.foreign_keys if fk.column.table in copied]
        if name == "id":
            exprs.append(f"t.id + :stride_{table.name} * b.n")
        elif targets:
            exprs.append(f"t.{name} + :stride_{targets[0].name} * b.n")
        elif table.name == "case_" and name in ("citizen_nin", "citizen_name"):
            exprs.append("b.nin" if name == "citizen_nin" else "b.name")
        elif table.name == "case_" and name == "citizen_name_folded":
            exprs.append("b.folded")
        elif table.name == "case_" and name == "state":
            exprs.append("b.state")
        else:
            exprs.append(f"t.{name}")
    join, case_id = _case_link(table, copied)
    columns = ", ".join(column.name for column in table.c)
    return (f"INSERT INTO {table.name} ({columns}) SELECT {', '.join(exprs)} "
            f"FROM {table.name} t{join} JOIN bench_copy b ON b.sample = {case_id} "
            f"WHERE b.n BETWEEN :low AND :high")


BENCH_COPY = Table("bench_copy", MetaData(), Column("n", Integer, primary_key=True),
                   Column("sample", Integer, index=True), Column("nin", String(11)),
                   Column("name", String(200)), Column("folded", String(200)),
                   Column("state", LargeBinary))


def _states(connection: Connection, samples: list[int]) -> dict[int, tuple[str, str, str]]:
    """Each sample case's state as compact JSON text, with its citizen's number and name."""
    case_ = Base.metadata.tables["case_"]
    return {row.id: (compact(row.state), row.citizen_nin, row.citizen_name)
            for row in connection.execute(select(case_.c.id, case_.c.state, case_.c.citizen_nin,
                                                 case_.c.citizen_name)
                                          .where(case_.c.id.in_(samples)))}


def _state_of(sample: tuple[str, str, str], nin: str, name: str) -> bytes:
    """The sample's state with the copy's citizen in it, packed as the engine stores it."""
    state, sample_nin, sample_name = sample
    return pack_text(state.replace(sample_nin, nin).replace(sample_name, name))


def copy_cases(db: Database, total: int, advance: Callable[[int], None]) -> int:
    """Copy the cases in the database (the sample) until there are ``total``; returns how
    many were made. ``advance(n)`` is told of every ``n`` cases copied."""
    copied = _copied_tables()
    with db.engine.begin() as connection:
        samples = list(connection.scalars(select(Base.metadata.tables["case_"].c.id)
                                          .order_by(text("id"))))
        # A table keyed by its case alone (case_archive) has no id of its own to move on.
        strides = {f"stride_{table.name}": connection.scalar(select(func.max(table.c.id))) or 0
                   for table in copied if "id" in table.c}
        used = set(connection.scalars(select(Base.metadata.tables["case_"].c.citizen_nin)))
        states = _states(connection, samples)
    wanted = max(0, total - len(samples))
    if not samples or not wanted:
        return 0
    people = ((nin, name) for nin, name in citizens() if nin not in used)
    statements = [text(_copy_sql(table, copied)) for table in copied]
    BENCH_COPY.drop(db.engine, checkfirst=True)
    BENCH_COPY.create(db.engine)
    try:
        for low in range(1, wanted + 1, CHUNK):
            high = min(wanted, low + CHUNK - 1)
            with db.engine.begin() as connection:
                connection.execute(BENCH_COPY.insert(), [
                    {"n": n, "sample": samples[n % len(samples)], "nin": nin, "name": name,
                     "folded": searchable(name),
                     "state": _state_of(states[samples[n % len(samples)]], nin, name)}
                    for n, (nin, name) in zip(range(low, high + 1), people, strict=False)])
                for statement in statements:
                    connection.execute(statement, {"low": low, "high": high, **strides})
            advance(high - low + 1)
    finally:
        BENCH_COPY.drop(db.engine)
    with db.engine.begin() as connection:
        _after_bulk(connection, copied, db.is_postgresql)
    if db.is_postgresql:
        # What autovacuum does after a bulk load in production: without it the visibility map
        # is empty, and the index-only scans the inbox's counts are built for read the heap.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM (ANALYZE)"))
    return wanted


def _after_bulk(connection: Connection, copied: list[Table], postgresql: bool) -> None:
    """Sequences past the copied ids (PostgreSQL), the inbox's counts of the copied tasks
    and fresh planner statistics."""
    inbox_counts.rebuild(connection)
    if postgresql:
        for table in (table for table in copied if "id" in table.c):
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT max(id) FROM {table.name}))"))
    connection.execute(text("ANALYZE"))


def bytes_by_table(db: Database) -> dict[str, int]:
    """What each of the app's tables takes on disk, its indexes included."""
    with db.engine.connect() as connection:
        if db.is_postgresql:
            return {name: connection.scalar(text("SELECT pg_total_relation_size(:t)"),
                                            {"t": name}) or 0
                    for name in Base.metadata.tables}
        rows = connection.execute(text(
            "SELECT coalesce(m.tbl_name, s.name), sum(s.pgsize) FROM dbstat s "
            "LEFT JOIN sqlite_master m ON m.name = s.name GROUP BY 1"))
        return {name: int(size) for name, size in rows if name in Base.metadata.tables}
