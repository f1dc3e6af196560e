"""The case history's new rows, written with the call's other new rows at the commit.

An engine call adds several events (the task completed, each step run, each task created). As
ORM objects each needs its id back, which on SQLite costs one ``INSERT … RETURNING`` per row.
Nothing reads an event back in the transaction that wrote it, so they wait in the session and
go to the database just before the commit, in the order they were added (their ids keep that
order): :mod:`engine.kernel.commit_rows`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.kernel import commit_rows
from engine.kernel.models import Event, progress


def add_event(session: Session, case_id: int, at: datetime, actor: str, kind: str,
              bpmn_id: str | None, data: dict[str, Any]) -> None:
    """An event for the case history, written when the session commits."""
    commit_rows.add_values(session, Event, {
        "case_id": case_id, "at": at, "actor": actor, "kind": kind, "bpmn_id": bpmn_id,
        "data": data})
    progress.note_event(session, case_id, kind, at)
