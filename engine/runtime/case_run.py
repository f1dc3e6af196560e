"""One operation on one case, inside one database transaction.

Load the case row and its workflow, let the caller move the token, run the automatic steps
(handlers by name, with their side effects collected), then write back the state, the task
and timer tables, events, documents, KPR records and outbox rows. An exception before the
commit leaves the case as it was; a handler that raises becomes an incident instead.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.kernel import clock, commit_rows, spiff, spiff_scripts
from engine.kernel.history import add_event
from engine.kernel.models import (
    ActionItem,
    Attachment,
    Case,
    Document,
    Incident,
    KprRecord,
    Outbox,
    SharingConsent,
    Task,
    Timer,
)
from engine.kernel.settings import handler_settings
from engine.kernel.vocabulary import CaseState, EventKind, OutboxKind, Role, TaskState
from engine.runtime import case_rows, plan_store
from engine.runtime.access import assignee_for, citizen_username
from engine.runtime.deadlines import task_due
from engine.runtime.handler_context import CaseEffects, SessionDirectory, caseworker
from engine.runtime.users import Actor
from handlers.catalogue import get_handler
from handlers.registry import HandlerContext


class CaseRun:
    """Everything one engine call does to one case."""

    def __init__(self, session: Session, case: Case, actor: Actor,
                 rows: case_rows.CaseRows | None = None) -> None:
        # Everything the call writes goes to the database in one flush at the commit: one
        # ``UPDATE case_`` with the version check, and each table's new rows in one statement.
        # Queries from here on do not flush first, so what they must see is flushed by hand
        # (the KPR records, the plan's revisions, a withdrawn consent, closed action items).
        session.autoflush = False
        self.session = session
        self.case = case
        self.actor = actor
        self.now = clock.now()
        self.version = case.process_version
        self.script_engine = spiff_scripts.HandlerScriptEngine(self._call_handler)
        self.incident_opened = False
        self.directory = SessionDirectory(session)
        # Given when the caller read them with the case (or knows there are none: a new case).
        self._rows = rows
        self._know_coordinator()
        self._incidents: list[Incident] | None = None

    def rows(self) -> case_rows.CaseRows:
        """The case's open tasks, timers, incidents and action items, read once per call (the
        call's own changes are made to these objects; new rows are not in the lists)."""
        if self._rows is None:
            self._rows = case_rows.read(self.session, self.case)
            self._know_coordinator()
        return self._rows

    def _citizen_login(self) -> str | None:
        rows = self.rows()
        if rows.people_read:
            return rows.citizen_login
        return citizen_username(self.session, self.case.citizen_nin)

    def _know_coordinator(self) -> None:
        """Letters name the case's coordinator: their name came with the case's rows."""
        rows = self._rows
        if rows is not None and self.case.coordinator and rows.coordinator_name:
            self.directory.remember(self.case.coordinator, rows.coordinator_name)

    # ---------------------------------------------------------------- workflow in and out

    def new_workflow(self) -> spiff.BpmnWorkflow:
        return spiff.new_workflow(self.version, self.script_engine)

    def load_workflow(self) -> spiff.BpmnWorkflow:
        return spiff.load_state(self.version, self.case.state, self.script_engine)

    def advance(self, workflow: spiff.BpmnWorkflow) -> None:
        """Run automatic steps; a raising step becomes an incident, the rest is kept."""
        try:
            spiff.engine_steps(workflow, self._record_step)
        except Exception as exc:  # noqa: BLE001  (any handler error becomes an incident)
            failed = spiff.errored_tasks(workflow)
            for task in failed:
                spiff.make_ready_again(task)
                self._open_incident(task, exc)
            # A waiting event whose timer could not be computed stays waiting, as an incident.
            if not failed:
                waiting = getattr(exc, "task", None)
                if waiting is None:
                    raise
                self._open_incident(waiting, exc)
            return
        self._resolve_incidents()

    def fire_timers(self, workflow: spiff.BpmnWorkflow) -> None:
        """Fire what is due by the engine clock, on the case as it stands now."""
        spiff.refresh_catchers(workflow)
        workflow.refresh_timers()
        self.advance(workflow)

    def save(self, workflow: spiff.BpmnWorkflow) -> None:
        """Write state and the tables derived from it; bumps the case's version."""
        spiff.refresh_catchers(workflow)
        self.case.updated_at = self.now
        self._sync_tasks(workflow)
        self._sync_timers(workflow)
        self._sync_action_items(workflow)
        self._update_status(workflow)
        self.case.state = spiff.dump_state(workflow)  # last: it cuts finished tasks out

    # ---------------------------------------------------------------- history

    def event(self, kind: EventKind, bpmn_id: str | None = None, data: dict[str, Any] | None = None,
              actor: str | None = None) -> None:
        add_event(self.session, self.case.id, self.now, actor or self.actor.username, kind,
                  bpmn_id, data or {})

    def _record_step(self, task: spiff.SpiffTask) -> None:
        spec = task.task_spec
        if isinstance(spec, EndEvent):
            self.event(EventKind.END_REACHED, spec.bpmn_id, {"name": spec.bpmn_name},
                       actor="system")
            spiff.merge_back(task)
        elif isinstance(spec, CatchingEvent) and not isinstance(spec, EventBasedGateway):
            definition = spiff.caught_definition(spec)
            if isinstance(definition, TimerEventDefinition):
                self.event(EventKind.TIMER_FIRED, spec.bpmn_id, {"name": spec.bpmn_name},
                           actor="system")
            elif getattr(definition, "name", None) and spec.bpmn_id:
                self.event(EventKind.MESSAGE_CAUGHT, spec.bpmn_id,
                           {"message": definition.name, "name": spec.bpmn_name}, actor="system")

    # ---------------------------------------------------------------- handlers

    def _call_handler(self, task: spiff.SpiffTask, name: str, params: dict[str, Any]
                      ) -> dict[str, Any] | None:
        handler = get_handler(name)
        effects = CaseEffects()
        context = HandlerContext(case_id=self.case.id, now=clock.now(),
                                 directory=self.directory, effects=effects,
                                 params=params, settings=handler_settings(),
                                 actor=caseworker(self.actor))
        result = handler(context, copy.deepcopy(task.data))
        self._apply(effects, task.task_spec.bpmn_id)
        self.event(EventKind.STEP_COMPLETED, task.task_spec.bpmn_id,
                   {"name": task.task_spec.bpmn_name, "handler": name}, actor="system")
        return result

    def _apply(self, effects: CaseEffects, bpmn_id: str) -> None:
        for archived in effects.documents:
            document = Document(case_id=self.case.id, kind=archived.kind, title=archived.title,
                                body=archived.body, recipients=list(archived.recipients),
                                bpmn_id=bpmn_id, created_at=self.now)
            commit_rows.add(self.session, document)
            if archived.pdf is not None:
                commit_rows.add(self.session, Attachment(
                    case_id=self.case.id, document=document, filename=f"{archived.kind}.pdf",
                    media_type="application/pdf", size=len(archived.pdf),
                    content=archived.pdf, created_at=self.now))
            if archived.kind == "letter":
                for recipient in archived.recipients or (self.case.citizen_name,):
                    commit_rows.add(self.session, Outbox(
                        case_id=self.case.id, kind="letter", recipient=recipient,
                        recipient_nin=archived.nins.get(recipient), subject=archived.title,
                        document=document, created_at=self.now))
        for service, action, on in effects.kpr_changes:
            self._kpr(service, action, on)
        for recipient, subject, body in effects.notifications:
            self._outbox("notification", recipient, subject, body)
        if effects.coordinator and effects.coordinator != self.case.coordinator:
            self.assign_coordinator(effects.coordinator)
        for data, source in effects.plans:
            content = plan_store.plan_content(self.version, data)
            revision = plan_store.add_revision(self.session, self.case, content,
                                               self.actor.username, source, self.now)
            if revision is not None:
                self.event(EventKind.PLAN_REVISED, bpmn_id, {"number": revision.number,
                                                     "changed": revision.changed,
                                                     "source": source})
        for participant, scope, valid_from, valid_until, period in effects.shared:
            commit_rows.add(self.session, SharingConsent(
                case_id=self.case.id, participant=participant[:200], scope=scope,
                period=period[:40], valid_from=valid_from, valid_until=valid_until,
                recorded_at=self.now))
        for participant, on, by in effects.unshared:
            self._unshare(participant.strip().casefold(), on, by)

    def _unshare(self, key: str, on: date, by: str | None) -> None:
        """Mark the case's consents to share with the participant ``key`` (casefolded)
        withdrawn; a consent withdrawn before keeps its first date (engine.features.consents
        reads). Those given earlier in this call are among them."""
        self.session.flush()
        stored = self.session.scalars(select(SharingConsent).where(
            SharingConsent.case_id == self.case.id, SharingConsent.withdrawn_on.is_(None)))
        for row in [*stored, *commit_rows.queued(self.session, SharingConsent)]:
            if row.withdrawn_on is None and row.participant.strip().casefold() == key:
                row.withdrawn_on = on
                row.withdrawn_by = by

    def _outbox(self, kind: str, recipient: str, subject: str, body: str) -> None:
        commit_rows.add(self.session, Outbox(case_id=self.case.id, kind=kind,
                                             recipient=recipient, subject=subject, body=body,
                                             created_at=self.now))

    def _kpr(self, service: str, action: str, on: date) -> None:
        # The citizen's open periods, with those started earlier in this call.
        known = self.rows().kpr_records
        open_records = [row for row in known if row.service == service and row.to_date is None]
        if action == "start" and not open_records:
            record = KprRecord(case_id=self.case.id, citizen_nin=self.case.citizen_nin,
                               service=service, from_date=on)
            commit_rows.add(self.session, record)  # written as it stands at the commit
            known.append(record)
        elif action == "end":
            for record in open_records:
                record.to_date = on
                record.reported_at = None  # KPR has the open period: report the end
        self.event(EventKind("kpr_" + action), None, {"service": service, "date": on.isoformat()},
                   actor="system")

    def assign_coordinator(self, username: str) -> None:
        """The case's coordinator changes: open coordinator tasks follow the new one."""
        previous = self.case.coordinator
        self.case.coordinator = username
        moved = [task for task in self._open_tasks() if task.role == Role.KOORDINATOR
                 or (task.on_behalf_of and task.assignee == previous)]
        for task in moved:
            task.assignee = username
            task.claimed_by, task.claimed_at = None, None
        if moved and username != self.actor.username:
            self._task_notice(username, moved[0].name)
        self.event(EventKind.COORDINATOR_ASSIGNED, None,
                   {"coordinator": username, "previous": previous})

    # ---------------------------------------------------------------- incidents

    def _open_incident(self, task: spiff.SpiffTask, exc: Exception) -> None:
        spec = task.task_spec
        operator = (getattr(spec, "extensions", None) or {}).get("serviceTaskOperator") or {}
        handler = operator.get("name") or getattr(spec, "operation_name", None)
        message = _error_text(exc)
        existing = next((i for i in self.open_incidents() if i.bpmn_id == spec.bpmn_id), None)
        if existing:
            # The step failed again: keep one open incident with the newest error. Retries
            # are counted by ``cases.retry_incident`` alone, so one retry counts once.
            existing.error = message
        else:
            incident = Incident(case_id=self.case.id, bpmn_id=spec.bpmn_id, handler=handler,
                                error=message, created_at=self.now)
            self.session.add(incident)
            self.open_incidents().append(incident)
        self.incident_opened = True
        self.event(EventKind.INCIDENT_OPENED, spec.bpmn_id, {"handler": handler, "error": message},
                   actor="system")

    def open_incidents(self) -> list[Incident]:
        """The case's open incidents, read once per call and kept up to date by it."""
        if self._incidents is None:
            # Asked again of the rows themselves: one resolved in this call is not flushed yet.
            self._incidents = [row for row in self.rows().incidents if row.resolved_at is None]
        return self._incidents

    def _resolve_incidents(self) -> None:
        for incident in self.open_incidents():
            incident.resolved_at = self.now
            incident.resolved_by = self.actor.username
            self.event(EventKind.INCIDENT_RESOLVED, incident.bpmn_id, {"incident": incident.id})
        self.open_incidents().clear()

    # ---------------------------------------------------------------- derived tables

    def _open_tasks(self) -> list[Task]:
        """Open task rows; asked again of the rows themselves, since the one completed in this
        call is not flushed yet."""
        return [row for row in self.rows().tasks if row.state == TaskState.READY]

    def _sync_tasks(self, workflow: spiff.BpmnWorkflow) -> None:
        ready = {str(t.id): t for t in spiff.ready_user_tasks(workflow)}
        known = set()
        for row in self._open_tasks():
            known.add(row.spiff_id)
            if row.spiff_id not in ready:
                row.state = TaskState.CANCELLED
                row.completed_at = self.now
            else:
                row.service_area = self.case.service_area
        for spiff_id, task in ready.items():
            if spiff_id not in known:
                self._create_task(spiff_id, task)

    def _create_task(self, spiff_id: str, task: spiff.SpiffTask) -> None:
        spec = task.task_spec
        props = spiff.task_properties(spec)
        role = spec.lane or Role.SYSTEMKOORDINATOR
        assignee, on_behalf = assignee_for(role, self.case, self._citizen_login)
        self.session.add(Task(
            case_id=self.case.id, spiff_id=spiff_id, bpmn_id=spec.bpmn_id,
            name=spec.bpmn_name or spec.bpmn_id, role=role, form=props.get("form", ""),
            service_area=self.case.service_area, state=TaskState.READY, assignee=assignee,
            on_behalf_of=on_behalf, due_at=task_due(self.now, props, task.data),
            created_at=self.now))
        self.event(EventKind.TASK_CREATED, spec.bpmn_id, {"name": spec.bpmn_name, "role": role},
                   actor="system")
        if assignee and assignee != self.actor.username:  # who acts sees it at once
            self._task_notice(assignee, spec.bpmn_name or spec.bpmn_id)

    def _task_notice(self, username: str, name: str) -> None:
        """Tell ``username`` of a task given to them; the mail says only that there is one."""
        self._outbox(OutboxKind.TASK, username, f"Ny oppgave: «{name}»",
                     f"Du har fått oppgaven «{name}» i sak {self.case.id}.")

    def _sync_timers(self, workflow: spiff.BpmnWorkflow) -> None:
        waiting = {str(task.id): (task, due) for task, due in spiff.waiting_timers(workflow)}
        rows = [row for row in self.rows().timers if row.fired_at is None and not row.cancelled]
        for row in rows:
            if row.spiff_id in waiting:
                task, due = waiting[row.spiff_id]
                if row.due_at <= self.now < due:  # a repeating timer fired and waits on
                    row.fired_at = self.now
                    self.event(EventKind.TIMER_FIRED, task.task_spec.bpmn_id,
                               {"name": task.task_spec.bpmn_name}, actor="system")
                    self.session.add(Timer(case_id=self.case.id, spiff_id=row.spiff_id,
                                           bpmn_id=row.bpmn_id, due_at=due))
                else:
                    row.due_at = due  # a date timer follows the date in the data
                continue
            task = workflow.get_task_from_id(UUID(row.spiff_id))
            row.fired_at = self.now
            row.cancelled = task is None or not task.has_state(spiff.TaskState.COMPLETED)
        known = {row.spiff_id for row in rows}
        for spiff_id, (task, due) in waiting.items():
            if spiff_id not in known:
                self.session.add(Timer(case_id=self.case.id, spiff_id=spiff_id,
                                       bpmn_id=task.task_spec.bpmn_id, due_at=due))

    def _sync_action_items(self, workflow: spiff.BpmnWorkflow) -> None:
        """Rows for the action items of meetings saved in this call (``meetings[]``)."""
        meetings: Any = workflow.last_task.data.get("meetings") if workflow.last_task else None
        for task in workflow.get_tasks(state=spiff.TaskState.READY | spiff.TaskState.WAITING):
            meetings = task.data.get("meetings", meetings)
        plan_store.add_new_items(self.session, self.case.id, meetings, self.rows().last_position)

    def _update_status(self, workflow: spiff.BpmnWorkflow) -> None:
        open_incident = bool(self.open_incidents())
        if workflow.is_completed():
            if self.case.status != CaseState.COMPLETED:
                self.case.status = CaseState.COMPLETED
                self.case.closed_at = self.now
                self.event(EventKind.CASE_COMPLETED, None, {}, actor="system")
                self.close_open_items()
        elif open_incident:
            self.case.status = CaseState.ERROR
        elif spiff.only_closed_waits(workflow):
            if self.case.status != CaseState.CLOSED:
                self.case.status = CaseState.CLOSED
                self.case.closed_at = self.now
                self.event(EventKind.CASE_CLOSED, None, {}, actor="system")
                self.close_open_items()
        else:
            if self.case.status == CaseState.CLOSED:
                self.event(EventKind.CASE_REOPENED, None, {}, actor="system")
            self.case.status = CaseState.ACTIVE
            self.case.closed_at = None

    def close_open_items(self) -> None:
        """The case ends: its open action items are closed, and the history says which; items
        of a meeting saved in this very call count too (flushed first: the history names ids)."""
        new = [row for row in self.session.new
               if isinstance(row, ActionItem) and row.case_id == self.case.id]
        if new:
            self.session.flush()
        closed = plan_store.close_items([*self.rows().action_items, *new], "system", self.now)
        if closed:
            self.event(EventKind.ACTION_ITEMS_CLOSED, None, {"items": closed}, actor="system")


def _error_text(exc: BaseException) -> str:
    """The error as stored with the incident: Spiff's wrapper, then the Python error beneath it
    (``NameError: name 'alder' is not defined``), which says what the case lacked."""
    text = f"{type(exc).__name__}: {exc}"
    root = exc
    while (root.__cause__ or root.__context__) is not None:
        root = root.__cause__ or root.__context__  # type: ignore[assignment]
    if root is not exc and str(root) not in text:
        text += f" ({type(root).__name__}: {root})"
    return text


CaseOperation = Callable[[CaseRun, spiff.BpmnWorkflow], None]
