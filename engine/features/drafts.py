"""Drafts: what a person typed into a task's form, or a case's plan form, and saved
unfinished, kept on the server per task (or case) and person, so that closing the browser or a
colleague being faster loses nothing.

A draft holds the raw typed values, never validated (a half-done form is the point), and is
limited in size. Only its author ever reads it. Completing the task removes the completer's
draft (:func:`engine.features.task_actions.complete_task`); a colleague's draft of a task that
is done stays for them to read and delete. Saving the plan removes the saver's plan draft
(:func:`engine.features.plans.revise_plan`); a plan draft remembers the revision it was typed
on, so that saving it after the plan changed is refused, never merged blindly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.features.plans import plan_in_reach
from engine.features.task_actions import task_in_reach
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.errors import InvalidData
from engine.kernel.models import PlanDraft, TaskDraft
from engine.runtime.users import Actor

MAX_DRAFT_BYTES = 64 * 1024
"""A form's text is a few kilobytes; anything near this is not a person typing."""


@dataclass(frozen=True)
class Draft:
    """The values as typed, and when they were saved (a plan draft: on which revision)."""

    data: Mapping[str, Any]
    saved_at: datetime
    base: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"data": dict(self.data), "saved_at": self.saved_at.isoformat()}


def _row(session: Session, task_id: int, actor: Actor) -> TaskDraft | None:
    return session.scalar(select(TaskDraft).where(TaskDraft.task_id == task_id,
                                                  TaskDraft.username == actor.username))


def _checked(data: Any) -> dict[str, Any]:
    """``data`` as a draft keeps it; 422 when it is not a JSON object or too big."""
    if not isinstance(data, dict):
        raise InvalidData({"data": "Utkastet må være et JSON-objekt."})
    if len(json.dumps(data, ensure_ascii=False).encode()) > MAX_DRAFT_BYTES:
        raise InvalidData({"data": f"Utkastet er for stort (mer enn {MAX_DRAFT_BYTES // 1024} "
                                   "KB)."})
    return data


def save_draft(db: Database, task_id: int, data: Any, actor: Actor) -> Draft:
    """Keep ``data`` (a JSON object, as typed) as the actor's draft of the task, replacing the
    one before. 404/403 as for acting on the task; 422 when it is not an object or too big."""
    data = _checked(data)
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


# ---------------------------------------------------------------- the plan form


def _forget_plan_draft(session: Session, case_id: int, actor: Actor) -> None:
    session.execute(delete(PlanDraft).where(PlanDraft.case_id == case_id,
                                            PlanDraft.username == actor.username))


def save_plan_draft(db: Database, case_id: int, data: Any, base: int, actor: Actor) -> Draft:
    """Keep ``data`` as typed on revision ``base`` as the actor's draft of the case's plan,
    replacing the one before. 404/403/409 as for saving the plan; 422 as for a task's draft."""
    data = _checked(data)
    with db.transaction() as session:
        plan_in_reach(session, case_id, actor)
        _forget_plan_draft(session, case_id, actor)
        now = clock.now()
        session.add(PlanDraft(case_id=case_id, username=actor.username, base=base, data=data,
                              saved_at=now))
        return Draft(dict(data), now, base)


def load_plan_draft(db: Database, case_id: int, actor: Actor) -> Draft | None:
    """The actor's own draft of the case's plan, if they saved one."""
    with db.reading() as session:
        plan_in_reach(session, case_id, actor)
        row = session.scalar(select(PlanDraft).where(PlanDraft.case_id == case_id,
                                                     PlanDraft.username == actor.username))
        return Draft(dict(row.data), row.saved_at, row.base) if row else None


def delete_plan_draft(db: Database, case_id: int, actor: Actor) -> None:
    """Forget the actor's draft of the case's plan (nothing happens when there is none)."""
    with db.transaction() as session:
        plan_in_reach(session, case_id, actor)
        _forget_plan_draft(session, case_id, actor)
