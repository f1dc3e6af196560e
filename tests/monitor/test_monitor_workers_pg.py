"""Several ``ipflow worker`` processes on one PostgreSQL database, and a worker killed mid-batch.

Each test starts real worker processes (the console script, ``DATABASE_URL`` pointing at the
test database) and then checks the database: every due timer fired exactly once (one
``timer_fired`` event per timer, ``fired_at`` set, one interim letter per case), every outbox
row delivered exactly once (``attempts`` is counted in SQL, so two deliveries could not hide
as one), and no case half-written.

These run only when ``TEST_DATABASE_URL`` is PostgreSQL: several workers need row locks
(SKIP LOCKED), which SQLite does not have, so on SQLite one worker is run (README) and these
tests are skipped with that reason.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from engine import demo
from engine.features import case_start
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import Document, Event, Outbox, TaskEscalation, Timer
from engine.runtime.users import get_actor
from tests.support.clock import T0
from tests.support.commands import ROOT, ipflow_command

DUE = T0 + timedelta(days=31)  # the 30-day assessment timer of every case is due
REPORT = {"citizen_name": "Ola Hansen", "citizen_nin": "23074820085",
          "reported_by": "kommunal_tjenesteyter", "requests": ["ip", "koordinator"]}


def start_worker(db: Database, outbox: Path, *options: str, pause: float = 0.0
                 ) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": db.url, "PYTHONUNBUFFERED": "1"}
    if pause:
        env["IPFLOW_WORKER_ITEM_PAUSE"] = str(pause)
    return subprocess.Popen([*ipflow_command(), "worker", "--once", "--now", DUE.isoformat(),
                             "--outbox-dir", str(outbox), *options],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def finish(process: subprocess.Popen[str], timeout: float = 300) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, (process.returncode, out, err)
    return out


def start_cases(db: Database, count: int) -> list[int]:
    actor = get_actor(db, "koordinator")
    with clock.frozen_at(T0):
        return [case_start.start_case(db, "ip_koordinator", REPORT, actor,
                                      duplicate_reason=demo.SEVERAL_CASES) for _ in range(count)]


def count(db: Database, query: object) -> int:
    with db.reading() as session:
        return int(session.scalar(query) or 0)  # type: ignore[call-overload]


def fired(db: Database) -> int:
    return count(db, select(func.count()).select_from(Timer).where(Timer.fired_at.is_not(None)))


def wait_until(condition: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def assert_each_fired_once(db: Database, case_ids: list[int]) -> None:
    """One timer per case, fired once, with everything that firing writes, exactly once."""
    with db.reading() as session:
        timers = list(session.scalars(select(Timer).where(Timer.bpmn_id == "assessment_deadline")))
        fired = [t for t in timers if t.fired_at is not None]
        assert sorted(t.case_id for t in fired) == sorted(case_ids)  # no case fired twice
        assert all(t.fired_at == DUE and not t.cancelled for t in fired)
        # The interim reply repeats every 30 days: each case has its next firing waiting.
        waiting = [t for t in timers if t.fired_at is None]
        assert sorted(t.case_id for t in waiting) == sorted(case_ids)
        assert all(t.due_at > DUE for t in waiting)
        per_case = dict(session.execute(select(Event.case_id, func.count()).where(
            Event.kind == "timer_fired").group_by(Event.case_id)).all())
        assert per_case == dict.fromkeys(case_ids, 1)
        letters = dict(session.execute(select(Document.case_id, func.count()).where(
            Document.bpmn_id == "send_interim_reply").group_by(Document.case_id)).all())
        assert letters == dict.fromkeys(case_ids, 1)
        reminders = dict(session.execute(select(TaskEscalation.task_id, func.count())
                                         .group_by(TaskEscalation.task_id)).all())
        assert len(reminders) == len(case_ids) and set(reminders.values()) == {1}


def assert_each_delivered_once(db: Database, outbox: Path, expected: int) -> None:
    with db.reading() as session:
        rows = list(session.scalars(select(Outbox)))
    assert len(rows) == expected
    assert all(r.delivered_at is not None and r.attempts == 1 for r in rows), [
        (r.id, r.attempts, r.delivered_at) for r in rows if r.attempts != 1 or not r.delivered_at]
    assert sorted(p.name for p in outbox.glob("*.txt")) == sorted(
        f"{r.id:08d}-{r.kind}.txt" for r in rows)
    assert not list(outbox.glob(".*.tmp"))


def test_two_workers_fire_each_of_150_timers_exactly_once(pg: Database, tmp_path: Path
                                                          ) -> None:
    case_ids = start_cases(pg, 150)  # six batches of 25: both workers overlap, CI stays lean
    outbox = tmp_path / "outbox"
    # A short pause per item keeps both processes busy at the same time.
    workers = [start_worker(pg, outbox, "--batch-size", "25", pause=0.005) for _ in range(2)]
    outputs = [finish(process) for process in workers]

    fired_by = [int(out.split(" saker med tidsfrister kjørt")[0].split()[-1]) for out in outputs]
    delivered_by = [int(out.split(" meldinger levert")[0].split()[-1]) for out in outputs]
    assert sum(fired_by) == 150 and sum(delivered_by) == 300, outputs
    assert all(n > 0 for n in fired_by), f"one worker did all the work: {fired_by}"
    assert_each_fired_once(pg, case_ids)
    assert_each_delivered_once(pg, outbox, 300)  # 150 interim replies and 150 reminders

    again = finish(start_worker(pg, outbox))
    assert again.startswith("0 saker med tidsfrister kjørt, 0 meldinger levert"), again


def test_a_worker_killed_mid_batch_loses_nothing(pg: Database, tmp_path: Path) -> None:
    case_ids = start_cases(pg, 60)
    outbox = tmp_path / "outbox"
    # Each item pauses before its commit, so the kill lands inside an open transaction.
    victim = start_worker(pg, outbox, "--batch-size", "5", pause=0.2)
    wait_until(lambda: fired(pg) >= 7)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    assert victim.returncode == -signal.SIGKILL

    done = fired(pg)
    assert 7 <= done < 60, done
    with pg.reading() as session:
        # every case is whole: fired with its event and letter, or untouched
        fired_cases = set(session.scalars(select(Timer.case_id).where(Timer.fired_at.is_not(None))))
        evented = set(session.scalars(select(Event.case_id).where(Event.kind == "timer_fired")))
        lettered = set(session.scalars(select(Document.case_id).where(
            Document.bpmn_id == "send_interim_reply")))
    assert fired_cases == evented == lettered

    finish(start_worker(pg, outbox, "--batch-size", "5"))
    assert_each_fired_once(pg, case_ids)
    assert_each_delivered_once(pg, outbox, 120)


def test_a_worker_killed_while_delivering_redelivers_to_the_same_file(
        pg: Database, tmp_path: Path) -> None:
    """At least once, idempotent target: the row in flight is delivered again after the
    restart, to the file named by its id, and marked delivered once."""
    now = datetime.now(UTC)
    with pg.transaction() as session:
        session.add_all(Outbox(kind="letter", recipient=f"Mottaker {n}", subject="Brev",
                               body=f"Brev nummer {n}", created_at=now) for n in range(40))
    outbox = tmp_path / "outbox"
    victim = start_worker(pg, outbox, "--batch-size", "5", pause=0.2)
    delivered = select(func.count()).select_from(Outbox).where(Outbox.delivered_at.is_not(None))
    wait_until(lambda: count(pg, delivered) >= 5)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    assert 5 <= count(pg, delivered) < 40

    finish(start_worker(pg, outbox))
    assert_each_delivered_once(pg, outbox, 40)
    for path in outbox.glob("*.txt"):
        number = int(path.read_text(encoding="utf-8").split("Brev nummer ")[1])
        assert f"Til: Mottaker {number}\n" in path.read_text(encoding="utf-8")
