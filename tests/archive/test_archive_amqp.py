"""Fiks Arkiv over AMQP against the RabbitMQ server on 127.0.0.1:5672 (guest/guest), which
runs on every machine of this project: the worker publishes arkivmeldinger, the archive's side
(this test, with pika) takes them from the queue, checks them against KS's schema and answers
with kvitteringer, which the worker records so the next record lands in the same saksmappe."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from engine import demo
from engine.features import worker
from engine.features.archive_transport import AmqpTarget
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import ArchiveRecord, CaseArchive
from engine.runtime.users import Actor
from tests.support import fiks_arkiv
from tests.support.people import PER

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
FOLDER_ID = str(uuid.uuid4())


def test_arkivmeldinger_round_trip_through_rabbitmq_and_the_kvittering_is_kept(
        db: Database, staff: dict[str, Actor], broker: tuple[Any, AmqpTarget]) -> None:
    channel, target = broker
    with clock.frozen_at(T0):
        case_id = demo.report(db, staff["systemkoordinator"], PER)
        demo.do(db, staff["systemkoordinator"], case_id, "assess_report", {
            "long_term_need": False, "two_or_more_services": True, "citizen_wants": True,
            "approved": False, "approved_ip": False,
            "assessment_reasoning": "Behovet er kortvarig."})
    first = worker.run_once(db, lambda _m: None, T0 + timedelta(hours=1), archive=target)
    assert first.archived >= 1 and first.failed_archiving == 0
    before = fiks_arkiv.answer_all(channel, target.queue, target.reply_queue, FOLDER_ID, 2026, 42)
    assert len(before) == first.archived
    assert all(m.find("a:mappe", fiks_arkiv.N) is not None for m in before)

    # the next round takes the kvitteringer: the saksmappe's keys are kept on the case
    second = worker.run_once(db, lambda _m: None, T0 + timedelta(hours=2), archive=target)
    assert second.receipts == len(before)
    with db.reading() as session:
        keys = session.get(CaseArchive, case_id)
        received = list(session.scalars(select(ArchiveRecord.system_id)))
    assert keys is not None and (keys.system_id, keys.saksnummer) == (FOLDER_ID, "2026/42")
    assert len(received) == len(before) and all(received)

    # the appeal period runs out: the journal note goes into the same saksmappe by its keys
    third = worker.run_once(db, lambda _m: None, T0 + timedelta(days=40), archive=target)
    assert third.archived == 1
    [note] = fiks_arkiv.answer_all(channel, target.queue, target.reply_queue, FOLDER_ID, 2026, 42)
    assert note.find("a:mappe", fiks_arkiv.N) is None
    assert fiks_arkiv.codes(note, "journalposttype") == ["X"]
    assert fiks_arkiv.texts(note, "//a:referanseForelderMappe/m:systemID/text()") == [FOLDER_ID]
    assert fiks_arkiv.texts(
        note, "//a:referanseForelderMappe/m:saksnummer/m:sakssekvensnummer/text()") == ["42"]
