"""A database of a benchmark's own: made for the run and removed after it, never the user's.

``unsynced``: commits are not waited for on disk (SQLite ``synchronous=OFF``, PostgreSQL
``synchronous_commit=off``). For a database that is seeded and thrown away (``ipflow bench
reads``): on a busy disk the sync of each commit was most of the seeding. A benchmark that
measures the engine's own writes (``ipflow bench engine``) keeps the durable default.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL

from engine.kernel.db import Database


def _unsynced(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


@contextmanager
def temporary_sqlite(unsynced: bool = False) -> Iterator[Database]:
    """A SQLite file in a temporary folder, removed with it."""
    with tempfile.TemporaryDirectory(prefix="ipflow-bench-") as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        if unsynced:
            event.listen(db.engine, "connect", _unsynced)
        try:
            yield db
        finally:
            db.dispose()


@contextmanager
def kept_sqlite(path: Path) -> Iterator[Database]:
    """A SQLite file that outlives the run, so a seeded database can be timed again."""
    db = Database(f"sqlite:///{path.resolve()}")
    try:
        yield db
    finally:
        db.dispose()


@contextmanager
def new_postgresql(target: URL, replace: bool = False, unsynced: bool = False
                   ) -> Iterator[Database]:
    """The database ``target`` names, made new on its server and dropped afterwards. One that
    exists already is refused, unless ``replace`` (the benchmark's own default name, left by a
    run that was killed)."""
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = target.database
    try:
        with server.connect() as connection:
            if connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                 {"n": name}):
                if not replace:
                    raise click.UsageError(
                        f"Databasen {name} finnes allerede; velg et nytt navn.")
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            if unsynced:
                connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        db = Database(target.render_as_string(hide_password=False))
        try:
            yield db
        finally:
            db.dispose()
            with server.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()
