"""Where each open case waits at a moment: its open tasks, its failed steps, else the timers
and messages it waits for, since its last progress.

The monitor's other parts (stuck cases, the heat map) start from these positions. They read the
derived tables only, *as of* a moment: a task counts as open at ``now`` when it was created
before and not completed before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from engine.kernel.models import NUDGE_EVENTS, Case, Event, Incident, Task, Timer


@dataclass
class Position:
    """Where one case waits at ``now``: a task, a failed step, or a timer/message."""

    case_id: int
    step: str
    name: str | None
    since: datetime
    service_area: str | None
    task: Task | None = None


def case_open_at(now: datetime) -> ColumnElement[bool]:
    return and_(Case.created_at <= now, or_(Case.closed_at.is_(None), Case.closed_at > now))


def task_open_at(now: datetime) -> ColumnElement[bool]:
    return and_(Task.created_at <= now, or_(Task.completed_at.is_(None), Task.completed_at > now))


def incident_open_at(now: datetime) -> ColumnElement[bool]:
    return and_(Incident.created_at <= now,
                or_(Incident.resolved_at.is_(None), Incident.resolved_at > now))


def _open_tasks(session: Session, now: datetime) -> list[Task]:
    return list(session.scalars(select(Task).join(Case, Case.id == Task.case_id)
                                .where(task_open_at(now), case_open_at(now))
                                .order_by(Task.case_id, Task.id)))


def open_incidents(session: Session, now: datetime) -> list[tuple[Incident, str | None]]:
    return [(incident, area) for incident, area in session.execute(
        select(Incident, Case.service_area).join(Case, Case.id == Incident.case_id)
        .where(incident_open_at(now), case_open_at(now)).order_by(Incident.id))]


def last_progress(session: Session, now: datetime) -> dict[int, tuple[datetime, str | None]]:
    """Open cases with the moment of their last event that was not a nudge."""
    last = (select(Event.case_id, func.max(Event.at).label("at"))
            .where(Event.at <= now, Event.kind.not_in(NUDGE_EVENTS))
            .group_by(Event.case_id).subquery())
    rows = session.execute(select(Case.id, Case.created_at, last.c.at, Case.service_area)
                           .outerjoin(last, last.c.case_id == Case.id).where(case_open_at(now)))
    return {case_id: (at or created, area) for case_id, created, at, area in rows}


def positions(session: Session, now: datetime,
              incidents: list[tuple[Incident, str | None]] | None = None,
              last: dict[int, tuple[datetime, str | None]] | None = None) -> list[Position]:
    """Where each open case waits at ``now``: its open tasks and failed steps; a case with
    neither waits at its timers or messages, since its last event. (``incidents`` and ``last``
    may be passed in when the caller has read them already.)"""
    incidents = open_incidents(session, now) if incidents is None else incidents
    last = last_progress(session, now) if last is None else last
    found = [Position(t.case_id, t.bpmn_id, t.name, t.created_at, t.service_area, t)
             for t in _open_tasks(session, now)]
    found += [Position(i.case_id, i.bpmn_id, None, i.created_at, area) for i, area in incidents]
    placed = {p.case_id for p in found}
    waiting = session.execute(
        select(Timer.case_id, Timer.bpmn_id).join(Case, Case.id == Timer.case_id)
        .where(case_open_at(now), Timer.cancelled.is_(False),
               or_(Timer.fired_at.is_(None), Timer.fired_at > now))
        .order_by(Timer.case_id, Timer.due_at))
    for case_id, bpmn_id in waiting:
        if case_id not in placed and case_id in last:
            placed.add(case_id)
            since, area = last[case_id]
            found.append(Position(case_id, bpmn_id, None, since, area))
    return found
