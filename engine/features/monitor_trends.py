"""Trends on the monitor: lead times to each milestone by month, and cases opened and closed.

The milestones are declared in ``processes/reads.json`` and found by what happened (the handler
that ran, the event recorded), not by element ids a designer may rename.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.features import reads
from engine.features.monitor import require_monitor
from engine.kernel import clock
from engine.kernel.clock import MUNICIPAL_TZ
from engine.kernel.db import Database
from engine.kernel.models import Case, Event
from engine.kernel.vocabulary import EventKind
from engine.runtime.users import Actor


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
    computed_at: datetime | None = None  # the moment the figures are of

    def last(self, months: int) -> Trends:
        """The figures of the last ``months`` months only (each month's figures stand
        alone, so a longer computation holds every shorter one)."""
        keep = slice(-min(max(months, 1), len(self.months)), None)
        return Trends(self.months[keep], {name: values[keep]
                                          for name, values in self.lead_times.items()},
                      self.opened[keep], self.closed[keep], self.computed_at)

    @classmethod
    def from_json(cls, data: dict[str, Any], computed_at: datetime) -> Trends:
        """The figures :meth:`as_json` wrote (as a snapshot stores them)."""
        return cls([date.fromisoformat(f"{m}-01") for m in data["months"]],
                   {name: [MonthValue(date.fromisoformat(f"{v['month']}-01"), v["median_days"],
                                      v["cases"]) for v in values]
                    for name, values in data["lead_times"].items()},
                   list(data["opened"]), list(data["closed"]), computed_at)

    def as_json(self) -> dict[str, Any]:
        return {
            **({"computed_at": self.computed_at.isoformat()} if self.computed_at else {}),
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


MAX_MONTHS = 60


def trend_figures(session: Session, moment: datetime, months: int = 12) -> Trends:
    """Monthly lead times report → decision, → coordinator, → start-up meeting (median days,
    by the month the milestone was reached) and cases opened and closed per month, for the
    last ``months`` (1 to :data:`MAX_MONTHS`) months up to ``moment``."""
    firsts = month_starts(moment, min(max(months, 1), MAX_MONTHS))
    start = _window_start(firsts[0])
    index = {month: i for i, month in enumerate(firsts)}
    lead: dict[str, list[MonthValue]] = {}
    # Found by *what happened* (the handler that ran, the coordinator being set), not by
    # element ids a designer may rename; declared in processes/reads.json.
    for milestone in reads.milestones():
        per_month: dict[date, list[float]] = defaultdict(list)
        for created, reached in _first_reached(session, milestone.event, milestone.handlers,
                                               moment):
            if reached >= start:
                per_month[_month(reached)].append((reached - created).total_seconds() / 86400)
        lead[milestone.name] = [MonthValue(m, round(statistics.median(per_month[m]), 1)
                                           if per_month.get(m) else None,
                                           len(per_month.get(m, []))) for m in firsts]
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
    return Trends(firsts, lead, opened, closed, moment)


def trends(db: Database, actor: Actor, now: datetime | None = None, months: int = 12) -> Trends:
    """The trends as of ``now`` (default: the engine clock), computed now from every
    milestone event (:mod:`engine.features.monitor_snapshot` reads the worker's
    computation)."""
    require_monitor(actor)
    with db.reading() as session:
        return trend_figures(session, now or clock.now(), months)
