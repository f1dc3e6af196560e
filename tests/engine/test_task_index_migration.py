"""0009_bytes3 on a database written before it: the task table's index on case_id alone goes
(two others lead with the column), the tasks stay, and the downgrade brings the index back."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import command
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import create_engine, inspect, text

from engine.kernel.db import MIGRATIONS
from tests.support.migrations import upgraded_but

BYTES3 = "0009_bytes3"


def _task_indexes(url: str) -> set[str]:
    return {index["name"] for index in inspect(create_engine(url)).get_indexes("task")}


def test_the_case_id_index_goes_and_comes_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    config = upgraded_but(url, BYTES3)
    assert "ix_task_case_id" in _task_indexes(url)
    with create_engine(url).begin() as connection:
        connection.execute(text(
            "INSERT INTO task (id, case_id, spiff_id, bpmn_id, name, role, form, state, "
            "created_at) VALUES (1, 7, 's1', 'assess', 'Vurder', 'saksbehandler', 'f', "
            "'ready', '2026-01-05 09:00:00')"))
    command.upgrade(config, BYTES3)
    indexes = _task_indexes(url)
    assert "ix_task_case_id" not in indexes
    assert "ix_task_case_state_due" in indexes
    with create_engine(url).connect() as connection:
        assert connection.execute(text("SELECT case_id FROM task")).scalar_one() == 7
    # Its own downgrade (Alembic's would take every branch on 0001 down with it).
    spec = importlib.util.spec_from_file_location(BYTES3, MIGRATIONS / "versions" / f"{BYTES3}.py")
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with create_engine(url).begin() as connection, Operations.context(
            MigrationContext.configure(connection)):
        migration.downgrade()
    assert "ix_task_case_id" in _task_indexes(url)
