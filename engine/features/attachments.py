"""Files that come to a case from outside: the letter of an appeal received by post.

A file is archived as an incoming document of the case (journalpost I) with its bytes beside
it, in the same transaction as the event it came with. Only PDF and common images are taken,
recognised by their first bytes rather than by the name or type the browser claims, and only
up to :data:`MAX_BYTES`. Reading a file back is a logged read of the case, for those who may
see the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.kernel.db import Database
from engine.kernel.errors import InvalidData, NotFound
from engine.kernel.models import Attachment, Document
from engine.runtime.access import log_read, visible_case
from engine.runtime.users import Actor

MAX_BYTES = 3 * 1024 * 1024  # within the app's 4 MB request limit (MAX_CONTENT_LENGTH)
# What a file starts with → its media type (PDF, PNG, JPEG); nothing else is stored.
SIGNATURES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png",
              b"\xff\xd8\xff": "image/jpeg"}
INCOMING = "incoming"


@dataclass(frozen=True)
class Upload:
    """A file as a person sent it: its name and its bytes."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class AttachmentFile:
    """A stored file, as a page serves it."""

    id: int
    case_id: int
    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class AttachmentRef:
    """A stored file as a list shows it: what it is, and the name to download it by."""

    id: int
    filename: str
    size: int
    title: str
    created_at: datetime


def media_type(upload: Upload) -> str:
    """The file's type from its first bytes; InvalidData for an empty, too large or unknown
    file (the message names the field ``attachment``)."""
    if not upload.content:
        raise InvalidData({"attachment": "Filen er tom."})
    if len(upload.content) > MAX_BYTES:
        raise InvalidData({"attachment": f"Filen er for stor (høyst {MAX_BYTES // 2**20} MB)."})
    for signature, kind in SIGNATURES.items():
        if upload.content.startswith(signature):
            return kind
    raise InvalidData({"attachment": "Filen må være en PDF eller et bilde (PNG eller JPEG)."})


def _safe_name(filename: str) -> str:
    """The file's own name without any folder part, short enough to store."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (name or "vedlegg")[:200]


def store(session: Session, case_id: int, title: str, upload: Upload, now: datetime
          ) -> dict[str, Any]:
    """Archive the file as an incoming document titled ``title``; returns what the event's
    data keeps of it (``{document_id, attachment_id, filename, media_type, size}``)."""
    kind = media_type(upload)
    filename = _safe_name(upload.filename)
    document = Document(case_id=case_id, kind=INCOMING, title=title,
                        body=f"Vedlegg: {filename}", bpmn_id=None,
                        created_at=now)
    session.add(document)
    session.flush()
    attachment = Attachment(case_id=case_id, document_id=document.id, filename=filename,
                            media_type=kind, size=len(upload.content), content=upload.content,
                            created_at=now)
    session.add(attachment)
    session.flush()
    return {"document_id": document.id, "attachment_id": attachment.id, "filename": filename,
            "media_type": kind, "size": len(upload.content)}


def read(db: Database, case_id: int, attachment_id: int, actor: Actor) -> AttachmentFile:
    """A stored file of the case, for whoever may see the case (logged as a read)."""
    with db.transaction() as session:
        case = visible_case(session, actor, case_id)
        row = session.scalar(select(Attachment).where(Attachment.id == attachment_id,
                                                      Attachment.case_id == case.id))
        if row is None:
            raise NotFound("Vedlegget finnes ikke.")
        log_read(session, case.id, actor, f"attachment {row.id}")
        return AttachmentFile(id=row.id, case_id=case.id, filename=row.filename,
                              media_type=row.media_type, content=row.content)


def of_case(session: Session, case_id: int) -> tuple[AttachmentRef, ...]:
    """The files that came to the case from outside (without their bytes), oldest first; the
    letters' own PDFs are attachments too, listed with their letters."""
    rows = session.execute(select(Attachment.id, Attachment.filename, Attachment.size,
                                  Attachment.created_at, Document.title)
                           .join(Document, Document.id == Attachment.document_id)
                           .where(Attachment.case_id == case_id, Document.kind == INCOMING)
                           .order_by(Attachment.id))
    return tuple(AttachmentRef(id=r.id, filename=r.filename, size=r.size, title=r.title,
                               created_at=r.created_at) for r in rows)
