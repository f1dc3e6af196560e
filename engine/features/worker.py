"""Background work: fire due timers, escalate overdue tasks, deliver the outbox, and compute
the monitor's figures every few minutes (:mod:`engine.features.monitor_snapshot`).

The worker reads the ``timer``, ``task`` and ``outbox`` tables to find due work, so it never
opens cases that have nothing due. Every item (one case's timers, one task's escalation step,
one outbox row) is done in its own transaction, so a worker killed mid-batch loses at most the
item it was on, and that item's transaction is rolled back by the database and done again by
the next worker round.

Several workers on PostgreSQL: each item is claimed with ``SELECT ... FOR UPDATE SKIP LOCKED``
on its row (the case, the task, the outbox row), so concurrent workers take different items and
never wait for each other. After the lock the item is checked again (a worker that committed it
a moment ago has made it no longer due), and the case's optimistic version check stays as the
last guard: a due timer fires exactly once and an outbox row is marked delivered exactly once.

Delivery is *at least once with an idempotent target*: a worker killed after handing a letter
to the target but before its commit leaves the row undelivered, and the next round delivers it
again. The file target writes the file named by the outbox id (atomically), so a redelivery
overwrites the same file instead of adding a second letter; the e-mail target
(:mod:`engine.features.mail`) sends a redelivery with the same Message-ID.

SQLite has no row locks: run one worker there. (The version check would still stop a second
timer firing, but two workers could both hand one outbox row to the target before either
commits, and SQLite writes one transaction at a time anyway.)
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from engine.features import archiving, monitor_snapshot, retention
from engine.features.archive_transport import Transport
from engine.features.monitor import responsible_for
from engine.kernel import clock
from engine.kernel import settings as operator_settings
from engine.kernel.db import Database
from engine.kernel.errors import Conflict
from engine.kernel.models import Event, Membership, Outbox, Task, TaskEscalation, Timer, User
from engine.kernel.paging import ids_after
from engine.kernel.vocabulary import EventKind, Role, TaskState
from engine.runtime import case_rows
from engine.runtime.case_run import CaseRun
from engine.runtime.users import SYSTEM

log = logging.getLogger(__name__)

Deliver = Callable[[Outbox], None]


class Deferred(Exception):  # noqa: N818  (not an error: the row is simply not due yet)
    """Raised by a target for a row that goes later (a daily digest): the row is left as it
    was, counted neither delivered nor failed."""


# Test hook (and nothing else): seconds to pause inside each item's transaction before it
# commits, so a test can SIGKILL a worker while it holds uncommitted work.
ITEM_PAUSE_ENV = "IPFLOW_WORKER_ITEM_PAUSE"
NOTICE_AFTER_ENV = "IPFLOW_ESCALATION_NOTICE_DAYS"

REMINDER, NOTICE = 1, 2  # escalation levels: reminder to the responsible, then to the fagleder


@dataclass
class WorkerSettings:
    """How a worker round runs; ``from_env`` reads the operator's settings."""

    batch_size: int = 100
    notice_after: timedelta = timedelta(days=7)
    item_pause: float = 0.0
    monitor_refresh: timedelta = timedelta(minutes=operator_settings.MONITOR_REFRESH_DEFAULT)

    @classmethod
    def from_env(cls, **overrides: Any) -> WorkerSettings:
        settings = cls(notice_after=timedelta(days=float(os.environ.get(NOTICE_AFTER_ENV, "7"))),
                       item_pause=float(os.environ.get(ITEM_PAUSE_ENV, "0") or 0),
                       monitor_refresh=operator_settings.monitor_refresh())
        for name, value in overrides.items():
            if value is not None:
                setattr(settings, name, value)
        return settings


@dataclass
class RoundResult:
    """What one round did, for the command line's summary and for tests."""

    cases_fired: int = 0
    conflicts: int = 0
    delivered: int = 0
    failed_deliveries: int = 0
    reminders: int = 0
    notices: int = 0
    anonymised: int = 0
    archived: int = 0
    failed_archiving: int = 0
    receipts: int = 0
    monitor_refreshed: bool = False
    errors: list[str] = field(default_factory=list)


def _pause(settings: WorkerSettings) -> None:
    if settings.item_pause > 0:
        time.sleep(settings.item_pause)


# ---------------------------------------------------------------- timers


def _due_timer(now: datetime) -> Any:
    return and_(Timer.fired_at.is_(None), Timer.cancelled.is_(False), Timer.due_at <= now)


def due_case_ids(db: Database, now: datetime, after: int = 0, limit: int | None = None
                 ) -> list[int]:
    """Cases with a timer due at ``now`` (read without locks: a list of candidates)."""
    with db.reading() as session:
        query = (select(Timer.case_id).where(_due_timer(now), Timer.case_id > after)
                 .distinct().order_by(Timer.case_id))
        if limit:
            query = query.limit(limit)
        return list(session.scalars(query))


def _lock(db: Database, query: Any) -> Any:
    """``FOR UPDATE SKIP LOCKED`` on PostgreSQL: a row another worker holds is skipped."""
    return query.with_for_update(skip_locked=True) if db.is_postgresql else query


def fire_case(db: Database, case_id: int, now: datetime, settings: WorkerSettings) -> bool:
    """Fire the case's due timers in one transaction; False when there was nothing to do here
    (another worker holds the case or has just fired it, or it is closed)."""
    with clock.frozen_at(now), db.transaction() as session:
        found = case_rows.read_for_case(session, case_id, lock=db.is_postgresql)
        if found is None:
            return False
        case, rows = found
        run = CaseRun(session, case, SYSTEM, rows)
        # Checked again under the lock: what was due when the list was read may be fired now.
        if not any(timer.due_at <= now for timer in rows.timers):
            return False
        workflow = run.load_workflow()
        run.fire_timers(workflow)
        run.save(workflow)
        _pause(settings)
        return True


def fire_timers(db: Database, now: datetime, result: RoundResult,
                settings: WorkerSettings | None = None) -> None:
    settings = settings or WorkerSettings()
    for case_id in ids_after(lambda after: due_case_ids(db, now, after, settings.batch_size)):
        try:
            if fire_case(db, case_id, now, settings):
                result.cases_fired += 1
        except Conflict:
            result.conflicts += 1
        except Exception as exc:  # noqa: BLE001  (one broken case must not stop the round)
            log.exception("firing timers of case %s failed", case_id)
            result.errors.append(f"sak {case_id}: {exc}")


# ---------------------------------------------------------------- escalation


def _overdue_task_ids(db: Database, now: datetime, notice_after: timedelta, after: int,
                      limit: int) -> list[int]:
    """Open overdue tasks that still have an escalation step to take at ``now``."""
    reminded = select(TaskEscalation.id).where(TaskEscalation.task_id == Task.id,
                                               TaskEscalation.level == REMINDER)
    reminded_long_ago = reminded.where(TaskEscalation.at <= now - notice_after)
    noticed = select(TaskEscalation.id).where(TaskEscalation.task_id == Task.id,
                                              TaskEscalation.level == NOTICE)
    with db.reading() as session:
        return list(session.scalars(
            select(Task.id).where(
                Task.state == TaskState.READY, Task.due_at < now, Task.id > after,
                or_(~exists(reminded), and_(exists(reminded_long_ago), ~exists(noticed))))
            .order_by(Task.id).limit(limit)))


def fagledere(session: Session, service_area: str | None) -> list[str]:
    """The fagleder(s) of a service area; the leder(s) when the task has no area yet (the
    assessment is the koordinerende enhet's own work), else the role name as a mailbox."""
    role = Role.FAGLEDER if service_area else Role.LEDER
    query = select(User.username).join(Membership).where(User.active, Membership.role == role)
    if service_area:
        query = query.where(or_(Membership.service_area == service_area,
                                Membership.service_area.is_(None)))
    found = sorted(set(session.scalars(query)))
    return found or [f"{role} ({service_area})" if service_area else role]


def _date(moment: datetime | None) -> str:
    return f"{moment:%d.%m.%Y}" if moment else ""


def escalate_task(db: Database, task_id: int, now: datetime, settings: WorkerSettings
                  ) -> int | None:
    """Take the task's next escalation step in one transaction; the level taken, or None.

    Level 1 reminds whoever is to do the task; level 2, ``notice_after`` later, tells the
    fagleder. Each step is a ``task_escalation`` row (unique per task and level, so two workers
    cannot both take it), an outbox row per recipient and an event in the case history.
    """
    with db.transaction() as session:
        task = session.scalar(_lock(db, select(Task).where(Task.id == task_id,
                                                           Task.state == TaskState.READY)))
        if task is None or task.due_at is None or task.due_at >= now:
            return None
        steps = {e.level: e for e in session.scalars(select(TaskEscalation).where(
            TaskEscalation.task_id == task.id))}
        if REMINDER not in steps:
            level, recipients = REMINDER, [responsible_for(task)]
            subject = f"Påminnelse: fristen for «{task.name}» er passert"
            body = (f"Fristen for oppgaven «{task.name}» i sak {task.case_id} var "
                    f"{_date(task.due_at)}. Oppgaven er ikke fullført.")
        elif NOTICE not in steps and steps[REMINDER].at <= now - settings.notice_after:
            level, recipients = NOTICE, fagledere(session, task.service_area)
            subject = f"Oversittet frist: «{task.name}» i sak {task.case_id}"
            body = (f"Fristen for oppgaven «{task.name}» i sak {task.case_id} var "
                    f"{_date(task.due_at)}. {responsible_for(task)} fikk påminnelse "
                    f"{_date(steps[REMINDER].at)}, og oppgaven er fortsatt ikke fullført.")
        else:
            return None
        session.add(TaskEscalation(task_id=task.id, level=level, at=now,
                                   recipients=", ".join(recipients)))
        for recipient in recipients:
            session.add(Outbox(case_id=task.case_id, kind="reminder" if level == REMINDER
                               else "escalation", recipient=recipient, subject=subject,
                               body=body, created_at=now))
        session.add(Event(case_id=task.case_id, at=now, actor=SYSTEM.username,
                          kind=EventKind.TASK_ESCALATED, bpmn_id=task.bpmn_id,
                          data={"name": task.name, "task": task.id, "level": level,
                                "to": recipients, "due_at": task.due_at.isoformat()}))
        _pause(settings)
        return level


def escalate_overdue(db: Database, now: datetime, result: RoundResult,
                     settings: WorkerSettings | None = None) -> None:
    settings = settings or WorkerSettings()

    def fetch(after: int) -> list[int]:
        return _overdue_task_ids(db, now, settings.notice_after, after, settings.batch_size)

    for task_id in ids_after(fetch):
        try:
            level = escalate_task(db, task_id, now, settings)
        except Conflict:
            result.conflicts += 1
            continue
        except Exception as exc:  # noqa: BLE001  (one broken task must not stop the round)
            log.exception("escalating task %s failed", task_id)
            result.errors.append(f"oppgave {task_id}: {exc}")
            continue
        if level == REMINDER:
            result.reminders += 1
        elif level == NOTICE:
            result.notices += 1


# ---------------------------------------------------------------- outbox


def _pending_ids(db: Database, after: int, limit: int) -> list[int]:
    with db.reading() as session:
        return list(session.scalars(select(Outbox.id).where(
            Outbox.delivered_at.is_(None), Outbox.id > after).order_by(Outbox.id).limit(limit)))


def deliver_row(db: Database, outbox_id: int, deliver: Deliver, now: datetime,
                settings: WorkerSettings) -> bool | None:
    """Lock, deliver and mark one row in one transaction: True delivered, False failed (kept
    for the next round with its error), None when another worker has it or has delivered it,
    or the target defers it. The target reads the clock as ``now``."""
    try:
        return _deliver_row(db, outbox_id, deliver, now, settings)
    except Deferred:  # raised through the transaction, so its attempt is rolled back
        return None


def _deliver_row(db: Database, outbox_id: int, deliver: Deliver, now: datetime,
                 settings: WorkerSettings) -> bool | None:
    with clock.frozen_at(now), db.transaction() as session:
        row = session.scalar(_lock(db, select(Outbox).where(Outbox.id == outbox_id,
                                                            Outbox.delivered_at.is_(None))))
        if row is None:
            return None
        # Counted in SQL, so a second delivery of the same row could never hide as one.
        row.attempts = Outbox.attempts + 1
        session.flush()
        session.refresh(row, ["attempts"])
        try:
            deliver(row)
        except OSError as exc:
            row.last_error = str(exc)
            return False
        row.delivered_at = now
        row.last_error = None
        _pause(settings)
        return True


def deliver_outbox(db: Database, deliver: Deliver, result: RoundResult,
                   batch: int | None = None, settings: WorkerSettings | None = None,
                   now: datetime | None = None) -> None:
    """Deliver undelivered rows; a failed delivery is counted and retried next round."""
    settings = settings or WorkerSettings()
    size = batch or settings.batch_size
    for outbox_id in ids_after(lambda after: _pending_ids(db, after, size)):
        try:
            outcome = deliver_row(db, outbox_id, deliver, now or clock.now(), settings)
        except Conflict:
            result.conflicts += 1
            continue
        except Exception as exc:  # noqa: BLE001  (a target that breaks oddly: try next round)
            log.exception("delivering outbox row %s failed", outbox_id)
            result.errors.append(f"melding {outbox_id}: {exc}")
            continue
        if outcome is True:
            result.delivered += 1
        elif outcome is False:
            result.failed_deliveries += 1


def file_delivery(folder: Path) -> Deliver:
    """Deliver messages as text files in ``folder`` (the demo's stand-in for post and e-mail).

    The file is named by the outbox id and written through a temporary file and a rename, so a
    redelivery after a crash replaces the same letter whole instead of adding a second one.
    """

    def deliver(row: Outbox) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{row.id:08d}-{row.kind}.txt"
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        partial.write_text(f"Til: {row.recipient}\nEmne: {row.subject}\nSak: {row.case_id}\n\n"
                           f"{row.text}\n", encoding="utf-8")
        os.replace(partial, path)

    return deliver


def run_once(db: Database, deliver: Deliver, now: datetime | None = None,
             settings: WorkerSettings | None = None, archive: Transport | None = None
             ) -> RoundResult:
    """One round: fire what is due at ``now`` (default: the clock), escalate, deliver,
    send new documents to the ``archive`` (when given) and record its kvitteringer,
    anonymise the closed cases whose retention period has run out, then compute the
    monitor's figures when the newest are ``monitor_refresh`` old."""
    settings = settings or WorkerSettings()
    moment = now or clock.now()
    result = RoundResult()
    fire_timers(db, moment, result, settings)
    escalate_overdue(db, moment, result, settings)
    deliver_outbox(db, deliver, result, settings=settings, now=moment)
    if archive is not None:
        archived = archiving.archive_pending(db, archive, moment, settings.batch_size)
        result.archived, result.failed_archiving = archived.sent, archived.failed
        result.receipts = archived.receipts
        result.errors.extend(archived.errors)
    result.anonymised = len(retention.run(db, moment).case_ids)
    try:
        result.monitor_refreshed = monitor_snapshot.refresh(
            db, moment, settings.monitor_refresh) is not None
    except Conflict:  # SQLite's writer lock: computed again next round
        result.conflicts += 1
    return result
