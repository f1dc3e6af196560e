"""Where each open case waits at a moment: its open tasks, its failed steps, else the timers
and messages it waits for, since its last progress.

The monitor's other parts (stuck cases, the heat map) start from these positions. They read the
derived tables only, *as of* a moment: a task counts as open at ``now`` when it was created
before and not completed before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from engine.kernel.models import NUDGE_EVENTS, Case, Event, Incident, Task, Timer
from engine.kernel.vocabulary import Role


@dataclass
class Position:
    """Where one case waits at ``now``: a task, a failed step, or a timer/message (and the
    role that is to act there, when it is a task or a failed step)."""

    case_id: int
    step: str
    name: str | None
    since: datetime
    service_area: str | None
    role: str | None = None
    version_id: int | None = None  # the case's process version (whose heat map it is on)


def case_open_at(now: datetime) -> ColumnElement[bool]:
    return and_(Case.created_at <= now, or_(Case.closed_at.is_(None), Case.closed_at > now))


def task_open_at(now: datetime) -> ColumnElement[bool]:
    return and_(Task.created_at <= now, or_(Task.completed_at.is_(None), Task.completed_at > now))


def incident_open_at(now: datetime) -> ColumnElement[bool]:
    return and_(Incident.created_at <= now,
                or_(Incident.resolved_at.is_(None), Incident.resolved_at > now))


def progress_at(now: datetime) -> ColumnElement[Any]:
    """A case's last progress at ``now``: the stored one, unless the case progressed after
    ``now`` (the monitor asked about the past); then its newest event up to ``now`` that is
    not a nudge, else its creation."""
    then = (select(func.max(Event.at)).where(Event.case_id == Case.id, Event.at <= now,
                                             Event.kind.not_in(NUDGE_EVENTS))
            .correlate(Case).scalar_subquery())
    return case((Case.last_progress_at <= now, Case.last_progress_at),
                else_=func.coalesce(then, Case.created_at))


def positions(session: Session, now: datetime) -> list[Position]:
    """Where each open case waits at ``now``: its open tasks and failed steps; a case with
    neither waits at its first timer or message, since its last progress. Columns only, each
    from the derived rows an index finds (no event is read for a case that progressed
    before ``now``)."""
    found = [Position(*row) for row in session.execute(
        select(Task.case_id, Task.bpmn_id, Task.name, Task.created_at, Task.service_area,
               Task.role, Case.process_version_id).join(Case, Case.id == Task.case_id)
        .where(task_open_at(now), case_open_at(now)).order_by(Task.case_id, Task.id))]
    found += [Position(case_id, step, None, since, area, Role.SYSTEMKOORDINATOR, version)
              for case_id, step, since, area, version in session.execute(
                  select(Incident.case_id, Incident.bpmn_id, Incident.created_at,
                         Case.service_area, Case.process_version_id)
                  .join(Case, Case.id == Incident.case_id)
                  .where(incident_open_at(now), case_open_at(now)).order_by(Incident.id))]
    placed = {p.case_id for p in found}
    waiting = session.execute(
        select(Timer.case_id, Timer.bpmn_id, progress_at(now), Case.service_area,
               Case.process_version_id).join(Case, Case.id == Timer.case_id)
        .where(case_open_at(now), Timer.cancelled.is_(False),
               or_(Timer.fired_at.is_(None), Timer.fired_at > now))
        .order_by(Timer.case_id, Timer.due_at))
    for case_id, step, since, area, version in waiting:
        if case_id not in placed:
            placed.add(case_id)
            found.append(Position(case_id, step, None, since, area, None, version))
    return found
