"""The individual plan's own records: sharing consents, action items, plan revisions and
proposals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.kernel.models.base import Base, JsonType


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
