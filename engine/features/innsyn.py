"""Innsyn: what ipflow holds about one person (GDPR art. 15), and who has read it.

A leder answers a citizen's request for access with one file: every case about the person's
fødselsnummer with its data, plan, the history the citizen may see, documents with the letters'
PDFs as they were sent, the message thread, consents, KPR periods, their login (without the
password hash), and the access log of who read their data. The access log alone is the other
answer (Normen: the citizen may know who has read their record). Both are reads of personal
data themselves, so each is written to the access log of every case it covers, in the same
transaction as the read.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.features.audience import citizen_events
from engine.features.diagram import diagram_steps
from engine.features.overview import current_data
from engine.features.snapshots import CaseFacts, DocumentRow, EventRow, MessageRow
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.errors import Forbidden, InvalidData
from engine.kernel.models import (
    AccessLog,
    Attachment,
    Case,
    CaseMessage,
    Document,
    Event,
    KprRecord,
    SharingConsent,
    User,
)
from engine.kernel.vocabulary import Role
from engine.runtime import plan_store
from engine.runtime.access import log_read
from engine.runtime.users import SYSTEM, Actor

EXPORT_READ = "innsyn"
ACCESS_LOG_READ = "innsynslogg"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class PersonRead:
    """One read of one of the person's cases: when, which case, who (username and name)."""

    at: datetime
    case_id: int
    username: str
    full_name: str
    what: str


def require_leder(actor: Actor) -> None:
    """Innsyn is answered by the leder (or an operator at the command line, as ``system``)."""
    if actor.username != SYSTEM.username and not actor.has_role(Role.LEDER):
        raise Forbidden("Bare leder kan ta ut innsyn for en innbygger.")


def normalised_nin(nin: str) -> str:
    """The fødselsnummer without spaces; 422 when it is not 11 digits."""
    digits = re.sub(r"\s", "", nin or "")
    if not re.fullmatch(r"\d{11}", digits):
        raise InvalidData({"nin": "Fødselsnummeret må ha 11 sifre."})
    return digits


def _cases(session: Session, nin: str) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.citizen_nin == nin).order_by(Case.id)))


def _reads(session: Session, case_ids: list[int]) -> list[PersonRead]:
    names = {username: name for username, name in session.execute(
        select(User.username, User.full_name))}
    names[SYSTEM.username] = SYSTEM.full_name
    return [PersonRead(at=entry.at, case_id=entry.case_id, username=entry.username,
                       full_name=names.get(entry.username, entry.username), what=entry.what)
            for entry in session.scalars(select(AccessLog).where(
                AccessLog.case_id.in_(case_ids)).order_by(AccessLog.at, AccessLog.id))]


def access_log(db: Database, nin: str, actor: Actor) -> list[PersonRead]:
    """Every read of the person's cases, oldest first, this one included."""
    require_leder(actor)
    nin = normalised_nin(nin)
    with db.transaction() as session:
        case_ids = [case.id for case in _cases(session, nin)]
        for case_id in case_ids:
            log_read(session, case_id, actor, ACCESS_LOG_READ)
        session.flush()
        return _reads(session, case_ids)


def _json(value: Any) -> str:
    """Times and dates as ISO 8601 (in UTC as stored); anything else JSON lacks as text."""
    return value.isoformat() if isinstance(value, datetime | date) else str(value)


def _columns(row: Any, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in leave_out}


def _case(session: Session, case: Case, actor: Actor,
          files: dict[str, bytes]) -> dict[str, Any]:
    version = case.process_version
    events = [EventRow.of(e, version) for e in session.scalars(
        select(Event).where(Event.case_id == case.id).order_by(Event.at, Event.id))]
    attachments: dict[int, list[str]] = {}
    for attachment in session.scalars(select(Attachment).where(
            Attachment.case_id == case.id).order_by(Attachment.id)):
        safe = re.sub(r"[^\w.-]", "_", attachment.filename).lstrip(".") or "fil"
        name = f"dokumenter/sak-{case.id}/{attachment.id}-{safe}"
        files[name] = attachment.content
        attachments.setdefault(attachment.document_id, []).append(name)
    documents = []
    for document in session.scalars(select(Document).where(Document.case_id == case.id)
                                    .order_by(Document.created_at, Document.id)):
        row = asdict(DocumentRow.of(document, ()))
        row.pop("attachments")
        documents.append({**row, "files": attachments.get(document.id, [])})
    return {
        **asdict(CaseFacts.of(case)),
        "data": current_data(session, case, actor) if case.state else {},
        "history": [asdict(e) for e in citizen_events(
            events, diagram_steps(version.checksum, version.bpmn_xml))],
        "documents": documents,
        "messages": [asdict(MessageRow.of(m)) for m in session.scalars(select(CaseMessage).where(
            CaseMessage.case_id == case.id).order_by(CaseMessage.at, CaseMessage.id))],
        "plan": plan_store.snapshot(session, case.id),
        "consents": [_columns(c) for c in session.scalars(select(SharingConsent).where(
            SharingConsent.case_id == case.id).order_by(SharingConsent.id))],
        "kpr": [_columns(k) for k in session.scalars(select(KprRecord).where(
            KprRecord.case_id == case.id).order_by(KprRecord.id))],
    }


def export(db: Database, nin: str, actor: Actor) -> bytes:
    """One zip: ``innsyn.json`` (everything above, times in UTC ISO 8601) and the documents'
    files under ``dokumenter/sak-<id>/``. The export is logged on every case it covers."""
    require_leder(actor)
    nin = normalised_nin(nin)
    files: dict[str, bytes] = {}
    with db.transaction() as session:
        cases = _cases(session, nin)
        login = session.scalar(select(User).where(User.nin == nin))
        content = {
            "format_version": FORMAT_VERSION, "nin": nin, "made_at": clock.now(),
            "made_by": actor.username,
            "login": _columns(login, ("password_hash", "id")) if login else None,
            "cases": [_case(session, case, actor, files) for case in cases],
        }
        for case in cases:
            log_read(session, case.id, actor, EXPORT_READ)
        session.flush()
        content["access_log"] = [asdict(r) for r in _reads(session, [c.id for c in cases])]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("innsyn.json", json.dumps(content, ensure_ascii=False, indent=2,
                                                   default=_json))
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()
