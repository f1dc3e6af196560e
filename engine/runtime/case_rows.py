"""The rows an engine call keeps in step with a case's workflow, read in one statement.

Open tasks, waiting timers, open incidents and open action items each live in a table of their
own (the inbox, the worker, the monitor and the plan page read them). An engine call may
update any of them, so it reads all four at once, by the case's id: a union of four kinds,
each outer-joined to its table, gives one row per open thing (and one empty row per kind
without any), with the highest action-item position beside it for new meetings' items. Four
index look-ups by ``case_id``, one round trip.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, func, literal_column, select, union_all
from sqlalchemy.orm import Session

from engine.kernel.models import ActionItem, Incident, Task, Timer
from engine.kernel.vocabulary import TaskState
from engine.runtime.plan_store import OPEN_ITEM_STATUSES


@dataclass
class CaseRows:
    """A case's open rows as the call found them; objects the session tracks."""

    tasks: list[Task] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)
    last_position: int | None = None  # of every action item, open or not


def read(session: Session, case_id: int) -> CaseRows:
    kinds = union_all(*(select(literal_column(str(n)).label("kind"))
                        for n in range(4))).subquery("kinds")
    kind = kinds.c.kind
    last_position = (select(func.max(ActionItem.position))
                     .where(ActionItem.case_id == case_id).scalar_subquery())
    query = (
        select(Task, Timer, Incident, ActionItem, last_position).select_from(kinds)
        .outerjoin(Task, and_(kind == 0, Task.case_id == case_id,
                              Task.state == TaskState.READY))
        .outerjoin(Timer, and_(kind == 1, Timer.case_id == case_id, Timer.fired_at.is_(None),
                               Timer.cancelled.is_(False)))
        .outerjoin(Incident, and_(kind == 2, Incident.case_id == case_id,
                                  Incident.resolved_at.is_(None)))
        .outerjoin(ActionItem, and_(kind == 3, ActionItem.case_id == case_id,
                                    ActionItem.status.in_(OPEN_ITEM_STATUSES))))
    rows = CaseRows()
    for task, timer, incident, item, position in session.execute(query):
        rows.last_position = position
        for found, kept in ((task, rows.tasks), (timer, rows.timers),
                            (incident, rows.incidents), (item, rows.action_items)):
            if found is not None:
                kept.append(found)
    rows.action_items.sort(key=lambda item: item.position)
    return rows
