"""The outbox delivered as e-mail through the municipality's SMTP relay.

A mail carries no health data (Normen): not the letter, not the reminder's task name, not the
citizen's name; only that there is something new in ipflow and a link to where it is read
after logging in: staff to the case (the inbox when the row has no case), citizens to their
letter's PDF or to ``/mine``. The letter itself is never attached.

Each mail's Message-ID is made from the outbox id, so a mail sent again after a worker died
between handing it to the relay and its commit (the worker delivers at least once) is the same
message to the recipient's mail system, which can drop the second copy.

Who gets the mail: a row's recipient is a username (notices, reminders, escalations, tasks
given, thread messages) or, for letters, a name as the letter lists it. A user is looked up by
username; a letter's recipient who is the case's citizen by the case's fødselsnummer. A
recipient without an active user with an e-mail address (a guardian, a role's mailbox such as
«systemkoordinator») is handed to the fallback target, the outbox folder, where it is today:
letters there are the paper-post pile. A user who chose no e-mail on their profile
(``app_user.notices``) gets none: the row is delivered, and they see it marked unread in
ipflow; one who chose a daily mail gets :func:`daily_digest`.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, object_session

from engine.features.worker import Deferred, Deliver
from engine.kernel import clock
from engine.kernel.clock import MUNICIPAL_TZ
from engine.kernel.models import Attachment, Case, Outbox, User
from engine.kernel.settings import SmtpSettings, handler_settings, smtp_settings
from engine.kernel.vocabulary import NoticeChoice, OutboxKind, Role

log = logging.getLogger(__name__)

# What each kind of row says, in the subject and the first line; nothing about the case.
DEFAULT_SUBJECT = "Du har en ny melding i ipflow"
SUBJECTS: dict[str, str] = {
    OutboxKind.LETTER: "Du har fått et brev i ipflow",
    OutboxKind.REMINDER: "Du har en påminnelse i ipflow",
    OutboxKind.ESCALATION: "Du har et varsel om en oversittet frist i ipflow",
    OutboxKind.TASK: "Du har fått en ny oppgave i ipflow",
    OutboxKind.MESSAGE: DEFAULT_SUBJECT,
}
COPY_SUFFIX = ", kopi"
# Those who chose a daily digest get it in the first worker round after this, Oslo time.
DIGEST_AT = time(7, 0)


@dataclass(frozen=True)
class Address:
    """Where one row's mail goes and the page its link opens."""

    email: str
    link: str
    citizen: bool


def message_id(outbox_id: int, sender: str) -> str:
    """The same Message-ID for every delivery of one outbox row, in the sender's domain."""
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<outbox-{outbox_id}@{domain}>"


def recipient_user(session: Session, row: Outbox) -> User | None:
    """The active user the row is for: by username, or a letter's citizen by fødselsnummer."""
    user = session.scalar(select(User).where(User.username == row.recipient, User.active))
    if user is None and row.kind == "letter" and row.case_id is not None:
        case = session.get(Case, row.case_id)
        name = row.recipient.removesuffix(COPY_SUFFIX)
        if case is not None and name == case.citizen_name:
            user = session.scalar(select(User).where(User.nin == case.citizen_nin,
                                                     User.active))
    return user


def address_of(session: Session, user: User | None, row: Outbox, base_url: str
               ) -> Address | None:
    """The user's e-mail address and the row's link, or None when ipflow knows no address:
    a citizen's letter links to its PDF (opened after logging in), anything else of theirs to
    ``/mine``; staff's to the case."""
    if user is None or not user.email:
        return None
    if all(m.role == Role.INNBYGGER for m in user.memberships):
        pdf = session.scalar(select(Attachment.id).where(
            Attachment.document_id == row.document_id,
            Attachment.media_type == "application/pdf")) if row.document_id else None
        if pdf is not None:
            return Address(user.email, f"{base_url}/cases/{row.case_id}/attachments/{pdf}",
                           citizen=True)
        return Address(user.email, f"{base_url}/mine", citizen=True)
    page = f"/cases/{row.case_id}" if row.case_id is not None else "/inbox"
    return Address(user.email, base_url + page, citizen=False)


@dataclass(frozen=True)
class Mail:
    """What one mail says: a subject, and where to read more; nothing about the case."""

    subject: str
    message_id: str
    date: datetime
    address: Address


def mail_for(row: Outbox, address: Address, settings: SmtpSettings) -> Mail:
    return Mail(SUBJECTS.get(row.kind, DEFAULT_SUBJECT), message_id(row.id, settings.sender),
                row.created_at, address)


def compose(mail: Mail, settings: SmtpSettings, sender_name: str) -> EmailMessage:
    """The mail as sent: a plain-text and an HTML part, both saying only where to look."""
    message = EmailMessage()
    message["From"] = f"{sender_name} <{settings.sender}>"
    message["To"] = mail.address.email
    message["Subject"] = mail.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = format_datetime(mail.date)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no automatic replies to it
    lines = [f"{mail.subject}.", "",
             "Logg inn for å lese mer:", mail.address.link, "",
             "Denne e-posten er sendt automatisk og kan ikke besvares."]
    message.set_content("\n".join(lines))
    link = escape(mail.address.link)
    message.add_alternative(
        f'<!DOCTYPE html>\n<html lang="nb"><body>\n<p>{escape(mail.subject)}.</p>\n'
        f'<p>Logg inn for å lese mer: <a href="{link}">{link}</a></p>\n'
        f"<p>Denne e-posten er sendt automatisk og kan ikke besvares.</p>\n</body></html>\n",
        subtype="html")
    return message


def digest_moment(now: datetime) -> datetime:
    """The latest ``DIGEST_AT`` in the municipality's zone at or before ``now``."""
    local = now.astimezone(MUNICIPAL_TZ)
    day = local.date() if local.time() >= DIGEST_AT else local.date() - timedelta(days=1)
    return datetime.combine(day, DIGEST_AT, tzinfo=MUNICIPAL_TZ).astimezone(UTC)


def daily_digest(session: Session, row: Outbox, user: User, address: Address,
                 settings: SmtpSettings) -> Mail:
    """One mail for everything of the user's from before the day's digest moment, or Deferred.

    The row in hand is marked by the worker; the user's other rows due in the same digest are
    marked delivered here, in the row's transaction, so they are sent once, together. Rows
    another worker holds are skipped; it sends them in a digest with the same Message-ID,
    which the recipient's mail system takes for this one."""
    moment = digest_moment(clock.now())
    if row.created_at >= moment:
        raise Deferred
    mine = or_(Outbox.recipient == user.username,
               and_(Outbox.kind == "letter", Case.citizen_nin == user.nin))
    query = (select(Outbox).outerjoin(Case, Outbox.case_id == Case.id)
             .where(Outbox.delivered_at.is_(None), Outbox.created_at < moment,
                    Outbox.id != row.id, mine if user.nin else Outbox.recipient == user.username)
             .order_by(Outbox.id))
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Outbox)
    others = [other for other in session.scalars(query)
              if (found := recipient_user(session, other)) is not None and found.id == user.id]
    for other in others:
        other.attempts = other.attempts + 1
        other.delivered_at = clock.now()
        other.last_error = None
    count = len(others) + 1
    subject = ("Du har en ny melding i ipflow" if count == 1
               else f"Du har {count} nye meldinger i ipflow")
    domain = settings.sender.rpartition("@")[2] or "localhost"
    page = "/mine" if address.citizen else "/inbox"
    return Mail(subject, f"<digest-{user.id}-{moment:%Y%m%d}@{domain}>", moment,
                Address(address.email, settings.base_url + page, address.citizen))


def login(smtp: smtplib.SMTP, settings: SmtpSettings) -> None:
    """Log in; a refusal is an OSError that says so and names the settings to check, since
    the row's ``last_error`` is what the operator reads (smtplib's is a code and bytes)."""
    try:
        smtp.login(settings.username or "", settings.password or "")
    except smtplib.SMTPAuthenticationError as exc:
        reply = exc.smtp_error
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        raise OSError(f"the SMTP relay refused the login of {settings.username!r} "
                      f"({exc.smtp_code} {text}); check IPFLOW_SMTP_USERNAME and "
                      "IPFLOW_SMTP_PASSWORD. The row is sent again in the next round.") from exc


def send(settings: SmtpSettings, message: EmailMessage) -> None:
    """Hand one mail to the relay; every failure is an OSError (smtplib's and ssl's are).

    Not ``with smtplib.SMTP(...)``: its exit sends QUIT even after a failed TLS handshake,
    and the error of that QUIT would replace the one that says what went wrong. Once the
    relay has taken the mail, a failing QUIT is no reason to send it again."""
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context(cafile=settings.ca_file))
        if settings.username:
            login(smtp, settings)
        smtp.send_message(message)
        with suppress(OSError):
            smtp.quit()
    finally:
        smtp.close()


def smtp_delivery(settings: SmtpSettings, fallback: Deliver) -> Deliver:
    """Deliver each row as a mail to its recipient, or through ``fallback`` when ipflow has
    no e-mail address for them. Called inside the worker's transaction for the row."""
    sender_name = handler_settings().municipality_name

    def deliver(row: Outbox) -> None:
        session = object_session(row)
        assert session is not None  # the worker hands over a row of its open transaction
        user = recipient_user(session, row)
        if user is not None and user.notices == NoticeChoice.NONE:
            log.info("outbox row %s: its recipient wants no e-mail", row.id)
            return  # delivered: they see it unread in ipflow
        address = address_of(session, user, row, settings.base_url)
        if user is None or address is None:
            log.info("outbox row %s: no e-mail address for its recipient, written to the "
                     "outbox folder", row.id)
            fallback(row)
            return
        if user.notices == NoticeChoice.DAILY:
            send(settings, compose(daily_digest(session, row, user, address, settings),
                                   settings, sender_name))
            return
        send(settings, compose(mail_for(row, address, settings), settings, sender_name))

    return deliver


def delivery_from_env(fallback: Deliver) -> Deliver:
    """E-mail when ``IPFLOW_SMTP_HOST`` is set, else ``fallback`` (the demo's outbox folder)."""
    settings = smtp_settings()
    return fallback if settings is None else smtp_delivery(settings, fallback)
