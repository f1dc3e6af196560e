"""What a case produces for people and archives: documents and their attachments, KPR
reports, the outbox of letters and notices, and the case's message thread."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.kernel.models.base import Base, JsonType, PackedText


class Document(Base):
    """The case's document archive: letters, journal notes, consents and plan versions.

    A letter is one document listing all its recipients ("Kari Nordmann", "Ola Hansen
    (foresatt), kopi"); ``body`` is its text, and the PDF/A that was sent is its
    :class:`Attachment`. A consent declaration (kind ``consent``) lists in ``recipients``
    those who gave it, its senders; a plan version (``plan``) lists no one. Both, like a
    journal note, are kept as text only and printed to PDF/A when they are archived
    (:mod:`handlers.records`)."""

    __tablename__ = "document"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(PackedText)
    recipients: Mapped[list[str]] = mapped_column(JsonType, default=list)
    bpmn_id: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime]


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


class KprRecord(Base):
    """One period of 'active IP' or 'has coordinator' for a citizen, as reported to KPR.

    ``reported_at`` is when ``ipflow kpr export`` last wrote the period as it stands; the
    engine clears it when the period changes (it ends), so it is reported again."""

    __tablename__ = "kpr_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    citizen_nin: Mapped[str] = mapped_column(String(11), index=True)
    service: Mapped[str] = mapped_column(String(20))
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date | None] = mapped_column(Date)
    reported_at: Mapped[datetime | None]


class Outbox(Base):
    """Messages leaving the system, written with the state, delivered by the worker.

    A letter's row refers to its archived :class:`Document` instead of copying the text, so
    the letter is stored once (one row per recipient would otherwise repeat it); notices and
    reminders, which are not archived, carry their own ``body``. Rows written before
    0007_letters_once whose text differs from every document keep their copy."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "delivered_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    recipient: Mapped[str] = mapped_column(String(200))
    # A letter's addressee other than the citizen (a guardian) by fødselsnummer, where known:
    # digital post reaches them by it (0011_outbox_recipient_nin).
    recipient_nin: Mapped[str | None] = mapped_column(String(11))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    # Set with the document in the same transaction, without a flush between.
    document: Mapped[Document | None] = relationship()
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    @property
    def text(self) -> str:
        """What is delivered: the letter's archived text, or the message's own."""
        return self.document.body if self.document is not None else self.body or ""


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
