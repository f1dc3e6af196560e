"""A case and what the engine derives from its workflow state: tasks, timers, incidents,
escalations, the event history and the access log (innsynslogg)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, defer, joinedload, mapped_column, relationship, validates

from engine.kernel.models.base import Base, PackedJson

OPEN_INCIDENT = text("resolved_at IS NULL")


class ProcessVersion(Base):
    """A deployed diagram: immutable once written."""

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64))
    spec_json: Mapped[dict[str, Any]]
    forms: Mapped[dict[str, Any]]
    deployed_by: Mapped[str] = mapped_column(String(80))
    deployed_at: Mapped[datetime]


def searchable(text: str) -> str:
    """``text`` as a name search compares it: casefolded in Python, Æ, Ø and Å included (the
    databases' own ``lower()`` folds only ASCII on SQLite, and follows the locale on
    PostgreSQL), after one Unicode normal form, so an Å typed as A + ring matches too."""
    return unicodedata.normalize("NFKC", text).casefold()


class Case(Base):
    __tablename__ = "case_"
    # A coordinator's open cases are counted from the index alone (users.with_case_counts);
    # the threads a coordinator follows that have messages are found from the index alone
    # (the unread mark on every page: engine.features.notices).
    __table_args__ = (Index("ix_case_coordinator_status", "coordinator", "status"),
                      Index("ix_case_thread", "coordinator", "last_message_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    status: Mapped[str] = mapped_column(String(20), index=True)
    citizen_name: Mapped[str] = mapped_column(String(200))
    # The name as searched and sorted (:func:`searchable`), set whenever the name is.
    citizen_name_folded: Mapped[str] = mapped_column(String(200), server_default="")
    citizen_nin: Mapped[str] = mapped_column(String(11), index=True)
    service_area: Mapped[str | None] = mapped_column(String(40), index=True)
    coordinator: Mapped[str | None] = mapped_column(String(80))
    # Packed, not JSONB: Spiff restores tasks in the stored key order, which JSONB loses.
    state: Mapped[dict[str, Any]] = mapped_column(PackedJson)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # When the case last made progress: its newest event that is not a nudge (else its
    # creation), kept by :mod:`engine.kernel.models.progress` as events are written, so the
    # monitor finds idle cases by an index instead of grouping every event ever written.
    last_progress_at: Mapped[datetime | None]
    # When the case's thread last had a message (None: it has none), set by
    # ``overview.post_message``: the unread mark probes the messages of these cases only.
    last_message_at: Mapped[datetime | None]
    process_version: Mapped[ProcessVersion] = relationship(lazy="joined")
    __mapper_args__ = {"version_id_col": version}

    @validates("citizen_name")
    def _fold_name(self, _key: str, name: str) -> str:
        self.citizen_name_folded = searchable(name)
        return name


class Task(Base):
    """One human task the engine exposes; what inboxes query."""

    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_open_role", "state", "role", "service_area"),
        UniqueConstraint("case_id", "spiff_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (case_id, spiff_id) and ix_task_case_state_due lead
    # with it (0009_bytes3).
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"))
    spiff_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(40))
    form: Mapped[str] = mapped_column(String(120))
    service_area: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20))
    assignee: Mapped[str | None] = mapped_column(String(80), index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(80))
    on_behalf_of: Mapped[str | None] = mapped_column(String(200))


class Event(Base):
    """Append-only history of a case."""

    __tablename__ = "event"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"))  # ix_event_case_at leads with it
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(60))
    bpmn_id: Mapped[str | None] = mapped_column(String(120))
    data: Mapped[dict[str, Any]]


class AccessLog(Base):
    """Every read of a case's personal data (Normen: innsynslogg)."""

    __tablename__ = "access_log"
    # The case's log page reads it newest first, a page at a time, in this index's order.
    __table_args__ = (Index("ix_access_log_case_at", "case_id", "at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"))
    username: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime]
    what: Mapped[str] = mapped_column(String(120))


class Incident(Base):
    """A handler that raised: the case waits at that step until retried."""

    __tablename__ = "incident"
    # The open incidents' list, oldest first, without reading the resolved ones; the
    # monitor's open incidents (and those resolved after a moment) by an index range, so the
    # stuck list starts from the few incidents and not from every case.
    __table_args__ = (Index("ix_incident_open", "id", sqlite_where=OPEN_INCIDENT,
                            postgresql_where=OPEN_INCIDENT),
                      Index("ix_incident_resolved", "resolved_at", "created_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(120))
    handler: Mapped[str | None] = mapped_column(String(120))
    error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    retries: Mapped[int] = mapped_column(Integer, default=0)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(80))


class Timer(Base):
    """A waiting timer and when it is due, so the worker need not open every case."""

    __tablename__ = "timer"
    __table_args__ = (Index("ix_timer_due", "fired_at", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    spiff_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(120))
    due_at: Mapped[datetime]
    fired_at: Mapped[datetime | None]
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)


class TaskEscalation(Base):
    """One escalation step of an overdue task (1: reminder, 2: notice to the fagleder).

    The unique key makes each step happen once even when several workers race for it.
    """

    __tablename__ = "task_escalation"
    __table_args__ = (UniqueConstraint("task_id", "level"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    recipients: Mapped[str] = mapped_column(Text)


# The monitor asks "when did anything last happen to each case" and "when were milestones
# reached"; both read the event table by case and kind, newest first.
Index("ix_event_case_at", Event.case_id, Event.at)
Index("ix_event_kind_at", Event.kind, Event.at)

# The case list (engine.features.case_search) finds each case's open and overdue tasks and
# sorts by the citizen's name, case-insensitively (its casefolded column).
Index("ix_task_case_state_due", Task.case_id, Task.state, Task.due_at)

# The inbox counts and sorts the ready tasks by role and service area (claims and
# assignments decide mine or the group's): one partial index over ready tasks covers it, so
# a count reads no table rows (docs/benchmarks.md has the plans). The monitor finds overdue
# and long unclaimed open tasks by their deadline and creation, and idle cases by their last
# progress.
READY = Task.state == "ready"
Index("ix_task_ready", Task.role, Task.service_area, Task.claimed_by, Task.assignee,
      Task.due_at, Task.id, sqlite_where=READY, postgresql_where=READY)
# An inbox page is read in this index's order (soonest due first, no deadline last); it
# carries who may act on each task, so the tasks that are not the reader's are passed over
# without reading their rows.
Index("ix_task_inbox", Task.due_at.is_(None), Task.due_at, Task.id, Task.role,
      Task.service_area, Task.claimed_by, Task.assignee, sqlite_where=READY,
      postgresql_where=READY)
OPEN = Task.completed_at.is_(None)
# Both carry what the stuck list's count tests, so it reads no task rows (0008_monitor).
Index("ix_task_open_due", Task.due_at, Task.created_at, Task.case_id, sqlite_where=OPEN,
      postgresql_where=OPEN)
Index("ix_task_open_created", Task.created_at, Task.claimed_by, Task.assignee, Task.due_at,
      Task.case_id, sqlite_where=OPEN, postgresql_where=OPEN)
Index("ix_task_completed", Task.completed_at)
# The monitor reads a case's open interval and service area for each stuck row: these indexes
# carry them, so SQLite need not read past the (large) workflow state in the row to find
# closed_at. The first finds idle cases by their last progress.
Index("ix_case_progress", Case.last_progress_at, Case.closed_at, Case.created_at,
      Case.service_area)
Index("ix_case_open", Case.id, Case.closed_at, Case.created_at, Case.service_area)
Index("ix_case_name_folded", Case.citizen_name_folded)


# An engine call loads its case with the version, but neither the diagram (about 80 KB) nor
# the serialized spec (about 50 KB): the engine keeps the restored spec per checksum
# (:func:`engine.kernel.spiff._spec_objects`), which reads ``spec_json`` only the first time.
# Only for a case that does not leave the call's session (a deferred column cannot load later).
CASE_FOR_RUN = (joinedload(Case.process_version).options(
    defer(ProcessVersion.bpmn_xml), defer(ProcessVersion.spec_json)),)
