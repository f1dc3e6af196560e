"""``engine.features.backup``: a backup restores into a fresh database row for row (bytes
included), the restored instance keeps working, and what cannot be restored safely is refused.

Runs on the test database (SQLite or PostgreSQL) into a second, fresh database of the same kind.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

import processes
from engine import demo
from engine.features import backup, case_queries, deploy, designer, drafts, overview
from engine.kernel.db import Database
from engine.kernel.models import Attachment, Case, Event, Task
from engine.kernel.vocabulary import TaskState
from engine.runtime.users import SYSTEM, get_actor


@pytest.fixture()
def fresh(db: Database, tmp_path: Path) -> Iterator[Database]:
    """A second database with nothing in it, not even a schema."""
    if not db.is_postgresql:
        target = Database(f"sqlite:///{tmp_path / 'restored.sqlite'}")
        yield target
        target.dispose()
        return
    url = make_url(db.url)
    name = f"{url.database}_restore"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    target = Database(url.set(database=name).render_as_string(hide_password=False))
    yield target
    target.dispose()
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    server.dispose()


def everything(db: Database) -> dict[str, list[dict[str, Any]]]:
    with db.engine.connect() as connection:
        return {t.name: list(backup.rows(connection, t)) for t in backup.tables()}


def _lived_in(db: Database) -> None:
    """The demo cases, a thread message, a draft, a designer's draft and logged reads."""
    demo.seed(db)
    koordinator = get_actor(db, "koordinator")
    with db.reading() as session:
        case_id = session.scalar(select(Case.id).order_by(Case.id.desc()))
    assert case_id is not None
    overview.post_message(db, case_id, "Møtet flyttes til tirsdag. Æøå.", koordinator)
    case_queries.get_case(db, case_id, koordinator)
    drafts.save_draft(db, _any_open_task(db), {"note": "halvferdig"},
                      get_actor(db, "systemkoordinator"))
    designer.upload(db, demo_diagram(), get_actor(db, "designer"), key="ip_koordinator")


def demo_diagram() -> bytes:
    return next(iter(processes.diagram_paths())).read_bytes()


def _any_open_task(db: Database) -> int:
    with db.reading() as session:
        task_id = session.scalar(select(Task.id).where(
            Task.state == TaskState.READY, Task.role == "systemkoordinator").order_by(Task.id))
    assert task_id is not None
    return task_id


def test_round_trip_keeps_every_row_and_the_restored_instance_works(
        db: Database, fresh: Database, tmp_path: Path) -> None:
    _lived_in(db)
    before = everything(db)
    assert before["attachment"] and all(r["content"][:5] == b"%PDF-" for r in before["attachment"])
    assert before["case_message"] and before["access_log"] and before["task_draft"]
    assert before["process_draft"] and before["case_"]
    file = tmp_path / "ipflow.backup"

    manifest = backup.backup(db, file)
    backup.restore(fresh, file)

    assert manifest["tables"]["attachment"]["rows"] == len(before["attachment"])
    after = everything(fresh)
    for table in backup.tables():
        assert after[table.name] == before[table.name], table.name
    # the restored instance goes on: a step completed, new rows numbered after the old ones
    waiting = approve_a_waiting_case(fresh)
    with fresh.reading() as session:
        newest_event = session.scalar(select(func.max(Event.id)))
        assert session.scalar(select(Task.state).where(
            Task.case_id == waiting, Task.bpmn_id == "assess_report")) == TaskState.COMPLETED
    assert newest_event is not None
    assert newest_event > max(r["id"] for r in before["event"])


def test_restore_refuses_a_database_that_is_not_empty_unless_told_to_replace(
        db: Database, fresh: Database, tmp_path: Path) -> None:
    demo.seed(db)
    file = tmp_path / "ipflow.backup"
    backup.backup(db, file)
    backup.restore(fresh, file)

    with pytest.raises(backup.BackupRefused, match="ikke tom"):
        backup.restore(fresh, file)
    backup.restore(fresh, file, replace=True)
    assert everything(fresh) == everything(db)


def _rewritten(source: Path, target: Path, change: Any) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            new.writestr(item, change(item.filename, old.read(item.filename)))
    return target


def test_restore_refuses_another_schema_revision_and_a_damaged_file(
        db: Database, fresh: Database, tmp_path: Path) -> None:
    demo.seed(db)
    file = tmp_path / "ipflow.backup"
    backup.backup(db, file)

    def older(name: str, content: bytes) -> bytes:
        if name != backup.MANIFEST:
            return content
        manifest = json.loads(content)
        manifest["alembic_revisions"] = ["0001"]
        return json.dumps(manifest).encode()

    def damaged(name: str, content: bytes) -> bytes:
        return content.replace(b"Olsen", b"Olson") if name.endswith("case_.jsonl") \
            else content

    with pytest.raises(backup.BackupRefused, match="annet skjema"):
        backup.restore(fresh, _rewritten(file, tmp_path / "older.backup", older))
    with pytest.raises(backup.BackupRefused, match="skadet"):
        backup.restore(fresh, _rewritten(file, tmp_path / "damaged.backup", damaged))
    with fresh.reading() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_a_backup_from_sqlite_restores_into_the_test_database(
        fresh: Database, tmp_path: Path) -> None:
    """Values are written by column type, not by database: on the PostgreSQL run this moves a
    SQLite instance to PostgreSQL."""
    source = Database(f"sqlite:///{tmp_path / 'source.sqlite'}")
    source.migrate()
    for path in processes.diagram_paths():
        deploy.deploy(source, path.read_bytes(), SYSTEM)
    _lived_in(source)
    file = tmp_path / "ipflow.backup"
    backup.backup(source, file)

    backup.restore(fresh, file)

    assert everything(fresh) == everything(source)
    approve_a_waiting_case(fresh)
    source.dispose()


def approve_a_waiting_case(db: Database) -> int:
    """The restored instance goes on: a case waiting for its assessment is approved (its id
    is returned)."""
    staff = {name: get_actor(db, name) for name in ("systemkoordinator", "fagleder")}
    with db.reading() as session:
        waiting = session.scalar(select(Task.case_id).where(
            Task.state == TaskState.READY, Task.bpmn_id == "assess_report"))
    assert waiting is not None
    demo.approve(db, staff, waiting, "helse")
    return waiting
