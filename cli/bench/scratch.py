"""A database of a benchmark's own: made for the run and removed after it, never the user's."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from engine.kernel.db import Database


@contextmanager
def temporary_sqlite() -> Iterator[Database]:
    """A SQLite file in a temporary folder, removed with it."""
    with tempfile.TemporaryDirectory(prefix="ipflow-bench-") as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
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
def new_postgresql(target: URL, replace: bool = False) -> Iterator[Database]:
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
        db = Database(target.render_as_string(hide_password=False))
        try:
            yield db
        finally:
            db.dispose()
            with server.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()
