"""Which legal events a case can take now, for this person: the question the case page, the
citizen's page and the API ask before offering an appeal, a change of coordinator, an end or a
withdrawn consent.

An event is offered when a step of the diagram waits for its message now, its
``accepted_when`` condition holds for the case as it stands (the same check
:func:`engine.features.case_messages.send_message` makes; a condition on the payload is left
to the sending), and the person's role may send it. One whose condition does not hold is told
with its reason, so a page or a program can say why it is not offered.
What it is called, what will happen and which fields it needs are read from the diagram and
the version's forms: the event's name, its documentation, the step it leads to, and the form
its ``form`` property names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.features import attachments
from engine.features.case_messages import (
    accepted,
    event_form,
    may_send,
    refused_because,
    standard_refusal,
)
from engine.features.validation import sources
from engine.kernel import spiff
from engine.kernel.db import Database
from engine.kernel.spiff_messages import WaitingMessage, leads_to, waiting_messages
from engine.runtime import forms
from engine.runtime.access import visible_case
from engine.runtime.case_run import CaseRun
from engine.runtime.users import Actor
from handlers.dates import local_date, safe_date


@dataclass(frozen=True)
class AvailableEvent:
    """An event the case can take now: the message to send, the diagram's words for it, and
    the form (``{title, schema, ui[, attachment]}``) of what it needs."""

    message: str
    element: str
    label: str
    explanation: str
    leads_to: str
    form: Mapping[str, Any]

    @property
    def takes_attachment(self) -> bool:
        """The form asks for a file (the letter of an appeal by post)."""
        return isinstance(self.form.get("attachment"), Mapping)

    def as_json(self) -> dict[str, Any]:
        return {"message": self.message, "element": self.element, "label": self.label,
                "explanation": self.explanation, "leads_to": self.leads_to,
                "form": dict(self.form), "takes_attachment": self.takes_attachment,
                "send": {"method": "POST", "path": f"messages/{self.message}"}}


@dataclass(frozen=True)
class RefusedEvent:
    """An event a step waits for, which the person may send, but whose ``accepted_when`` does
    not hold now: ``because`` is the diagram's ``refused_because`` ("" when it has none)."""

    message: str
    label: str
    because: str

    @property
    def reason(self) -> str:
        """The diagram's words, or a sentence naming the event by its label."""
        return self.because or standard_refusal(self.label)

    def as_json(self) -> dict[str, Any]:
        return {"message": self.message, "label": self.label, "reason": self.reason}


@dataclass(frozen=True)
class CaseEvents:
    """What the case can take now, with the facts an event's page shows beside its form, and
    why an event that waits is not taken now."""

    case_id: int
    events: tuple[AvailableEvent, ...]
    today: date
    appeal_deadline: date | None
    files: tuple[attachments.AttachmentRef, ...]
    refused: tuple[RefusedEvent, ...] = ()

    def get(self, message: str) -> AvailableEvent | None:
        return next((e for e in self.events if e.message == message), None)

    def refusal_of(self, message: str) -> RefusedEvent | None:
        return next((e for e in self.refused if e.message == message), None)

    def as_json(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "events": [e.as_json() for e in self.events],
                "refused": [e.as_json() for e in self.refused],
                "appeal_deadline": self.appeal_deadline.isoformat()
                if self.appeal_deadline else None}


def available_events(db: Database, case_id: int, actor: Actor) -> CaseEvents:
    """The events ``actor`` may send to the case now, one per message, in diagram order, each
    with its form's ``x-source`` choices filled for this case."""
    with db.reading() as session:
        case = visible_case(session, actor, case_id)
        run = CaseRun(session, case, actor)
        return events_of(run, run.load_workflow())


def events_of(run: CaseRun, workflow: spiff.BpmnWorkflow, with_forms: bool = True) -> CaseEvents:
    """:func:`available_events` of the case ``run`` has loaded, with its restored workflow (the
    case page reads them with the rest of the case). ``with_forms`` False leaves the forms'
    choices unread: a page that only links to the events need not count every coordinator's
    open cases or read the consents. A read: the conditions are asked of the case's data as
    it stands, so the waiting events' own data and dates are not refreshed here (the sending
    and every save do that; a date timer's expression costs a sandbox call)."""
    session, case = run.session, run.case
    current = spiff.case_data(workflow)
    offered: dict[str, AvailableEvent] = {}
    refused: dict[str, RefusedEvent] = {}
    choices = sources(session, case) if with_forms else None
    for waiting in waiting_messages(workflow):
        if waiting.name in offered or not may_send(run.actor, waiting.name):
            continue
        if accepted(run, waiting, current, None):
            offered[waiting.name] = _event(waiting, case.process_version.forms, choices)
        else:
            refused.setdefault(waiting.name, RefusedEvent(
                waiting.name, waiting.element.bpmn_name or waiting.name,
                refused_because(waiting)))
    return CaseEvents(case_id=case.id, events=tuple(offered.values()),
                      today=local_date(run.now),
                      appeal_deadline=safe_date(current.get("appeal_deadline")),
                      files=attachments.of_case(session, case.id),
                      refused=tuple(e for name, e in refused.items() if name not in offered))


def _event(waiting: WaitingMessage, version_forms: Mapping[str, Any],
           choices: Mapping[str, Sequence[forms.Choice]] | None) -> AvailableEvent:
    """The event as offered, its form's ``x-source`` choices filled for this case (left as
    declared without ``choices``)."""
    element = waiting.element
    following = leads_to(element)
    form = dict(event_form(waiting, version_forms))
    if choices is not None:
        form["schema"] = forms.with_sources(form["schema"], choices)
    return AvailableEvent(
        message=waiting.name, element=element.bpmn_id,
        label=element.bpmn_name or waiting.name,
        explanation=(element.documentation or "").strip(),
        leads_to=(following.bpmn_name if following is not None else "") or "",
        form=form)
