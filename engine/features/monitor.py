"""The manager's monitor: which cases are stuck, where they wait, and lead times over months.

Everything here reads the derived tables only (``task``, ``case_``, ``event``, ``incident``,
``timer`` and ``action_item``), never workflow state, so a monitor request costs a handful of
queries however many cases there are. Every answer is *as of* a moment (default: the engine
clock): a task counts as open at ``now`` when it was created before and not completed before,
so the same question asked about last Friday gets last Friday's answer (action items and claims
are kept only as they stand now).

Reasons a case is stuck, each its own row:

- ``overdue``: an open task is past its deadline (``due_in``/``due_from`` in the diagram);
- ``unclaimed``: an open group task (nobody assigned, nobody has taken it) has waited longer
  than ``unclaimed_hours``;
- ``incident``: the case has an open incident (an automatic step failed);
- ``idle``: an open case has had no event for ``idle_days`` (reminders and escalations are not
  progress and do not count);
- ``action_item``: an action item from a meeting is past its deadline and still open or in
  progress (done and closed items are not flagged).

``since`` is when the condition began to run (the deadline, the task's creation, the incident,
the last event, the action item's deadline) and ``overdue_days`` the whole days past the limit.
"""

from __future__ import annotations

import math
import os
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from engine.features import reads
from engine.features.diagram_rules import BPMN_NS
from engine.kernel import clock, spiff
from engine.kernel.clock import MUNICIPAL_TZ
from engine.kernel.db import Database
from engine.kernel.errors import Forbidden, InvalidData
from engine.kernel.models import (
    ActionItem,
    Case,
    Event,
    Incident,
    ProcessVersion,
    Task,
    Timer,
)
from engine.kernel.vocabulary import EventKind, Role
from engine.runtime.case_run import end_of_day
from engine.runtime.plan_store import OPEN_ITEM_STATUSES
from engine.runtime.users import OVERSIGHT_ROLES, Actor

REASONS = ("overdue", "unclaimed", "incident", "idle", "action_item")
# Events that record the monitor's and the worker's own nudging: not progress of the case.
NUDGE_EVENTS = (EventKind.TASK_ESCALATED, EventKind.REMINDER_SENT)
# Events of actions taken from the monitor (shown as "recent actions", each with who and why).
ACTION_EVENTS = (EventKind.TASK_REASSIGNED, EventKind.REMINDER_SENT, EventKind.INCIDENT_RETRIED,
                 EventKind.CASE_CANCELLED)
SORT_KEYS = ("overdue_days", "since", "case_id", "reason", "step", "service_area", "role")



@dataclass(frozen=True)
class MonitorConfig:
    """Thresholds of the ``unclaimed`` and ``idle`` reasons (environment, then overrides)."""

    unclaimed_hours: float = 48.0
    idle_days: float = 30.0

    @classmethod
    def from_env(cls, **overrides: float | None) -> MonitorConfig:
        config = cls(
            unclaimed_hours=float(os.environ.get("IPFLOW_UNCLAIMED_HOURS", cls.unclaimed_hours)),
            idle_days=float(os.environ.get("IPFLOW_IDLE_DAYS", cls.idle_days)))
        given = {k: float(v) for k, v in overrides.items() if v is not None}
        if any(v < 0 for v in given.values()):
            raise InvalidData({k: "Må være null eller mer." for k, v in given.items() if v < 0})
        return replace(config, **given)


@dataclass
class StuckRow:
    """One reason one case is stuck (``step`` is the BPMN element id where it waits)."""

    case_id: int
    reason: str
    step: str | None
    role: str | None
    assignee: str | None
    service_area: str | None
    since: datetime
    overdue_days: int
    step_name: str | None = None
    task_id: int | None = None
    incident_id: int | None = None
    detail: str | None = None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["since"] = self.since.isoformat()
        return data


@dataclass
class Position:
    """Where one case waits at ``now``: a task, a failed step, or a timer/message."""

    case_id: int
    step: str
    name: str | None
    since: datetime
    service_area: str | None
    task: Task | None = None


def require_monitor(actor: Actor) -> None:
    """Only the leder and the systemkoordinator see the monitor and act from it."""
    if not actor.has_any_role(OVERSIGHT_ROLES):
        raise Forbidden("Bare leder og systemkoordinator har tilgang til monitoren.")


def responsible_for(task: Task) -> str:
    """Who is to do the task: the one who took it, the one it is given to, else the group."""
    if task.claimed_by or task.assignee:
        return str(task.claimed_by or task.assignee)
    if task.service_area and task.role != Role.SYSTEMKOORDINATOR:
        return f"{task.role} ({task.service_area})"
    return task.role


def _whole_days(delta: timedelta) -> int:
    return max(0, math.floor(delta.total_seconds() / 86400))


def _days(delta: timedelta) -> float:
    return round(delta.total_seconds() / 86400, 1)


# ---------------------------------------------------------------- "as of now" conditions


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


def _open_incidents(session: Session, now: datetime) -> list[tuple[Incident, str | None]]:
    return [(incident, area) for incident, area in session.execute(
        select(Incident, Case.service_area).join(Case, Case.id == Incident.case_id)
        .where(incident_open_at(now), case_open_at(now)).order_by(Incident.id))]


def _last_progress(session: Session, now: datetime) -> dict[int, tuple[datetime, str | None]]:
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
    incidents = _open_incidents(session, now) if incidents is None else incidents
    last = _last_progress(session, now) if last is None else last
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


# ---------------------------------------------------------------- stuck cases


def _where(positions_by_case: dict[int, list[Position]], case_id: int) -> Position | None:
    """The position a case-wide reason (idle, action item) is shown at: its first task."""
    places = positions_by_case.get(case_id) or []
    with_task = [p for p in places if p.task is not None]
    return next(iter(with_task or places), None)


def find_stuck(session: Session, now: datetime, config: MonitorConfig) -> list[StuckRow]:
    """Every reason every open case is stuck at ``now``, most overdue first."""
    rows: list[StuckRow] = []
    incidents, last = _open_incidents(session, now), _last_progress(session, now)
    places = positions(session, now, incidents, last)
    by_case: dict[int, list[Position]] = defaultdict(list)
    for place in places:
        by_case[place.case_id].append(place)
    unclaimed_limit = timedelta(hours=config.unclaimed_hours)
    for place in places:
        task = place.task
        if task is None:
            continue
        common: dict[str, Any] = {
            "case_id": task.case_id, "step": task.bpmn_id, "step_name": task.name,
            "role": task.role, "assignee": task.claimed_by or task.assignee,
            "service_area": task.service_area, "task_id": task.id}
        if task.due_at is not None and task.due_at < now:
            rows.append(StuckRow(reason="overdue", since=task.due_at,
                                 overdue_days=_whole_days(now - task.due_at), **common))
        if (not task.claimed_by and not task.assignee
                and task.created_at + unclaimed_limit < now):
            rows.append(StuckRow(reason="unclaimed", since=task.created_at,
                                 overdue_days=_whole_days(now - task.created_at
                                                          - unclaimed_limit), **common))
    for incident, area in incidents:
        rows.append(StuckRow(case_id=incident.case_id, reason="incident", step=incident.bpmn_id,
                             role=Role.SYSTEMKOORDINATOR, assignee=None, service_area=area,
                             since=incident.created_at,
                             overdue_days=_whole_days(now - incident.created_at),
                             incident_id=incident.id, detail=incident.error))
    idle_limit = timedelta(days=config.idle_days)
    for case_id, (last_at, area) in last.items():
        if last_at + idle_limit < now:
            rows.append(_case_wide(case_id, "idle", last_at, now - last_at - idle_limit, area,
                                   _where(by_case, case_id), None))
    today = now.astimezone(MUNICIPAL_TZ).date()
    items = session.execute(
        select(ActionItem, Case.service_area).join(Case, Case.id == ActionItem.case_id)
        .where(case_open_at(now), ActionItem.deadline < today,
               ActionItem.status.in_(OPEN_ITEM_STATUSES),
               or_(ActionItem.recorded_at.is_(None), ActionItem.recorded_at <= now))
        .order_by(ActionItem.case_id, ActionItem.position))
    for item, area in items:
        assert item.deadline is not None
        deadline_end = end_of_day(item.deadline)
        row = _case_wide(item.case_id, "action_item", deadline_end, now - deadline_end, area,
                         _where(by_case, item.case_id), item.description)
        row.assignee = item.owner or row.assignee
        rows.append(row)
    return sort_rows(rows)


def _case_wide(case_id: int, reason: str, since: datetime, past: timedelta,
               area: str | None, place: Position | None, detail: str | None) -> StuckRow:
    task = place.task if place else None
    return StuckRow(case_id=case_id, reason=reason, step=place.step if place else None,
                    step_name=place.name if place else None,
                    role=task.role if task else None,
                    assignee=(task.claimed_by or task.assignee) if task else None,
                    service_area=area, since=since, overdue_days=_whole_days(past),
                    task_id=task.id if task else None, detail=detail)


def stuck_cases(db: Database, actor: Actor, now: datetime | None = None,
                config: MonitorConfig | None = None) -> list[StuckRow]:
    """The stuck list as of ``now`` (default: the engine clock)."""
    require_monitor(actor)
    with db.reading() as session:
        return find_stuck(session, now or clock.now(), config or MonitorConfig.from_env())


def filter_rows(rows: Iterable[StuckRow], reason: str | None = None,
                service_area: str | None = None, role: str | None = None,
                step: str | None = None, case_id: int | None = None) -> list[StuckRow]:
    """Rows matching every filter given (``service_area`` ``"-"`` means "not decided yet")."""
    def keep(row: StuckRow) -> bool:
        return ((not reason or row.reason == reason)
                and (not service_area or row.service_area == (None if service_area == "-"
                                                              else service_area))
                and (not role or row.role == role) and (not step or row.step == step)
                and (case_id is None or row.case_id == case_id))

    return [row for row in rows if keep(row)]


def sort_rows(rows: Iterable[StuckRow], key: str = "overdue_days",
              descending: bool | None = None) -> list[StuckRow]:
    """Sorted by ``key`` (empty values last), ties with the longest-running first. By default
    the most overdue come first; every other key ascends unless told otherwise."""
    if key not in SORT_KEYS:
        key = "overdue_days"
    if descending is None:
        descending = key == "overdue_days"
    ordered = sorted(rows, key=lambda row: (row.since, row.case_id))
    present = [row for row in ordered if getattr(row, key) is not None]
    missing = [row for row in ordered if getattr(row, key) is None]
    # Python's sort is stable also with reverse=True: equal keys keep the order above.
    present.sort(key=lambda row: getattr(row, key), reverse=descending)
    return present + missing


# ---------------------------------------------------------------- where cases wait


@dataclass
class StepLoad:
    """How many open cases wait at one step now, and for how long (median, in days)."""

    step: str
    name: str
    cases: int
    median_wait_days: float
    level: int = 0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Overview:
    now: datetime
    active_cases: int
    per_step: list[StepLoad]
    per_area: list[tuple[str | None, int]]
    process_key: str | None = None
    process_version: int | None = None
    bpmn_xml: str | None = None
    heat: list[StepLoad] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"now": self.now.isoformat(), "active_cases": self.active_cases,
                "per_step": [s.as_json() for s in self.per_step],
                "per_area": [{"service_area": a, "cases": n} for a, n in self.per_area],
                "heatmap": {"process": self.process_key, "version": self.process_version,
                            "steps": [s.as_json() for s in self.heat]}}


HEAT_LEVELS = 5


def heat_levels(loads: Sequence[StepLoad]) -> list[StepLoad]:
    """Each step's colour level 1..5 by its share of the busiest step (0: nobody waits)."""
    busiest = max((load.cases for load in loads), default=0)
    for load in loads:
        load.level = 0 if not load.cases else max(1, math.ceil(HEAT_LEVELS * load.cases / busiest))
    return list(loads)


def step_loads(places: Iterable[Position], now: datetime,
               names: dict[str, str] | None = None) -> list[StepLoad]:
    """Distinct cases per step with the median time they have waited there."""
    waits: dict[str, dict[int, datetime]] = defaultdict(dict)
    labels: dict[str, str] = dict(names or {})
    for place in places:
        earliest = waits[place.step].get(place.case_id)
        waits[place.step][place.case_id] = min(earliest, place.since) if earliest else place.since
        if place.name:
            labels.setdefault(place.step, place.name)
    loads = [StepLoad(step, labels.get(step, step), len(cases), _days(timedelta(
                 seconds=statistics.median((now - since).total_seconds()
                                           for since in cases.values()))))
             for step, cases in waits.items()]
    loads.sort(key=lambda load: (-load.cases, load.name))
    return heat_levels(loads)


def phase_loads(places: Iterable[Position], now: datetime, bpmn_xml: str) -> list[StepLoad]:
    """The heat of each phase (a sub-process): the cases waiting at any step inside it, so the
    top of the diagram shows where cases are and each step's heat is one click down."""
    phases = enclosing_phases(bpmn_xml)
    inside = [replace(place, step=phase_id, name=phase_name) for place in places
              for phase_id, phase_name in phases.get(place.step, [])]
    return step_loads(inside, now)


def enclosing_phases(bpmn_xml: str) -> dict[str, list[tuple[str, str]]]:
    """Element id → the sub-processes around it (id, name), outermost first."""
    found: dict[str, list[tuple[str, str]]] = {}
    for phase in spiff.parse_xml(bpmn_xml).iter(f"{{{BPMN_NS}}}subProcess"):
        for inner in phase.iter():
            if inner is not phase and isinstance(inner.tag, str) and inner.get("id"):
                found.setdefault(inner.get("id", ""), []).append(
                    (phase.get("id", ""), phase.get("name") or phase.get("id", "")))
    return found


def overview(db: Database, actor: Actor, now: datetime | None = None,
             process_key: str | None = None) -> Overview:
    """Open cases per step and per service area, and the heat map of the newest diagram."""
    require_monitor(actor)
    moment = now or clock.now()
    with db.reading() as session:
        places = positions(session, moment)
        per_area = Counter(area for area in session.scalars(
            select(Case.service_area).where(case_open_at(moment))))
        active = sum(per_area.values())
        versions = select(ProcessVersion).order_by(ProcessVersion.key, ProcessVersion.version
                                                   .desc())
        if process_key:
            versions = versions.where(ProcessVersion.key == process_key)
        newest = session.scalars(versions.limit(1)).first()
        process_cases: set[int] | None = None
        if newest is not None:
            process_cases = set(session.scalars(
                select(Case.id).join(ProcessVersion).where(ProcessVersion.key == newest.key,
                                                           case_open_at(moment))))
    per_step = step_loads(places, moment)
    in_process = [p for p in places if process_cases is None or p.case_id in process_cases]
    heat = step_loads(in_process, moment)
    if newest is not None:
        heat += phase_loads(in_process, moment, newest.bpmn_xml)
    return Overview(
        now=moment, active_cases=active, per_step=per_step,
        per_area=sorted(per_area.items(), key=lambda item: (item[0] is None, item[0] or "")),
        process_key=newest.key if newest else None,
        process_version=newest.version if newest else None,
        bpmn_xml=newest.bpmn_xml if newest else None, heat=heat)


# ---------------------------------------------------------------- months


def month_starts(now: datetime, months: int) -> list[date]:
    """The first day of each of the last ``months`` months up to ``now``'s (Norwegian time)."""
    current = now.astimezone(MUNICIPAL_TZ).date().replace(day=1)
    firsts = [current]
    for _ in range(max(1, months) - 1):
        current = (current - timedelta(days=1)).replace(day=1)
        firsts.append(current)
    return list(reversed(firsts))


def _month(moment: datetime) -> date:
    return moment.astimezone(MUNICIPAL_TZ).date().replace(day=1)


def _window_start(first: date) -> datetime:
    return datetime.combine(first, datetime.min.time(), tzinfo=MUNICIPAL_TZ).astimezone(UTC)


@dataclass
class MonthValue:
    month: date
    median_days: float | None
    cases: int


@dataclass
class Trends:
    """Lead times by the month each milestone was first reached, and cases opened/closed."""

    months: list[date]
    lead_times: dict[str, list[MonthValue]]
    opened: list[int]
    closed: list[int]

    def as_json(self) -> dict[str, Any]:
        return {
            "months": [m.isoformat()[:7] for m in self.months],
            "lead_times": {name: [{"month": v.month.isoformat()[:7],
                                   "median_days": v.median_days, "cases": v.cases}
                                  for v in values] for name, values in self.lead_times.items()},
            "opened": self.opened, "closed": self.closed}


def _first_reached(session: Session, kind: EventKind, handlers: tuple[str, ...], now: datetime
                   ) -> list[tuple[datetime, datetime]]:
    """``(reported, reached)`` per case: the case's creation and the milestone's first time."""
    condition = [Event.kind == kind, Event.at <= now]
    if handlers:
        condition.append(Event.data["handler"].as_string().in_(handlers))
    first = (select(Event.case_id, func.min(Event.at).label("at")).where(*condition)
             .group_by(Event.case_id).subquery())
    return [(created, at) for created, at in session.execute(
        select(Case.created_at, first.c.at).join(first, first.c.case_id == Case.id))]


def trends(db: Database, actor: Actor, now: datetime | None = None, months: int = 12) -> Trends:
    """Monthly lead times report → decision, → coordinator, → start-up meeting (median days,
    by the month the milestone was reached) and cases opened and closed per month."""
    require_monitor(actor)
    moment = now or clock.now()
    firsts = month_starts(moment, min(max(months, 1), 60))
    start = _window_start(firsts[0])
    index = {month: i for i, month in enumerate(firsts)}
    lead: dict[str, list[MonthValue]] = {}
    with db.reading() as session:
        # Found by *what happened* (the handler that ran, the coordinator being set), not by
        # element ids a designer may rename; declared in processes/reads.json.
        for milestone in reads.milestones():
            name = milestone.name
            per_month: dict[date, list[float]] = defaultdict(list)
            for created, reached in _first_reached(session, milestone.event, milestone.handlers,
                                                   moment):
                if reached >= start:
                    per_month[_month(reached)].append((reached - created).total_seconds() / 86400)
            lead[name] = [MonthValue(m, round(statistics.median(per_month[m]), 1)
                                     if per_month.get(m) else None, len(per_month.get(m, [])))
                          for m in firsts]
        opened, closed = [0] * len(firsts), [0] * len(firsts)
        for created, closed_at in session.execute(
                select(Case.created_at, Case.closed_at).where(
                    Case.created_at <= moment,
                    or_(Case.created_at >= start,
                        and_(Case.closed_at >= start, Case.closed_at <= moment)))):
            if created >= start and _month(created) in index:
                opened[index[_month(created)]] += 1
            if closed_at and start <= closed_at <= moment and _month(closed_at) in index:
                closed[index[_month(closed_at)]] += 1
    return Trends(firsts, lead, opened, closed)


# ---------------------------------------------------------------- what managers did


@dataclass
class ActionRecord:
    case_id: int
    at: datetime
    actor: str
    kind: str
    reason: str
    data: dict[str, Any]


def recent_actions(db: Database, actor: Actor, limit: int = 20) -> list[ActionRecord]:
    """The newest actions taken on cases from the monitor, with who and why."""
    require_monitor(actor)
    with db.reading() as session:
        events = session.scalars(select(Event).where(
            Event.kind.in_(ACTION_EVENTS), Event.actor != "system")
            .order_by(Event.at.desc(), Event.id.desc()).limit(limit))
        return [ActionRecord(e.case_id, e.at, e.actor, e.kind, str((e.data or {}).get(
            "reason", "")), dict(e.data or {})) for e in events]
