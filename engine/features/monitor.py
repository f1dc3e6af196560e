"""The monitor's stuck cases, and who may see the monitor and act from it.

Where cases wait is :mod:`engine.features.monitor_positions` (and, summed up as a heat map,
:mod:`~engine.features.monitor_heat`); lead times are :mod:`~engine.features.monitor_trends`;
what managers did from the monitor is :mod:`~engine.features.monitor_actions`.

Everything here reads the derived tables only (``task``, ``case_``, ``event``, ``incident``,
``timer`` and ``action_item``), never workflow state, so a monitor request costs a handful of
queries however many cases there are. Every answer is *as of* a moment (default: the engine
clock): a task counts as open at ``now`` when it was created before and not completed before,
so the same question asked about last Friday gets last Friday's answer (action items and claims
are kept only as they stand now).

Reasons a case is stuck, each its own row (:func:`by_case` gathers a case's rows into one):

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
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.features.incident_causes import IncidentCause, cause_at
from engine.features.monitor_positions import (
    Position,
    case_open_at,
    last_progress,
    open_incidents,
    positions,
)
from engine.kernel import clock
from engine.kernel.clock import MUNICIPAL_TZ
from engine.kernel.db import Database
from engine.kernel.errors import Forbidden, InvalidData
from engine.kernel.models import ActionItem, Case, ProcessVersion, Task
from engine.kernel.vocabulary import Role
from engine.runtime.deadlines import end_of_day
from engine.runtime.plan_store import OPEN_ITEM_STATUSES
from engine.runtime.users import OVERSIGHT_ROLES, Actor

REASONS = ("overdue", "unclaimed", "incident", "idle", "action_item")
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
    detail: str | None = None  # the incident's technical text, the action item's description
    cause: IncidentCause | None = None  # an incident's, for the plain sentence

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["since"] = self.since.isoformat()
        return data


@dataclass(frozen=True)
class StuckCase:
    """One stuck case with every reason it is stuck, in the order of the list it came from
    (the first is the one the list is sorted by)."""

    case_id: int
    rows: tuple[StuckRow, ...]

    @property
    def first(self) -> StuckRow:
        return self.rows[0]

    @property
    def since(self) -> datetime:
        """When the longest-running of its reasons began."""
        return min(row.since for row in self.rows)

    @property
    def overdue_days(self) -> int:
        return max(row.overdue_days for row in self.rows)


def by_case(rows: Iterable[StuckRow]) -> list[StuckCase]:
    """One entry per case, where its first row stood in ``rows`` (so a sorted list stays
    sorted by each case's most pressing reason)."""
    gathered: dict[int, list[StuckRow]] = {}
    for row in rows:
        gathered.setdefault(row.case_id, []).append(row)
    return [StuckCase(case_id, tuple(found)) for case_id, found in gathered.items()]


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


# ---------------------------------------------------------------- stuck cases


def _where(positions_by_case: dict[int, list[Position]], case_id: int) -> Position | None:
    """The position a case-wide reason (idle, action item) is shown at: its first task."""
    places = positions_by_case.get(case_id) or []
    with_task = [p for p in places if p.task is not None]
    return next(iter(with_task or places), None)


def find_stuck(session: Session, now: datetime, config: MonitorConfig) -> list[StuckRow]:
    """Every reason every open case is stuck at ``now``, most overdue first."""
    rows: list[StuckRow] = []
    incidents, last = open_incidents(session, now), last_progress(session, now)
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
    versions = _versions(session, {incident.case_id for incident, _ in incidents})
    for incident, area in incidents:
        cause = cause_at(versions[incident.case_id], incident.bpmn_id, incident.error,
                         incident.handler)
        rows.append(StuckRow(case_id=incident.case_id, reason="incident", step=incident.bpmn_id,
                             step_name=cause.element_name,
                             role=Role.SYSTEMKOORDINATOR, assignee=None, service_area=area,
                             since=incident.created_at,
                             overdue_days=_whole_days(now - incident.created_at),
                             incident_id=incident.id, detail=incident.error, cause=cause))
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


def _versions(session: Session, case_ids: set[int]) -> dict[int, ProcessVersion]:
    """The process version of each case, in one query (an incident is read against it)."""
    if not case_ids:
        return {}
    return {case_id: version for case_id, version in session.execute(
        select(Case.id, ProcessVersion).join(ProcessVersion,
                                             ProcessVersion.id == Case.process_version_id)
        .where(Case.id.in_(case_ids)))}


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
