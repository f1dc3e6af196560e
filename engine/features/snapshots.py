"""The typed, frozen snapshots the engine hands pages instead of its ORM rows.

Each is built inside the engine's session from one row (``of``) and carries only what a page
reads, so a page never touches a row after its session closed and a type checker sees the
shape both sides share. The JSON API keeps its own dictionaries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.features.diagram import PhaseStart, Step
from engine.kernel.models import AccessLog, Case, CaseMessage, Document, Event, Task
from engine.kernel.vocabulary import TaskState


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
    process_name: str
    process_version: int

    @classmethod
    def of(cls, case: Case) -> CaseFacts:
        return cls(id=case.id, status=case.status, citizen_name=case.citizen_name,
                   citizen_nin=case.citizen_nin, service_area=case.service_area,
                   coordinator=case.coordinator, created_at=case.created_at,
                   closed_at=case.closed_at, process_name=case.process_version.name,
                   process_version=case.process_version.version)


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
    reader_may_act: bool

    @classmethod
    def of(cls, task: Task, reader_may_act: bool) -> TaskRow:
        return cls(id=task.id, bpmn_id=task.bpmn_id, name=task.name, state=task.state,
                   role=task.role, service_area=task.service_area, assignee=task.assignee,
                   claimed_by=task.claimed_by, on_behalf_of=task.on_behalf_of,
                   due_at=task.due_at, reader_may_act=reader_may_act)


@dataclass(frozen=True)
class EventRow:
    """One entry of the case's history: what happened (``kind``), at which step, by whom."""

    at: datetime
    actor: str
    kind: str
    bpmn_id: str | None
    data: Mapping[str, Any]

    @classmethod
    def of(cls, event: Event) -> EventRow:
        return cls(at=event.at, actor=event.actor, kind=event.kind, bpmn_id=event.bpmn_id,
                   data=dict(event.data or {}))


@dataclass(frozen=True)
class DocumentRow:
    """A letter or journal note in the case's archive."""

    id: int
    kind: str
    title: str
    body: str
    recipient: str | None
    created_at: datetime

    @classmethod
    def of(cls, document: Document) -> DocumentRow:
        return cls(id=document.id, kind=document.kind, title=document.title,
                   body=document.body, recipient=document.recipient,
                   created_at=document.created_at)


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
    bpmn_xml: str
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

    @property
    def open_tasks(self) -> tuple[TaskRow, ...]:
        return tuple(task for task in self.tasks if task.state == TaskState.READY)
