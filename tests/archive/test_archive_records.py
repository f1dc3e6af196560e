"""The consent declaration and each version of the plan reach the archive as journalposter of
their own, with their PDF/A, through the worker's queue, the export and RabbitMQ, into the
case's saksmappe; checked against KS's schemas and tests/support/pdfa.py."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select

from engine import demo
from engine.features import archiving, plans, worker
from engine.features.archive_transport import AmqpTarget, DirectoryTarget
from engine.features.arkivmelding import SKJERMINGSHJEMMEL
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import ArchiveRecord, Attachment, Case, CaseArchive, Document
from engine.runtime.users import Actor
from tests.support import fiks_arkiv, legal_events, pdfa
from tests.support.pages import inside
from tests.support.people import PER

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
FOLDER_ID = str(uuid.uuid4())


def _planned_case(db: Database, staff: dict[str, Actor]) -> int:
    """Per's case consented to (by himself) and planned, then the plan revised once."""
    with clock.frozen_at(T0):
        case_id = demo.to_follow_up(db, staff, PER, "helse", staff["koordinator"])
    with clock.frozen_at(T0 + timedelta(days=3)):
        plans.revise_plan(db, case_id, {"plan_needs": "Hjemmetjenester og tolk ved møtene."},
                          1, staff["koordinator"])
    return case_id


def _of_kind(folder: Path, kind: str) -> list[tuple[Path, Any]]:
    """The messages in ``folder`` of the documents of ``kind``, oldest first."""
    with_kind = []
    for path in fiks_arkiv.folders(folder).values():
        message = fiks_arkiv.valid((path / "arkivmelding.xml").read_bytes())
        dokumenttype = fiks_arkiv.codes(message, "dokumenttype")
        if dokumenttype == [kind]:
            with_kind.append((path, message))
    return sorted(with_kind, key=lambda m: int(m[0].name.rsplit("-", 1)[1]))


def _pdf_beside(path: Path, message: Any) -> bytes:
    [name] = fiks_arkiv.texts(message, "//a:referanseDokumentfil/text()")
    pdf = (path / name).read_bytes()
    assert fiks_arkiv.texts(message, "//a:sjekksum/text()") == [hashlib.sha256(pdf).hexdigest()]
    assert fiks_arkiv.codes(message, "format") == ["RA-PDF"]
    assert pdfa.archival_problems(pdf) == []
    return pdf


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_consent_and_each_plan_version_are_journalposts_with_their_pdf_a(
        db: Database, staff: dict[str, Actor], tmp_path: Path) -> None:
    case_id = _planned_case(db, staff)
    result = worker.run_once(db, lambda _m: None, T0 + timedelta(days=4),
                             archive=DirectoryTarget(tmp_path))
    assert result.failed_archiving == 0
    [(consent_dir, consent)] = _of_kind(tmp_path, "SAMTYKKE")
    versions = _of_kind(tmp_path, "PLAN")
    assert len(versions) == 2  # the plan task's version and the revision

    # the consent: the citizen's statement to the municipality, so inngående, with him as
    # its screened avsender (his fødselsnummer), journalført
    assert fiks_arkiv.codes(consent, "journalposttype") == ["I"]
    assert fiks_arkiv.codes(consent, "journalstatus") == ["J"]
    assert fiks_arkiv.codes(consent, "korrespondanseparttype") == ["EA"]
    assert fiks_arkiv.texts(consent, "//a:korrespondansepart/a:erSkjermet/text()") == ["true"]
    assert fiks_arkiv.texts(consent, "//a:korrespondansepart/a:personid/text()") == [PER]
    assert fiks_arkiv.texts(consent, "//a:mottattDato/text()")
    consent_text = _text(_pdf_beside(consent_dir, consent))
    assert "Samtykkeerklæring" in consent_text and "Fastlege" in consent_text
    assert "Unntatt offentlighet" in consent_text

    # each version of the plan: organinternt, followed up (N), without parties
    for number, (path, version) in enumerate(versions, start=1):
        assert fiks_arkiv.codes(version, "journalposttype") == ["N"]
        assert fiks_arkiv.codes(version, "journalstatus") == ["J"]
        assert fiks_arkiv.texts(version, "//a:korrespondansepart") == []
        assert fiks_arkiv.texts(version, "//a:registrering/a:tittel/text()") == [
            f"Individuell plan, versjon {number}"]
        assert "Mestre hverdagen hjemme." in _text(_pdf_beside(path, version))
    assert "tolk ved møtene" in _text(_pdf_beside(*versions[1]))
    assert "tolk ved møtene" not in _text(_pdf_beside(*versions[0]))

    for _, message in [(consent_dir, consent), *versions]:
        # screened as every health record, in the case's saksmappe by ipflow's key
        assert fiks_arkiv.texts(message, "//a:skjermingshjemmel/text()") == [
            SKJERMINGSHJEMMEL] * 3
        assert set(fiks_arkiv.codes(message, "tilgangsrestriksjon")) == {"13"}
        assert fiks_arkiv.texts(
            message, "//a:referanseForelderMappe/m:referanseEksternNoekkel/m:noekkel/text()"
        ) == [f"ipflow-sak-{case_id}"]

    # the export writes the same records; a second round sends none of them again
    exported = set(archiving.export_case(db, case_id, tmp_path / "export", "system"))
    assert {consent_dir.name, *(p.name for p, _ in versions)} <= exported
    assert worker.run_once(db, lambda _m: None, T0 + timedelta(days=5),
                           archive=DirectoryTarget(tmp_path)).archived == 0


def test_a_citizen_finds_the_consent_and_the_plan_versions_among_the_documents(
        db: Database, web: Callable[[str], Any]) -> None:
    """The procedure wants the citizen to have a copy of the consent; each version of the
    plan is kept as it was agreed. Both are text in the case (printed when archived)."""
    case_id = legal_events.citizen_in_follow_up(db)
    with db.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None
        kinds = [(d.kind, d.title, d.recipients) for d in session.scalars(
            select(Document).where(Document.case_id == case_id, Document.kind.in_(
                ["consent", "plan"])).order_by(Document.id))]
        files = session.scalars(select(Attachment.id).join(Document).where(
            Document.case_id == case_id, Document.kind.in_(["consent", "plan"]))).all()
    assert kinds == [
        ("consent", "Samtykkeerklæring – individuell plan og koordinator", [case.citizen_name]),
        ("plan", "Individuell plan, versjon 1", [])]
    assert files == []
    documents = inside(web("innbygger").get(f"/cases/{case_id}"), "dokumenter")
    # she consented herself: named as the one who gave it, not as a «Mottaker»
    assert f"Gitt av: {case.citizen_name}" in documents
    assert "Samtykke til deling av opplysninger" in documents and "Fastlege" in documents
    assert "Individuell plan, versjon 1 · Individuell plan" in documents
    assert "Mestre hverdagen hjemme." in documents


def test_consent_and_plan_go_over_rabbitmq_into_the_saksmappe_the_kvittering_named(
        db: Database, staff: dict[str, Actor], broker: tuple[Any, AmqpTarget]) -> None:
    channel, target = broker
    with clock.frozen_at(T0):  # reported, granted, a coordinator appointed: letters
        case_id = demo.report(db, staff["systemkoordinator"], PER)
        demo.approve(db, staff, case_id, "helse")
        demo.appoint(db, staff, case_id)
    worker.run_once(db, lambda _m: None, T0 + timedelta(hours=1), archive=target)
    assert fiks_arkiv.answer_all(channel, target.queue, target.reply_queue, FOLDER_ID, 2026, 7)
    worker.run_once(db, lambda _m: None, T0 + timedelta(hours=2), archive=target)
    with db.reading() as session:
        keys = session.get(CaseArchive, case_id)
    assert keys is not None and keys.system_id == FOLDER_ID

    with clock.frozen_at(T0 + timedelta(days=1)):
        demo.consent(db, staff["koordinator"], case_id, wants_ip=True)
        demo.establish_plan(db, staff["koordinator"], case_id)
    later = worker.run_once(db, lambda _m: None, T0 + timedelta(days=2), archive=target)
    assert later.failed_archiving == 0
    messages = fiks_arkiv.answer_all(channel, target.queue, target.reply_queue, FOLDER_ID, 2026, 7)
    records = {fiks_arkiv.codes(m, "dokumenttype")[0]: m for m in messages}
    assert {"SAMTYKKE", "PLAN"} <= set(records)
    for kind, posttype in (("SAMTYKKE", "I"), ("PLAN", "N")):
        message = records[kind]
        assert message.find("a:mappe", fiks_arkiv.N) is None
        assert fiks_arkiv.codes(message, "journalposttype") == [posttype]
        assert fiks_arkiv.texts(message, "//a:referanseForelderMappe/m:systemID/text()") == [
            FOLDER_ID]
        assert fiks_arkiv.texts(
            message, "//a:referanseForelderMappe/m:saksnummer/m:sakssekvensnummer/text()"
        ) == ["7"]
    assert worker.run_once(db, lambda _m: None, T0 + timedelta(days=3),
                           archive=target).receipts == len(messages)
    with db.reading() as session:
        unanswered = session.scalars(select(ArchiveRecord.document_id).where(
            ArchiveRecord.case_id == case_id, ArchiveRecord.system_id.is_(None))).all()
    assert unanswered == []
