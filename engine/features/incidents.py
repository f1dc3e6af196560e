"""Incidents: steps whose handler raised, where the case waits until someone retries them.

The person's work is never lost to a failing handler: the step waits as an incident (case
status ``error``), and a retry runs it again in one transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.kernel.db import Database
from engine.kernel.errors import Conflict, Forbidden, NotFound
from engine.kernel.models import Case, Incident
from engine.kernel.paging import Page, Paging, read_page
from engine.kernel.vocabulary import EventKind
from engine.runtime.case_run import CaseRun
from engine.runtime.users import OVERSIGHT_ROLES, Actor


def retry_incident(db: Database, incident_id: int, actor: Actor,
                   reason: str | None = None) -> dict[str, Any]:
    """Run the failed step again; the incident is resolved when it goes through.

    ``reason`` (given from the monitor) is kept with the retry in the case history.
    """
    if not (actor.has_any_role(OVERSIGHT_ROLES) or actor.username == "system"):
        raise Forbidden("Bare systemkoordinator og leder kan prøve hendelser på nytt.")
    with db.transaction() as session:
        incident = open_incident(session, incident_id)
        case = session.get(Case, incident.case_id)
        assert case is not None
        run = CaseRun(session, case, actor)
        workflow = run.load_workflow()
        incident.retries += 1
        run.event(EventKind.INCIDENT_RETRIED, incident.bpmn_id,
                  {"incident": incident.id, **({"reason": reason} if reason else {})})
        run.advance(workflow)
        run.save(workflow)
        return incident_view(incident)


def incident_view(incident: Incident) -> dict[str, Any]:
    return {"id": incident.id, "case_id": incident.case_id, "bpmn_id": incident.bpmn_id,
            "handler": incident.handler, "error": incident.error, "retries": incident.retries,
            "created_at": incident.created_at.isoformat(),
            "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None}


def list_incidents(db: Database, paging: Paging, open_only: bool = True
                   ) -> Page[dict[str, Any]]:
    """Incidents, oldest first (the open ones by default), a page at a time."""
    with db.reading() as session:
        query = select(Incident).order_by(Incident.id)
        if open_only:
            query = query.where(Incident.resolved_at.is_(None))
        return read_page(session, query, paging, lambda row: incident_view(row[0]))


def open_incident(session: Session, incident_id: int) -> Incident:
    """The incident a leder acts on, refused when it is unknown or already resolved (by
    someone else meanwhile, say)."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("Hendelsen finnes ikke.")
    if incident.resolved_at is not None:
        raise Conflict("Hendelsen er allerede løst.")
    return incident
