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
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Subquery, select
from sqlalchemy.orm import Session

from engine.features.incident_causes import IncidentCause, cause_at
from engine.features.monitor_stuck import (
    Limits,
    Part,
    changed_after,
    count_rows,
    first_rows,
    ordering,
    overdue_deadlines,
    places,
    stuck_parts,
    union_rows,
)
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.errors import Forbidden, InvalidData
from engine.kernel.models import Case, ProcessVersion, Task
from engine.kernel.paging import Page, Paging
from engine.kernel.vocabulary import Role
from engine.runtime.users import OVERSIGHT_ROLES, Actor

REASONS = ("overdue", "unclaimed", "incident", "idle", "action_item")
CASE_WIDE = ("idle", "action_item")  # reasons of the whole case, shown at its first place
# The stuck list counts its rows up to this many: past it, a count would read every stuck
# case; a total of COUNT_CAP means "at least" (200 pages of 50: more than anybody reads).
COUNT_CAP = 10_000
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


@dataclass(frozen=True)
class StuckQuery:
    """Which stuck rows, in which order (``service_area`` ``"-"``: not decided yet); the
    default is every row, most overdue first."""

    reason: str | None = None
    service_area: str | None = None
    role: str | None = None
    step: str | None = None
    case_id: int | None = None
    sort: str = "overdue_days"
    descending: bool | None = None

    def where(self, rows: Subquery) -> list[ColumnElement[bool]]:
        wanted = [rows.c[name] == value for name, value in (
            ("reason", self.reason), ("role", self.role), ("step", self.step),
            ("case_id", self.case_id)) if value]
        if self.service_area:
            wanted.append(rows.c.service_area.is_(None) if self.service_area == "-"
                          else rows.c.service_area == self.service_area)
        return wanted

    @property
    def filtered(self) -> bool:
        return bool(self.reason or self.service_area or self.role or self.step or self.case_id)

    @property
    def placed(self) -> bool:
        """Whether the case-wide reasons' places must be known to choose the rows."""
        return bool(self.step or self.role) or self.sort in ("step", "role")

    @property
    def key(self) -> tuple[str, bool]:
        """The sort key and whether it runs from high to low."""
        key = self.sort if self.sort in SORT_KEYS else "overdue_days"
        return key, key == "overdue_days" if self.descending is None else self.descending

    def order(self, rows: Subquery) -> list[ColumnElement[Any]]:
        return ordering(rows, *self.key)


def _limits(now: datetime, config: MonitorConfig) -> Limits:
    return Limits(now, timedelta(hours=config.unclaimed_hours),
                  timedelta(days=config.idle_days))


def _as_rows(session: Session, found: Iterable[Any], now: datetime,
             config: MonitorConfig) -> list[StuckRow]:
    """The database's rows as :class:`StuckRow`; an incident is read against its case's
    version for the plain sentence."""
    found = list(found)
    limits = _limits(now, config)
    past = {"unclaimed": limits.unclaimed, "idle": limits.idle}
    versions = _versions(session, {r.case_id for r in found if r.reason == "incident"})
    rows = []
    for r in found:
        cause = (cause_at(versions[r.case_id], r.step, r.detail, r.handler)
                 if r.reason == "incident" else None)
        rows.append(StuckRow(
            case_id=r.case_id, reason=r.reason, step=r.step,
            step_name=cause.element_name if cause else r.step_name, role=r.role,
            assignee=r.assignee, service_area=r.service_area, since=r.since,
            overdue_days=_whole_days(now - r.since - past.get(r.reason, timedelta())),
            task_id=r.task_id, incident_id=r.incident_id, detail=r.detail, cause=cause))
    unplaced = [row for row in rows if row.reason in CASE_WIDE and row.step is None]
    if unplaced:
        found_places = {place[0]: place[1:] for place in session.execute(
            places(limits, sorted({row.case_id for row in unplaced})))}
        for row in unplaced:
            step, name, role, assignee, task_id = found_places[row.case_id]
            row.step, row.step_name, row.role, row.task_id = step, name, role, task_id
            row.assignee = row.assignee or assignee
    return rows


def _parts(session: Session, now: datetime, config: MonitorConfig, query: StuckQuery
           ) -> list[Part]:
    """The parts of the stuck list ``query`` may find rows in (all, or its reason's)."""
    parts = stuck_parts(_limits(now, config), overdue_deadlines(session, now), query.placed,
                        changed_after(session, now))
    return [part for part in parts if not query.reason or part.reason == query.reason]


def find_stuck(session: Session, now: datetime, config: MonitorConfig,
               query: StuckQuery = StuckQuery(), paging: Paging | None = None
               ) -> Page[StuckRow]:
    """The reasons open cases are stuck at ``now`` that ``query`` asks for, in its order: one
    page of them with their total, or all of them without ``paging``. A page reads, of each
    reason's rows, only as many as it and the pages before it show (:func:`first_rows`)."""
    parts = _parts(session, now, config, query)
    if not parts:
        return Page((), 0, 1, paging.per_page if paging else 1)
    if paging is None:
        rows = union_rows([part.rows for part in parts])
        found = session.execute(select(rows).where(*query.where(rows))
                                .order_by(*query.order(rows))).all()
        return Page(tuple(_as_rows(session, found, now, config)), len(found), 1,
                    max(1, len(found)))
    total = sum(count_rows(session, parts, query.where, COUNT_CAP).values())
    page = paging.clamp(total)
    rows = first_rows(parts, query.where, *query.key, page * paging.per_page)
    found = session.execute(select(rows).order_by(*query.order(rows))
                            .offset((page - 1) * paging.per_page).limit(paging.per_page)).all()
    return Page(tuple(_as_rows(session, found, now, config)), total, page, paging.per_page)


def _versions(session: Session, case_ids: set[int]) -> dict[int, ProcessVersion]:
    """The process version of each case, in one query (an incident is read against it)."""
    if not case_ids:
        return {}
    return {case_id: version for case_id, version in session.execute(
        select(Case.id, ProcessVersion).join(ProcessVersion,
                                             ProcessVersion.id == Case.process_version_id)
        .where(Case.id.in_(case_ids)))}


def stuck_cases(db: Database, actor: Actor, now: datetime | None = None,
                config: MonitorConfig | None = None,
                query: StuckQuery = StuckQuery()) -> list[StuckRow]:
    """The whole stuck list as of ``now`` (default: the engine clock)."""
    require_monitor(actor)
    with db.reading() as session:
        return list(find_stuck(session, now or clock.now(), config or MonitorConfig.from_env(),
                               query).rows)


def stuck_page(db: Database, actor: Actor, now: datetime, config: MonitorConfig,
               query: StuckQuery, paging: Paging) -> Page[StuckRow]:
    """One page of the stuck list, counted and sorted by the database."""
    require_monitor(actor)
    with db.reading() as session:
        return find_stuck(session, now, config, query, paging)


@dataclass(frozen=True)
class StuckSummary:
    """The whole stuck list in numbers, each counted up to :data:`COUNT_CAP` (a count of
    ``COUNT_CAP`` means that many or more)."""

    cases: int
    reasons: dict[str, int]

    @property
    def capped(self) -> bool:
        return self.cases >= COUNT_CAP


def _count_cases(session: Session, parts: list[Part],
                 where: Callable[[Subquery], list[ColumnElement[bool]]]) -> int:
    """How many cases the parts' rows (filtered by ``where``) are of, up to
    :data:`COUNT_CAP`: each part's case numbers up to the cap are read, case-wide reasons
    (each case once) first."""
    seen: set[int] = set()
    for part in sorted(parts, key=lambda part: part.reason not in CASE_WIDE):
        rows = part.rows.subquery()
        seen.update(session.scalars(select(rows.c.case_id).where(*where(rows))
                                    .limit(COUNT_CAP)))
        if len(seen) >= COUNT_CAP:
            return COUNT_CAP
    return len(seen)


def _first_cases(session: Session, parts: list[Part], query: StuckQuery, wanted: int
                 ) -> list[int]:
    """The first ``wanted`` cases in the list's order (each where its first row stands),
    from the first rows of each part: twice as many rows each round until enough cases, or
    every row, are in hand."""
    limit = 2 * wanted
    while True:
        rows = first_rows(parts, query.where, *query.key, limit)
        found = session.scalars(select(rows.c.case_id).order_by(*query.order(rows))
                                .limit(limit)).all()
        cases = list(dict.fromkeys(found))
        if len(cases) >= wanted or len(found) < limit:
            return cases[:wanted]
        limit *= 2


def _rows_of(session: Session, parts: list[Part], query: StuckQuery, case_ids: list[int]
             ) -> list[Any]:
    """Every row of ``case_ids`` the query asks for, in its order."""
    chosen = []
    for part in parts:
        rows = part.rows.subquery()
        chosen.append(select(rows).where(rows.c.case_id.in_(case_ids), *query.where(rows)))
    rows = union_rows(chosen)
    return list(session.execute(select(rows).order_by(*query.order(rows))))


def stuck_summary(session: Session, now: datetime, config: MonitorConfig) -> StuckSummary:
    """The whole stuck list in numbers: rows per reason and stuck cases, each up to the cap
    (the monitor's key figures, which the worker also computes for the page,
    :mod:`engine.features.monitor_snapshot`)."""
    every = stuck_parts(_limits(now, config), overdue_deadlines(session, now), placed=False,
                        changed=changed_after(session, now))
    reasons: dict[str, int] = {}
    for reason in REASONS:
        reasons.update(count_rows(session, [p for p in every if p.reason == reason],
                                  StuckQuery().where, COUNT_CAP))
    return StuckSummary(_count_cases(session, every, StuckQuery().where),
                        {reason: count for reason, count in reasons.items() if count})


def stuck_by_case(db: Database, actor: Actor, now: datetime, config: MonitorConfig,
                  query: StuckQuery, paging: Paging, summary: StuckSummary | None = None
                  ) -> tuple[Page[StuckCase], StuckSummary]:
    """One page of stuck cases (each with every reason it is stuck for, cases ordered by
    their most pressing reason) and the summary of the whole list, unfiltered: counted here
    unless given (the worker's, of the same thresholds; the page's total is counted here
    then). Like :func:`find_stuck`, it reads the first rows of each reason and counts up to a
    cap."""
    require_monitor(actor)
    with db.reading() as session:
        counted = summary is None
        summary = summary or stuck_summary(session, now, config)
        limits, deadlines = _limits(now, config), overdue_deadlines(session, now)
        parts = [part for part in stuck_parts(limits, deadlines, query.placed,
                                              changed_after(session, now))
                 if not query.reason or part.reason == query.reason]
        total = (summary.cases if counted and not query.filtered
                 else _count_cases(session, parts, query.where))
        page = paging.clamp(total)
        ids = _first_cases(session, parts, query, page * paging.per_page)[
            (page - 1) * paging.per_page:] if parts else []
        found = _rows_of(session, parts, query, ids) if ids else []
        by_id = {stuck.case_id: stuck for stuck in by_case(_as_rows(session, found, now,
                                                                    config))}
    return Page(tuple(by_id[case_id] for case_id in ids), total, page,
                paging.per_page), summary
