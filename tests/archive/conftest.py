"""The archive tests' broker: a channel on the local RabbitMQ (127.0.0.1:5672, guest/guest,
which runs on every machine of this project) and an AMQP target on queues of the test's own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pika
import pytest

from engine.features.archive_transport import AmqpTarget

URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


@pytest.fixture()
def broker() -> Iterator[tuple[Any, AmqpTarget]]:
    """A channel on the local RabbitMQ and a target on queues of this test's own."""
    try:
        connection = pika.BlockingConnection(pika.URLParameters(URL))
    except pika.exceptions.AMQPError as exc:
        pytest.fail(f"RabbitMQ on 127.0.0.1:5672 (guest/guest) is not reachable: {exc!r}; "
                    "it runs on every machine of this project (start rabbitmq-server)")
    channel = connection.channel()
    name = f"ipflow-test-{uuid.uuid4().hex[:8]}"
    target = AmqpTarget(URL, name, name + ".kvittering")
    yield channel, target
    target.close()
    channel.queue_delete(name)
    channel.queue_delete(name + ".kvittering")
    connection.close()
