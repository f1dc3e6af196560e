"""Database connection, sessions and migrations.

SQLite is the embedded default; PostgreSQL is used when ``DATABASE_URL`` says so. Every write
the engine makes happens inside :meth:`Database.transaction`, so a failure leaves no trace.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.kernel import lengths  # noqa: F401  (refuses overlong text at every flush)
from engine.kernel.commit_rows import before_migration, write_at_commit
from engine.kernel.errors import Conflict
from engine.kernel.models.base import compact

CHANGED_MEANWHILE = "Saken ble endret av noen andre i mellomtiden. Last inn på nytt og prøv igjen."

DEFAULT_URL = "sqlite:///ipflow.sqlite"
MIGRATIONS = Path(__file__).parent / "migrations"


def database_url() -> str:
    return os.environ.get("DATABASE_URL", DEFAULT_URL)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on, wait for a writer instead of failing, WAL for concurrent readers."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


class Database:
    """One engine and session factory per process."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or database_url()
        # JSON without spaces or escaped letters: SQLite keeps the text as it is given.
        self.engine: Engine = create_engine(self.url, future=True, pool_pre_ping=True,
                                            json_serializer=compact)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        write_at_commit(self._sessions)

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any exception.

        A lost race (optimistic version check, a unique row written twice, SQLite's writer
        lock) becomes :class:`Conflict`, so the caller can tell the user to reload.
        """
        try:
            with self._sessions() as session, session.begin():
                yield session
        except (StaleDataError, IntegrityError) as exc:
            raise Conflict(CHANGED_MEANWHILE) from exc
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            raise Conflict(CHANGED_MEANWHILE) from exc

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revisions (every head: features add their own)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.engine.begin() as connection:
            before_migration(connection)
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")

    def dispose(self) -> None:
        self.engine.dispose()
