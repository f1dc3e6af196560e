"""The task inbox as people use it: mine and my group's, filtered, searched and paged.

Reads only the ``task`` and ``case_`` tables, never workflow state, so it stays fast with many
cases.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, false, func, or_, select, true

from engine.features.snapshots import TaskFacts
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import Case, InboxCount, Task, searchable
from engine.kernel.paging import Paging
from engine.runtime.access import actionable, actionable_tasks
from engine.runtime.users import Actor

VIEWS = ("mine", "group", "all")


@dataclass(frozen=True)
class InboxQuery:
    # "mine": claimed by or assigned to me; "group": everything else I may take; "all": both
    view: str = "mine"
    step: str | None = None
    service_area: str | None = None
    search: str | None = None
    paging: Paging = Paging()

    @classmethod
    def parse(cls, args: Mapping[str, str], default_view: str = "mine") -> tuple[
            InboxQuery, dict[str, str]]:
        """The query from request parameters, and what was wrong with them by name (the API
        refuses those, the page shows its default instead)."""
        errors: dict[str, str] = {}
        view = args.get("view") or default_view
        if view not in VIEWS:
            errors["view"] = "view må være en av " + ", ".join(VIEWS) + "."
            view = default_view

        def text(name: str) -> str | None:
            value = (args.get(name) or "").strip()[:200]
            return value or None

        return cls(view=view, step=text("step"), service_area=text("service_area"),
                   search=text("q"), paging=Paging.parse(args, errors)), errors


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
    facts: TaskFacts

    @classmethod
    def of(cls, task: Task, citizen_name: str, citizen_nin: str, now: datetime) -> InboxRow:
        return cls(id=task.id, case_id=task.case_id, bpmn_id=task.bpmn_id, name=task.name,
                   role=task.role, service_area=task.service_area, assignee=task.assignee,
                   claimed_by=task.claimed_by, due_at=task.due_at,
                   overdue=task.due_at is not None and task.due_at < now,
                   citizen_name=citizen_name, citizen_nin=citizen_nin,
                   on_behalf_of=task.on_behalf_of, facts=TaskFacts.of(task))

    def as_json(self) -> dict[str, Any]:
        """The API's task row, with whom the case is about and whether it is overdue."""
        return {**self.facts.as_json(), "citizen_name": self.citizen_name,
                "citizen_nin": self.citizen_nin, "overdue": self.overdue}


@dataclass(frozen=True)
class InboxPage:
    rows: tuple[InboxRow, ...]
    total: int
    page: int
    per_page: int
    counts: Mapping[str, int] = field(default_factory=dict)
    steps: tuple[tuple[str, str], ...] = ()

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def as_json(self) -> dict[str, Any]:
        """``{tasks, total, page, per_page, pages, counts}`` (the paging keys every list
        answers with, and the count of each tab)."""
        return {"tasks": [row.as_json() for row in self.rows], "total": self.total,
                "page": self.page, "per_page": self.per_page, "pages": self.pages,
                "counts": dict(self.counts)}


def _mine(actor: Actor, rows: type[Task] | type[InboxCount] = Task) -> Any:
    """Claimed by or assigned to the actor; never NULL, so that NOT of it is the group's."""
    return func.coalesce(or_(rows.claimed_by == actor.username,
                             rows.assignee == actor.username), false())


def _tab(actor: Actor, view: str, rows: type[Task] | type[InboxCount] = Task) -> Any:
    """Which of the actor's tasks a tab shows."""
    mine = _mine(actor, rows)
    return {"mine": mine, "group": ~mine}.get(view, true())


def _search(query: Select[Any], term: str) -> Select[Any]:
    if term.isdigit():
        return query.where(Case.citizen_nin.startswith(term))
    return query.where(Case.citizen_name_folded.contains(searchable(term), autoescape=True))


def _filters(q: InboxQuery, rows: type[Task] | type[InboxCount] = Task) -> list[Any]:
    """The step and service-area filters, over tasks or their counts."""
    return ([rows.bpmn_id == q.step] if q.step else []) + (
        [rows.service_area == q.service_area] if q.service_area else [])


def inbox_page(db: Database, actor: Actor, q: InboxQuery) -> InboxPage:
    """One page of the actor's inbox, soonest due first, with counts for both tabs.

    The counts, the steps and the total are sums over ``inbox_count`` (the ready tasks
    counted by the columns who may act and the filters depend on) with the same conditions as
    the tasks' own; only a search by the citizen counts tasks, joined with their cases. The
    page's rows are read in the order of the partial index ``ix_task_inbox``."""
    counted = select(InboxCount).where(actionable(actor, InboxCount), InboxCount.tasks > 0)
    tasks = (actionable_tasks(actor).where(_tab(actor, q.view), *_filters(q))
             .join(Case, Case.id == Task.case_id))
    term = q.search.strip() if q.search else ""
    if term:
        tasks = _search(tasks, term)
    now = clock.now()
    with db.reading() as session:
        tabs = session.execute(counted.with_only_columns(*(
            func.sum(InboxCount.tasks).filter(_tab(actor, view, InboxCount))
            for view in ("mine", "group")))).one()
        counts = {"mine": int(tabs[0] or 0), "group": int(tabs[1] or 0)}
        total = (session.scalar(tasks.with_only_columns(func.count())) if term
                 else session.scalar(counted.where(_tab(actor, q.view, InboxCount),
                                                   *_filters(q, InboxCount))
                                     .with_only_columns(func.sum(InboxCount.tasks)))) or 0
        page = q.paging.clamp(total)
        rows = session.execute(  # none to read when the counts say so
            tasks.with_only_columns(Task, Case.citizen_name, Case.citizen_nin)
            .order_by(Task.due_at.is_(None), Task.due_at, Task.id)
            .offset((page - 1) * q.paging.per_page).limit(q.paging.per_page)
        ).all() if total else []
        steps = session.execute(counted.with_only_columns(InboxCount.bpmn_id, InboxCount.name)
                                .distinct().order_by(InboxCount.name)).all()
    return InboxPage(tuple(InboxRow.of(task, name, nin, now) for task, name, nin in rows),
                     total, page, q.paging.per_page, counts,
                     tuple((bpmn_id, name) for bpmn_id, name in steps))
