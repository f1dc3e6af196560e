"""A record the archive answers with a failure is sent again in later rounds, a bounded number
of times, then waits for people: the monitor's archive page shows it to a leder with the
archive's error, and ``ipflow archive retry`` sends it again. Against the local RabbitMQ, the
archive's side answering with KS's kvittering (tests/support/fiks_arkiv.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pika
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cli.main import cli
from engine import demo
from engine.features import archiving, worker
from engine.features.archive_status import archive_status
from engine.features.archive_transport import AmqpTarget, DirectoryTarget
from engine.features.arkivmelding import KVITTERING
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.errors import Forbidden
from engine.kernel.models import ArchiveRecord
from engine.runtime.users import Actor
from tests.support import fiks_arkiv
from tests.support.pages import inside
from tests.support.people import PER

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _answer(channel: Any, target: AmqpTarget, failing: bool) -> list[str]:
    """The archive's side: each arkivmelding taken off the queue and answered, with a
    failure (``failing``) or the saksmappe and journalpost; the references answered."""
    references = []
    while True:
        method, properties, body = channel.basic_get(target.queue)
        if method is None:
            return references
        message = fiks_arkiv.valid(fiks_arkiv.unpacked(body))
        answer = (fiks_arkiv.failed_kvittering("F-12", "Ukjent klassifikasjon") if failing
                  else fiks_arkiv.kvittering(message, str(uuid.uuid4()), 2026, 3))
        channel.basic_publish("", properties.reply_to, answer, pika.BasicProperties(
            type=KVITTERING, correlation_id=properties.message_id))
        channel.basic_ack(method.delivery_tag)
        references.append(properties.message_id)


def _attempts(db: Database, case_id: int) -> list[tuple[int, bool, str | None]]:
    with db.reading() as session:
        return [(row.attempts, row.sent_at is not None, row.last_error)
                for row in session.scalars(select(ArchiveRecord).where(
                    ArchiveRecord.case_id == case_id))]


def test_a_failed_kvittering_is_sent_again_until_the_limit_then_shown_and_retried(
        db: Database, staff: dict[str, Actor], broker: tuple[Any, AmqpTarget],
        web: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch) -> None:
    channel, target = broker
    with clock.frozen_at(T0):  # refused: one letter
        case_id = _refused(db, staff)
    moment = T0 + timedelta(hours=1)

    def round_() -> worker.RoundResult:
        nonlocal moment
        moment += timedelta(hours=1)
        return worker.run_once(db, lambda _m: None, moment, archive=target)

    sent: list[str] = []
    for attempt in range(1, archiving.MAX_ATTEMPTS + 1):
        assert round_().archived == 1  # (again) the letter, the same reference each time
        sent += _answer(channel, target, failing=True)
        assert round_().receipts == 1  # the failure read: no longer counted as sent
        [(attempts, is_sent, error)] = _attempts(db, case_id)
        assert (attempts, is_sent) == (attempt, False)
        assert error and error.startswith("F-12: Ukjent klassifikasjon")
    assert len(set(sent)) == 1 and len(sent) == archiving.MAX_ATTEMPTS
    assert round_().archived == 0 and _answer(channel, target, failing=True) == []
    assert archiving._pending_ids(db, 0, 100) == []

    status = archive_status(db, staff["systemkoordinator"])
    assert (status.retrying, status.given_up) == (0, 1)
    with pytest.raises(Forbidden):
        archive_status(db, staff["koordinator"])
    leder = web("leder")
    assert leder.get("/monitor").one(id="archive-link").get("href") == "/monitor/arkiv"
    page = leder.get("/monitor/arkiv")
    assert inside(page, "archive-given-up") == "1" and inside(page, "archive-retrying") == "0"
    table = inside(page, "archive-problems")
    assert f"Sak {case_id}" in table and "F-12: Ukjent klassifikasjon" in table
    assert PER not in page.text

    monkeypatch.setenv("DATABASE_URL", db.url)
    result = CliRunner().invoke(cli, ["archive", "retry", "--case", str(case_id)],
                                catch_exceptions=False)
    assert result.exit_code == 0 and "1 dokumenter" in result.output
    assert round_().archived == 1
    assert _answer(channel, target, failing=False) == sent[:1]
    assert round_().receipts == 1
    [(attempts, is_sent, error)] = _attempts(db, case_id)
    assert (attempts, is_sent, error) == (1, True, None)
    assert archive_status(db, staff["systemkoordinator"]).problems == ()
    assert "Arkivet har tatt imot alt som er sendt." in leder.get("/monitor/arkiv").text


def _refused(db: Database, staff: dict[str, Actor]) -> int:
    case_id = demo.report(db, staff["systemkoordinator"], PER)
    demo.do(db, staff["systemkoordinator"], case_id, "assess_report", {
        "long_term_need": False, "two_or_more_services": True, "citizen_wants": True,
        "approved": False, "approved_ip": False,
        "assessment_reasoning": "Behovet er kortvarig."})
    return case_id


def test_a_kvittering_that_cannot_be_read_sends_the_record_again(
        db: Database, staff: dict[str, Actor], tmp_path: Path) -> None:
    """Whether the archive filed it is unknown: the same reference again is safe."""
    with clock.frozen_at(T0):
        case_id = _refused(db, staff)
    target = DirectoryTarget(tmp_path)
    assert worker.run_once(db, lambda _m: None, T0 + timedelta(hours=1), archive=target
                           ).archived == 1
    [reference] = fiks_arkiv.folders(tmp_path)
    archiving.record_receipt(db, reference, b"<arkivmeldingKvittering/>", T0)
    [(attempts, is_sent, error)] = _attempts(db, case_id)
    assert (attempts, is_sent) == (1, False) and error and "kvittering" in error
    assert worker.run_once(db, lambda _m: None, T0 + timedelta(hours=2), archive=target
                           ).archived == 1
    assert list(fiks_arkiv.folders(tmp_path)) == [reference]
    assert _attempts(db, case_id)[0][:2] == (2, True)
