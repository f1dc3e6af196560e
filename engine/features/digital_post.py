"""Letters to citizens through digital post (SvarUt, Digipost, e-Boks): the interface the worker
hands a letter to, and a folder target that stands in for the service.

A letter goes by digital post when it has its PDF and is to the case's citizen, or to a
guardian whose fødselsnummer the report recorded (``outbox.recipient_nin``); the service finds
the person by fødselsnummer and applies their choice in the contact register (digital mailbox,
or paper post). Everything else (a guardian without a recorded number, notices, reminders)
goes on to the next target (e-mail, or the outbox folder).

Only the interface and :class:`FolderPost` are built. The real SvarUt or Digipost call needs
what a municipality holds (a Maskinporten client and the organisation's certificate, or
SvarUt's service account); an adapter is a class with :class:`DigitalPost`'s ``send``, and it
must give the service the letter's ``reference`` as its idempotency key, since the worker
delivers at least once.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import object_session

from engine.features.mail import COPY_SUFFIX
from engine.features.worker import Deliver
from engine.kernel.models import Attachment, Case, Outbox

FOLDER_ENV = "IPFLOW_DIGITAL_POST_DIR"


@dataclass(frozen=True)
class PostedLetter:
    """One letter as a digital-post service takes it."""

    reference: str  # ``outbox-<id>``: the same for every delivery of one outbox row
    case_id: int
    recipient_nin: str
    recipient_name: str
    title: str
    pdf: bytes


class DigitalPost(Protocol):
    def send(self, letter: PostedLetter) -> None:
        """Hand the letter over; raise OSError when it was not taken (tried again later)."""


class FolderPost:
    """Digital post as a folder: ``<reference>.pdf`` and ``<reference>.json`` (who, what, the
    case), each written through a temporary file and a rename, so a redelivery replaces the
    same letter. The tests' stand-in for a service, and a hand-over folder for a transfer job
    where the municipality has one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, letter: PostedLetter) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        about = {key: value for key, value in asdict(letter).items() if key != "pdf"}
        self._write(f"{letter.reference}.pdf", letter.pdf)
        self._write(f"{letter.reference}.json",
                    json.dumps(about, ensure_ascii=False, indent=2).encode())

    def _write(self, name: str, content: bytes) -> None:
        partial = self.folder / f".{name}.{os.getpid()}.tmp"
        partial.write_bytes(content)
        os.replace(partial, self.folder / name)


def letter_for_post(row: Outbox) -> PostedLetter | None:
    """The row as a letter with its PDF to the case's citizen or to a guardian known by
    fødselsnummer, or None when it is not one."""
    session = object_session(row)
    if session is None or row.kind != "letter" or row.case_id is None or row.document is None:
        return None
    case = session.get(Case, row.case_id)
    if case is None:
        return None
    name = row.recipient.removesuffix(COPY_SUFFIX)
    if name == case.citizen_name:
        nin = case.citizen_nin
    elif row.recipient_nin:
        nin, name = row.recipient_nin, name.partition(" (")[0]
    else:
        return None
    pdf = session.scalar(select(Attachment.content).where(
        Attachment.document_id == row.document.id, Attachment.media_type == "application/pdf"))
    if pdf is None:
        return None
    return PostedLetter(f"outbox-{row.id}", case.id, nin, name, row.subject, pdf)


def digital_post_delivery(post: DigitalPost, fallback: Deliver) -> Deliver:
    """Letters to the case's citizen or a guardian known by number go to ``post``; every
    other row to ``fallback``."""

    def deliver(row: Outbox) -> None:
        letter = letter_for_post(row)
        if letter is None:
            fallback(row)
        else:
            post.send(letter)

    return deliver


def delivery_from_env(fallback: Deliver) -> Deliver:
    """Digital post through the folder ``IPFLOW_DIGITAL_POST_DIR`` when it is set, else
    ``fallback`` for letters too."""
    folder = os.environ.get(FOLDER_ENV, "").strip()
    return digital_post_delivery(FolderPost(Path(folder)), fallback) if folder else fallback
