"""The task inbox as people use it: mine and my group's, filtered, searched and paged.

Reads only the ``task`` and ``case_`` tables, never workflow state, so it stays fast with many
cases.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, false, func, or_

from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import Case, Task, searchable
from engine.runtime.access import actionable_tasks
from engine.runtime.users import Actor

PAGE_SIZE = 20


@dataclass(frozen=True)
class InboxQuery:
    view: str = "mine"  # "mine": claimed by or assigned to me; "group": everything I may take
    step: str | None = None
    service_area: str | None = None
    search: str | None = None
    page: int = 1


@dataclass(frozen=True)
class InboxRow:
    """One open task in the inbox, with whom the case is about and whether it is overdue."""

    id: int
    case_id: int
    bpmn_id: str
    name: str
    role: str
    service_area: str | None
    assignee: str | None
    claimed_by: str | None
    due_at: datetime | None
    overdue: bool
    citizen_name: str
    citizen_nin: str
    on_behalf_of: str | None

    @classmethod
    def of(cls, task: Task, citizen_name: str, citizen_nin: str, now: datetime) -> InboxRow:
        return cls(id=task.id, case_id=task.case_id, bpmn_id=task.bpmn_id, name=task.name,
                   role=task.role, service_area=task.service_area, assignee=task.assignee,
                   claimed_by=task.claimed_by, due_at=task.due_at,
                   overdue=task.due_at is not None and task.due_at < now,
                   citizen_name=citizen_name, citizen_nin=citizen_nin,
                   on_behalf_of=task.on_behalf_of)


@dataclass(frozen=True)
class InboxPage:
    rows: tuple[InboxRow, ...]
    total: int
    page: int
    pages: int
    counts: Mapping[str, int] = field(default_factory=dict)
    steps: tuple[tuple[str, str], ...] = ()


def _mine(actor: Actor) -> Any:
    """Claimed by or assigned to the actor; never NULL, so that NOT of it is the group's."""
    return func.coalesce(or_(Task.claimed_by == actor.username,
                             Task.assignee == actor.username), false())


def _filtered(query: Select[Any], q: InboxQuery) -> Select[Any]:
    if q.step:
        query = query.where(Task.bpmn_id == q.step)
    if q.service_area:
        query = query.where(Task.service_area == q.service_area)
    if q.search:
        term = q.search.strip()
        if term.isdigit():
            query = query.where(Case.citizen_nin.startswith(term))
        else:
            query = query.where(Case.citizen_name_folded.contains(searchable(term),
                                                                  autoescape=True))
    return query


def inbox_page(db: Database, actor: Actor, q: InboxQuery) -> InboxPage:
    """One page of the actor's inbox, soonest due first, with counts for both tabs."""
    base = actionable_tasks(actor).join(Case, Case.id == Task.case_id)
    mine, group = base.where(_mine(actor)), base.where(~_mine(actor))
    chosen = _filtered(mine if q.view == "mine" else group, q)
    now = clock.now()
    with db.reading() as session:
        counts = {name: session.scalar(query.with_only_columns(func.count(Task.id))) or 0
                  for name, query in (("mine", mine), ("group", group))}
        total = session.scalar(chosen.with_only_columns(func.count(Task.id))) or 0
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, q.page), pages)
        rows = session.execute(
            chosen.with_only_columns(Task, Case.citizen_name, Case.citizen_nin)
            .order_by(Task.due_at.is_(None), Task.due_at, Task.id)
            .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
        steps = session.execute(base.with_only_columns(Task.bpmn_id, Task.name).distinct()
                                .order_by(Task.name)).all()
    return InboxPage(tuple(InboxRow.of(task, name, nin, now) for task, name, nin in rows),
                     total, page, pages, counts,
                     tuple((bpmn_id, name) for bpmn_id, name in steps))
