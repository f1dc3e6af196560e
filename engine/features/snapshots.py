"""The typed, frozen snapshots the engine hands pages instead of its ORM rows.

Each is built inside the engine's session from one row (``of``) and carries only what a page
reads, so a page never touches a row after its session closed and a type checker sees the
shape both sides share. Where the JSON API serves the same thing, the snapshot's
``as_json`` gives the API's dictionary, so both read one shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.features.case_events import CaseEvents
from engine.features.diagram import PhaseStart, Step
from engine.features.incident_causes import IncidentCause, cause_at
from engine.features.notices import CaseNotices
from engine.features.task_context import PreviousAnswers, TaskContext
from engine.kernel.models import (
    AccessLog,
    Case,
    CaseMessage,
    Document,
    Event,
    ProcessVersion,
    Task,
)
from engine.kernel.vocabulary import EventKind, TaskState


@dataclass(frozen=True)
class CaseFacts:
    """The case row: whom it concerns, where it stands, and the process version it runs."""

    id: int
    status: str
    citizen_name: str
    citizen_nin: str
    service_area: str | None
    coordinator: str | None
    created_at: datetime
    closed_at: datetime | None
    process_key: str
    process_name: str
    process_version: int

    @classmethod
    def of(cls, case: Case) -> CaseFacts:
        return cls(id=case.id, status=case.status, citizen_name=case.citizen_name,
                   citizen_nin=case.citizen_nin, service_area=case.service_area,
                   coordinator=case.coordinator, created_at=case.created_at,
                   closed_at=case.closed_at, process_key=case.process_version.key,
                   process_name=case.process_version.name,
                   process_version=case.process_version.version)


@dataclass(frozen=True)
class TaskFacts:
    """A task row: the step, whose it is, and when it was due, created and completed."""

    id: int
    case_id: int
    bpmn_id: str
    name: str
    role: str
    assignee: str | None
    claimed_by: str | None
    claimed_at: datetime | None
    state: str
    service_area: str | None
    due_at: datetime | None
    created_at: datetime
    completed_at: datetime | None
    completed_by: str | None
    on_behalf_of: str | None

    @classmethod
    def of(cls, task: Task) -> TaskFacts:
        return cls(id=task.id, case_id=task.case_id, bpmn_id=task.bpmn_id, name=task.name,
                   role=task.role, assignee=task.assignee, claimed_by=task.claimed_by,
                   claimed_at=task.claimed_at, state=task.state,
                   service_area=task.service_area, due_at=task.due_at,
                   created_at=task.created_at, completed_at=task.completed_at,
                   completed_by=task.completed_by, on_behalf_of=task.on_behalf_of)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "case_id": self.case_id, "bpmn_id": self.bpmn_id,
                "name": self.name, "role": self.role, "assignee": self.assignee,
                "claimed_by": self.claimed_by,
                "claimed_at": self.claimed_at.isoformat() if self.claimed_at else None,
                "state": self.state,
                "service_area": self.service_area,
                "due_at": self.due_at.isoformat() if self.due_at else None,
                "created_at": self.created_at.isoformat(),
                "completed_at": self.completed_at.isoformat() if self.completed_at else None,
                "completed_by": self.completed_by, "on_behalf_of": self.on_behalf_of}


@dataclass(frozen=True)
class TaskDetail:
    """A task with what its page needs to be done: the form (the municipality's choices filled
    in), the case's data, ``prefill`` (the values the form opens with), ``choices`` (every
    form's choice fields, to label the data), the current plan and its open action items, and
    ``may_change_items``: the reader may mark those items done."""

    facts: TaskFacts
    form: Mapping[str, Any]
    data: Mapping[str, Any]
    prefill: Mapping[str, Any]
    choices: Mapping[str, Any]
    plan: Mapping[str, Any] | None
    open_action_items: tuple[Mapping[str, Any], ...]
    may_change_items: bool
    context: TaskContext
    previous: PreviousAnswers | None

    def as_json(self) -> dict[str, Any]:
        """The API's task: the task row's fields with these beside them; ``previous`` is what
        "copy from last period" fills in (None when the task has not been done before), and
        ``context`` the names of the panel's sections."""
        return {**self.facts.as_json(), "form": self.form, "data": self.data,
                "prefill": self.prefill, "choices": self.choices, "plan": self.plan,
                "open_action_items": list(self.open_action_items),
                "may_change_items": self.may_change_items, "context": self.context.names(),
                "previous": {"completed_at": self.previous.completed_at.isoformat(),
                             "values": self.previous.values} if self.previous else None}


@dataclass(frozen=True)
class TaskRow:
    """A human task of the case; ``reader_may_act``: the reader's roles let them do it (by its
    lane or as its assignee, whoever has claimed it)."""

    id: int
    bpmn_id: str
    name: str
    state: str
    role: str
    service_area: str | None
    assignee: str | None
    claimed_by: str | None
    on_behalf_of: str | None
    due_at: datetime | None
    created_at: datetime
    reader_may_act: bool

    @classmethod
    def of(cls, task: Task, reader_may_act: bool) -> TaskRow:
        return cls(id=task.id, bpmn_id=task.bpmn_id, name=task.name, state=task.state,
                   role=task.role, service_area=task.service_area, assignee=task.assignee,
                   claimed_by=task.claimed_by, on_behalf_of=task.on_behalf_of,
                   due_at=task.due_at, created_at=task.created_at,
                   reader_may_act=reader_may_act)


@dataclass(frozen=True)
class EventRow:
    """One entry of the case's history: what happened (``kind``), at which step, by whom;
    a failed step's ``cause`` read as the incident panel reads it."""

    at: datetime
    actor: str
    kind: str
    bpmn_id: str | None
    data: Mapping[str, Any]
    cause: IncidentCause | None = None

    @classmethod
    def of(cls, event: Event, version: ProcessVersion | None = None) -> EventRow:
        """``version``: the case's, to read a failed step's cause against (the page's history
        says it; the API's carries the stored text as it is)."""
        data = dict(event.data or {})
        cause = (cause_at(version, event.bpmn_id, data.get("error"), data.get("handler"))
                 if version and event.kind == EventKind.INCIDENT_OPENED and event.bpmn_id
                 else None)
        return cls(at=event.at, actor=event.actor, kind=event.kind, bpmn_id=event.bpmn_id,
                   data=data, cause=cause)


@dataclass(frozen=True)
class DocumentRow:
    """A letter or journal note in the case's archive."""

    id: int
    kind: str
    title: str
    body: str
    recipients: tuple[str, ...]
    created_at: datetime
    attachments: tuple[int, ...]  # the files stored with it: a letter's PDF as it was sent

    @classmethod
    def of(cls, document: Document, attachments: Iterable[int]) -> DocumentRow:
        return cls(id=document.id, kind=document.kind, title=document.title,
                   body=document.body, recipients=tuple(document.recipients),
                   created_at=document.created_at, attachments=tuple(attachments))


@dataclass(frozen=True)
class MessageRow:
    """A message in the case's thread, with its author's name as it was when written."""

    author: str
    author_name: str
    at: datetime
    body: str

    @classmethod
    def of(cls, message: CaseMessage) -> MessageRow:
        return cls(author=message.author, author_name=message.author_name, at=message.at,
                   body=message.body)


@dataclass(frozen=True)
class AccessRow:
    """One read of the case (Normen's innsynslogg): who, when, and what they opened."""

    at: datetime
    username: str
    what: str

    @classmethod
    def of(cls, entry: AccessLog) -> AccessRow:
        return cls(at=entry.at, username=entry.username, what=entry.what)


@dataclass(frozen=True)
class CaseSnapshot:
    """Everything the case page shows, read in one transaction for one reader.

    ``passed`` are the diagram ids the case has gone through (start events included, see
    :mod:`engine.features.diagram`), ``current`` those it waits at now. ``keeps_plan`` and
    ``own_case`` say what the reader may do with the plan (:mod:`engine.runtime.access`).
    """

    facts: CaseFacts
    data: Mapping[str, Any]
    forms: Mapping[str, Any]
    steps: tuple[Step, ...]
    starts: tuple[PhaseStart, ...]
    passed: frozenset[str]
    current: frozenset[str]
    tasks: tuple[TaskRow, ...]
    events: tuple[EventRow, ...]
    documents: tuple[DocumentRow, ...]
    messages: tuple[MessageRow, ...]
    plan: Mapping[str, Any]
    keeps_plan: bool
    own_case: bool
    # The legal events the reader may send now, their forms' choices unread (the page links
    # to each event's own page), and whether the case has stopped on an error.
    offered: CaseEvents
    open_incident: bool
    # The case's newest reads, newest first, when the reader may see them (the citizen,
    # without their own, and the koordinerende enhet), and how many there are in all (a case
    # read daily for years has thousands: the log's own page is paged); what was new to the
    # reader when they opened it.
    access_log: tuple[AccessRow, ...] | None = None
    access_log_total: int = 0
    notices: CaseNotices | None = None

    @property
    def open_tasks(self) -> tuple[TaskRow, ...]:
        return tuple(task for task in self.tasks if task.state == TaskState.READY)
