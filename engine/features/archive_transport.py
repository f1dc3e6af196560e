"""How arkivmeldinger leave ipflow: a folder per message, or an AMQP queue.

Both targets take a :class:`Message` whose ``reference`` is the same on every redelivery, so
a message sent twice (a worker killed between sending and committing) is one message:

- :class:`DirectoryTarget` (the default; ``make demo`` needs nothing else) writes
  ``<folder>/<reference>/arkivmelding.xml`` and the documents, through a temporary folder and
  a rename, so a redelivery replaces the folder whole;
- :class:`AmqpTarget` publishes the message as one zip (``arkivmelding.xml`` and the
  documents, as Fiks IO carries them) to a durable queue with publisher confirms, the
  reference as ``message_id`` and a ``reply_to`` queue where the archive's kvitteringer come
  back with the reference as ``correlation_id``. Fiks IO itself is AMQP-based; the real
  Fiks IO account (certificates, encryption) is the municipality's, see docs/integrations.md.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from engine.features.arkivmelding import KVITTERING, OPPRETT, ArchiveFile, InvalidArkivmelding

AMQP_URL_ENV = "IPFLOW_ARCHIVE_AMQP_URL"
QUEUE_ENV = "IPFLOW_ARCHIVE_QUEUE"
REPLY_QUEUE_ENV = "IPFLOW_ARCHIVE_REPLY_QUEUE"
DEFAULT_QUEUE = "ipflow.arkiv"
DEFAULT_REPLY_QUEUE = "ipflow.arkiv.kvittering"
XML_NAME = "arkivmelding.xml"

Receive = Callable[[str, bytes], None]


@dataclass(frozen=True)
class Message:
    """One arkivmelding with its files; ``reference`` names it on every delivery."""

    reference: str
    case_id: int
    xml: bytes
    files: tuple[ArchiveFile, ...]

    def package(self) -> bytes:
        """The message as one zip: ``arkivmelding.xml`` first, then the documents."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
            package.writestr(XML_NAME, self.xml)
            for file in self.files:
                package.writestr(file.name, file.content)
        return buffer.getvalue()


class Transport(Protocol):
    """Where arkivmeldinger go; ``collect`` hands each kvittering that came back to
    ``receive(reference, body)`` and returns how many."""

    def send(self, message: Message) -> None: ...

    def collect(self, receive: Receive) -> int: ...


class DirectoryTarget:
    """One folder per message, named by its reference; nothing comes back."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: Message) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self.folder / message.reference
        partial = self.folder / f".{message.reference}.{os.getpid()}.tmp"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        (partial / XML_NAME).write_bytes(message.xml)
        for file in message.files:
            (partial / file.name).write_bytes(file.content)
        # A crash between these two leaves no folder; the row is not marked sent, so the
        # next round writes it again.
        shutil.rmtree(final, ignore_errors=True)
        os.replace(partial, final)

    def collect(self, receive: Receive) -> int:
        return 0


class AmqpTarget:
    """Publish to ``queue`` on an AMQP broker (RabbitMQ); read kvitteringer from
    ``reply_queue``. A connection per round: opened by the first call, closed by ``close``."""

    def __init__(self, url: str, queue: str = DEFAULT_QUEUE,
                 reply_queue: str = DEFAULT_REPLY_QUEUE) -> None:
        self.url, self.queue, self.reply_queue = url, queue, reply_queue
        self._connection: Any = None
        self._channel: Any = None

    def _open(self) -> Any:
        import pika

        if self._channel is None or self._channel.is_closed:
            try:
                self._connection = pika.BlockingConnection(pika.URLParameters(self.url))
            except pika.exceptions.AMQPError as exc:
                raise OSError(f"arkivet (AMQP) svarer ikke: {exc!r}") from exc
            self._channel = self._connection.channel()
            self._channel.confirm_delivery()
            self._channel.queue_declare(self.queue, durable=True)
            self._channel.queue_declare(self.reply_queue, durable=True)
        return self._channel

    def send(self, message: Message) -> None:
        import pika

        channel = self._open()
        properties = pika.BasicProperties(
            message_id=message.reference, type=OPPRETT, content_type="application/zip",
            delivery_mode=pika.DeliveryMode.Persistent, reply_to=self.reply_queue,
            headers={"ipflow-sak": str(message.case_id)})
        try:  # with confirms on, returns only once the broker has the message
            channel.basic_publish("", self.queue, message.package(), properties,
                                  mandatory=True)
        except pika.exceptions.AMQPError as exc:
            self.close()
            raise OSError(f"arkivmeldingen ble ikke tatt imot (AMQP): {exc!r}") from exc

    def collect(self, receive: Receive) -> int:
        """Each kvittering is acknowledged after ``receive`` has committed it, so one lost
        in a crash comes again (recording it twice changes nothing)."""
        channel = self._open()
        count = 0
        while True:
            method, properties, body = channel.basic_get(self.reply_queue)
            if method is None:
                return count
            if properties.type not in (None, KVITTERING) or not properties.correlation_id:
                channel.basic_nack(method.delivery_tag, requeue=False)
                continue
            try:
                receive(properties.correlation_id, body)
            except InvalidArkivmelding:  # not ours to keep: dropped (or dead-lettered)
                channel.basic_nack(method.delivery_tag, requeue=False)
                continue
            except Exception:  # not recorded (a lost race, the database away): next round
                channel.basic_nack(method.delivery_tag, requeue=True)
                raise
            channel.basic_ack(method.delivery_tag)
            count += 1

    def close(self) -> None:
        if self._connection is not None and self._connection.is_open:
            self._connection.close()
        self._connection = self._channel = None


def from_env(folder: Path) -> DirectoryTarget | AmqpTarget:
    """The AMQP target when ``IPFLOW_ARCHIVE_AMQP_URL`` is set, else the folder."""
    url = os.environ.get(AMQP_URL_ENV)
    if not url:
        return DirectoryTarget(folder)
    return AmqpTarget(url, os.environ.get(QUEUE_ENV) or DEFAULT_QUEUE,
                      os.environ.get(REPLY_QUEUE_ENV) or DEFAULT_REPLY_QUEUE)
