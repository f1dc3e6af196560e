"""What the municipality's archive (Noark 5, fed by Fiks Arkiv messages) knows of a case.

``archive_record`` is the archive queue: one row per document once the worker has handed it
to the archive transport, with the archive's key for it when a kvittering came back.
``case_archive`` keeps the saksmappe's keys from the first kvittering, so every later record
of the case is sent into the same saksmappe instead of asking for a new one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.kernel.models.base import Base


class CaseArchive(Base):
    """The saksmappe a case is archived in (from the archive's kvittering)."""

    __tablename__ = "case_archive"
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), primary_key=True)
    system_id: Mapped[str] = mapped_column(String(100))
    saksnummer: Mapped[str | None] = mapped_column(String(40))
    recorded_at: Mapped[datetime]


class ArchiveRecord(Base):
    """One document handed to the archive; ``document_id`` is unique, so a document is
    queued once, and the message's reference (``ipflow-dokument-<id>``) names it."""

    __tablename__ = "archive_record"
    # The failed ones, which each round tries again, without reading the sent ones.
    __table_args__ = (Index("ix_archive_record_unsent", "document_id",
                            sqlite_where=text("sent_at IS NULL"),
                            postgresql_where=text("sent_at IS NULL")),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    system_id: Mapped[str | None] = mapped_column(String(100))
    receipt_at: Mapped[datetime | None]
