"""The engine's tables (SQLAlchemy 2 typed declarative models).

Only the engine writes these. Inboxes and the monitor read ``task``, ``case`` and ``event``
rows; they never deserialize workflow state to list work.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JsonType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JsonType}


class ServiceArea(Base):
    """A tjenesteområde: coordinators come from one, its fagleder appoints them."""

    __tablename__ = "service_area"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    nin: Mapped[str | None] = mapped_column(String(11), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # How a citizen reaches this caseworker; letters print the unit's when empty.
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin")


class Membership(Base):
    """A user holds a role, optionally within one service area."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "role", "service_area"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(40))
    service_area: Mapped[str | None] = mapped_column(ForeignKey("service_area.code"))
    user: Mapped[User] = relationship(back_populates="memberships")


class ApiToken(Base):
    __tablename__ = "api_token"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


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


class Case(Base):
    __tablename__ = "case_"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    status: Mapped[str] = mapped_column(String(20), index=True)
    citizen_name: Mapped[str] = mapped_column(String(200))
    citizen_nin: Mapped[str] = mapped_column(String(11), index=True)
    service_area: Mapped[str | None] = mapped_column(String(40), index=True)
    coordinator: Mapped[str | None] = mapped_column(String(80), index=True)
    # Plain JSON, not JSONB: Spiff restores tasks in the stored key order, which JSONB loses.
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    process_version: Mapped[ProcessVersion] = relationship(lazy="joined")
    __mapper_args__ = {"version_id_col": version}


class Task(Base):
    """One human task the engine exposes; what inboxes query."""

    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_open_role", "state", "role", "service_area"),
        UniqueConstraint("case_id", "spiff_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
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
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(60))
    bpmn_id: Mapped[str | None] = mapped_column(String(120))
    data: Mapped[dict[str, Any]]


class AccessLog(Base):
    """Every read of a case's personal data (Normen: innsynslogg)."""

    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    username: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime]
    what: Mapped[str] = mapped_column(String(120))


class Document(Base):
    """The case's document archive: letters and journal notes.

    A letter is one document listing all its recipients ("Kari Nordmann", "Ola Hansen
    (foresatt), kopi"); ``body`` is its text, and the PDF/A that was sent is its
    :class:`Attachment`."""

    __tablename__ = "document"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    recipients: Mapped[list[str]] = mapped_column(JsonType, default=list)
    bpmn_id: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime]


class KprRecord(Base):
    """One period of 'active IP' or 'has coordinator' for a citizen, as reported to KPR."""

    __tablename__ = "kpr_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    citizen_nin: Mapped[str] = mapped_column(String(11), index=True)
    service: Mapped[str] = mapped_column(String(20))
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date | None] = mapped_column(Date)


class SharingConsent(Base):
    """The citizen's consent to share information with one participant for one period, written
    by the engine from ``consent.record``'s effect; a withdrawal marks it, never deletes it.
    Who may see the plan, and the monitor's "expiring soon", read these rows."""

    __tablename__ = "sharing_consent"
    __table_args__ = (Index("ix_sharing_consent_open", "withdrawn_on", "valid_until"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    participant: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(Text)
    period: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime]
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))


class Incident(Base):
    """A handler that raised: the case waits at that step until retried."""

    __tablename__ = "incident"
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


class Outbox(Base):
    """Messages leaving the system, written with the state, delivered by the worker."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "delivered_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class CaseMessage(Base):
    """A message in the case's thread: the plan as a communication tool between participants."""

    __tablename__ = "case_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    author: Mapped[str] = mapped_column(String(80))
    author_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
    body: Mapped[str] = mapped_column(Text)


# ---------------------------------------------------------------- the manager's monitor


class ActionItem(Base):
    """An action item from a meeting (``meetings[].action_items``, the n-th item of all
    meetings at ``position``), added when the meeting is saved. From then on the row is the
    item: its status (``apen``, ``pagar``, ``utfort``, ``lukket``) changes here, with who and
    when, and the monitor finds overdue ones without opening workflow state."""

    __tablename__ = "action_item"
    __table_args__ = (Index("ix_action_item_open", "status", "deadline"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime | None]
    changed_by: Mapped[str | None] = mapped_column(String(80))
    changed_at: Mapped[datetime | None]


class PlanRevision(Base):
    """One version of the individual plan: the plan form's fields as they stood, who made it,
    when, which top-level fields changed against the revision before, and how it came about
    (``task``: written in a task of the diagram; ``revision``: revised by the coordinator;
    ``proposal``: a citizen's proposal the coordinator accepted). The newest is the plan."""

    __tablename__ = "plan_revision"
    __table_args__ = (UniqueConstraint("case_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]]
    changed: Mapped[list[str]] = mapped_column(JsonType)
    author: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(20))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("plan_proposal.id"))


class PlanProposal(Base):
    """A change to the plan proposed by the citizen (``changes``: the fields they would change,
    against revision ``base``); the coordinator accepts it (a new revision) or declines it."""

    __tablename__ = "plan_proposal"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    base: Mapped[int] = mapped_column(Integer)
    changes: Mapped[dict[str, Any]]
    note: Mapped[str] = mapped_column(Text, default="")
    proposed_by: Mapped[str] = mapped_column(String(80))
    proposed_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)


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


class ProcessDraft(Base):
    """A diagram a process designer is working on: saved freely, deployed when it validates.

    ``key`` is the process it changes (``base_version`` the version it was opened from); for
    an uploaded new process ``is_new`` is set and deploy refuses a key that exists by then.
    ``forms`` holds the forms the draft brings (name → form document); a deploy stores them
    in the new version, so a changed form never touches running cases of older versions.
    """

    __tablename__ = "process_draft"
    # A deleted draft's id is never given again (SQLite reuses the highest id without this;
    # PostgreSQL's sequence never does): a link or a note naming a draft names only that one.
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), index=True)
    base_version: Mapped[int | None] = mapped_column(Integer)
    is_new: Mapped[bool] = mapped_column(Boolean, default=False)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    forms: Mapped[dict[str, Any]]
    errors: Mapped[dict[str, Any]]
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime]


class VersionNote(Base):
    """What a designer wrote about a version when deploying it (the version row is immutable)."""

    __tablename__ = "version_note"
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"),
                                                    primary_key=True)
    note: Mapped[str] = mapped_column(Text)


class Attachment(Base):
    """A file that came to the case with a document (the letter of an appeal by post).

    The bytes live in the database, so they are backed up, moved and access-checked with
    the case they belong to; their size and type are checked before they are stored.
    """

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    # Set with the document in the same transaction (a letter's PDF), without a flush between.
    document: Mapped[Document] = relationship()
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class ReadMark(Base):
    """When a person last read something that can be new to them: a case's thread and letters
    (``topic`` "case", ``item_id`` the case) or a task (``topic`` "task", ``item_id`` the task).
    What is newer than the mark, or has no mark, is unread; one row per person and item, moved
    forward on every read, so the unread counts are a join and never a scan of history."""

    __tablename__ = "read_mark"
    __table_args__ = (UniqueConstraint("username", "topic", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    topic: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int] = mapped_column(Integer)
    read_at: Mapped[datetime]


# The case list (engine.features.case_search) finds each case's open and overdue tasks and
# sorts by the citizen's name, case-insensitively.
Index("ix_task_case_state_due", Task.case_id, Task.state, Task.due_at)
Index("ix_case_name_lower", func.lower(Case.citizen_name))


class TaskDraft(Base):
    """What one person typed into a task's form and saved unfinished: the raw values, never
    validated (a draft may be half done), one per task and person. Completing the task removes
    the completer's draft; a colleague's stays for them to read and delete."""

    __tablename__ = "task_draft"
    __table_args__ = (UniqueConstraint("task_id", "username"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    username: Mapped[str] = mapped_column(String(80))
    data: Mapped[dict[str, Any]]
    saved_at: Mapped[datetime]
