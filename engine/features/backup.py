"""A complete, self-describing copy of the database as one file, and restoring it.

The file is a zip: ``manifest.json`` (format and version, the schema's Alembic revisions, the
database it came from, and per table its row count, SHA-256 and the last id handed out) and one
JSON Lines file per table under ``tables/``, a row per line with the columns by name. Every
table of the engine's metadata is in it, so nothing the app holds is left out: cases with their
workflow state, events, documents and the attachments' bytes (base64), the access log, users,
process versions, drafts. Values are written by column type (times as ISO 8601 with their zone,
dates ISO, bytes base64, JSON as JSON) so a backup from SQLite restores into PostgreSQL and back.

A restore writes into an empty database at the same schema revisions (an older or newer
schema would read the rows wrongly), keeps every id, and moves the id sequences past the
restored ids, so the restored instance goes on numbering where the backed-up one stopped.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    Table,
    TypeDecorator,
    func,
    inspect,
    literal,
    select,
    text,
)
from sqlalchemy.types import TypeEngine

from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.errors import EngineError
from engine.kernel.models import Base, PackedJson, PackedText

FORMAT = "ipflow-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BATCH = 500


class BackupRefused(EngineError):
    """The file is not a backup this ipflow can restore, or the database is not ready for it."""

    code = "backup_refused"


def tables() -> list[Table]:
    """Every table the engine has, parents before children (the order rows are inserted)."""
    return list(Base.metadata.sorted_tables)


def _type(table: Table, name: str) -> TypeEngine[Any]:
    """The column's storage type (a decorated type's own, e.g. UTC times are a DateTime),
    except packed JSON and text, which a backup holds as the engine reads them."""
    kind = table.c[name].type
    if isinstance(kind, PackedJson | PackedText):
        return kind
    return kind.impl_instance if isinstance(kind, TypeDecorator) else kind


def encode(value: Any) -> Any:
    """A column's value as JSON: times and dates as ISO 8601, bytes as base64."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def decode(table: Table, name: str, value: Any) -> Any:
    """The column's value back from :func:`encode`, by the column's type."""
    if value is None:
        return None
    kind = _type(table, name)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    return value


def rows(connection: Connection, table: Table) -> Iterator[dict[str, Any]]:
    """The table's rows in primary key order, values as the engine reads them."""
    query = select(table).order_by(*table.primary_key.columns)
    for row in connection.execution_options(yield_per=BATCH).execute(query).mappings():
        yield dict(row)


def revisions(connection: Connection) -> list[str]:
    """The schema's Alembic revisions (one per head); empty when there is no schema."""
    if not inspect(connection).has_table("alembic_version"):
        return []
    return sorted(connection.scalars(text("SELECT version_num FROM alembic_version")))


def _id_column(table: Table) -> str | None:
    """The integer primary key the database numbers, if the table has one."""
    keys = list(table.primary_key.columns)
    if len(keys) == 1 and isinstance(_type(table, keys[0].name), Integer) \
            and keys[0].autoincrement:
        return keys[0].name
    return None


def _last_ids(connection: Connection) -> dict[str, int]:
    """Per table, the last id the database handed out (higher than the largest id when the
    newest rows were deleted: a deleted draft's id is never given again)."""
    last: dict[str, int] = {}
    dialect = connection.dialect.name
    if dialect == "sqlite" and inspect(connection).has_table("sqlite_sequence"):
        last.update((str(name), int(seq)) for name, seq in connection.execute(
            text("SELECT name, seq FROM sqlite_sequence")))
    for table in tables():
        column = _id_column(table)
        if column is None:
            continue
        highest = connection.scalar(select(func.max(table.c[column]))) or 0
        if dialect == "postgresql":
            given = connection.scalar(text(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence(:t, :c)::regclass)"),
                {"t": table.name, "c": column})
            highest = max(highest, given or 0)
        last[table.name] = max(highest, last.get(table.name, 0))
    return last


def backup(db: Database, path: Path) -> dict[str, Any]:
    """Write every table to ``path`` in one consistent read; returns the manifest."""
    manifest: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "created_at": clock.now().isoformat(),
        "database": db.engine.dialect.name, "tables": {}}
    with db.engine.connect() as connection, connection.begin():
        if db.is_postgresql:
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        manifest["alembic_revisions"] = revisions(connection)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in tables():
                name = f"tables/{table.name}.jsonl"
                digest, count = hashlib.sha256(), 0
                with archive.open(name, "w") as out:
                    for row in rows(connection, table):
                        line = (json.dumps({k: encode(v) for k, v in row.items()},
                                           ensure_ascii=False) + "\n").encode("utf-8")
                        digest.update(line)
                        out.write(line)
                        count += 1
                manifest["tables"][table.name] = {"file": name, "rows": count,
                                                  "sha256": digest.hexdigest()}
            manifest["last_ids"] = _last_ids(connection)
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    """The manifest, after checking that this ipflow knows the format and every table file
    is whole (its checksum and row count match)."""
    try:
        manifest: dict[str, Any] = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError) as exc:
        raise BackupRefused("Filen er ikke en ipflow-sikkerhetskopi (manifest.json mangler).") \
            from exc
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupRefused(f"Ukjent format: {manifest.get('format')} versjon "
                            f"{manifest.get('format_version')} "
                            f"(kjenner {FORMAT} {FORMAT_VERSION}).")
    known = {t.name for t in tables()}
    if set(manifest["tables"]) != known:
        raise BackupRefused("Tabellene i filen er ikke de samme som i denne versjonen av ipflow: "
                            + ", ".join(sorted(set(manifest["tables"]) ^ known)))
    for name, entry in manifest["tables"].items():
        content = archive.read(entry["file"])
        if hashlib.sha256(content).hexdigest() != entry["sha256"] \
                or content.count(b"\n") != entry["rows"]:
            raise BackupRefused(f"Tabellen {name} i filen er skadet (sjekksummen stemmer ikke).")
    return manifest


def _is_empty(connection: Connection) -> bool:
    return all(connection.scalar(select(literal(1)).select_from(table).limit(1)) is None
               for table in tables())


def _fix_sequences(connection: Connection, last_ids: dict[str, int]) -> None:
    """Number new rows after the restored ones (and after ids the source had given away)."""
    for table in tables():
        column = _id_column(table)
        if column is None:
            continue
        last = max(last_ids.get(table.name, 0),
                   connection.scalar(select(func.max(table.c[column]))) or 0)
        if connection.dialect.name == "postgresql":
            connection.execute(text(
                "SELECT setval(pg_get_serial_sequence(:t, :c), :v, :called)"),
                {"t": table.name, "c": column, "v": max(last, 1), "called": last > 0})
        elif inspect(connection).has_table("sqlite_sequence") and table.kwargs.get(
                "sqlite_autoincrement"):
            connection.execute(text("DELETE FROM sqlite_sequence WHERE name = :t"),
                               {"t": table.name})
            connection.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :v)"),
                               {"t": table.name, "v": last})


def restore(db: Database, path: Path, replace: bool = False) -> dict[str, Any]:
    """Write the backup at ``path`` into the database in one transaction; returns its manifest.

    A database without a schema gets one first. Refused when the schema's revisions differ
    from the backup's, and when the database holds rows, unless ``replace`` (then every row
    is deleted first, in the same transaction).
    """
    with zipfile.ZipFile(path) as archive:
        manifest = read_manifest(archive)
        with db.engine.connect() as connection:
            fresh = not revisions(connection)
        if fresh:
            db.migrate()
        with db.engine.begin() as connection:
            have = revisions(connection)
            if have != manifest["alembic_revisions"]:
                raise BackupRefused(
                    "Databasen har et annet skjema enn sikkerhetskopien (databasen: "
                    f"{', '.join(have)}; kopien: {', '.join(manifest['alembic_revisions'])}). "
                    "Gjenopprett med den ipflow-versjonen som tok kopien.")
            if not _is_empty(connection):
                if not replace:
                    raise BackupRefused("Databasen er ikke tom. Gjenopprett i en tom database, "
                                        "eller bruk --replace for å erstatte alt som er der.")
                for table in reversed(tables()):
                    connection.execute(table.delete())
            for table in tables():
                _insert(connection, table, archive.read(manifest["tables"][table.name]["file"]))
            _fix_sequences(connection, manifest.get("last_ids", {}))
    return manifest


def _insert(connection: Connection, table: Table, content: bytes) -> None:
    batch: list[dict[str, Any]] = []
    for line in content.decode("utf-8").splitlines():
        batch.append({k: decode(table, k, v) for k, v in json.loads(line).items()})
        if len(batch) == BATCH:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)
