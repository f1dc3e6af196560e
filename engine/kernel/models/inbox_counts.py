"""``inbox_count``: how many ready tasks there are of each kind, kept as tasks change.

The inbox shows on every request how many tasks each tab holds, which steps there are to
filter by and how many tasks a filter leaves. Counting the ready tasks for that reads all of
them (89,000 at 100,000 cases, seconds on a busy machine). Who may act on a task, and the
inbox's filters, depend only on the columns in :data:`GROUPED`, so one row per distinct
combination of them, with how many ready tasks have it, answers every such count by summing a
few hundred rows with the same conditions (:func:`engine.runtime.access.may_act_on`).

The rows follow every session's flush, so no writer of tasks needs to remember them: each new,
changed or deleted task moves its count from the group it was in to the one it is in now, and
the moves are written at the commit, in the same transaction, in one ``INSERT ... ON CONFLICT``
with a row per group, in key order (two commits that move the same groups lock them in the
same order); on PostgreSQL within the commit's one statement of new rows
(:mod:`engine.kernel.commit_rows`).
A writer that changes tasks by a statement instead of through the session says so with
:func:`moved`; a bulk load of tasks calls :func:`rebuild`.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from sqlalchemy import String, delete, event, func, insert, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.dml import Insert

from engine.kernel.models.base import Base
from engine.kernel.models.cases import Task
from engine.kernel.vocabulary import TaskState

# The task columns a count is kept by: who may act on it (role, service area, claim,
# assignee) and what the inbox filters and lists its steps by.
GROUPED = ("bpmn_id", "name", "role", "service_area", "claimed_by", "assignee")
_PENDING = "ipflow_inbox_counts_pending"

Group = tuple[str | None, ...]


class InboxCount(Base):
    """Ready tasks with the same :data:`GROUPED` values, and how many there are (a group
    whose tasks are all done stays, with 0)."""

    __tablename__ = "inbox_count"
    id: Mapped[int] = mapped_column(primary_key=True)
    # A digest of the group's values: the unique key upserts find the row by (the values
    # themselves may be NULL, which a unique constraint does not compare).
    key: Mapped[str] = mapped_column(String(64), unique=True)
    bpmn_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(40))
    service_area: Mapped[str | None] = mapped_column(String(40))
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    assignee: Mapped[str | None] = mapped_column(String(80))
    tasks: Mapped[int]


def _key(group: Group) -> str:
    return hashlib.sha256(json.dumps(group).encode()).hexdigest()


def _groups(values: Mapping[str, Any]) -> Group | None:
    """The group of a task with these values, or None when it is not ready (not counted)."""
    if values["state"] != TaskState.READY:
        return None
    return tuple(values[name] for name in GROUPED)


def moved(session: Session, before: Group | None, after: Group | None) -> None:
    """One task left group ``before`` for ``after`` (None: not a ready task), to be written
    at the commit."""
    if before == after:
        return
    pending: Counter[Group] = session.info.setdefault(_PENDING, Counter())
    if before is not None:
        pending[before] -= 1
    if after is not None:
        pending[after] += 1


def group_of(task: Task) -> Group | None:
    """The group the task is in as the session holds it now."""
    return _groups({name: getattr(task, name) for name in (*GROUPED, "state")})


def _committed_group(task: Task) -> Group | None:
    """The group the task was in when it was last flushed or loaded."""
    state = inspect(task)
    values = {}
    for name in (*GROUPED, "state"):
        history = state.attrs[name].history
        values[name] = (history.deleted[0] if history.deleted
                        else history.unchanged[0] if history.unchanged else None)
    return _groups(values)


@event.listens_for(Session, "before_flush")
def _note_tasks(session: Session, _context: Any, _instances: Any) -> None:
    for obj in session.new:
        if isinstance(obj, Task):
            moved(session, None, group_of(obj))
    for obj in session.dirty:
        if isinstance(obj, Task) and session.is_modified(obj):
            moved(session, _committed_group(obj), group_of(obj))
    for obj in session.deleted:
        if isinstance(obj, Task):
            moved(session, _committed_group(obj), None)


def moves_at_commit(session: Session) -> list[dict[str, Any]]:
    """The moves to write at the commit, after its last flush: a row per group that moved, in
    key order (the order the rows are locked in); none when nothing moved.
    :mod:`engine.kernel.commit_rows` sends them with the call's other new rows, each adding
    its ``tasks`` to its group's row (:data:`ADDS`)."""
    pending: Counter[Group] = session.info.pop(_PENDING, Counter())
    return [{"key": key, "tasks": change, **dict(zip(GROUPED, group, strict=True))}
            for key, group, change in sorted(
                (_key(group), group, change) for group, change in pending.items() if change)]


# A move's row adds its ``tasks`` to the row with the same ``key``.
ADDS = ("key", "tasks")


def upsert(dialect: str, moves: list[dict[str, Any]]) -> Insert:
    """Every move in one multi-row ``INSERT ... ON CONFLICT`` that adds to the counts."""
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
        InboxCount).values(moves)
    key, count = ADDS
    return statement.on_conflict_do_update(index_elements=[key], set_={
        count: InboxCount.__table__.c[count] + statement.excluded[count]})


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)


def rebuild(session: Session | Connection) -> None:
    """Count every ready task anew (after tasks were loaded in bulk, by a migration or a
    copy): one ``INSERT ... SELECT`` grouped by :data:`GROUPED`."""
    session.execute(delete(InboxCount))
    columns = [getattr(Task, name) for name in GROUPED]
    grouped = (select(*columns, func.count().label("tasks"))
               .where(Task.state == TaskState.READY).group_by(*columns))
    rows = [{**row._mapping, "key": _key(tuple(row[:len(GROUPED)]))}
            for row in session.execute(grouped)]
    if rows:
        session.execute(insert(InboxCount), rows)
