"""Drafts: what a person typed into a task's form and saved unfinished, kept on the server per
task and person, so that closing the browser or a colleague being faster loses nothing.

A draft holds the raw typed values, never validated (a half-done form is the point), and is
limited in size. Only its author ever reads it. Completing the task removes the completer's
draft (:func:`engine.features.task_actions.complete_task`); a colleague's draft of a task that
is done stays for them to read and delete.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.features.task_actions import task_in_reach
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.errors import InvalidData
from engine.kernel.models import TaskDraft
from engine.runtime.users import Actor

MAX_DRAFT_BYTES = 64 * 1024
"""A form's text is a few kilobytes; anything near this is not a person typing."""


@dataclass(frozen=True)
class Draft:
    """The values as typed, and when they were saved."""

    data: Mapping[str, Any]
    saved_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {"data": dict(self.data), "saved_at": self.saved_at.isoformat()}


def _row(session: Session, task_id: int, actor: Actor) -> TaskDraft | None:
    return session.scalar(select(TaskDraft).where(TaskDraft.task_id == task_id,
                                                  TaskDraft.username == actor.username))


def save_draft(db: Database, task_id: int, data: Any, actor: Actor) -> Draft:
    """Keep ``data`` (a JSON object, as typed) as the actor's draft of the task, replacing the
    one before. 404/403 as for acting on the task; 422 when it is not an object or too big."""
    if not isinstance(data, dict):
        raise InvalidData({"data": "Utkastet må være et JSON-objekt."})
    if len(json.dumps(data, ensure_ascii=False).encode()) > MAX_DRAFT_BYTES:
        raise InvalidData({"data": f"Utkastet er for stort (mer enn {MAX_DRAFT_BYTES // 1024} "
                                   "KB)."})
    with db.transaction() as session:
        task_in_reach(session, task_id, actor)
        row = _row(session, task_id, actor)
        now = clock.now()
        if row is None:
            row = TaskDraft(task_id=task_id, username=actor.username, data=data, saved_at=now)
            session.add(row)
        else:
            row.data, row.saved_at = data, now
        return Draft(dict(data), now)


def load_draft(db: Database, task_id: int, actor: Actor) -> Draft | None:
    """The actor's own draft of the task, if they saved one."""
    with db.reading() as session:
        task_in_reach(session, task_id, actor)
        row = _row(session, task_id, actor)
        return Draft(dict(row.data), row.saved_at) if row else None


def delete_draft(db: Database, task_id: int, actor: Actor) -> None:
    """Forget the actor's draft of the task (nothing happens when there is none)."""
    with db.transaction() as session:
        task_in_reach(session, task_id, actor)
        session.execute(delete(TaskDraft).where(TaskDraft.task_id == task_id,
                                                TaskDraft.username == actor.username))
