"""``case_.last_progress_at``, the monitor's idle-case fact, follows the history: an engine call
moves it in the one ``UPDATE`` of its case, an event written alone moves it without editing the
case, and the worker's nudges do not move it."""

from __future__ import annotations

from datetime import timedelta

from engine import demo
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import Case, Event
from engine.kernel.vocabulary import EventKind
from engine.runtime.users import Actor
from tests.support.people import KARI


def _case(db: Database, case_id: int) -> tuple[object, int]:
    with db.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.last_progress_at, case.version


def _write_alone(db: Database, case_id: int, kind: EventKind) -> None:
    with db.transaction() as session:
        session.add(Event(case_id=case_id, at=clock.now(), actor="leder", kind=kind, data={}))


def test_progress_follows_engine_calls_and_events_but_not_nudges(
        db: Database, staff: dict[str, Actor]) -> None:
    start = clock.now()
    with clock.frozen_at(start):
        case_id = demo.report(db, staff["systemkoordinator"], KARI)
    assert _case(db, case_id)[0] == start

    later = start + timedelta(days=3)
    with clock.frozen_at(later):
        demo.approve(db, staff, case_id, "helse")
    progressed, version = _case(db, case_id)
    assert progressed == later

    note = later + timedelta(days=2)
    with clock.frozen_at(note):
        _write_alone(db, case_id, EventKind.THREAD_MESSAGE)
    assert _case(db, case_id) == (note, version), "moved, and the case was not edited"

    with clock.frozen_at(note + timedelta(days=5)):
        _write_alone(db, case_id, EventKind.REMINDER_SENT)
    assert _case(db, case_id) == (note, version), "a reminder is no progress"
