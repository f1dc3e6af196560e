"""The process designer's drafts and the notes written on deployed versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.kernel.models.base import Base


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
