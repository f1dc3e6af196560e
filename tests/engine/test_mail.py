"""The outbox delivered as e-mail to a real SMTP server (aiosmtpd) on 127.0.0.1: who gets a
mail and who the outbox folder, what a mail says and does not say, the same Message-ID when a
worker dies between sending and its commit, and STARTTLS with a login against a certificate
made here.

Each test starts its own server on a free port and reads the mails it received.
"""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from engine import demo
from engine.features import case_start, mail, profile, worker
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import Attachment, Document, Outbox, User
from engine.kernel.settings import SmtpSettings, smtp_settings
from engine.kernel.vocabulary import NoticeChoice
from engine.runtime.users import create_user, get_actor
from tests.support.commands import ROOT, ipflow_command
from tests.support.people import OLA
from tests.support.smtp import BASE_URL, SENDER, Received, free_port, plain_server

REPORT = {"citizen_name": "Ola Hansen", "citizen_nin": OLA,
          "reported_by": "kommunal_tjenesteyter", "requests": ["ip", "koordinator"]}
# What the letter and the reminder say; none of it may leave ipflow by e-mail.
LETTER_TEXT = "Ola Hansen (23074820085) har angst og depresjon og får vedtak om IP."
TASK_NAME = "Vurdere behov for psykisk helsehjelp"


@pytest.fixture()
def smtp_server() -> Iterator[tuple[Received, SmtpSettings]]:
    """A plain SMTP server (no TLS) and the settings that reach it."""
    with plain_server() as served:
        yield served


def make_case(db: Database) -> tuple[int, int]:
    """A case for Ola, a letter (with its PDF) to him and his guardian, and a reminder to his
    coordinator, each in the outbox; Ola and the coordinator have e-mail addresses, the
    guardian none. Answers the case and the letter's outbox row."""
    create_user(db, "ola", "x", "Ola Hansen", [("innbygger", None)], OLA, email="ola@example.no")
    create_user(db, "kim_epost", "x", "Kim Epost", [("koordinator", "helse")],
                email="kim@fjordvik.kommune.no")
    case_id = case_start.start_case(db, "ip_koordinator", REPORT, get_actor(db, "koordinator"),
                                    duplicate_reason=demo.SEVERAL_CASES)
    with db.transaction() as session:
        document = Document(case_id=case_id, kind="letter", title="Vedtak om individuell plan",
                            body=LETTER_TEXT, recipients=["Ola Hansen", "Marte Hansen "
                                                          "(foresatt), kopi"],
                            created_at=clock.now())
        session.add(Attachment(case_id=case_id, document=document, filename="letter.pdf",
                               media_type="application/pdf", size=9, content=b"%PDF-1.7\n",
                               created_at=document.created_at))
        letter = Outbox(case_id=case_id, kind="letter", recipient="Ola Hansen",
                        subject=document.title, document=document, created_at=document.created_at)
        session.add_all([letter, Outbox(
            case_id=case_id, kind="letter", recipient="Marte Hansen (foresatt), kopi",
            subject=document.title, document=document, created_at=document.created_at),
            Outbox(case_id=case_id, kind="reminder", recipient="kim_epost",
                   subject=f"Påminnelse: fristen for «{TASK_NAME}» er passert",
                   body=f"Fristen for oppgaven «{TASK_NAME}» i sak {case_id} er passert.",
                   created_at=document.created_at)])
        session.flush()
        return case_id, letter.id


def deliver_all(db: Database, deliver: worker.Deliver) -> worker.RoundResult:
    result = worker.RoundResult()
    worker.deliver_outbox(db, deliver, result)
    return result


def by_recipient(received: Received) -> dict[str, EmailMessage]:
    return {str(message["To"]): message for message in received.mails}


def test_citizen_and_staff_get_a_mail_with_a_link_and_no_health_data(
        db: Database, smtp_server: tuple[Received, SmtpSettings], tmp_path: Path) -> None:
    received, settings = smtp_server
    case_id, letter_id = make_case(db)
    result = deliver_all(db, mail.smtp_delivery(settings, worker.file_delivery(tmp_path)))

    assert result.failed_deliveries == 0 and not result.errors
    mails = by_recipient(received)
    assert sorted(mails) == ["kim@fjordvik.kommune.no", "ola@example.no"]
    citizen, staff = mails["ola@example.no"], mails["kim@fjordvik.kommune.no"]
    assert citizen["Message-ID"] == f"<outbox-{letter_id}@fjordvik.kommune.no>"
    assert citizen["Subject"] == "Du har fått et brev i ipflow"
    assert staff["Subject"] == "Du har en påminnelse i ipflow"
    assert citizen["From"].addresses[0].addr_spec == SENDER
    assert citizen["Auto-Submitted"] == "auto-generated"
    with db.reading() as session:
        pdf = session.scalar(select(Attachment.id))
    # The citizen's letter links to its PDF, which opens after logging in.
    for message, link in ((citizen, f"{BASE_URL}/cases/{case_id}/attachments/{pdf}"),
                          (staff, f"{BASE_URL}/cases/{case_id}")):
        plain = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert link in plain and f'href="{link}"' in html
        whole = message.as_string()
        for secret in ("Ola Hansen", OLA, "angst", "depresjon", "Vedtak", TASK_NAME, "Påminnelse:"):
            assert secret not in whole and secret not in plain and secret not in html
    # The guardian has no address ipflow knows, nor has the koordinerende enhet's mailbox:
    # their rows are in the outbox folder, as without SMTP, and every row is delivered.
    written = sorted(path.name for path in tmp_path.glob("*.txt"))
    assert any(name.endswith("-letter.txt") for name in written)
    assert "Marte Hansen (foresatt), kopi" in "".join(
        path.read_text(encoding="utf-8") for path in tmp_path.glob("*.txt"))
    with db.reading() as session:
        rows = list(session.scalars(select(Outbox)))
    assert all(row.delivered_at is not None and row.attempts == 1 for row in rows)
    assert len(written) + len(received.mails) == len(rows)


def test_a_failed_commit_after_sending_sends_the_same_message_id_again(
        db: Database, smtp_server: tuple[Received, SmtpSettings], tmp_path: Path) -> None:
    received, settings = smtp_server
    make_case(db)
    deliver = mail.smtp_delivery(settings, worker.file_delivery(tmp_path))

    def send_then_fail(row: Outbox) -> None:
        deliver(row)
        raise RuntimeError("the commit never happens")

    first = deliver_all(db, send_then_fail)
    assert first.delivered == 0 and len(first.errors) >= 2
    sent_first = [message["Message-ID"] for message in received.mails]
    assert len(sent_first) == 2
    with db.reading() as session:
        assert session.scalars(select(Outbox.delivered_at)).all() == [None] * len(first.errors)

    assert deliver_all(db, deliver).delivered == len(first.errors)
    assert [message["Message-ID"] for message in received.mails[2:]] == sent_first


def test_a_worker_killed_between_send_and_commit_redelivers_the_same_message(
        db: Database, smtp_server: tuple[Received, SmtpSettings], tmp_path: Path) -> None:
    """The real ``ipflow worker`` with IPFLOW_SMTP_HOST set, paused inside the row's
    transaction after the mail has gone, killed there; the next worker sends it again."""
    received, settings = smtp_server
    _, letter_id = make_case(db)
    with db.transaction() as session:  # only the letter to Ola is left to deliver
        for row in session.scalars(select(Outbox).where(Outbox.id != letter_id)):
            row.delivered_at = row.created_at

    def start(pause: float) -> subprocess.Popen[str]:
        env = {**os.environ, "DATABASE_URL": db.url, "IPFLOW_SMTP_HOST": "127.0.0.1",
               "IPFLOW_SMTP_PORT": str(settings.port), "IPFLOW_SMTP_STARTTLS": "0",
               "IPFLOW_SMTP_FROM": SENDER, "IPFLOW_BASE_URL": BASE_URL,
               "IPFLOW_WORKER_ITEM_PAUSE": str(pause),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                           os.environ.get("PYTHONPATH")]))}
        return subprocess.Popen([*ipflow_command(), "worker", "--once", "--outbox-dir",
                                 str(tmp_path)], cwd=ROOT, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    victim = start(pause=60)
    received.wait_for(1)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    with db.reading() as session:
        assert session.get(Outbox, letter_id).delivered_at is None  # type: ignore[union-attr]

    again = start(pause=0)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, (out, err)
    assert [m["Message-ID"] for m in received.mails] == [f"<outbox-{letter_id}@"
                                                         "fjordvik.kommune.no>"] * 2
    with db.reading() as session:
        row = session.get(Outbox, letter_id)
        assert row is not None and row.delivered_at is not None and row.attempts == 1
    assert not list(tmp_path.glob("*.txt"))


def test_starttls_and_login_against_a_certificate_made_here(db: Database,
                                                          tmp_path: Path) -> None:
    """The server requires STARTTLS before AUTH; ipflow trusts the CA named by
    IPFLOW_SMTP_CA_FILE, checks the server's name, and logs in with the configured user; with
    the system's CAs only, the certificate is refused and the rows wait with that error."""
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                     data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"hemmelig")

    received = Received()
    controller = Controller(received, hostname="127.0.0.1", port=free_port(),
                            tls_context=server_context, require_starttls=True,
                            authenticator=authenticate, auth_require_tls=True)
    controller.start()
    try:
        settings = SmtpSettings(host="127.0.0.1", port=controller.port, starttls=True,
                                username="ipflow", password="hemmelig", sender=SENDER,
                                base_url=BASE_URL, ca_file=str(ca_file), timeout=10)
        make_case(db)
        assert deliver_all(db, mail.smtp_delivery(
            settings, worker.file_delivery(tmp_path))).failed_deliveries == 0
        assert len(received.mails) == 2 and logins[0] == (b"ipflow", b"hemmelig")

        untrusted = SmtpSettings(**{**settings.__dict__, "ca_file": None})
        with db.transaction() as session:
            for row in session.scalars(select(Outbox)):
                row.delivered_at = None
        result = deliver_all(db, mail.smtp_delivery(untrusted, worker.file_delivery(tmp_path)))
        assert result.failed_deliveries == 2
        with db.reading() as session:
            errors = [row.last_error or "" for row in session.scalars(select(Outbox))
                      if row.delivered_at is None]
        assert len(errors) == 2 and all("CERTIFICATE" in text for text in errors), errors
    finally:
        controller.stop()


def test_smtp_is_chosen_by_its_host_variable(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    fallback: Callable[[Outbox], None] = worker.file_delivery(tmp_path)
    monkeypatch.delenv("IPFLOW_SMTP_HOST", raising=False)
    assert smtp_settings() is None and mail.delivery_from_env(fallback) is fallback
    monkeypatch.setenv("IPFLOW_SMTP_HOST", "smtp.fjordvik.kommune.no")
    monkeypatch.setenv("IPFLOW_SMTP_FROM", SENDER)
    monkeypatch.setenv("IPFLOW_BASE_URL", BASE_URL + "/")
    assert smtp_settings() == SmtpSettings(host="smtp.fjordvik.kommune.no", sender=SENDER,
                                           base_url=BASE_URL)
    assert mail.delivery_from_env(fallback) is not fallback
    monkeypatch.setenv("IPFLOW_SMTP_PORT", "smtp")
    with pytest.raises(ValueError, match="IPFLOW_SMTP_PORT"):
        smtp_settings()


def test_no_mail_to_whoever_chose_none(db: Database, smtp_server: tuple[Received, SmtpSettings],
                                       tmp_path: Path) -> None:
    """Their rows are delivered without a mail (they see them unread in ipflow), and not
    written to the outbox folder either."""
    received, settings = smtp_server
    make_case(db)
    profile.set_notices(db, get_actor(db, "ola"), NoticeChoice.NONE)
    result = deliver_all(db, mail.smtp_delivery(settings, worker.file_delivery(tmp_path)))
    assert result.failed_deliveries == 0
    assert [str(message["To"]) for message in received.mails] == ["kim@fjordvik.kommune.no"]
    assert not any("Til: Ola Hansen\n" in path.read_text(encoding="utf-8")
                   for path in tmp_path.glob("*.txt"))


def test_a_daily_digest_is_one_mail_the_next_morning(
        db: Database, smtp_server: tuple[Received, SmtpSettings], tmp_path: Path) -> None:
    received, settings = smtp_server
    noon = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)  # 12:00 in Oslo
    with clock.frozen_at(noon):
        case_id, _ = make_case(db)
        with db.transaction() as session:
            session.add(Outbox(case_id=case_id, kind="notification", recipient="kim_epost",
                               subject="Ny melding", body="Ola skriver om angsten sin.",
                               created_at=noon))
    profile.set_notices(db, get_actor(db, "kim_epost"), NoticeChoice.DAILY)
    deliver = mail.smtp_delivery(settings, worker.file_delivery(tmp_path))

    evening = worker.RoundResult()
    worker.deliver_outbox(db, deliver, evening, now=noon + timedelta(hours=8))
    assert evening.failed_deliveries == 0 and not evening.errors
    assert [str(message["To"]) for message in received.mails] == ["ola@example.no"]
    with db.reading() as session:
        held = [(row.attempts, row.delivered_at) for row in session.scalars(
            select(Outbox).where(Outbox.recipient == "kim_epost"))]
    assert held == [(0, None), (0, None)]

    morning = datetime(2026, 3, 11, 6, 5, tzinfo=UTC)  # 07:05 in Oslo
    worker.deliver_outbox(db, deliver, worker.RoundResult(), now=morning)
    worker.deliver_outbox(db, deliver, worker.RoundResult(), now=morning + timedelta(hours=1))
    assert len(received.mails) == 2
    digest = received.mails[1]
    kim = get_actor(db, "kim_epost")
    with db.reading() as session:
        kim_id = session.scalar(select(User.id).where(User.username == kim.username))
        rows = list(session.scalars(select(Outbox).where(Outbox.recipient == "kim_epost")))
    assert digest["To"] == "kim@fjordvik.kommune.no"
    assert digest["Subject"] == "Du har 2 nye meldinger i ipflow"
    assert digest["Message-ID"] == f"<digest-{kim_id}-20260311@fjordvik.kommune.no>"
    plain = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"{BASE_URL}/inbox" in plain and "angst" not in plain
    assert [(row.attempts, row.delivered_at is not None) for row in rows] == [(1, True)] * 2


def test_the_digest_moment_is_seven_in_the_morning_in_oslo() -> None:
    summer_evening = datetime(2026, 7, 1, 20, 0, tzinfo=UTC)
    assert mail.digest_moment(summer_evening) == datetime(2026, 7, 1, 5, 0, tzinfo=UTC)
    winter_night = datetime(2026, 1, 15, 5, 59, tzinfo=UTC)  # 06:59 in Oslo
    assert mail.digest_moment(winter_night) == datetime(2026, 1, 14, 6, 0, tzinfo=UTC)
