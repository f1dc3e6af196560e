"""Resolving an incident by hand: see what failed and why, correct the case's data, skip the
failed step, or move the case onto a fixed version of its process.

A diagram error (a condition reading a variable the case lacks, a timer that cannot be read)
fails the same way on every retry; these are what a leder or the systemkoordinator does
about it instead. Each call is one transaction, says why (a required reason) and is recorded
in the case history with who acted; corrected data keeps its old and new value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.features import migration
from engine.features.incident_causes import IncidentCause, cause_at, element_name
from engine.features.incidents import open_incident
from engine.features.interventions import monitor_reason
from engine.features.monitor import require_monitor
from engine.kernel import spiff
from engine.kernel.db import Database
from engine.kernel.errors import Conflict, InvalidData, NotFound
from engine.kernel.models import Case, Incident, ProcessVersion
from engine.kernel.vocabulary import RUNNING_CASE_STATES, EventKind
from engine.runtime.access import log_read
from engine.runtime.case_run import CaseRun
from engine.runtime.users import Actor

MAX_VARIABLE_NAME = 100


@dataclass(frozen=True)
class OpenIncident:
    """An unresolved incident at the element ``bpmn_id`` (named ``element_name`` in the
    diagram); ``may_skip``: the step can be marked done without running (not a gateway, which
    must choose a way)."""

    id: int
    bpmn_id: str
    cause: IncidentCause
    retries: int
    created_at: datetime
    may_skip: bool

    @property
    def element_name(self) -> str:
        return self.cause.element_name

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "bpmn_id": self.bpmn_id, "element_name": self.element_name,
                "element_kind": self.cause.element_kind,
                "missing_variable": self.cause.missing_variable,
                "handler": self.cause.handler, "error": self.cause.technical,
                "retries": self.retries, "created_at": self.created_at.isoformat(),
                "may_skip": self.may_skip}


@dataclass(frozen=True)
class CaseRepair:
    """A case's open incidents with what it takes to resolve them: the case's data as the
    failed steps see it, and the newer versions of its process it can be moved to."""

    case_id: int
    process_key: str
    version: int
    incidents: tuple[OpenIncident, ...]
    variables: Mapping[str, Any]
    newer_versions: tuple[int, ...]

    @property
    def failed_elements(self) -> tuple[str, ...]:
        return tuple(i.bpmn_id for i in self.incidents)

    def as_json(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "process": self.process_key, "version": self.version,
                "incidents": [i.as_json() for i in self.incidents],
                "variables": dict(self.variables),
                "newer_versions": list(self.newer_versions)}


def _open_incidents(session: Session, case_id: int) -> list[Incident]:
    return list(session.scalars(select(Incident).where(
        Incident.case_id == case_id, Incident.resolved_at.is_(None)).order_by(Incident.id)))


def case_repair(db: Database, case_id: int, actor: Actor) -> CaseRepair:
    """The case's open incidents, data and newer versions (a logged read of the case); for a
    case without an open incident only that, without reading its data."""
    require_monitor(actor)  # reading what went wrong needs the roles that act on it
    with db.transaction() as session:
        case = _case(session, case_id)
        version = case.process_version
        if not _open_incidents(session, case.id):
            return CaseRepair(case.id, version.key, version.version, (), {}, ())
        run = CaseRun(session, case, actor)
        data = spiff.case_data(run.load_workflow()) if case.state else {}
        newer = tuple(session.scalars(select(ProcessVersion.version).where(
            ProcessVersion.key == version.key, ProcessVersion.version > version.version)
            .order_by(ProcessVersion.version)))
        found = tuple(OpenIncident(
            id=i.id, bpmn_id=i.bpmn_id,
            cause=(cause := cause_at(version, i.bpmn_id, i.error, i.handler)),
            retries=i.retries, created_at=i.created_at,
            may_skip=cause.element_kind != "gateway") for i in _open_incidents(session, case.id))
        log_read(session, case.id, actor, "hendelse")
        return CaseRepair(case.id, version.key, version.version, found,
                          dict(sorted(data.items())), newer)


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("Saken finnes ikke.")
    return case


def _case_in_incident(session: Session, case_id: int) -> tuple[Case, list[Incident]]:
    case = _case(session, case_id)
    open_incidents = _open_incidents(session, case.id)
    if not open_incidents or case.status not in RUNNING_CASE_STATES:
        raise Conflict("Saken har ingen uløst feil.")
    return case, open_incidents


def correct_variable(db: Database, case_id: int, name: str, value: Any, reason: str | None,
                     actor: Actor) -> None:
    """Set one variable of a case in incident (any JSON value), so that a retry finds it.

    The old value (or that there was none), the new one and the reason are recorded as
    ``variable_corrected``; nothing runs until someone retries.
    """
    why = monitor_reason(actor, reason)
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name.isidentifier() or name.startswith("_") or len(name) > MAX_VARIABLE_NAME:
        raise InvalidData({"variable": "Skriv navnet på en opplysning (bokstaver, tall og _)."})
    with db.transaction() as session:
        case, open_incidents = _case_in_incident(session, case_id)
        run = CaseRun(session, case, actor)
        workflow = run.load_workflow()
        before = spiff.case_data(workflow)
        spiff.set_case_data(workflow, {name: value})
        run.event(EventKind.VARIABLE_CORRECTED, open_incidents[0].bpmn_id, {
            "variable": name, "old": before.get(name), "old_missing": name not in before,
            "new": value, "reason": why})
        run.save(workflow)


def skip_step(db: Database, incident_id: int, reason: str | None, actor: Actor) -> None:
    """Mark the failed step done without running it, and let the case go on from there.

    A gateway cannot be skipped: it has to choose a way (correct the data or move the case
    to a version with a fixed condition instead).
    """
    why = monitor_reason(actor, reason)
    with db.transaction() as session:
        incident = open_incident(session, incident_id)
        case = _case(session, incident.case_id)
        version = case.process_version
        run = CaseRun(session, case, actor)
        workflow = run.load_workflow()
        failed = [t for t in workflow.get_tasks(state=spiff.TaskState.READY, manual=False)
                  if getattr(t.task_spec, "bpmn_id", None) == incident.bpmn_id]
        if not failed:
            raise Conflict("Det feilede steget venter ikke lenger; prøv på nytt i stedet.")
        name = element_name(version, incident.bpmn_id)
        if spiff.element_kind(failed[0].task_spec) == "gateway":
            raise Conflict(f"«{name}» er en port som må velge vei, og kan ikke hoppes over. "
                           "Rett opplysningen den leser, eller flytt saken til en rettet "
                           "versjon.")
        failed[0].complete()
        incident.resolved_at = run.now
        incident.resolved_by = actor.username
        run.event(EventKind.STEP_SKIPPED, incident.bpmn_id,
                  {"incident": incident.id, "name": name, "reason": why})
        run.event(EventKind.INCIDENT_RESOLVED, incident.bpmn_id, {"incident": incident.id})
        run.advance(workflow)
        run.save(workflow)


def move_case(db: Database, case_id: int, version: int, reason: str | None, actor: Actor
              ) -> list[str]:
    """Move a case (in incident or not) onto a newer version of its process; the failed step
    then runs again there. Refused, and nothing changed, when the move is unsafe."""
    why = monitor_reason(actor, reason)
    with db.reading() as session:
        key = _case(session, case_id).process_version.key
    return migration.move_case(db, case_id, key, version, actor, reason=why)
