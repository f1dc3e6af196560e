"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the mail tests, and what it received."""

from __future__ import annotations

import email
import socket
import time
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any


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
