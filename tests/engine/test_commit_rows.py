"""Rows queued for the commit (:mod:`engine.kernel.commit_rows`) are written as they stand at
the commit, in the order they were added, a document's rows with its id, and not at all when
the transaction rolls back; on both databases (PostgreSQL writes them as one statement)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.features import bench_engine, case_start
from engine.kernel import commit_rows
from engine.kernel.db import Database
from engine.kernel.history import add_event
from engine.kernel.models import Attachment, Document, Event, KprRecord, Outbox
from engine.runtime.users import Actor

AT = datetime(2026, 1, 5, 9, tzinfo=UTC)


@pytest.fixture
def case_id(db: Database, staff: dict[str, Actor]) -> int:
    start = bench_engine.happy_path()[0]
    return case_start.start_case(db, bench_engine.PROCESS, start.data, staff["koordinator"],
                                 duplicate_reason="En prøve.")


def _letter(session: Session, case_id: int, title: str, recipients: list[str]) -> Document:
    document = Document(case_id=case_id, kind="letter", title=title, body=f"{title}.",
                        recipients=recipients, bpmn_id="x", created_at=AT)
    commit_rows.add(session, document)
    commit_rows.add(session, Attachment(
        case_id=case_id, document=document, filename="letter.pdf",
        media_type="application/pdf", size=3, content=title.encode()[:3], created_at=AT))
    for recipient in recipients:
        commit_rows.add(session, Outbox(
            case_id=case_id, kind="letter", recipient=recipient, subject=title,
            document=document, created_at=AT))
    return document


def test_queued_rows_are_written_at_the_commit_with_their_documents_ids(
        db: Database, case_id: int) -> None:
    with db.transaction() as session:
        for number in range(3):
            add_event(session, case_id, AT, "system", "step_completed", f"step_{number}", {})
        _letter(session, case_id, "Vedtak", ["Ola Hansen", "Kari Hansen"])
        commit_rows.add(session, Outbox(case_id=case_id, kind="notification", recipient="ola",
                                        subject="Varsel", body="Ny melding", created_at=AT))
        _letter(session, case_id, "Innkalling", ["Ola Hansen"])
        record = KprRecord(case_id=case_id, citizen_nin="23074820085", service="ip",
                           from_date=AT.date())
        commit_rows.add(session, record)
        record.to_date = AT.date()  # changed after it was queued: written as it stands
        assert not session.scalars(select(Document).where(Document.case_id == case_id)).all()
    with db.reading() as session:
        documents = {row.title: row.id for row in session.scalars(
            select(Document).where(Document.case_id == case_id))}
        assert set(documents) >= {"Vedtak", "Innkalling"}
        letters = [(row.subject, row.recipient, row.document_id, row.attempts)
                   for row in session.scalars(select(Outbox).where(
                       Outbox.case_id == case_id, Outbox.subject.in_(
                           ("Vedtak", "Innkalling", "Varsel")))
                       .order_by(Outbox.id))]
        assert sorted(letters) == sorted([
            ("Vedtak", "Ola Hansen", documents["Vedtak"], 0),
            ("Vedtak", "Kari Hansen", documents["Vedtak"], 0),
            ("Varsel", "ola", None, 0),
            ("Innkalling", "Ola Hansen", documents["Innkalling"], 0)])
        pdfs = {row.document_id: row.content for row in session.scalars(
            select(Attachment).where(Attachment.case_id == case_id))}
        assert pdfs[documents["Vedtak"]] == b"Ved"
        assert pdfs[documents["Innkalling"]] == b"Inn"
        steps = list(session.scalars(select(Event.bpmn_id).where(
            Event.case_id == case_id, Event.bpmn_id.like("step_%")).order_by(Event.id)))
        assert steps == ["step_0", "step_1", "step_2"]
        assert session.scalars(select(KprRecord.to_date).where(
            KprRecord.case_id == case_id)).all() == [AT.date()]


def test_a_rollback_writes_none_of_them_and_the_next_transaction_starts_empty(
        db: Database, case_id: int) -> None:
    with pytest.raises(RuntimeError), db.transaction() as session:
        _letter(session, case_id, "Avbrutt", ["Ola Hansen"])
        add_event(session, case_id, AT, "system", "step_completed", "rolled_back", {})
        raise RuntimeError("stopp")
    with db.transaction() as session:
        add_event(session, case_id, AT, "system", "step_completed", "kept", {})
    with db.reading() as session:
        assert not session.scalars(select(Document).where(Document.title == "Avbrutt")).all()
        kinds = session.scalars(select(Event.bpmn_id).where(
            Event.bpmn_id.in_(("rolled_back", "kept")))).all()
        assert kinds == ["kept"]


def test_a_bulk_jobs_many_rows_go_table_by_table(db: Database, case_id: int) -> None:
    """More rows than one statement should carry (PostgreSQL's parameters are limited) are
    written in executemany batches instead, still in order, a letter's rows with its id."""
    many = commit_rows.ONE_STATEMENT_ROWS + 50
    with db.transaction() as session:
        _letter(session, case_id, "Masse", ["Ola Hansen"])
        for number in range(many):
            add_event(session, case_id, AT, "system", "step_completed", f"bulk_{number:04}", {})
    with db.reading() as session:
        steps = list(session.scalars(select(Event.bpmn_id).where(
            Event.case_id == case_id, Event.bpmn_id.like("bulk_%")).order_by(Event.id)))
        assert steps == [f"bulk_{number:04}" for number in range(many)]
        document = session.scalar(select(Document.id).where(Document.title == "Masse"))
        assert session.scalar(select(Outbox.document_id).where(Outbox.subject == "Masse")) \
            == document
