"""Find any case: every case the reader may see (tjenstlig behov), searched by name,
fødselsnummer or case number, filtered, sorted and paged in the database.

The search reads the case row and the derived tables (``task``, ``incident``, ``timer``,
``event``), never workflow state, and filters, counts, sorts and pages in SQL, so one page costs
a handful of queries however many cases there are. Where a case waits is what the monitor
calls its position (:mod:`engine.features.monitor_positions`): its open tasks and failed steps,
else the timers it waits for; *since* is when the oldest of those began (for a case with
neither, its last progress), and for an ended case when it ended (an ended case waits
nowhere, whatever timers it keeps, such as a window for a late appeal).

Searching by a fødselsnummer looks a person up: each case it finds is written to the access
log, so the citizen sees who searched for them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from engine.features.diagram import diagram_steps, enclosing_phases, phases
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.errors import Forbidden, InvalidQuery
from engine.kernel.models import (
    NUDGE_EVENTS,
    Case,
    Event,
    Incident,
    ProcessVersion,
    Task,
    Timer,
    UTCDateTime,
    searchable,
)
from engine.kernel.paging import Page, Paging, fetch_page
from engine.kernel.vocabulary import CaseState, TaskState
from engine.runtime.access import log_read, visible_cases
from engine.runtime.users import Actor

SORTS = ("id", "name", "since", "status")
NIN_LENGTH = 11
# What a search by fødselsnummer writes to the access log of each case it finds.
SEARCH_READ = "search"
_YES, _NO = ("true", "1", "ja", "yes"), ("false", "0", "nei", "no")
_CASE_NUMBER = re.compile(r"^#?\s*(\d{1,10})$")
# The steps a case waits at for a while: people's tasks and the events it waits for.
WAITING_KINDS = frozenset({"userTask", "intermediateCatchEvent"})


@dataclass(frozen=True)
class CaseQuery:
    """What the reader asks for; empty fields do not filter. ``sort`` is a key of
    :data:`SORTS`, ``-`` in front for descending; ``overdue`` True keeps only cases with an
    overdue open task, False only those without."""

    q: str | None = None
    status: str | None = None
    phase: str | None = None
    step: str | None = None
    service_area: str | None = None
    coordinator: str | None = None
    overdue: bool | None = None
    sort: str = "-id"
    paging: Paging = Paging()

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> CaseQuery:
        """The query from request parameters (strings); InvalidQuery names each bad one."""
        errors: dict[str, str] = {}

        def text(name: str) -> str | None:
            value = (args.get(name) or "").strip()
            if len(value) > 200:
                errors[name] = f"{name} kan være høyst 200 tegn."
            return value or None

        status = text("status")
        if status and status not in CaseState.__members__.values():
            errors["status"] = "Ukjent status; gyldige er " + ", ".join(CaseState) + "."
        sort = text("sort") or "-id"
        if sort.removeprefix("-") not in SORTS:
            errors["sort"] = "sort må være en av " + ", ".join(SORTS) + " (med - foran: synkende)."
        overdue_text = (text("overdue") or "").lower()
        if overdue_text and overdue_text not in _YES + _NO:
            errors["overdue"] = "overdue må være true eller false."
        query = cls(q=text("q"), status=status, phase=text("phase"), step=text("step"),
                    service_area=text("service_area"), coordinator=text("coordinator"),
                    overdue=None if not overdue_text else overdue_text in _YES, sort=sort,
                    paging=Paging.parse(args, errors))
        if errors:
            raise InvalidQuery(errors)
        return query

    @property
    def nin(self) -> str | None:
        """The fødselsnummer searched for (typed with or without spaces), if ``q`` is one."""
        digits = re.sub(r"\s", "", self.q or "")
        return digits if len(digits) == NIN_LENGTH and digits.isdigit() else None

    @property
    def case_number(self) -> int | None:
        """The case number searched for (``12`` or ``#12``), if ``q`` is one."""
        found = _CASE_NUMBER.match((self.q or "").strip())
        return int(found.group(1)) if found and not self.nin else None


@dataclass(frozen=True)
class WaitingStep:
    """A step the case waits at: its diagram id and the diagram's name for it."""

    id: str
    name: str


@dataclass(frozen=True)
class CaseRow:
    """One case in the list: whom it concerns, its status and process, where it waits and
    since when, its coordinator, and whether an open task of it is overdue."""

    id: int
    citizen_name: str
    citizen_nin: str
    status: str
    process: str
    version: int
    service_area: str | None
    coordinator: str | None
    waiting_at: tuple[WaitingStep, ...]
    since: datetime
    overdue: bool

    def as_json(self) -> dict[str, Any]:
        """The API's row (the fødselsnummer stays out of lists)."""
        return {"id": self.id, "citizen_name": self.citizen_name, "status": self.status,
                "process": self.process, "version": self.version,
                "service_area": self.service_area, "coordinator": self.coordinator,
                "waiting_at": [{"step": w.id, "name": w.name} for w in self.waiting_at],
                "since": self.since.isoformat(), "overdue": self.overdue}


class CasePage(Page[CaseRow]):
    def as_json(self) -> dict[str, Any]:
        return {"cases": [row.as_json() for row in self.rows], **self.meta()}


# ---------------------------------------------------------------- where a case waits, in SQL


def _open_task(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(Task.case_id == Case.id, Task.state == TaskState.READY, *conditions)


def _open_incident(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(Incident.case_id == Case.id, Incident.resolved_at.is_(None),
                          *conditions)


def _waiting_timer(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(Timer.case_id == Case.id, Timer.fired_at.is_(None),
                          Timer.cancelled.is_(False), *conditions)


def waits_at(steps: Collection[str]) -> ColumnElement[bool]:
    """The case waits at one of ``steps``: an open task or failed step there, or, when it has
    neither and has not ended, a timer there."""
    return or_(_open_task(Task.bpmn_id.in_(steps)), _open_incident(Incident.bpmn_id.in_(steps)),
               and_(Case.closed_at.is_(None), ~_open_task(), ~_open_incident(),
                    _waiting_timer(Timer.bpmn_id.in_(steps))))


def overdue_now(now: datetime) -> ColumnElement[bool]:
    return _open_task(Task.due_at < now)


def waiting_since() -> ColumnElement[datetime]:
    """When the case came to where it waits (see the module's description)."""
    task = (select(func.min(Task.created_at))
            .where(Task.case_id == Case.id, Task.state == TaskState.READY).scalar_subquery())
    incident = (select(func.min(Incident.created_at))
                .where(Incident.case_id == Case.id, Incident.resolved_at.is_(None))
                .scalar_subquery())
    progress = (select(func.max(Event.at))
                .where(Event.case_id == Case.id, Event.kind.not_in(NUDGE_EVENTS))
                .scalar_subquery())
    since = case((Case.closed_at.is_not(None), Case.closed_at),
                 else_=func.coalesce(task, incident, progress, Case.created_at))
    return type_coerce(since, UTCDateTime())


def _in_phase(session: Session, phase: str) -> ColumnElement[bool]:
    """Waits at a step inside the diagram's sub-process ``phase``, per process version."""
    conditions = []
    for version_id, checksum, xml in session.execute(
            select(ProcessVersion.id, ProcessVersion.checksum, ProcessVersion.bpmn_xml)):
        inside = [element for element, around in enclosing_phases(checksum, xml).items()
                  if any(phase_id == phase for phase_id, _name in around)]
        if inside:
            conditions.append(and_(Case.process_version_id == version_id, waits_at(inside)))
    return or_(*conditions) if conditions else false()


def _filtered(session: Session, actor: Actor, q: CaseQuery, now: datetime) -> Any:
    query = visible_cases(actor)
    if q.nin:
        query = query.where(Case.citizen_nin == q.nin)
    elif q.case_number is not None:
        query = query.where(Case.id == q.case_number)
    elif q.q and q.q.strip():
        query = query.where(Case.citizen_name_folded.contains(searchable(q.q.strip()),
                                                              autoescape=True))
    if q.status:
        query = query.where(Case.status == q.status)
    if q.service_area:
        query = query.where(Case.service_area == q.service_area)
    if q.coordinator:
        query = query.where(Case.coordinator == q.coordinator)
    if q.step:
        query = query.where(waits_at([q.step]))
    if q.phase:
        query = query.where(_in_phase(session, q.phase))
    if q.overdue is not None:
        query = query.where(overdue_now(now) if q.overdue else ~overdue_now(now))
    return query


def _order(sort: str, since: ColumnElement[datetime]) -> list[Any]:
    key = sort.removeprefix("-")
    column: Any = {"id": Case.id, "name": Case.citizen_name_folded, "since": since,
                   "status": Case.status}[key]
    if sort.startswith("-"):
        return [column.desc(), Case.id.desc()]
    return [column.asc(), Case.id.asc()]


# ---------------------------------------------------------------- the page


def _places(session: Session, table: Any, case_ids: list[int],
            *conditions: ColumnElement[bool]) -> dict[int, list[tuple[int, str]]]:
    """(process version, step id) of the ``table`` rows (tasks, incidents, timers) of each case."""
    found: dict[int, list[tuple[int, str]]] = {}
    for case_id, version_id, bpmn_id in session.execute(
            select(table.case_id, Case.process_version_id, table.bpmn_id)
            .join(Case, Case.id == table.case_id)
            .where(table.case_id.in_(case_ids), *conditions).order_by(table.id)):
        found.setdefault(case_id, []).append((version_id, bpmn_id))
    return found


def _waiting_steps(session: Session, case_ids: list[int]) -> dict[int, tuple[WaitingStep, ...]]:
    """Where each case of the page waits, named as the diagram names the step."""
    found = _places(session, Task, case_ids, Task.state == TaskState.READY)
    for case_id, places in _places(session, Incident, case_ids,
                                   Incident.resolved_at.is_(None)).items():
        found.setdefault(case_id, []).extend(places)
    for case_id, places in _places(session, Timer, case_ids, Timer.fired_at.is_(None),
                                   Timer.cancelled.is_(False), Case.closed_at.is_(None)).items():
        found.setdefault(case_id, places)
    version_ids = {version_id for places in found.values() for version_id, _step in places}
    names = {version_id: {step.id: step.name for step in diagram_steps(checksum, xml)}
             for version_id, checksum, xml in session.execute(
                 select(ProcessVersion.id, ProcessVersion.checksum, ProcessVersion.bpmn_xml)
                 .where(ProcessVersion.id.in_(version_ids)))}
    return {case_id: tuple(WaitingStep(bpmn_id, names.get(version_id, {}).get(bpmn_id, bpmn_id))
                           for version_id, bpmn_id in dict.fromkeys(places))
            for case_id, places in found.items()}


def search_cases(db: Database, actor: Actor, q: CaseQuery) -> CasePage:
    """One page of the cases ``actor`` may see that match ``q`` (staff only).

    A search by fødselsnummer is written to the access log of every case it finds."""
    if not actor.is_staff:
        raise Forbidden("Bare kommunens ansatte kan søke i saker.")
    now = clock.now()
    since = waiting_since().label("since")
    overdue = overdue_now(now).label("overdue")
    with db.transaction() as session:
        chosen = _filtered(session, actor, q, now)
        found, total, page = fetch_page(session, chosen.join(
            ProcessVersion, ProcessVersion.id == Case.process_version_id)
            .with_only_columns(Case.id, Case.citizen_name, Case.citizen_nin, Case.status,
                               ProcessVersion.key, ProcessVersion.version, Case.service_area,
                               Case.coordinator, since, overdue)
            .order_by(*_order(q.sort, since)), q.paging)
        case_ids = [row.id for row in found]
        waiting = _waiting_steps(session, case_ids)
        if q.nin:
            for case_id in session.scalars(chosen.with_only_columns(Case.id)):
                log_read(session, case_id, actor, SEARCH_READ)
        rows = tuple(CaseRow(
            id=row.id, citizen_name=row.citizen_name, citizen_nin=row.citizen_nin,
            status=row.status, process=row.key, version=row.version,
            service_area=row.service_area, coordinator=row.coordinator,
            waiting_at=waiting.get(row.id, ()), since=row.since, overdue=bool(row.overdue))
            for row in found)
    return CasePage(rows, total, page, q.paging.per_page)


@dataclass(frozen=True)
class SearchChoices:
    """What the filters offer: the phases and waiting steps of each process's newest version
    ((id, name) in diagram order), and the coordinators of the cases the reader may see."""

    phases: tuple[tuple[str, str], ...]
    steps: tuple[tuple[str, str], ...]
    coordinators: tuple[str, ...]


def search_choices(db: Database, actor: Actor) -> SearchChoices:
    with db.reading() as session:
        newest = select(func.max(ProcessVersion.id)).group_by(ProcessVersion.key)
        found_phases: dict[str, str] = {}
        found_steps: dict[str, str] = {}
        for version in session.scalars(select(ProcessVersion).where(
                ProcessVersion.id.in_(newest)).order_by(ProcessVersion.key)):
            for phase_id, name in phases(version.checksum, version.bpmn_xml):
                found_phases.setdefault(phase_id, name)
            for step in diagram_steps(version.checksum, version.bpmn_xml):
                if step.kind in WAITING_KINDS:
                    found_steps.setdefault(step.id, step.name)
        coordinators = session.scalars(
            visible_cases(actor).with_only_columns(Case.coordinator).distinct()
            .where(Case.coordinator.is_not(None)).order_by(Case.coordinator))
        return SearchChoices(tuple(found_phases.items()), tuple(found_steps.items()),
                             tuple(c for c in coordinators if c))
