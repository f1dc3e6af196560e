"""What reaches a waiting case from outside its tasks: BPMN messages (an appeal, a change of
coordinator, a request to end) and due timers.

A message is taken only where a step of the diagram waits for it now and its ``accepted_when``
condition holds; otherwise the sender is told why, in words a caseworker can act on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from engine.features import attachments
from engine.features.validation import sources, validation_context
from engine.kernel import spiff
from engine.kernel.db import Database
from engine.kernel.errors import Conflict, Forbidden, InvalidData
from engine.kernel.models import Case
from engine.kernel.spiff_messages import WaitingMessage, waiting_messages
from engine.kernel.vocabulary import FINAL_CASE_STATES, EventKind, Role
from engine.runtime import forms
from engine.runtime.access import visible_case
from engine.runtime.case_run import CaseRun
from engine.runtime.users import CASEWORK_ROLES, Actor
from handlers.catalogue import get_validator, validator_names

# A message event without a form of its own asks for nothing but is still confirmed.
NO_FIELDS: Mapping[str, Any] = {"schema": {"type": "object", "properties": {}}}

CITIZEN_MESSAGES = {"end_requested", "appeal_received", "consent_withdrawn",
                    "evaluation_requested", "coordinator_change"}


def may_send(actor: Actor, name: str) -> bool:
    """The role rule: caseworkers send every message, the citizen the ones that are theirs."""
    return actor.has_any_role(CASEWORK_ROLES) or (
        actor.has_role(Role.INNBYGGER) and name in CITIZEN_MESSAGES)


def send_message(db: Database, case_id: int, name: str, data: dict[str, Any],
                 actor: Actor, attachment: attachments.Upload | None = None) -> None:
    """Deliver a BPMN message (appeal, change of coordinator, end) to a waiting case; a letter
    that came with it (an appeal by post) is archived in the same transaction."""
    if not isinstance(data, dict):
        raise InvalidData({"data": "Meldingsdata må være et JSON-objekt."})
    with db.transaction() as session:
        case = visible_case(session, actor, case_id)
        if not may_send(actor, name):
            raise Forbidden("Du kan ikke sende denne meldingen.")
        run = CaseRun(session, case, actor)
        workflow = run.load_workflow()
        current = spiff.refresh_catchers(workflow)
        catchers = [m for m in waiting_messages(workflow) if m.name == name]
        if not catchers:
            raise Conflict(_not_waiting_for(case, workflow, name))
        form = event_form(catchers[0], case.process_version.forms)
        _check_message(session, case, name, data, current, form)
        reasons = [refusal(run, c, current, data) for c in catchers]
        takers = [c for c, reason in zip(catchers, reasons, strict=True) if reason is None]
        if not takers:
            raise Conflict(next(reason for reason in reasons if reason))
        # The event that takes it names it: the history reads its name from the diagram.
        taker = takers[0].element
        label = taker.bpmn_name or name
        if attachment is not None and not isinstance(form.get("attachment"), Mapping):
            raise InvalidData({"attachment": f"«{label}» tar ikke imot vedlegg."})
        payload = {**data, "sent_by": actor.username, "received_at": run.now.isoformat()}
        if attachment is not None:
            payload["attachment"] = attachments.store(session, case.id, label, attachment,
                                                      run.now)
        run.event(EventKind.MESSAGE_RECEIVED, taker.bpmn_id, {"message": name, "data": payload})
        workflow.catch(spiff.message_event(name, payload))
        run.advance(workflow)
        run.save(workflow)


def event_form(catcher: WaitingMessage, forms: Mapping[str, Any]) -> Mapping[str, Any]:
    """The form the waiting event's ``form`` property names (``{title, schema, ui[,
    attachment]}``): what the event asks for, a file only when it has ``attachment``."""
    name = spiff.task_properties(catcher.element).get("form")
    return forms.get(name, NO_FIELDS) if name else NO_FIELDS


def _not_waiting_for(case: Case, workflow: spiff.BpmnWorkflow, name: str) -> str:
    """Why no step takes the message now, in words a caseworker can act on: the case has
    ended, or where it stands (the message belongs to another part of the procedure)."""
    if case.status in FINAL_CASE_STATES:
        return f"Saken er avsluttet og tar ikke lenger imot meldingen {name!r}."
    where = spiff.waiting_at(workflow)
    return (f"Saken tar ikke imot meldingen {name!r} der den står nå"
            + (f" ({', '.join(where)})." if where else "."))


def accepted(run: CaseRun, catcher: WaitingMessage, current: dict[str, Any],
             payload: dict[str, Any] | None) -> bool:
    """Whether this waiting event's ``accepted_when`` condition in the diagram holds, with the
    case's data and the payload as ``message``.

    ``payload`` None asks before anything is sent (what to offer): a condition that reads the
    payload is then left to the sending, and one over the case's data alone decides."""
    condition = spiff.task_properties(catcher.element).get("accepted_when")
    if not condition:
        return True
    scope = {key: value for key, value in current.items() if key != "message"}
    try:
        return bool(run.script_engine.environment.evaluate(
            condition, scope if payload is None else {**scope, "message": payload}))
    except NameError as missing:
        # Only an unsent message is missing: decided when it is sent. (A condition that
        # settles on the case's data first, ``coordinator and message[...]``, decides now.)
        return payload is None and "'message'" in str(missing)
    except Exception:  # noqa: BLE001  (a fact the condition reads is not there yet)
        return False


def refused_because(catcher: WaitingMessage) -> str:
    """The diagram's own words for why the event is not taken (``refused_because``), or ""."""
    return (spiff.task_properties(catcher.element).get("refused_because") or "").strip()


def refusal(run: CaseRun, catcher: WaitingMessage, current: dict[str, Any],
            payload: dict[str, Any]) -> str | None:
    """Why this waiting event may not take the message now: the diagram's
    ``refused_because``, or a sentence naming the event by its label; None when it may."""
    if accepted(run, catcher, current, payload):
        return None
    return refused_because(catcher) or standard_refusal(catcher.element.bpmn_name
                                                        or catcher.name)


def standard_refusal(label: str) -> str:
    """The refusal of an event whose diagram gives no ``refused_because``."""
    return f"Saken kan ikke ta imot «{label}» nå: vilkåret for hendelsen er ikke oppfylt."


def _check_message(session: Session, case: Case, name: str, payload: dict[str, Any],
                   case_data: dict[str, Any], form: Mapping[str, Any]) -> None:
    """A choice the event's form offers from the municipality's or the case's lists
    (``x-source``: e.g. whose sharing consent is withdrawn) must be one it offers; then the
    message's validator (``message.<name>``) runs when the handlers define one."""
    schema = forms.with_sources(dict(form["schema"]), sources(session, case))
    errors = forms.source_errors(payload, schema)
    if not errors and f"message.{name}" in validator_names():
        errors = get_validator(f"message.{name}")(validation_context(session, case.id),
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
