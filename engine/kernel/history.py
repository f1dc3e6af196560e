"""The case history's new rows, kept in the session and written in one statement at commit.

An engine call adds several events (the task completed, each step run, each task created). As
ORM objects each needs its id back, which on SQLite costs one ``INSERT … RETURNING`` per row.
Nothing reads an event back in the transaction that wrote it, so they wait in
``session.info`` and go to the database as one executemany just before the commit, in the
order they were added (their ids keep that order).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session, sessionmaker

from engine.kernel.models import Event, progress

_PENDING = "ipflow.pending_events"


def add_event(session: Session, case_id: int, at: datetime, actor: str, kind: str,
              bpmn_id: str | None, data: dict[str, Any]) -> None:
    """An event for the case history, written when the session commits."""
    session.info.setdefault(_PENDING, []).append({
        "case_id": case_id, "at": at, "actor": actor, "kind": kind, "bpmn_id": bpmn_id,
        "data": data})
    progress.note_event(session, case_id, kind, at)


def _write_pending(session: Session) -> None:
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.connection().execute(insert(Event), rows)


def _forget_pending(session: Session, *_args: Any) -> None:
    session.info.pop(_PENDING, None)


def keep_history(sessions: sessionmaker[Session]) -> None:
    """Write each session's pending events before it commits; drop them when it rolls back."""
    event.listen(sessions, "before_commit", _write_pending)
    event.listen(sessions, "after_rollback", _forget_pending)
