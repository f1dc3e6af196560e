"""What a leder or the systemkoordinator does from the monitor to move a stuck case: give a
task to someone else, send a reminder, retry a failed step, cancel the case.

Every intervention says why (:func:`monitor_reason`), and the reason is kept in the case
history with who acted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.features.incidents import retry_incident
from engine.features.monitor import require_monitor, responsible_for
from engine.features.task_actions import record_event
from engine.kernel import clock, spiff
from engine.kernel.db import Database
from engine.kernel.errors import Conflict, InvalidData, NotFound
from engine.kernel.models import Case, Incident, KprRecord, Outbox, Task, Timer
from engine.kernel.vocabulary import (
    FINAL_CASE_STATES,
    CaseState,
    EventKind,
    OutboxKind,
    Role,
    TaskState,
)
from engine.runtime.access import may_act
from engine.runtime.case_run import CaseRun
from engine.runtime.users import Actor, Colleague, all_actors, with_case_counts
from handlers.dates import local_date

MAX_REASON_LENGTH = 2000


def monitor_reason(actor: Actor, reason: str | None) -> str:
    """Monitor actions are for the leder and the systemkoordinator, and always say why."""
    require_monitor(actor)
    text = (reason or "").strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidData({"reason": "Skriv hvorfor."})
    if len(text) > MAX_REASON_LENGTH:
        raise InvalidData({"reason": f"Begrunnelsen kan være høyst {MAX_REASON_LENGTH} tegn."})
    return text


def _open_task(session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound("Oppgaven finnes ikke.")
    if task.state != TaskState.READY:
        raise Conflict("Oppgaven er ikke lenger aktiv.")
    return task


def reassign_task(db: Database, task_id: int, username: str, reason: str | None,
                  actor: Actor) -> None:
    """Give an open task to another person who may do it (a leder moving work that is stuck).

    A personal task (one with an assignee) changes assignee; a group task is taken on the
    person's behalf. Recorded in the case history with who and why; the person is told
    (an outbox row of kind ``task``: a mail saying only that they have a new task).
    """
    why = monitor_reason(actor, reason)
    with db.transaction() as session:
        task = _open_task(session, task_id)
        if task.role == Role.INNBYGGER:
            raise InvalidData({"assignee": "Innbyggerens oppgaver følger innbyggeren eller "
                                           "koordinatoren. Bytt koordinator i stedet."})
        previous = task.claimed_by or task.assignee
        if username and username == previous:
            raise InvalidData({"assignee": "Oppgaven ligger allerede hos denne personen."})
        candidates = _candidates(session, task)
        colleague = next((other for other in candidates if other.username == username), None)
        if colleague is None:
            names = ", ".join(other.full_name for other in candidates) or "ingen"
            raise InvalidData({"assignee": "Denne personen kan ikke utføre oppgaven. "
                                           f"Du kan velge: {names}."})
        if task.assignee is not None:
            task.assignee = colleague.username
        task.claimed_by, task.claimed_at = colleague.username, clock.now()
        session.add(Outbox(case_id=task.case_id, kind=OutboxKind.TASK,
                           recipient=colleague.username, subject=f"Ny oppgave: «{task.name}»",
                           body=f"Du har fått oppgaven «{task.name}» i sak {task.case_id}.",
                           created_at=clock.now()))
        record_event(session, task.case_id, actor, EventKind.TASK_REASSIGNED, task.bpmn_id,
                     {"name": task.name, "task": task.id, "from": previous,
                      "to": colleague.username, "reason": why})


def send_reminder(db: Database, case_id: int, reason: str | None, actor: Actor,
                  task_id: int | None = None) -> str:
    """Remind whoever the case waits for (the task's person or group, else the coordinator,
    else the koordinerende enhet) through the outbox; returns the recipient."""
    why = monitor_reason(actor, reason)
    with db.transaction() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound("Saken finnes ikke.")
        task = None
        if task_id is not None:
            task = _open_task(session, task_id)
            if task.case_id != case.id:
                raise NotFound("Oppgaven finnes ikke i denne saken.")
        if task is not None:
            recipient = responsible_for(task)
            what = f"oppgaven «{task.name}» i sak {case.id}"
        else:
            recipient = case.coordinator or Role.SYSTEMKOORDINATOR
            what = f"sak {case.id}"
        now = clock.now()
        session.add(Outbox(case_id=case.id, kind="reminder", recipient=recipient,
                           subject=f"Påminnelse om {what}",
                           body=f"{actor.full_name} minner om {what}.\n\nBegrunnelse: {why}",
                           created_at=now))
        record_event(session, case.id, actor, EventKind.REMINDER_SENT,
                     task.bpmn_id if task else None,
                     {"name": task.name if task else None, "task": task.id if task else None,
                      "to": recipient, "reason": why})
        return recipient


def retry_incident_because(db: Database, incident_id: int, reason: str | None,
                           actor: Actor) -> dict[str, Any]:
    """:func:`retry_incident` from the monitor, where every action needs a reason."""
    return retry_incident(db, incident_id, actor, monitor_reason(actor, reason))


def cancel_case(db: Database, case_id: int, reason: str | None, actor: Actor) -> None:
    """Stop a case for good: status ``cancelled``, its open tasks cancelled, its timers
    cancelled (the worker never fires them), open incidents closed, the case's open KPR
    periods ended today, its open action items closed, and the workflow itself cancelled, all
    with who and why."""
    why = monitor_reason(actor, reason)
    with db.transaction() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound("Saken finnes ikke.")
        if case.status in FINAL_CASE_STATES:
            raise Conflict("Saken er allerede avsluttet.")
        run = CaseRun(session, case, actor)
        if case.state:
            workflow = run.load_workflow()
            workflow.cancel()
            case.state = spiff.dump_state(workflow)
        for task in session.scalars(select(Task).where(Task.case_id == case.id,
                                                       Task.state == TaskState.READY)):
            task.state = TaskState.CANCELLED
            task.completed_at = run.now
        for timer in session.scalars(select(Timer).where(Timer.case_id == case.id,
                                                         Timer.fired_at.is_(None))):
            timer.cancelled = True
        for incident in session.scalars(select(Incident).where(Incident.case_id == case.id,
                                                               Incident.resolved_at.is_(None))):
            incident.resolved_at = run.now
            incident.resolved_by = actor.username
        for record in session.scalars(select(KprRecord).where(KprRecord.case_id == case.id,
                                                              KprRecord.to_date.is_(None))):
            record.to_date = local_date(run.now)
            record.reported_at = None  # KPR has the open period: report the end
            run.event(EventKind.KPR_END, None, {"service": record.service,
                                        "date": record.to_date.isoformat()})
        case.status = CaseState.CANCELLED
        case.closed_at = run.now
        case.updated_at = run.now
        run.event(EventKind.CASE_CANCELLED, None, {"reason": why})
        run.close_open_items()


def reassign_candidates(db: Database, task_id: int, actor: Actor) -> list[Colleague]:
    """Everyone the monitor may give the task to (by its lane), with the active cases each
    coordinates, so the leder sees who carries less before choosing."""
    require_monitor(actor)
    with db.reading() as session:
        task = _open_task(session, task_id)
        if task.role == Role.INNBYGGER:
            return []
        return with_case_counts(session, _candidates(session, task))


def _candidates(session: Session, task: Task) -> list[Actor]:
    """Who would see the task as theirs to take, judged by the lane alone; not who holds it."""
    lane = Task(role=task.role, service_area=task.service_area)
    current = task.claimed_by or task.assignee
    return [other for other in all_actors(session)
            if may_act(other, lane) and other.username != current]
