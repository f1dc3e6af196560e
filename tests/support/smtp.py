"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the mail tests, and what it received."""

from __future__ import annotations

import email
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller

from engine.kernel.settings import SmtpSettings

SENDER = "ipflow@fjordvik.kommune.no"
BASE_URL = "https://ipflow.fjordvik.kommune.no"


class Received:
    """The server's handler: keeps every mail it is given, parsed."""

    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []

    async def handle_DATA(self,  # noqa: N802  (aiosmtpd's name for the hook)
                           server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(email.message_from_bytes(envelope.original_content,
                                                   policy=default_policy))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.mails) < count:
            assert time.monotonic() < deadline, f"{len(self.mails)} mails, not {count}"
            time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def plain_server() -> Iterator[tuple[Received, SmtpSettings]]:
    """A plain SMTP server (no TLS) on a free port, and the settings that reach it."""
    received = Received()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield received, SmtpSettings(host="127.0.0.1", port=controller.port, starttls=False,
                                     sender=SENDER, base_url=BASE_URL, timeout=10)
    finally:
        controller.stop()
