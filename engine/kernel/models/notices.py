"""What one person has read or left unfinished: read marks (unread counts), task drafts and
plan drafts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.kernel.models.base import Base


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


class PlanDraft(Base):
    """What one person typed into the plan form of a case and saved unfinished, one per case and
    person, with the plan revision it was typed on (``base``), so that saving it later is
    refused, not merged blindly, when the plan changed meanwhile. Saving the plan (a revision
    or a proposal) removes the saver's draft."""

    __tablename__ = "plan_draft"
    __table_args__ = (UniqueConstraint("case_id", "username"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    username: Mapped[str] = mapped_column(String(80))
    base: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]]
    saved_at: Mapped[datetime]
