"""Where cases wait, summed up: open cases per step and per service area, and the heat map of
the newest diagram (each step and each phase coloured by how many cases wait there).

Computing this reads every open case's position (O(open cases)); the monitor reads it as the
worker last computed it (:mod:`engine.features.monitor_snapshot`), and computes it here only
when asked about another moment than now.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from engine.features.diagram import enclosing_phases
from engine.features.monitor import require_monitor
from engine.features.monitor_positions import Position, case_open_at, positions
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import Case, ProcessVersion
from engine.runtime.users import Actor


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
    roles: tuple[str, ...] = ()  # who is to act where cases wait (the monitor's role filter)
    computed_at: datetime | None = None  # the moment the figures are of (≤ ``now``)

    def as_json(self) -> dict[str, Any]:
        return {"now": self.now.isoformat(),
                "computed_at": (self.computed_at or self.now).isoformat(),
                "active_cases": self.active_cases,
                "per_step": [s.as_json() for s in self.per_step],
                "per_area": [{"service_area": a, "cases": n} for a, n in self.per_area],
                "heatmap": {"process": self.process_key, "version": self.process_version,
                            "steps": [s.as_json() for s in self.heat]}}


HEAT_LEVELS = 5


def _days(delta: timedelta) -> float:
    return round(delta.total_seconds() / 86400, 1)


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


def phase_loads(places: Iterable[Position], now: datetime, checksum: str,
                bpmn_xml: str) -> list[StepLoad]:
    """The heat of each phase (a sub-process): the cases waiting at any step inside it, so the
    top of the diagram shows where cases are and each step's heat is one click down."""
    phases = enclosing_phases(checksum, bpmn_xml)
    inside = [Position(place.case_id, phase_id, phase_name, place.since, place.service_area)
              for place in places
              for phase_id, phase_name in phases.get(place.step, [])]
    return step_loads(inside, now)


@dataclass(frozen=True)
class Diagram:
    """The newest deployed version of a process: the heat map is drawn on it."""

    key: str
    version: int
    checksum: str
    bpmn_xml: str


def newest_diagrams(session: Session, process_key: str | None = None) -> list[Diagram]:
    """The newest version of each process (or of ``process_key`` only), by process key."""
    newest = select(ProcessVersion.key, func.max(ProcessVersion.version).label("version")
                    ).group_by(ProcessVersion.key)
    if process_key:
        newest = newest.where(ProcessVersion.key == process_key)
    found = newest.subquery()
    return [Diagram(*row) for row in session.execute(
        select(ProcessVersion.key, ProcessVersion.version, ProcessVersion.checksum,
               ProcessVersion.bpmn_xml)
        .join(found, and_(found.c.key == ProcessVersion.key,
                          found.c.version == ProcessVersion.version))
        .order_by(ProcessVersion.key))]


def area_counts(session: Session, moment: datetime) -> list[tuple[str | None, int]]:
    """Open cases per service area (not decided yet last)."""
    counts = session.execute(select(Case.service_area, func.count()).where(case_open_at(moment))
                             .group_by(Case.service_area))
    return sorted(((area, count) for area, count in counts),
                  key=lambda item: (item[0] is None, item[0] or ""))


def process_keys(session: Session) -> dict[int, str]:
    """Each process version's process key (a handful of rows)."""
    return {version_id: key for version_id, key in session.execute(
        select(ProcessVersion.id, ProcessVersion.key))}


def heat_map(places: Iterable[Position], moment: datetime, diagram: Diagram,
             keys: dict[int, str]) -> list[StepLoad]:
    """The heat of each step and phase of ``diagram``: the cases of its process (any
    version) where they wait."""
    inside = [place for place in places if keys.get(place.version_id or 0) == diagram.key]
    return (step_loads(inside, moment)
            + phase_loads(inside, moment, diagram.checksum, diagram.bpmn_xml))


def roles_of(places: Iterable[Position]) -> tuple[str, ...]:
    return tuple(sorted({place.role for place in places if place.role}))


def overview(db: Database, actor: Actor, now: datetime | None = None,
             process_key: str | None = None) -> Overview:
    """Open cases per step and per service area, and the heat map of the newest diagram (of
    ``process_key``, else of the first process by key), computed now from every open case's
    position (:mod:`engine.features.monitor_snapshot` reads the worker's computation)."""
    require_monitor(actor)
    moment = now or clock.now()
    with db.reading() as session:
        places = positions(session, moment)
        per_area = area_counts(session, moment)
        diagrams = newest_diagrams(session, process_key)[:1]
        keys = process_keys(session)
    newest = diagrams[0] if diagrams else None
    return Overview(
        now=moment, active_cases=sum(count for _area, count in per_area),
        per_step=step_loads(places, moment), per_area=per_area,
        process_key=newest.key if newest else None,
        process_version=newest.version if newest else None,
        bpmn_xml=newest.bpmn_xml if newest else None,
        heat=heat_map(places, moment, newest, keys) if newest else [],
        roles=roles_of(places), computed_at=moment)
