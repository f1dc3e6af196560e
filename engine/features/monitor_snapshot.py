"""The monitor's figures as the worker last computed them: the heat map, the open cases per
step and per service area, and the trends.

Computing them reads every open case's position and every milestone event: 6–12 s at
100,000 cases, too slow for a page a leder opens many times a day, and figures that move
slowly anyway. So the worker computes them every ``IPFLOW_MONITOR_REFRESH_MINUTES`` (default
5, :func:`engine.kernel.settings.monitor_refresh`) into ``monitor_snapshot``, and the monitor
reads the newest row: one indexed row, however many cases there are. The page says when the
figures were computed, and that they are old when the worker has not computed them for two
intervals. The stuck list is not here: it stays a live read (indexed, bounded).

The stuck list's key figures (rows per reason, stuck cases: counts of up to 10,000 index
entries each) are stored too, with the thresholds they were counted with; the page uses them
when its thresholds are those, and counts the list it shows (its total, its page) itself.

What the monitor's filters need is stored: the heat map of every process's newest diagram
(the API's ``?process=``), the roles where cases wait (the page's role filter), and 60 months
of trends (``?months=`` up to 60: each month's figures stand alone, so the last *n* are a
slice). A question about another moment than now (``?now=``) is computed from the rows, as
before, since no snapshot is of that moment.

No snapshot yet (a fresh install, a test): the first read computes one and stores it, so the
page never shows nothing. Two workers, or a worker and that first read, do not compute at once
on PostgreSQL: the computation holds a transaction-level advisory lock; a worker that finds it
taken skips its turn, a first read waits and then reads what the other stored. On SQLite one
writer runs at a time anyway, and a second computation only replaces the first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine.features import monitor_heat, monitor_trends
from engine.features.monitor import MonitorConfig, StuckSummary, require_monitor, stuck_summary
from engine.features.monitor_heat import Overview, StepLoad
from engine.features.monitor_positions import positions
from engine.features.monitor_trends import MAX_MONTHS, Trends
from engine.kernel import clock, settings
from engine.kernel.db import Database
from engine.kernel.models import MonitorSnapshot, ProcessVersion
from engine.runtime.users import Actor

# pg_advisory_xact_lock's key for the computation ("ipflow" in ASCII, then 1).
LOCK_KEY = 0x6970666C6F7701


@dataclass(frozen=True)
class Snapshot:
    """The figures as of ``computed_at`` (:func:`compute`'s shape) and how long they took."""

    computed_at: datetime
    seconds: float
    figures: dict[str, Any]

    def stuck(self, config: MonitorConfig) -> StuckSummary | None:
        """The stuck list's key figures, when they were counted with ``config``'s
        thresholds (the worker's are the environment's; a page may ask for others)."""
        found = self.figures.get("stuck")
        if not found or (found["unclaimed_hours"], found["idle_days"]) != (
                config.unclaimed_hours, config.idle_days):
            return None
        return StuckSummary(found["cases"], dict(found["reasons"]))

    def stale(self, now: datetime, every: timedelta) -> bool:
        """Whether the worker has missed computing them twice (it may not be running)."""
        return self.computed_at < now - 2 * every


def interval() -> timedelta:
    """How often the worker computes the figures (the operator's setting)."""
    return settings.monitor_refresh()


def compute(session: Session, moment: datetime) -> dict[str, Any]:
    """Every figure the monitor shows from a snapshot, as of ``moment``, as JSON."""
    config = MonitorConfig.from_env()
    stuck = stuck_summary(session, moment, config)
    places = positions(session, moment)
    per_area = monitor_heat.area_counts(session, moment)
    keys = monitor_heat.process_keys(session)
    return {
        "per_step": [load.as_json() for load in monitor_heat.step_loads(places, moment)],
        "per_area": [[area, count] for area, count in per_area],
        "roles": list(monitor_heat.roles_of(places)),
        "heat": {diagram.key: {"version": diagram.version, "steps": [
            load.as_json() for load in monitor_heat.heat_map(places, moment, diagram, keys)]}
            for diagram in monitor_heat.newest_diagrams(session)},
        "trends": monitor_trends.trend_figures(session, moment, MAX_MONTHS).as_json(),
        "stuck": {"unclaimed_hours": config.unclaimed_hours, "idle_days": config.idle_days,
                  "cases": stuck.cases, "reasons": stuck.reasons},
    }


def _newest(session: Session, now: datetime) -> MonitorSnapshot | None:
    """The newest snapshot of a moment up to ``now`` (one computed for a later moment is
    not of this clock's present)."""
    return session.scalars(select(MonitorSnapshot).where(MonitorSnapshot.computed_at <= now)
                           .order_by(MonitorSnapshot.computed_at.desc()).limit(1)).first()


def _of(row: MonitorSnapshot) -> Snapshot:
    return Snapshot(row.computed_at, row.seconds, row.figures)


def refresh(db: Database, now: datetime | None = None, every: timedelta | None = None,
            wait: bool = False) -> Snapshot | None:
    """Compute and store the figures as of ``now`` (default: the engine clock) unless a
    snapshot of the last ``every`` (default: the setting) exists; in one transaction, which
    also drops the older snapshots. The new snapshot, or None when none was computed: one is
    fresh, or (PostgreSQL) another process is computing one and ``wait`` is false."""
    moment = now or clock.now()
    every = interval() if every is None else every
    with db.transaction() as session:
        if db.is_postgresql:
            if wait:
                session.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))
            elif not session.scalar(select(func.pg_try_advisory_xact_lock(LOCK_KEY))):
                return None
        found = _newest(session, moment)
        if found is not None and moment - found.computed_at < every:
            return None
        started = time.perf_counter()
        figures = compute(session, moment)
        row = MonitorSnapshot(computed_at=moment, seconds=round(time.perf_counter() - started, 3),
                              figures=figures)
        session.execute(delete(MonitorSnapshot).where(MonitorSnapshot.computed_at < moment))
        session.add(row)
        return _of(row)


def current(db: Database, now: datetime | None = None) -> Snapshot:
    """The newest snapshot up to ``now`` (default: the engine clock), however old; the
    first one is computed here when there is none (or waited for, when a worker is computing
    it on PostgreSQL)."""
    moment = now or clock.now()
    with db.reading() as session:
        found = _newest(session, moment)
        if found is not None:
            return _of(found)
    made = refresh(db, moment, timedelta.max, wait=True)
    if made is not None:
        return made
    with db.reading() as session:
        found = _newest(session, moment)
        if found is None:  # pragma: no cover  (refresh stores one or found one)
            raise LookupError("no monitor snapshot")
        return _of(found)


def _loads(rows: list[dict[str, Any]]) -> list[StepLoad]:
    return [StepLoad(**row) for row in rows]


def _overview(db: Database, snapshot: Snapshot, now: datetime,
              process_key: str | None) -> Overview:
    """The snapshot as the overview of ``process_key`` (default: the first process by key),
    with its diagram read from the deployed version the heat map was computed on."""
    figures = snapshot.figures
    heat = figures["heat"]
    key = process_key if process_key is not None else min(heat, default=None)
    chosen = heat.get(key) if key is not None else None
    bpmn_xml = None
    if chosen is not None:
        with db.reading() as session:
            bpmn_xml = session.scalar(select(ProcessVersion.bpmn_xml).where(
                ProcessVersion.key == key, ProcessVersion.version == chosen["version"]))
    per_area = [(area, count) for area, count in figures["per_area"]]
    return Overview(
        now=now, active_cases=sum(count for _area, count in per_area),
        per_step=_loads(figures["per_step"]), per_area=per_area,
        process_key=key if chosen else None, process_version=chosen["version"] if chosen
        else None, bpmn_xml=bpmn_xml, heat=_loads(chosen["steps"]) if chosen else [],
        roles=tuple(figures["roles"]), computed_at=snapshot.computed_at)


def _trends(snapshot: Snapshot, months: int) -> Trends:
    return Trends.from_json(snapshot.figures["trends"], snapshot.computed_at).last(months)


def overview(db: Database, actor: Actor, now: datetime | None = None,
             process_key: str | None = None) -> Overview:
    """Open cases per step and area and the heat map: as of ``now`` computed from the rows
    when a moment is asked for, else from the newest snapshot (``computed_at`` says when)."""
    require_monitor(actor)
    if now is not None:
        return monitor_heat.overview(db, actor, now, process_key)
    moment = clock.now()
    return _overview(db, current(db, moment), moment, process_key)


def trends(db: Database, actor: Actor, now: datetime | None = None, months: int = 12
           ) -> Trends:
    """Lead times and cases opened and closed for the last ``months`` months, as
    :func:`overview` chooses between the rows and the snapshot."""
    require_monitor(actor)
    if now is not None:
        return monitor_trends.trends(db, actor, now, months)
    return _trends(current(db), months)


def figures(db: Database, actor: Actor, now: datetime | None = None,
            process_key: str | None = None, months: int = 12
            ) -> tuple[Overview, Trends, Snapshot | None]:
    """The overview and the trends from one snapshot (returned too, for its age), or both
    computed from the rows when ``now`` is asked for (no snapshot then)."""
    require_monitor(actor)
    if now is not None:
        return (monitor_heat.overview(db, actor, now, process_key),
                monitor_trends.trends(db, actor, now, months), None)
    moment = clock.now()
    snapshot = current(db, moment)
    return _overview(db, snapshot, moment, process_key), _trends(snapshot, months), snapshot
