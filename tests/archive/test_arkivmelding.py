"""Fiks Arkiv arkivmeldinger for a real case: a refusal (the decision letter, PDF/A) that
closed when the appeal period ran out (a journal note), checked against KS's schemas."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from engine.features import archiving, worker
from engine.features.archive_transport import DirectoryTarget
from engine.features.arkivmelding import SKJERMINGSHJEMMEL, InvalidArkivmelding, read_receipt
from engine.kernel.db import Database
from engine.kernel.models import AccessLog, ArchiveRecord, CaseArchive
from engine.runtime.users import Actor
from tests.support import fiks_arkiv, pdfa
from tests.support.cases import closed_case
from tests.support.people import PER

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _messages(folder: Path) -> dict[str, tuple[Path, object]]:
    return {name: (path, fiks_arkiv.valid((path / "arkivmelding.xml").read_bytes()))
            for name, path in fiks_arkiv.folders(folder).items()}


def _by_type(messages: dict[str, tuple[Path, object]], code: str) -> list[tuple[Path, object]]:
    return [m for m in messages.values() if fiks_arkiv.codes(m[1], "journalposttype") == [code]]


def test_a_decision_letter_and_a_journal_note_validate_with_codes_skjerming_and_parties(
        db: Database, staff: dict[str, Actor], tmp_path: Path) -> None:
    case_id = closed_case(db, staff, PER, NOW)
    references = archiving.export_case(db, case_id, tmp_path, "system")
    messages = _messages(tmp_path)
    assert sorted(messages) == sorted(references)
    [(letter_dir, letter)] = _by_type(messages, "U")
    [(note_dir, note)] = _by_type(messages, "X")
    assert fiks_arkiv.codes(letter, "journalstatus") == ["E"]
    assert fiks_arkiv.codes(note, "journalstatus") == ["J"]
    for _, message in messages.values():
        # the saksmappe, the journalpost and each document are screened, with the health
        # data's legal basis; the case is named by ipflow's key
        assert fiks_arkiv.texts(message, "//a:skjermingshjemmel/text()") == [
            SKJERMINGSHJEMMEL] * 3
        assert set(fiks_arkiv.codes(message, "tilgangsrestriksjon")) == {"13"}
        assert f"ipflow-sak-{case_id}" in fiks_arkiv.texts(
            message, "//a:mappe/a:referanseEksternNoekkel/m:noekkel/text()")
        assert fiks_arkiv.texts(message, "//a:mappe/a:offentligTittel/text()") == [
            "Individuell plan og koordinator"]  # the public title leaves the name out
    # the letter: its PDF/A travels beside the message, with its checksum; Per is the
    # screened recipient, with his fødselsnummer
    pdf_name = fiks_arkiv.texts(letter, "//a:referanseDokumentfil/text()")[0]
    pdf = (letter_dir / pdf_name).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert fiks_arkiv.texts(letter, "//a:sjekksum/text()") == [hashlib.sha256(pdf).hexdigest()]
    assert fiks_arkiv.codes(letter, "format") == ["RA-PDF"]
    assert fiks_arkiv.codes(letter, "korrespondanseparttype") == ["EM"]
    assert fiks_arkiv.texts(letter, "//a:korrespondansepart/a:personid/text()") == [PER]
    assert fiks_arkiv.texts(letter, "//a:korrespondansepart/a:erSkjermet/text()") == ["true"]
    # the journal note is kept as text: it is printed to PDF/A for the archive, without parties
    assert fiks_arkiv.codes(note, "format") == ["RA-PDF"]
    note_pdf = (note_dir / fiks_arkiv.texts(note, "//a:referanseDokumentfil/text()")[0]
                ).read_bytes()
    assert pdfa.archival_problems(note_pdf) == []
    assert fiks_arkiv.texts(note, "//a:korrespondansepart") == []
    with db.reading() as session:
        assert session.scalar(select(AccessLog.what).where(
            AccessLog.case_id == case_id, AccessLog.what == "documents"))


def test_the_worker_writes_each_record_once_and_a_redelivery_replaces_it(
        db: Database, staff: dict[str, Actor], tmp_path: Path) -> None:
    case_id = closed_case(db, staff, PER, NOW)
    target = DirectoryTarget(tmp_path)
    first = worker.run_once(db, lambda _m: None, NOW, archive=target)
    sent = _messages(tmp_path)
    assert first.archived == len(sent) >= 2 and first.failed_archiving == 0
    assert worker.run_once(db, lambda _m: None, NOW, archive=target).archived == 0
    before = {name: sorted(p.name for p in path.iterdir()) for name, (path, _) in sent.items()}
    # a worker killed after writing, before its commit: the rows are not marked sent
    with db.transaction() as session:
        session.execute(update(ArchiveRecord).values(sent_at=None))
    again = worker.run_once(db, lambda _m: None, NOW, archive=target)
    assert again.archived == len(sent)
    after = {name: sorted(p.name for p in path.iterdir())
             for name, (path, _) in _messages(tmp_path).items()}
    assert after == before  # the same folders, whole, nothing added
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    with db.reading() as session:
        attempts = list(session.scalars(select(ArchiveRecord.attempts).where(
            ArchiveRecord.case_id == case_id)))
    assert attempts == [2] * len(sent)


def test_an_invalid_message_is_refused_and_not_sent(
        db: Database, staff: dict[str, Actor], tmp_path: Path) -> None:
    case_id = closed_case(db, staff, PER, NOW)
    with db.transaction() as session:  # a saksnummer the schema cannot carry
        session.add(CaseArchive(case_id=case_id, system_id="6f1f0a55-0000-4000-8000-000000000001",
                                saksnummer="tjue/7", recorded_at=NOW))
    result = worker.run_once(db, lambda _m: None, NOW, archive=DirectoryTarget(tmp_path))
    assert result.archived == 0 and result.failed_archiving >= 2
    assert not tmp_path.exists() or fiks_arkiv.folders(tmp_path) == {}
    with db.reading() as session:
        errors = list(session.scalars(select(ArchiveRecord.last_error)))
    assert errors and all("ikke gyldig mot KS' skjema" in (e or "") for e in errors)
    with pytest.raises(InvalidArkivmelding):
        archiving.export_case(db, case_id, tmp_path / "x", "system")


def test_a_kvittering_that_reports_failures_gives_no_keys_and_says_why() -> None:
    kvittering = fiks_arkiv.failed_kvittering("F-1", "Ukjent arkivdel")
    receipt = read_receipt(kvittering)
    assert (receipt.folder_system_id, receipt.saksnummer, receipt.record_system_id) == (
        None, None, None)
    assert receipt.errors == ("F-1: Ukjent arkivdel", "F-1: Ukjent arkivdel")
    with pytest.raises(InvalidArkivmelding, match="kvittering"):
        read_receipt(b"<arkivmeldingKvittering/>")


def test_a_round_reads_the_documents_after_those_handed_over_and_the_failed_ones(
        db: Database, staff: dict[str, Actor], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    target = DirectoryTarget(tmp_path)
    closed_case(db, staff, PER, NOW)
    first = worker.run_once(db, lambda _m: None, NOW, archive=target).archived
    later = closed_case(db, staff, PER, NOW)
    monkeypatch.setattr(archiving, "RESCAN", 0)  # no look back: only what came after
    with db.reading() as session:
        newest = max(session.scalars(select(ArchiveRecord.document_id)))
        later_documents = len(list(archiving._case_documents(session, later)))
    assert worker.run_once(db, lambda _m: None, NOW, archive=target).archived == later_documents
    with db.transaction() as session:  # the oldest record's sending failed: tried again
        oldest = session.scalar(select(ArchiveRecord).order_by(ArchiveRecord.document_id))
        assert oldest is not None and oldest.document_id < newest
        oldest.sent_at = None
    assert archiving._pending_ids(db, 0, 100) == [oldest.document_id]
    with db.transaction() as session:  # one never handed over, far below the newest
        session.delete(session.get(ArchiveRecord, oldest.id))
    assert archiving._pending_ids(db, 0, 100) == []
    monkeypatch.setattr(archiving, "RESCAN", 1000)
    assert archiving._pending_ids(db, 0, 100) == [oldest.document_id]
    assert first >= 2
