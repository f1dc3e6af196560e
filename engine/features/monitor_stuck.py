"""The stuck list as one query: every reason every open case is stuck, sorted and paged by
the database.

Each reason of :mod:`engine.features.monitor` is a ``SELECT`` over the derived rows an index
finds (open tasks by deadline or creation, open incidents, cases by their stored last
progress, overdue action items); ``UNION ALL`` makes them one list the database filters,
counts, sorts and pages, so a page costs the same at 100 cases as at 100,000. ``limit_end``
(seconds since 1970 when the reason's limit ran out) sorts "most overdue first" without
date arithmetic the two databases spell differently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    String,
    Subquery,
    case,
    func,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from engine.features.monitor_positions import case_open_at, incident_open_at, task_open_at
from engine.kernel.clock import MUNICIPAL_TZ
from engine.kernel.models import (
    NUDGE_EVENTS,
    ActionItem,
    Case,
    Event,
    Incident,
    Task,
    Timer,
    UTCDateTime,
)
from engine.kernel.vocabulary import Role
from engine.runtime.deadlines import end_of_day
from engine.runtime.plan_store import OPEN_ITEM_STATUSES


class epoch(FunctionElement[float]):  # noqa: N801  (an SQL function, named as one)
    """Seconds since 1970 of a stored time, on either database."""

    type = Float()
    inherit_cache = True


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: Any, **kw: Any) -> str:
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch, "postgresql")
def _epoch_postgresql(element: epoch, compiler: Any, **kw: Any) -> str:
    return f"extract(epoch from {compiler.process(element.clauses, **kw)})"


@dataclass(frozen=True)
class Part:
    """The rows of one reason that one index finds, each ``since`` the moment its reason
    began (so the part's rows in ``since`` order are its rows in ``limit_end`` order)."""

    reason: str
    rows: Select[Any]


@dataclass(frozen=True)
class Limits:
    """When each reason's limit runs out, as of ``now``."""

    now: datetime
    unclaimed: timedelta
    idle: timedelta


def _row(case_id: Any, reason: str, step: Any, step_name: Any, role: Any, assignee: Any,
         area: Any, since: Any, past_limit: float, task_id: Any = None, incident_id: Any = None,
         detail: Any = None, handler: Any = None) -> list[Any]:
    return [case_id.label("case_id"), literal(reason, String).label("reason"),
            step.label("step"), step_name.label("step_name"), role.label("role"),
            assignee.label("assignee"), area.label("service_area"),
            since.label("since"), (epoch(since) + past_limit).label("limit_end"),
            _or_null(task_id, Integer).label("task_id"),
            _or_null(incident_id, Integer).label("incident_id"),
            _or_null(detail, String).label("detail"), _or_null(handler, String).label("handler")]


def _or_null(value: Any, kind: Any) -> Any:
    return null().cast(kind) if value is None else value


def changed_after(session: Any, now: datetime) -> bool:
    """Whether a task was completed, an incident resolved or a case progressed after ``now``
    (the monitor asked about the past), each an index look-up. Only then can the parts that
    find what was open at ``now`` and changed since hold rows; asked about the present,
    :func:`stuck_parts` leaves them out, and each list, count and page has four selects less
    to read."""
    return any(session.scalar(select(column).where(column > now).limit(1)) is not None
               for column in (Task.completed_at, Incident.resolved_at, Case.last_progress_at))


def _task_reasons(limits: Limits, changed: bool) -> list[Part]:
    """Overdue and long unclaimed open tasks. A task open at ``now`` is one not completed, or
    completed after ``now`` (when any was): two selects, so each finds its tasks by an
    index."""
    common = (Task.bpmn_id, Task.name, Task.role, func.coalesce(Task.claimed_by, Task.assignee),
              Task.service_area)
    now, parts = limits.now, []
    for still_open in (Task.completed_at.is_(None), Task.completed_at > now)[:1 + changed]:
        base = select().select_from(Task).join(Case, Case.id == Task.case_id).where(
            still_open, Task.created_at <= now, case_open_at(now))
        parts.append(Part("overdue", base.add_columns(*_row(
            Task.case_id, "overdue", *common, Task.due_at, 0.0, Task.id)).where(
            Task.due_at < now)))
        parts.append(Part("unclaimed", base.add_columns(*_row(
            Task.case_id, "unclaimed", *common, Task.created_at,
            limits.unclaimed.total_seconds(), Task.id)).where(
            Task.claimed_by.is_(None), Task.assignee.is_(None),
            Task.created_at < now - limits.unclaimed)))
    return parts


def _incidents(limits: Limits, changed: bool) -> list[Part]:
    """Open incidents: unresolved, or resolved after ``now`` (two selects, each by an index,
    as for tasks)."""
    now = limits.now
    return [Part("incident", select(*_row(
        Incident.case_id, "incident", Incident.bpmn_id, null().cast(String),
        literal(Role.SYSTEMKOORDINATOR, String), null().cast(String), Case.service_area,
        Incident.created_at, 0.0, incident_id=Incident.id, detail=Incident.error,
        handler=Incident.handler)).join(Case, Case.id == Incident.case_id).where(
        still_open, Incident.created_at <= now, case_open_at(now)))
        for still_open in (Incident.resolved_at.is_(None), Incident.resolved_at > now)[
            :1 + changed]]


def _place(limits: Limits) -> tuple[Any, Any]:
    """Where a case-wide reason is shown: the case's first open task, else its first open
    incident's step, else its first waiting timer's (as the positions list them); and that
    task, to join."""
    first_task = (select(func.min(Task.id)).where(Task.case_id == Case.id,
                                                  task_open_at(limits.now))
                  .correlate(Case).scalar_subquery())
    incident_step = (select(Incident.bpmn_id).where(Incident.case_id == Case.id,
                                                    incident_open_at(limits.now))
                     .order_by(Incident.id).limit(1).correlate(Case).scalar_subquery())
    timer_step = (select(Timer.bpmn_id).where(
        Timer.case_id == Case.id, Timer.cancelled.is_(False),
        or_(Timer.fired_at.is_(None), Timer.fired_at > limits.now))
        .order_by(Timer.due_at).limit(1).correlate(Case).scalar_subquery())
    return first_task, (incident_step, timer_step)


def _case_wide(limits: Limits, reason: str, since: Any, past_limit: float,
               detail: Any = None, owner: Any = None, placed: bool = True) -> Select[Any]:
    """A reason of the whole case, shown at its place (``owner`` before the task's people).
    Finding the place costs three look-ups a row; unless the list is filtered or sorted by
    it (``placed``), it is left empty here and found for the rows shown (:func:`places`)."""
    if not placed:
        blank = null().cast(String)
        return select(*_row(Case.id, reason, blank, blank, blank,
                            owner if owner is not None else blank, Case.service_area, since,
                            past_limit, null().cast(Integer), detail=detail)).select_from(Case)
    first_task, (incident_step, timer_step) = _place(limits)
    shown = aliased(Task)
    people = [shown.claimed_by, shown.assignee] if owner is None else [
        owner, shown.claimed_by, shown.assignee]
    return select(*_row(
        Case.id, reason, func.coalesce(shown.bpmn_id, incident_step, timer_step), shown.name,
        shown.role, func.coalesce(*people), Case.service_area, since, past_limit, shown.id,
        detail=detail)).select_from(Case).outerjoin(shown, shown.id == first_task)


def places(limits: Limits, case_ids: list[int]) -> Select[Any]:
    """Where each of ``case_ids`` is shown: (case, step, step name, role, assignee, task)."""
    first_task, (incident_step, timer_step) = _place(limits)
    shown = aliased(Task)
    columns: list[Any] = [Case.id, func.coalesce(shown.bpmn_id, incident_step, timer_step),
                          shown.name, shown.role,
                          func.coalesce(shown.claimed_by, shown.assignee), shown.id]
    return select(*columns).select_from(Case).outerjoin(shown, shown.id == first_task).where(
        Case.id.in_(case_ids))


def _idle(limits: Limits, placed: bool, changed: bool) -> list[Part]:
    """Open cases without progress for ``idle``: by the stored last progress (an index range,
    in its order), or, for a case that progressed after ``now`` (the monitor asked about the
    past), by its events."""
    cutoff, now = limits.now - limits.idle, limits.now
    then = func.coalesce(
        select(func.max(Event.at)).where(Event.case_id == Case.id, Event.at <= now,
                                         Event.kind.not_in(NUDGE_EVENTS))
        .correlate(Case).scalar_subquery(), Case.created_at)
    past = limits.idle.total_seconds()
    return [Part("idle", _case_wide(limits, "idle", Case.last_progress_at, past,
                                    placed=placed).where(
                case_open_at(now), Case.last_progress_at < cutoff)),
            Part("idle", _case_wide(limits, "idle", then, past, placed=placed).where(
                case_open_at(now), Case.last_progress_at > now, then < cutoff))][:1 + changed]


def _action_items(limits: Limits, deadlines: list[date], placed: bool) -> Part | None:
    """Overdue open action items; a deadline (a date) runs out at the end of that day in
    Norway, looked up per date, since the databases know no Norwegian time zone alike."""
    if not deadlines:
        return None
    now = limits.now
    ends = case(*((ActionItem.deadline == day, literal(end_of_day(day), UTCDateTime))
                  for day in deadlines))
    chosen = _case_wide(limits, "action_item", ends, 0.0, ActionItem.description,
                        ActionItem.owner, placed)
    return Part("action_item", chosen.join(ActionItem, ActionItem.case_id == Case.id).where(
        case_open_at(now), ActionItem.deadline.in_(deadlines),
        ActionItem.status.in_(OPEN_ITEM_STATUSES),
        or_(ActionItem.recorded_at.is_(None), ActionItem.recorded_at <= now)))


def overdue_deadlines(session: Any, now: datetime) -> list[date]:
    """The distinct past deadlines of open action items (a few hundred at most)."""
    today = now.astimezone(MUNICIPAL_TZ).date()
    return list(session.scalars(select(ActionItem.deadline).distinct().where(
        ActionItem.deadline < today, ActionItem.status.in_(OPEN_ITEM_STATUSES))))


def stuck_parts(limits: Limits, deadlines: list[date], placed: bool, changed: bool = True
                ) -> list[Part]:
    """Every reason every open case is stuck at ``limits.now``, one select per reason and
    index; a case-wide reason's place only when ``placed``; the selects of what changed
    after ``now`` only when something did (``changed``, :func:`changed_after`)."""
    parts = [*_task_reasons(limits, changed), *_incidents(limits, changed),
             *_idle(limits, placed, changed)]
    items = _action_items(limits, deadlines, placed)
    return parts if items is None else [*parts, items]


def union_rows(parts: list[Select[Any]]) -> Subquery:
    """Selects of stuck rows as one list."""
    first, *rest = parts
    return (first.union_all(*rest) if rest else first).subquery("stuck")


def ordering(rows: Subquery, key: str, descending: bool) -> list[ColumnElement[Any]]:
    """The stuck list's order: by ``key`` (empty values last), then longest-running first.
    "Most overdue" is the soonest ``limit_end``."""
    if key == "overdue_days":
        column = rows.c.limit_end
        descending = not descending
    else:
        column = rows.c[key]
    return [column.is_(None), column.desc() if descending else column.asc(), rows.c.since,
            *tie_break(rows)]


def tie_break(rows: Subquery) -> list[ColumnElement[Any]]:
    """After the sort key and ``since``: one order for rows alike in both, so that each page,
    read by a query of its own, continues where the one before ended."""
    return [rows.c[name] for name in ("case_id", "reason", "task_id", "incident_id",
                                      "detail")]


def first_rows(parts: list[Part], where: Callable[[Subquery], list[ColumnElement[bool]]],
               key: str, descending: bool, limit: int) -> Subquery:
    """The first ``limit`` rows of each part (filtered by ``where``) in the list's order: the
    first ``limit`` of the whole list are among them. Sorted by how long or since when, a
    part's order is its ``since`` order, which its index gives, so only ``limit`` rows of each
    are read, however many cases are stuck."""
    chosen = []
    for part in parts:
        rows = part.rows.subquery()
        order: list[ColumnElement[Any]]
        if key in ("overdue_days", "since"):
            later_first = not descending if key == "overdue_days" else descending
            order = [rows.c.since.desc() if later_first else rows.c.since, *tie_break(rows)]
        else:
            order = ordering(rows, key, descending)
        chosen.append(select(select(rows).where(*where(rows)).order_by(*order).limit(limit)
                             .subquery()))
    return union_rows(chosen)


def count_rows(session: Any, parts: list[Part],
               where: Callable[[Subquery], list[ColumnElement[bool]]],
               cap: int) -> dict[str, int]:
    """How many rows each reason has (filtered by ``where``), counted part by part, each an
    index range read no further than the ``cap`` rows still to count: past ``cap`` rows in
    all, the rest are not counted (the reasons not reached count 0), so a count reads at
    most ``cap`` rows however many cases are stuck."""
    counted: dict[str, int] = {}
    left = cap
    for part in parts:
        if left <= 0:
            break
        rows = part.rows.subquery()
        found = session.scalar(select(func.count()).select_from(
            select(rows.c.case_id).where(*where(rows)).limit(left).subquery())) or 0
        counted[part.reason] = counted.get(part.reason, 0) + found
        left -= found
    return counted
