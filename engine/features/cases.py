"""The operations people and the API perform on cases and tasks.

Each public function is one transaction. It checks who acts, validates what they send, and
only then moves the token (through :class:`engine.runtime.case_run.CaseRun`). A refused request
changes nothing.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from engine.features import consents, duplicates
from engine.features.deploy import latest_version
from engine.features.monitor import require_monitor, responsible_for
from engine.kernel import clock, spiff
from engine.kernel.db import Database
from engine.kernel.errors import Conflict, EngineError, Forbidden, InvalidData, NotFound
from engine.kernel.models import (
    AccessLog,
    Case,
    Document,
    Event,
    Incident,
    KprRecord,
    Outbox,
    Task,
    Timer,
)
from engine.kernel.vocabulary import FINAL_CASE_STATES, CaseState, EventKind, Role, TaskState
from engine.runtime import forms, plan_store
from engine.runtime.access import actionable_tasks, can_see_case, is_own_case, keeps_plan, may_act
from engine.runtime.case_run import CaseEffects, CaseRun, SessionDirectory
from engine.runtime.users import (
    CASEWORK_ROLES,
    OVERSIGHT_ROLES,
    PROCEDURE_ROLES,
    Actor,
    all_actors,
    find_actor,
    service_areas,
)
from handlers.catalogue import get_validator, validator_names
from handlers.registry import HandlerContext

# Messages a citizen may send about their own case; staff may send every message.
CITIZEN_MESSAGES = {"end_requested", "appeal_received", "consent_withdrawn",
                    "evaluation_requested"}


def _sources(session: Session) -> dict[str, dict[str, str]]:
    return {"service_areas": service_areas(session)}


def _validation_context(session: Session, case_id: int) -> HandlerContext:
    """Validators may look things up but never cause effects: theirs are thrown away."""
    return HandlerContext(case_id=case_id, now=clock.now(), directory=SessionDirectory(session),
                          effects=CaseEffects())


def _validated(session: Session, case_id: int, form: dict[str, Any], data: dict[str, Any],
               validator_name: str | None, context_data: dict[str, Any]) -> dict[str, Any]:
    """The declared fields of ``data`` when valid; raises InvalidData otherwise."""
    if not isinstance(data, dict):
        raise InvalidData({"_form": "Skjemadata må være et JSON-objekt."})
    schema = forms.with_sources(form["schema"], _sources(session))
    clean = forms.declared_fields(forms.normalized(data, schema), schema)
    errors = forms.schema_errors(clean, schema)
    if not errors and validator_name:
        errors = get_validator(validator_name)(_validation_context(session, case_id),
                                               {**context_data, **clean})
    if errors:
        raise InvalidData(errors)
    return clean


def start_form(db: Database, process_key: str) -> dict[str, Any]:
    """The start form of the newest version, with the municipality's choices filled in."""
    with db.reading() as session:
        version = latest_version(session, process_key)
        name = spiff.start_properties(version.checksum, version.spec_json).get("form")
        form = dict(version.forms.get(name, {})) if name else {}
        if form:
            form["schema"] = forms.with_sources(form["schema"], _sources(session))
        return form


def start_case(db: Database, process_key: str, data: dict[str, Any], actor: Actor, *,
               attach_to: Any = None, duplicate_reason: Any = None) -> int:
    """Start a case on the newest version of ``process_key`` from its start form.

    For a citizen with an open case see :mod:`engine.features.duplicates`: 409 unless ``attach_to``
    (then the open case's id is returned and no case starts) or ``duplicate_reason``."""
    if not actor.has_any_role(PROCEDURE_ROLES):
        raise Forbidden("Du har ikke en rolle som kan melde behov.")
    with db.transaction() as session:
        version = latest_version(session, process_key)
        props = spiff.start_properties(version.checksum, version.spec_json)
        clean = data
        if props.get("form"):
            clean = _validated(session, 0, version.forms[props["form"]], data,
                               props.get("validator"), {})
        target, reason, found = duplicates.decide(session, str(clean.get("citizen_nin", "")),
                                                  actor, attach_to, duplicate_reason)
        if target is not None:
            duplicates.attach(session, target, version.forms.get(props.get("form", ""), {}),
                              clean, actor)
            return target
        now = clock.now()
        case = Case(process_version_id=version.id, process_version=version, status=CaseState.ACTIVE,
                    citizen_name=str(clean.get("citizen_name", "")),
                    citizen_nin=str(clean.get("citizen_nin", "")), state={},
                    created_by=actor.username, created_at=now, updated_at=now)
        session.add(case)
        session.flush()
        run = CaseRun(session, case, actor)
        workflow = run.new_workflow()
        for task in workflow.get_tasks(state=spiff.TaskState.READY):
            task.data.update(clean)
        run.event(EventKind.CASE_STARTED, None, {"process": version.key, "version": version.version,
                                         "data": clean})
        if reason:
            run.event(EventKind.DUPLICATE_REGISTERED, None, {"reason": reason, "open_cases": found})
        run.advance(workflow)
        run.save(workflow)
        return case.id


def _task_for_action(session: Session, task_id: int, actor: Actor) -> Task:
    task = session.get(Task, task_id)
    if task is None or not (may_act(actor, task) or can_see_case(session, actor, task.case_id)):
        raise NotFound("Oppgaven finnes ikke.")
    if task.state != TaskState.READY:
        raise Conflict("Oppgaven er allerede fullført." if task.state == TaskState.COMPLETED
                       else "Oppgaven er ikke lenger aktiv.")
    if not may_act(actor, task):
        raise Forbidden("Du kan ikke utføre denne oppgaven.")
    if task.claimed_by and task.claimed_by != actor.username:
        raise Conflict(f"Oppgaven er tatt av {task.claimed_by}.")
    return task


def complete_task(db: Database, task_id: int, data: dict[str, Any], actor: Actor) -> None:
    """Validate the form data and complete the task; the case moves on in the same commit."""
    with db.transaction() as session:
        task = _task_for_action(session, task_id, actor)
        case = session.get(Case, task.case_id)
        assert case is not None
        run = CaseRun(session, case, actor)
        workflow = run.load_workflow()
        spiff_task = workflow.get_task_from_id(spiff.task_uuid(task.spiff_id))
        if spiff_task is None or not spiff_task.has_state(spiff.TaskState.READY):
            raise Conflict("Oppgaven er ikke lenger aktiv.")
        props = spiff.task_properties(spiff_task.task_spec)
        form = case.process_version.forms[task.form]
        clean = _validated(session, case.id, form, data, props.get("validator"), spiff_task.data)
        spiff_task.data.update(forms.omitted_answers(form["schema"], clean))
        spiff_task.data.update(clean)
        spiff_task.run()
        task.state = TaskState.COMPLETED
        task.completed_at = run.now
        task.completed_by = actor.username
        if "service_area" in clean:
            case.service_area = clean["service_area"]
        run.event(EventKind.TASK_COMPLETED, task.bpmn_id,
                  {"name": task.name, "data": clean, "on_behalf_of": task.on_behalf_of})
        run.advance(workflow)
        run.save(workflow)


def claim_task(db: Database, task_id: int, actor: Actor) -> None:
    """Take a group task; a conditional update so two claims cannot both win."""
    with db.transaction() as session:
        task = _task_for_action(session, task_id, actor)
        result = cast(CursorResult[Any], session.execute(update(Task).where(
            Task.id == task.id, Task.state == TaskState.READY,
            (Task.claimed_by.is_(None)) | (Task.claimed_by == actor.username),
        ).values(claimed_by=actor.username).execution_options(synchronize_session=False)))
        if result.rowcount != 1:
            raise Conflict("Oppgaven ble tatt av noen andre i mellomtiden.")
        _event(session, task.case_id, actor, EventKind.TASK_CLAIMED, task.bpmn_id,
               {"name": task.name})


def unclaim_task(db: Database, task_id: int, actor: Actor) -> None:
    with db.transaction() as session:
        task = _task_for_action(session, task_id, actor)
        if task.claimed_by != actor.username:
            raise Conflict("Du har ikke tatt denne oppgaven.")
        task.claimed_by = None
        _event(session, task.case_id, actor, EventKind.TASK_UNCLAIMED, task.bpmn_id,
               {"name": task.name})


def _event(session: Session, case_id: int, actor: Actor, kind: EventKind,
           bpmn_id: str | None, data: dict[str, Any]) -> None:
    session.add(Event(case_id=case_id, at=clock.now(), actor=actor.username, kind=kind,
                      bpmn_id=bpmn_id, data=data))


def _visible_case(session: Session, case_id: int, actor: Actor) -> Case:
    case = session.get(Case, case_id)
    if case is None or not can_see_case(session, actor, case_id):
        raise NotFound("Saken finnes ikke.")
    return case


def send_message(db: Database, case_id: int, name: str, data: dict[str, Any],
                 actor: Actor) -> None:
    """Deliver a BPMN message (appeal, change of coordinator, end) to a waiting case."""
    if not isinstance(data, dict):
        raise InvalidData({"data": "Meldingsdata må være et JSON-objekt."})
    with db.transaction() as session:
        case = _visible_case(session, case_id, actor)
        citizen_may = actor.has_role(Role.INNBYGGER) and name in CITIZEN_MESSAGES
        if not (actor.has_any_role(CASEWORK_ROLES) or citizen_may):
            raise Forbidden("Du kan ikke sende denne meldingen.")
        run = CaseRun(session, case, actor)
        workflow = run.load_workflow()
        current = spiff.refresh_catchers(workflow)
        catchers = spiff.message_catchers(workflow, name)
        if not catchers:
            raise Conflict(_not_waiting_for(case, workflow, name))
        _check_message(session, case.id, name, data, current)
        refusals = [r for r in (_refusal(run, c, current, data) for c in catchers) if r]
        if len(refusals) == len(catchers):
            raise Conflict(refusals[0])
        payload = {**data, "sent_by": actor.username, "received_at": run.now.isoformat()}
        run.event(EventKind.MESSAGE_RECEIVED, None, {"message": name, "data": payload})
        workflow.catch(spiff.message_event(name, payload))
        run.advance(workflow)
        run.save(workflow)


def _not_waiting_for(case: Case, workflow: spiff.BpmnWorkflow, name: str) -> str:
    """Why no step takes the message now, in words a caseworker can act on: the case has
    ended, or where it stands (the message belongs to another part of the procedure)."""
    if case.status in FINAL_CASE_STATES:
        return f"Saken er avsluttet og tar ikke lenger imot meldingen {name!r}."
    where = spiff.waiting_at(workflow)
    return (f"Saken tar ikke imot meldingen {name!r} der den står nå"
            + (f" ({', '.join(where)})." if where else "."))


def _refusal(run: CaseRun, catcher: spiff.SpiffTask, current: dict[str, Any],
             payload: dict[str, Any]) -> str | None:
    """Why this waiting event may not take the message now, from its ``accepted_when``
    condition in the diagram (with the case's data and the payload as ``message``)."""
    props = spiff.task_properties(catcher.task_spec)
    condition = props.get("accepted_when")
    if not condition:
        return None
    try:
        accepted = run.script_engine.environment.evaluate(
            condition, {**current, "message": payload})
    except Exception:  # noqa: BLE001  (a fact the condition reads is not there yet)
        accepted = False
    if accepted:
        return None
    return props.get("refused_because") or "Saken kan ikke ta imot denne hendelsen nå."


def _check_message(session: Session, case_id: int, name: str, payload: dict[str, Any],
                   case_data: dict[str, Any]) -> None:
    """Run the message's validator (``message.<name>``) when the handlers define one."""
    if f"message.{name}" not in validator_names():
        return
    errors = get_validator(f"message.{name}")(_validation_context(session, case_id),
                                               {**case_data, "message": payload})
    if errors:
        raise InvalidData(errors)


def fire_due_timers(db: Database, case_id: int, actor: Actor) -> None:
    """Let the case's due timers fire at the engine clock's time (used by the worker)."""
    with db.transaction() as session:
        case = session.get(Case, case_id)
        if case is None or case.status in FINAL_CASE_STATES:
            return
        run = CaseRun(session, case, actor)
        workflow = run.load_workflow()
        run.fire_timers(workflow)
        run.save(workflow)


def retry_incident(db: Database, incident_id: int, actor: Actor,
                   reason: str | None = None) -> dict[str, Any]:
    """Run the failed step again; the incident is resolved when it goes through.

    ``reason`` (given from the monitor) is kept with the retry in the case history.
    """
    if not (actor.has_any_role(OVERSIGHT_ROLES) or actor.username == "system"):
        raise Forbidden("Bare systemkoordinator og leder kan prøve hendelser på nytt.")
    with db.transaction() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("Hendelsen finnes ikke.")
        if incident.resolved_at is not None:
            raise Conflict("Hendelsen er allerede løst.")
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


def list_incidents(db: Database, open_only: bool = True) -> list[dict[str, Any]]:
    with db.reading() as session:
        query = select(Incident).order_by(Incident.id)
        if open_only:
            query = query.where(Incident.resolved_at.is_(None))
        return [incident_view(i) for i in session.scalars(query)]


# ---------------------------------------------------------------- reading


def task_view(task: Task) -> dict[str, Any]:
    return {"id": task.id, "case_id": task.case_id, "bpmn_id": task.bpmn_id, "name": task.name,
            "role": task.role, "assignee": task.assignee, "claimed_by": task.claimed_by,
            "state": task.state, "service_area": task.service_area,
            "due_at": task.due_at.isoformat() if task.due_at else None,
            "created_at": task.created_at.isoformat(),
            "completed_at": task.completed_at.isoformat() if task.completed_at else None,
            "completed_by": task.completed_by, "on_behalf_of": task.on_behalf_of}


def inbox(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """Open tasks the actor may act on, soonest due first."""
    with db.reading() as session:
        query = actionable_tasks(actor).order_by(Task.due_at.is_(None), Task.due_at, Task.id)
        return [task_view(t) for t in session.scalars(query)]


def _log_access(session: Session, case_id: int, actor: Actor, what: str) -> None:
    session.add(AccessLog(case_id=case_id, username=actor.username, at=clock.now(), what=what))


def get_task(db: Database, task_id: int, actor: Actor) -> dict[str, Any]:
    """A task with its form (schema with the municipality's choices filled in), the case's
    data, ``prefill``: the values its form opens with (:func:`engine.runtime.forms.prefill`), and
    the case's current plan and open action items (a meeting or evaluation works from them)."""
    with db.transaction() as session:
        task = session.get(Task, task_id)
        if task is None or not (may_act(actor, task) or can_see_case(session, actor, task.case_id)):
            raise NotFound("Oppgaven finnes ikke.")
        case = session.get(Case, task.case_id)
        assert case is not None
        form = dict(case.process_version.forms.get(task.form, {}))
        if form:
            form["schema"] = forms.with_sources(form["schema"], _sources(session))
        data: dict[str, Any] = {}
        if task.state == TaskState.READY:
            run = CaseRun(session, case, actor)
            spiff_task = run.load_workflow().get_task_from_id(spiff.task_uuid(task.spiff_id))
            data = dict(spiff_task.data) if spiff_task else {}
        _log_access(session, case.id, actor, f"task:{task.id}")
        prefill = forms.prefill(form["schema"], data) if form else {}
        plan = plan_store.current_revision(session, case.id)
        return {**task_view(task), "form": form, "data": data, "prefill": prefill,
                "choices": forms.choice_fields(case.process_version.forms),
                "plan": plan_store.revision_view(plan) if plan else None,
                "open_action_items": [plan_store.item_view(item) for item in
                                      plan_store.items(session, case.id, open_only=True)],
                "may_change_items": case.status not in plan_store.ENDED_STATUSES
                and (keeps_plan(actor, case) or is_own_case(actor, case))}


def get_case(db: Database, case_id: int, actor: Actor) -> dict[str, Any]:
    """A case with its tasks and history; the read is written to the access log.

    ``sharing_consents`` are the consents to share information (each ``active`` or not today)
    and ``plan_shared_with`` the participants whose active consent lets them see the plan."""
    with db.transaction() as session:
        case = _visible_case(session, case_id, actor)
        tasks = session.scalars(select(Task).where(Task.case_id == case.id).order_by(Task.id))
        events = session.scalars(select(Event).where(Event.case_id == case.id)
                                 .order_by(Event.at, Event.id))
        _log_access(session, case.id, actor, "case")
        sharing = consents.case_sharing(session, case.id)
        return {
            "id": case.id, "status": case.status, "process": case.process_version.key,
            "version": case.process_version.version, "citizen_name": case.citizen_name,
            "citizen_nin": case.citizen_nin, "service_area": case.service_area,
            "coordinator": case.coordinator, "created_at": case.created_at.isoformat(),
            "closed_at": case.closed_at.isoformat() if case.closed_at else None,
            "tasks": [task_view(t) for t in tasks],
            "sharing_consents": [row.as_json() for row in sharing],
            "plan_shared_with": sorted({row.participant for row in sharing if row.active}),
            "events": [{"at": e.at.isoformat(), "actor": e.actor, "kind": e.kind,
                        "bpmn_id": e.bpmn_id, "data": e.data} for e in events],
        }


def list_documents(db: Database, case_id: int, actor: Actor) -> list[dict[str, Any]]:
    with db.transaction() as session:
        _visible_case(session, case_id, actor)
        documents = session.scalars(select(Document).where(Document.case_id == case_id)
                                    .order_by(Document.created_at, Document.id))
        _log_access(session, case_id, actor, "documents")
        return [{"id": d.id, "kind": d.kind, "title": d.title, "body": d.body,
                 "recipient": d.recipient, "bpmn_id": d.bpmn_id,
                 "created_at": d.created_at.isoformat()} for d in documents]


def assign_task(db: Database, task_id: int, username: str, actor: Actor) -> None:
    """Give a task to a named colleague who may act on it (claims it on their behalf)."""
    with db.transaction() as session:
        task = _task_for_action(session, task_id, actor)
        colleague = find_actor(session, username)
        if colleague is None or not may_act(colleague, task):
            raise InvalidData({"assignee": "Denne personen kan ikke utføre oppgaven."})
        task.claimed_by = colleague.username
        _event(session, task.case_id, actor, EventKind.TASK_ASSIGNED, task.bpmn_id,
               {"name": task.name, "assignee": colleague.username})


def ensure_may_act(db: Database, task_id: int, actor: Actor) -> None:
    """Raise as completing would (404 not visible, 403 not allowed, 409 done or taken)."""
    with db.reading() as session:
        _task_for_action(session, task_id, actor)


def colleagues_by_task(db: Database, task_ids: list[int], actor: Actor
                       ) -> dict[int, list[tuple[str, str]]]:
    """(username, full name) of everyone who may act on each task, for the assign lists of an
    inbox page, reading the users once. A task the actor may not act on gets an empty list."""
    result: dict[int, list[tuple[str, str]]] = {}
    with db.reading() as session:
        everyone = all_actors(session)
        for task_id in task_ids:
            try:
                task = _task_for_action(session, task_id, actor)
            except EngineError:
                result[task_id] = []
                continue
            result[task_id] = [(other.username, other.full_name) for other in everyone
                               if may_act(other, task)]
    return result


# ---------------------------------------------------------------- the manager's monitor

MAX_REASON_LENGTH = 2000


def _monitor_reason(actor: Actor, reason: str | None) -> str:
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
    person's behalf. Recorded in the case history with who and why.
    """
    why = _monitor_reason(actor, reason)
    with db.transaction() as session:
        task = _open_task(session, task_id)
        colleague = find_actor(session, username or "")
        if colleague is None:
            raise InvalidData({"assignee": "Personen finnes ikke."})
        previous = task.claimed_by or task.assignee
        if colleague.username == previous:
            raise InvalidData({"assignee": "Oppgaven ligger allerede hos denne personen."})
        if task.role == Role.INNBYGGER:
            raise InvalidData({"assignee": "Innbyggerens oppgaver følger innbyggeren eller "
                                           "koordinatoren. Bytt koordinator i stedet."})
        # Judged by the lane alone: would the colleague see this task as theirs to take?
        if not may_act(colleague, Task(role=task.role, service_area=task.service_area)):
            raise InvalidData({"assignee": "Denne personen kan ikke utføre oppgaven."})
        if task.assignee is not None:
            task.assignee = colleague.username
        task.claimed_by = colleague.username
        _event(session, task.case_id, actor, EventKind.TASK_REASSIGNED, task.bpmn_id,
               {"name": task.name, "task": task.id, "from": previous,
                "to": colleague.username, "reason": why})


def send_reminder(db: Database, case_id: int, reason: str | None, actor: Actor,
                  task_id: int | None = None) -> str:
    """Remind whoever the case waits for (the task's person or group, else the coordinator,
    else the koordinerende enhet) through the outbox; returns the recipient."""
    why = _monitor_reason(actor, reason)
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
        _event(session, case.id, actor, EventKind.REMINDER_SENT, task.bpmn_id if task else None,
               {"name": task.name if task else None, "task": task.id if task else None,
                "to": recipient, "reason": why})
        return recipient


def retry_incident_because(db: Database, incident_id: int, reason: str | None,
                           actor: Actor) -> dict[str, Any]:
    """:func:`retry_incident` from the monitor, where every action needs a reason."""
    return retry_incident(db, incident_id, actor, _monitor_reason(actor, reason))


def cancel_case(db: Database, case_id: int, reason: str | None, actor: Actor) -> None:
    """Stop a case for good: status ``cancelled``, its open tasks cancelled, its timers
    cancelled (the worker never fires them), open incidents closed, the case's open KPR
    periods ended today, its open action items closed, and the workflow itself cancelled, all
    with who and why."""
    why = _monitor_reason(actor, reason)
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
            record.to_date = run.now.date()
            run.event(EventKind.KPR_END, None, {"service": record.service,
                                        "date": record.to_date.isoformat()})
        case.status = CaseState.CANCELLED
        case.closed_at = run.now
        case.updated_at = run.now
        run.event(EventKind.CASE_CANCELLED, None, {"reason": why})
        run.close_open_items()


def reassign_candidates(db: Database, task_id: int, actor: Actor) -> list[tuple[str, str]]:
    """(username, full name) of everyone the monitor may give the task to (by its lane)."""
    require_monitor(actor)
    with db.reading() as session:
        task = _open_task(session, task_id)
        if task.role == Role.INNBYGGER:
            return []
        lane = Task(role=task.role, service_area=task.service_area)
        current = task.claimed_by or task.assignee
        return [(other.username, other.full_name) for other in all_actors(session)
                if may_act(other, lane) and other.username != current]
