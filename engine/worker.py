"""Background work: fire due timers and deliver the outbox.

The worker reads the ``timer`` table to find due work, so it never opens cases that have
nothing due. Each case is fired in its own transaction; a case changed meanwhile by someone
else is simply picked up on the next round.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from engine import clock
from engine.cases import fire_due_timers
from engine.db import Database
from engine.errors import Conflict
from engine.models import Outbox, Timer
from engine.users import SYSTEM

Deliver = Callable[[Outbox], None]


@dataclass
class RoundResult:
    cases_fired: int = 0
    conflicts: int = 0
    delivered: int = 0
    failed_deliveries: int = 0


def due_case_ids(db: Database, now: datetime) -> list[int]:
    with db.reading() as session:
        query = select(Timer.case_id).where(
            Timer.fired_at.is_(None), Timer.cancelled.is_(False), Timer.due_at <= now,
        ).distinct().order_by(Timer.case_id)
        return list(session.scalars(query))


def fire_timers(db: Database, now: datetime, result: RoundResult) -> None:
    with clock.frozen_at(now):
        for case_id in due_case_ids(db, now):
            try:
                fire_due_timers(db, case_id, SYSTEM)
                result.cases_fired += 1
            except Conflict:
                result.conflicts += 1


def deliver_outbox(db: Database, deliver: Deliver, result: RoundResult, batch: int = 100) -> None:
    """Deliver undelivered rows; a failed delivery is counted and retried next round."""
    with db.transaction() as session:
        query = select(Outbox).where(Outbox.delivered_at.is_(None)).order_by(Outbox.id).limit(batch)
        if db.is_postgresql:
            query = query.with_for_update(skip_locked=True)
        for row in session.scalars(query):
            row.attempts += 1
            try:
                deliver(row)
            except OSError as exc:
                row.last_error = str(exc)
                result.failed_deliveries += 1
                continue
            row.delivered_at = clock.now()
            row.last_error = None
            result.delivered += 1


def file_delivery(folder: Path) -> Deliver:
    """Deliver messages as text files in ``folder`` (the demo's stand-in for post and e-mail)."""

    def deliver(row: Outbox) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{row.id:08d}-{row.kind}.txt"
        path.write_text(f"Til: {row.recipient}\nEmne: {row.subject}\nSak: {row.case_id}\n\n"
                        f"{row.body}\n", encoding="utf-8")

    return deliver


def run_once(db: Database, deliver: Deliver, now: datetime | None = None) -> RoundResult:
    """One round: fire what is due at ``now`` (default: the clock), then deliver."""
    result = RoundResult()
    fire_timers(db, now or clock.now(), result)
    deliver_outbox(db, deliver, result)
    return result
