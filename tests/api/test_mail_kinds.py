"""Every kind of notice the issue asks for reaches its recipient by e-mail, end to end: a case
driven through the API and the engine writes the outbox rows (a task given, a reminder and an
escalation from the worker's deadlines, a message in the case thread, a letter), and the
worker hands them to a real SMTP server (aiosmtpd) on 127.0.0.1. Each mail has the outbox row's
Message-ID, a plain-text and an HTML part with the link, and no word of the case. A relay that
refuses the login leaves the rows unsent with the error, and the next round sends them.

On SQLite or PostgreSQL as the suite runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from engine.features import mail, overview, profile, worker
from engine.kernel.db import Database
from engine.kernel.models import Outbox, Task
from engine.kernel.settings import SmtpSettings
from engine.kernel.vocabulary import NoticeChoice
from engine.runtime.users import create_user, get_actor
from tests.support.api import PASSWORD
from tests.support.flows import Flow
from tests.support.people import OLA, PER
from tests.support.smtp import BASE_URL, Received, free_port, plain_server

THREAD_TEXT = "Ola har hatt et tilbakefall av angsten, ring meg."
# What may not leave ipflow by e-mail: the citizen, the health details, the task and the text.
SECRETS = ("Ola Hansen", OLA, "angst", "tilbakefall", "Samtykke", "samtykke", "Oversittet",
           "Påminnelse:", "Vedtak")


@pytest.fixture()
def smtp(db: Database) -> Iterator[tuple[Received, SmtpSettings]]:
    """A plain SMTP server, its settings, and people with e-mail addresses: Ola (citizen),
    Kim (his coordinator) and Fia (fagleder of the area, who gets escalations)."""
    create_user(db, "ola", PASSWORD, "Ola Hansen", [("innbygger", None)], OLA,
                email="ola@example.no")
    create_user(db, "kim_epost", PASSWORD, "Kim Epost", [("koordinator", "helse")],
                email="kim@fjordvik.kommune.no")
    create_user(db, "fia_epost", PASSWORD, "Fia Epost", [("fagleder", "helse")],
                email="fia@fjordvik.kommune.no")
    with plain_server() as served:
        yield served


def deliver(flow: Flow, settings: SmtpSettings) -> worker.RoundResult:
    """One worker round at the scenario's now, delivering by SMTP (the folder as fallback)."""
    return worker.run_once(flow.db, mail.smtp_delivery(
        settings, worker.file_delivery(flow.outbox_dir)), now=flow.now)


def rows(db: Database, **where: Any) -> list[Outbox]:
    with db.reading() as session:
        return list(session.scalars(select(Outbox).filter_by(**where).order_by(Outbox.id)))


def mail_of(received: Received, row: Outbox) -> EmailMessage:
    [found] = [m for m in received.mails
               if m["Message-ID"] == f"<outbox-{row.id}@fjordvik.kommune.no>"]
    return found


def check(message: EmailMessage, to: str, subject: str, link: str) -> None:
    """Addressed, said and linked as it should be, in both parts, and nothing more."""
    assert (str(message["To"]), message["Subject"]) == (to, subject)
    plain = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert link in plain and f'href="{link}' in html  # a letter's ends with its PDF's id
    whole = message.as_string()
    for secret in SECRETS:
        assert secret not in whole and secret not in plain and secret not in html, secret


def to_consent(flow: Flow) -> None:
    """Ola's case up to his own consent task (he has a login: the task is his)."""
    flow.report("systemkoordinator", OLA)
    flow.wait(days=1)
    flow.approve("helse")
    flow.wait(days=1)
    flow.appoint("kim_epost")
    flow.train()
    flow.summon(flow.now + timedelta(days=7))


def test_each_kind_of_notice_is_a_mail_through_the_relay(
        flow: Flow, smtp: tuple[Received, SmtpSettings]) -> None:
    received, settings = smtp
    to_consent(flow)
    case = f"{BASE_URL}/cases/{flow.case_id}"

    # Letter: the decision, to Ola, linking to its PDF.
    [letter] = [row for row in rows(flow.db, kind="letter") if row.recipient == "Ola Hansen"][:1]
    # Task given: the consent is Ola's; the coordinator appointed gets none for the
    # appointment itself, only for the tasks that are his.
    [task] = rows(flow.db, kind="task")
    assert task.recipient == "ola"
    result = deliver(flow, settings)
    assert result.failed_deliveries == 0 and not result.errors
    check(mail_of(received, letter), "ola@example.no", "Du har fått et brev i ipflow",
          f"{case}/attachments/")
    check(mail_of(received, task), "ola@example.no", "Du har fått en ny oppgave i ipflow",
          f"{BASE_URL}/mine")

    # New message in the thread: from Kim to Ola, and from Ola to Kim.
    overview.post_message(flow.db, flow.case_id, THREAD_TEXT, get_actor(flow.db, "kim_epost"))
    overview.post_message(flow.db, flow.case_id, "Takk, jeg ringer i morgen.",
                          get_actor(flow.db, "ola"))
    to_ola, to_kim = rows(flow.db, kind="message")
    assert (to_ola.recipient, to_kim.recipient) == ("ola", "kim_epost")
    deliver(flow, settings)
    check(mail_of(received, to_ola), "ola@example.no", "Du har en ny melding i ipflow",
          f"{BASE_URL}/mine")
    check(mail_of(received, to_kim), "kim@fjordvik.kommune.no",
          "Du har en ny melding i ipflow", case)

    # Reminder and escalation: Ola's consent is not given by its deadline, nor a week later.
    with flow.db.reading() as session:
        due = session.scalar(select(Task.due_at).where(Task.case_id == flow.case_id,
                                                       Task.bpmn_id == "give_consent"))
    assert due is not None
    flow.travel_to(due + timedelta(hours=1))
    deliver(flow, settings)
    [reminder] = rows(flow.db, kind="reminder")
    check(mail_of(received, reminder), "ola@example.no", "Du har en påminnelse i ipflow",
          f"{BASE_URL}/mine")
    flow.wait(days=8)
    deliver(flow, settings)
    escalations = {row.recipient: row for row in rows(flow.db, kind="escalation")}
    check(mail_of(received, escalations["fia_epost"]), "fia@fjordvik.kommune.no",
          "Du har et varsel om en oversittet frist i ipflow", case)

    # Every row is delivered once, by mail or (no address known) to the folder.
    assert all(row.delivered_at is not None and row.attempts == 1 for row in rows(flow.db))


def test_a_new_coordinator_is_told_of_the_tasks_that_follow_them(
        flow: Flow, smtp: tuple[Received, SmtpSettings]) -> None:
    received, settings = smtp
    flow.to_follow_up("systemkoordinator", PER, "helse", "koordinator")  # Per has no login
    assert rows(flow.db, kind="task", recipient="kim_epost") == []
    flow.message("coordinator_change", "koordinator", {"reason": "Ny stilling."})
    flow.appoint("kim_epost", bpmn_id="appoint_new_coordinator")
    [told] = rows(flow.db, kind="task", recipient="kim_epost")  # the follow-up moved to Kim
    deliver(flow, settings)
    check(mail_of(received, told), "kim@fjordvik.kommune.no",
          "Du har fått en ny oppgave i ipflow", f"{BASE_URL}/cases/{flow.case_id}")


def test_the_profile_choice_holds_for_the_new_kinds(
        flow: Flow, smtp: tuple[Received, SmtpSettings]) -> None:
    received, settings = smtp
    profile.set_notices(flow.db, get_actor(flow.db, "ola"), NoticeChoice.NONE)
    to_consent(flow)
    overview.post_message(flow.db, flow.case_id, THREAD_TEXT, get_actor(flow.db, "kim_epost"))
    assert rows(flow.db, kind="task", recipient="ola") and rows(flow.db, kind="message")
    deliver(flow, settings)
    assert "ola@example.no" not in {str(m["To"]) for m in received.mails}
    assert all(row.delivered_at is not None for row in rows(flow.db))


def test_a_refused_login_keeps_the_row_with_its_error_and_the_next_round_sends_it(
        flow: Flow, smtp: tuple[Received, SmtpSettings]) -> None:
    """The relay refuses ipflow's credentials (they were changed on the relay); the rows
    stay unsent with an error that says what to check, nothing of them is lost, and once the
    relay takes the credentials again the next round sends each with its own Message-ID."""
    _, plain = smtp
    accepted = {"password": b"nytt-passord"}
    logins: list[bytes] = []

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                     data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append(data.password)
        # handled=False: the server answers a refusal with 535 itself.
        return AuthResult(success=data.password == accepted["password"], handled=False)

    received = Received()
    controller = Controller(received, hostname="127.0.0.1", port=free_port(),
                            authenticator=authenticate, auth_require_tls=False)
    controller.start()
    try:
        settings = SmtpSettings(**{**plain.__dict__, "port": controller.port,
                                   "username": "ipflow", "password": "gammelt-passord"})
        to_consent(flow)
        before = [(r.id, r.kind, r.recipient, r.subject, r.body, r.document_id)
                  for r in rows(flow.db)]
        mailed = [r for r in rows(flow.db) if r.recipient == "ola"
                  or (r.kind == "letter" and r.recipient == "Ola Hansen")]
        assert mailed

        refused = deliver(flow, settings)
        assert refused.failed_deliveries == len(mailed) and not refused.errors
        assert received.mails == [] and logins
        for row in rows(flow.db, delivered_at=None):
            assert row.attempts == 1
            assert row.last_error is not None
            assert "refused the login of 'ipflow'" in row.last_error
            assert "535" in row.last_error and "IPFLOW_SMTP_PASSWORD" in row.last_error
        assert {r.id for r in rows(flow.db, delivered_at=None)} == {r.id for r in mailed}

        accepted["password"] = b"gammelt-passord"  # the relay takes the credentials again
        flow.wait(minutes=5)
        again = deliver(flow, settings)
        assert again.delivered == len(mailed) and again.failed_deliveries == 0
        assert sorted(m["Message-ID"] for m in received.mails) == sorted(
            f"<outbox-{r.id}@fjordvik.kommune.no>" for r in mailed)
        after = rows(flow.db)
        assert [(r.id, r.kind, r.recipient, r.subject, r.body, r.document_id)
                for r in after] == before
        assert all(r.delivered_at is not None and r.last_error is None for r in after)
        assert {r.attempts for r in after if r.id in {m.id for m in mailed}} == {2}
    finally:
        controller.stop()
