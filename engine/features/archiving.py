"""Archiving: every document of a case goes to the municipality's archive as a Fiks Arkiv
arkivmelding, and the archive's kvittering is recorded on the case.

The worker finds the documents not yet handed to the archive (no ``archive_record`` with
``sent_at``), writes one arkivmelding per document (:mod:`engine.features.arkivmelding`) and
hands it to the configured transport (:mod:`engine.features.archive_transport`), each in its
own transaction. Delivery is *at least once with an idempotent reference*: a worker killed
after the transport took the message but before the commit sends it again next round with
the same reference (``ipflow-dokument-<id>``, also the journalpost's external key), which the
directory target writes over and an archive recognises (it answers «Eksisterende»).

A record the archive could not file (a kvittering that reports a failure) is sent again in a
later round, as one whose hand-over failed is; after :data:`MAX_ATTEMPTS` attempts it is left
for people: the monitor's archive page (:mod:`engine.features.archive_status`) lists it, and
``ipflow archive retry`` gives it its attempts back once the cause is fixed.

A kvittering gives the saksmappe's systemID and saksnummer; they are kept in
``case_archive``, and every later message of the case refers to that saksmappe instead of
describing it again. Until then each message carries the saksmappe with ipflow's key of the
case, so the archive files them all in one saksmappe however fast they come.

What is archived: letters (their PDF/A), journal notes (among them every withdrawn consent),
the consent declarations and every version of the plan (:mod:`handlers.records`), the report
of need and letters that came by post. A document the case keeps as text (a journal note, a
consent, a plan version, a report typed in) is printed to PDF/A when it is archived, on the
municipality's letterhead: the archive wants PDF/A, and printing it in the engine call would
make the person acting wait for WeasyPrint and the case keep a PDF it can print again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.features.archive_transport import DirectoryTarget, Message, Transport
from engine.features.arkivmelding import (
    KINDS,
    ArchiveFile,
    Folder,
    InvalidArkivmelding,
    Record,
    arkivmelding,
    read_receipt,
)
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.errors import Conflict, NotFound
from engine.kernel.models import AccessLog, ArchiveRecord, Attachment, Case, CaseArchive, Document
from engine.kernel.paging import ids_after
from engine.kernel.settings import handler_settings
from handlers import records

log = logging.getLogger(__name__)
REFERENCE_PREFIX = "ipflow-dokument-"
# Attempts at one record (hand-overs that failed, kvitteringer that reported a failure) before
# it waits for people: a cause that five rounds did not clear (a code the archive refuses, a
# document it cannot take) needs someone to look, and trying every round forever hides it.
MAX_ATTEMPTS = 5


@dataclass
class ArchiveResult:
    """What one archiving round did."""

    sent: int = 0
    failed: int = 0
    receipts: int = 0
    errors: list[str] = field(default_factory=list)


def folder_of(session: Session, case: Case) -> Folder:
    """The case as a saksmappe, with the archive's keys when it has given them."""
    keys = session.get(CaseArchive, case.id)
    return Folder(case_id=case.id, citizen_name=case.citizen_name,
                  citizen_nin=case.citizen_nin, created_at=case.created_at,
                  closed=case.closed_at is not None,
                  system_id=keys.system_id if keys else None,
                  saksnummer=keys.saksnummer if keys else None)


def record_of(session: Session, document: Document) -> Record:
    """The document as a journalpost: its stored files (a letter's PDF/A, a scanned letter),
    or its text printed to PDF/A now."""
    attachments = session.scalars(select(Attachment).where(
        Attachment.document_id == document.id).order_by(Attachment.id)).all()
    files = tuple(
        ArchiveFile(name=f"dokument-{document.id}-{number}{_suffix(item.media_type)}",
                    filename=item.filename, media_type=item.media_type,
                    content=item.content)
        for number, item in enumerate(attachments, start=1))
    if not files:
        case = session.get(Case, document.case_id)
        files = (ArchiveFile(
            name=f"dokument-{document.id}-1.pdf", filename=f"{document.kind}.pdf",
            media_type="application/pdf",
            content=records.printed(handler_settings(), document.case_id,
                                    case.citizen_name if case else "", document.title,
                                    document.body, document.created_at)),)
    return Record(document_id=document.id, kind=document.kind, title=document.title,
                  created_at=document.created_at, recipients=tuple(document.recipients),
                  files=files)


def _suffix(media_type: str) -> str:
    return {"application/pdf": ".pdf", "image/jpeg": ".jpg",
            "image/png": ".png"}.get(media_type, ".bin")


def message_for(session: Session, document: Document) -> Message:
    """The validated arkivmelding of one document with its files."""
    case = session.get(Case, document.case_id)
    if case is None:
        raise NotFound(f"sak {document.case_id} finnes ikke")
    record = record_of(session, document)
    return Message(reference=record.reference, case_id=case.id,
                   xml=arkivmelding(folder_of(session, case), record), files=record.files)


# Documents below the newest one handed over that are looked at again each round: one that
# took its id before others but committed after them (an engine call's transaction is short)
# is still found, while a round reads a few hundred rows, not every document ever archived.
RESCAN = 1000


def _pending_ids(db: Database, after: int, limit: int) -> list[int]:
    """The next documents to archive after id ``after``: those above the newest one handed
    over (less :data:`RESCAN`) with no record, and those whose sending failed (fewer than
    :data:`MAX_ATTEMPTS` times). Every document was handed over in id order once archiving
    began (a first round on an existing installation starts at 0), so nothing older is
    waiting."""
    with db.reading() as session:
        newest = session.scalar(select(func.max(ArchiveRecord.document_id))) or 0
        start = max(after, newest - RESCAN)
        settled = select(ArchiveRecord.document_id).where(
            ArchiveRecord.document_id > start,
            or_(ArchiveRecord.sent_at.is_not(None), ArchiveRecord.attempts >= MAX_ATTEMPTS))
        fresh = select(Document.id).where(Document.id > start, Document.kind.in_(list(KINDS)),
                                          Document.id.not_in(settled))
        failed = select(ArchiveRecord.document_id).where(ArchiveRecord.document_id > after,
                                                         ArchiveRecord.sent_at.is_(None),
                                                         ArchiveRecord.attempts < MAX_ATTEMPTS)
        ids = sorted({*session.scalars(fresh.order_by(Document.id).limit(limit)),
                      *session.scalars(failed.order_by(ArchiveRecord.document_id).limit(limit))})
        return ids[:limit]


def send_document(db: Database, document_id: int, transport: Transport, now: datetime
                  ) -> bool | None:
    """Write, hand over and mark one document in one transaction: True sent, False failed
    (the error kept on its ``archive_record``, tried again next round), None when another
    worker has it or has sent it."""
    with db.transaction() as session:
        query = select(Document).where(Document.id == document_id)
        if db.is_postgresql:
            query = query.with_for_update(skip_locked=True)
        document = session.scalar(query)
        row = session.scalar(select(ArchiveRecord).where(
            ArchiveRecord.document_id == document_id))
        if document is None or (row is not None and (
                row.sent_at is not None or row.attempts >= MAX_ATTEMPTS)):
            return None
        if row is None:
            row = ArchiveRecord(document_id=document_id, case_id=document.case_id, attempts=0)
            session.add(row)
        row.attempts += 1
        try:
            transport.send(message_for(session, document))
        except (InvalidArkivmelding, OSError) as exc:
            row.last_error = str(exc)[:2000]
            return False
        row.sent_at = now
        row.last_error = None
        return True


def archive_pending(db: Database, transport: Transport, now: datetime,
                    batch_size: int = 100) -> ArchiveResult:
    """Send every document not yet archived, then record the kvitteringer that came back."""
    result = ArchiveResult()
    for document_id in ids_after(lambda after: _pending_ids(db, after, batch_size)):
        try:
            outcome = send_document(db, document_id, transport, now)
        except Conflict:
            continue
        except Exception as exc:  # noqa: BLE001  (a transport that breaks oddly: retry)
            log.exception("archiving document %s failed", document_id)
            result.errors.append(f"dokument {document_id}: {exc}")
            outcome = False
        if outcome is True:
            result.sent += 1
        elif outcome is False:
            result.failed += 1
    try:
        result.receipts = transport.collect(lambda ref, body: record_receipt(db, ref, body, now))
    except Exception as exc:  # noqa: BLE001  (the archive unreachable: read them next round)
        log.exception("reading the archive's kvitteringer failed")
        result.errors.append(f"kvitteringer fra arkivet: {exc}")
    return result


def record_receipt(db: Database, reference: str, body: bytes, now: datetime) -> None:
    """Keep what the archive's kvittering for the message ``reference`` says: the
    journalpost's systemID, and the saksmappe's keys on the case (the first ones stay).
    A kvittering that reports a failure, or cannot be read, is kept as the record's error
    and the record is no longer sent: a later round sends it again (same reference), up to
    :data:`MAX_ATTEMPTS` attempts in all."""
    if not reference.startswith(REFERENCE_PREFIX):
        raise InvalidArkivmelding(f"ukjent referanse i kvittering: {reference!r}")
    document_id = int(reference.removeprefix(REFERENCE_PREFIX))
    with db.transaction() as session:
        row = session.scalar(select(ArchiveRecord).where(
            ArchiveRecord.document_id == document_id))
        if row is None:
            raise InvalidArkivmelding(f"kvittering for dokument {document_id} som ikke er sendt")
        try:
            receipt = read_receipt(body)
        except InvalidArkivmelding as exc:
            # Whether the archive filed it is unknown; sending it again is safe (the same
            # reference is one record to the archive), so it goes again like a failure.
            row.last_error = exc.message[:2000]
            row.sent_at = None
            return
        row.receipt_at = now
        row.system_id = receipt.record_system_id
        row.last_error = "; ".join(receipt.errors)[:2000] or None
        if receipt.errors and receipt.record_system_id is None:
            row.sent_at = None  # not filed: the pending scan (its partial index) finds it
        if receipt.folder_system_id and session.get(CaseArchive, row.case_id) is None:
            session.add(CaseArchive(case_id=row.case_id, system_id=receipt.folder_system_id,
                                    saksnummer=receipt.saksnummer, recorded_at=now))


def _case_documents(session: Session, case_id: int) -> Iterator[Document]:
    yield from session.scalars(select(Document).where(
        Document.case_id == case_id, Document.kind.in_(list(KINDS))).order_by(Document.id))


def export_case(db: Database, case_id: int, folder: Path, actor: str) -> list[str]:
    """Write the arkivmeldinger of every record of one case into ``folder`` (one folder per
    message, as the directory target does), without marking anything sent; the references.
    The export reads the case's personal data, so it is written to the access log."""
    target = DirectoryTarget(folder)
    with db.transaction() as session:
        if session.get(Case, case_id) is None:
            raise NotFound(f"sak {case_id} finnes ikke")
        session.add(AccessLog(case_id=case_id, username=actor, at=clock.now(),
                              what="documents"))
        references = []
        for document in _case_documents(session, case_id):
            message = message_for(session, document)
            target.send(message)
            references.append(message.reference)
    return references
