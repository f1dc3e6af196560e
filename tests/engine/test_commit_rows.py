"""Rows queued for the commit (:mod:`engine.kernel.commit_rows`) are written as they stand at
the commit, in the order they were added, a document's rows with its id, and not at all when
the transaction rolls back; on both databases, each of which writes them as one statement
(PostgreSQL ``WITH`` queries, SQLite a view's triggers) stored as table by table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from engine.features import bench_engine, case_start
from engine.kernel import commit_rows
from engine.kernel.db import Database
from engine.kernel.errors import Conflict
from engine.kernel.history import add_event
from engine.kernel.models import (
    Attachment,
    Document,
    Event,
    KprRecord,
    Outbox,
    SharingConsent,
    inbox_counts,
)
from engine.runtime.users import Actor

AT = datetime(2026, 1, 5, 9, tzinfo=UTC)


@pytest.fixture
def case_id(db: Database, staff: dict[str, Actor]) -> int:
    start = bench_engine.happy_path()[0]
    return case_start.start_case(db, bench_engine.PROCESS, start.data, staff["koordinator"],
                                 duplicate_reason="En prøve.")


def _letter(session: Session, case_id: int, title: str, recipients: list[str],
            body: str | None = None) -> Document:
    document = Document(case_id=case_id, kind="letter", title=title, body=body or f"{title}.",
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


def _every_kind_of_row(session: Session, case_id: int, tag: str) -> None:
    """Rows of every column type the commit writes: dates, timestamps, JSON, packed text,
    bytes, a document's rows, a consent, an inbox count move."""
    _letter(session, case_id, f"Brev {tag}", ["Ola Hansen", "Kari Hansen"], "Brødtekst.")
    add_event(session, case_id, AT, "system", "step_completed", f"kind_{tag}",
              {"svar": "ja", "æøå": [1, 2.5, None, True]})
    commit_rows.add(session, KprRecord(case_id=case_id, citizen_nin="23074820085",
                                       service=f"ip_{tag}", from_date=AT.date()))
    commit_rows.add(session, SharingConsent(
        case_id=case_id, participant=f"Fastlege {tag}", scope="Plan", period="1 år",
        valid_from=AT.date(), valid_until=AT.date(), recorded_at=AT))
    inbox_counts.moved(session, None, (f"step_{tag}", "Steg", "koordinator", None, None, None))


def _stored(db: Database, tag: str) -> dict[str, list[tuple[Any, ...]]]:
    """The rows as the database file holds them (no column types applied in reading), tagged
    rows only, ids (and the counts' key, a digest of the tagged group) left out, each document
    id as the document's title."""
    tables = {
        "document": "SELECT * FROM document WHERE title = :title",
        "attachment": "SELECT a.*, d.title FROM attachment a JOIN document d "
                      "ON d.id = a.document_id WHERE d.title = :title",
        "outbox": "SELECT o.*, d.title FROM outbox o JOIN document d ON d.id = o.document_id "
                  "WHERE d.title = :title",
        "event": "SELECT * FROM event WHERE bpmn_id = :kind",
        "kpr_record": "SELECT * FROM kpr_record WHERE service = :service",
        "sharing_consent": "SELECT * FROM sharing_consent WHERE participant = :participant",
        "inbox_count": "SELECT * FROM inbox_count WHERE bpmn_id = :step",
    }
    names = {"title": f"Brev {tag}", "kind": f"kind_{tag}", "service": f"ip_{tag}",
             "participant": f"Fastlege {tag}", "step": f"step_{tag}"}
    stored = {}
    with db.reading() as session:
        for table, sql in tables.items():
            result = session.execute(text(sql), names)
            keep = [number for number, name in enumerate(result.keys())
                    if name not in ("id", "document_id", "key")]
            stored[table] = sorted(tuple(str(row[number]).replace(tag, "*") for number in keep)
                                   for row in result)
    return stored


def test_one_statement_stores_exactly_what_table_by_table_inserts_store(
        db: Database, case_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's view and triggers, and PostgreSQL's ``WITH`` queries, write each value as
    SQLAlchemy's own ``INSERT`` of that table would: same text for dates, JSON and packed
    columns, same bytes, the document ids right."""
    with db.transaction() as session:
        _every_kind_of_row(session, case_id, "q1")
    monkeypatch.setattr(commit_rows, "ONE_STATEMENT_ROWS", 0)
    with db.transaction() as session:
        _every_kind_of_row(session, case_id, "q2")
    one, many = _stored(db, "q1"), _stored(db, "q2")
    assert all(one[table] for table in one), one
    assert one == many
    monkeypatch.setattr(commit_rows, "ONE_STATEMENT_ROWS", 200)
    with db.transaction() as session:  # a count's second move adds to its row
        inbox_counts.moved(session, None, ("step_q1", "Steg", "koordinator", None, None, None))
    assert _stored(db, "q1")["inbox_count"][0][-1] == "2"


def test_the_view_refuses_a_row_for_a_table_it_has_no_trigger_for(
        db: Database, case_id: int) -> None:
    """A row that no trigger takes would be lost without a trace; the statement fails."""
    if db.is_postgresql:
        pytest.skip("the view is SQLite's")
    with db.transaction() as session:  # a write makes the view on its connection
        add_event(session, case_id, AT, "system", "step_completed", "made_the_view", {})
    with pytest.raises(Conflict) as refused, db.transaction() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO commit_row (target) VALUES ('no_such_table')")
    assert "no table of that name" in str(refused.value.__cause__)


def test_a_migration_after_writes_makes_the_view_anew(db: Database, case_id: int) -> None:
    """SQLite checks every trigger when a migration rebuilds a table; the view is dropped
    before migrating and made again by the next write."""
    with db.transaction() as session:
        add_event(session, case_id, AT, "system", "step_completed", "before_migration", {})
    db.migrate()
    with db.transaction() as session:
        add_event(session, case_id, AT, "system", "step_completed", "after_migration", {})
    with db.reading() as session:
        assert session.scalars(select(Event.bpmn_id).where(Event.bpmn_id.like(
            "%_migration")).order_by(Event.id)).all() == ["before_migration", "after_migration"]
