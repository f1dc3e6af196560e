"""The worker in one process (SQLite or PostgreSQL): escalation of overdue tasks, each timer
and outbox row done once, a failing item kept for the next round, idempotent file delivery.

The multi-process guarantees (two workers at once, a worker killed mid-batch) are tested
against PostgreSQL in ``test_monitor_workers_pg.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine import demo
from engine.features import case_start, worker
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import Event, Outbox, Task, TaskEscalation, Timer
from engine.runtime.case_run import CaseRun
from engine.runtime.users import get_actor
from tests.support.clock import T0
from tests.support.people import OLA

REPORT = {"citizen_name": "Ola Hansen", "citizen_nin": OLA,
          "reported_by": "kommunal_tjenesteyter", "requests": ["ip", "koordinator"]}


def start_cases(db: Database, count: int, at: datetime = T0) -> list[int]:
    actor = get_actor(db, "koordinator")
    with clock.frozen_at(at):
        return [case_start.start_case(db, "ip_koordinator", REPORT, actor,
                                      duplicate_reason=demo.SEVERAL_CASES) for _ in range(count)]


def escalations(db: Database, case_id: int) -> list[tuple[int, str, str]]:
    with db.reading() as session:
        return [(e.data["level"], e.bpmn_id or "", ", ".join(e.data["to"]))
                for e in session.scalars(select(Event).where(
                    Event.case_id == case_id, Event.kind == "task_escalated").order_by(Event.id))]


def test_overdue_task_reminder_then_notice_each_once(flow: Callable[..., Any], db: Database,
                                                     tmp_path: Path) -> None:
    f = flow()
    case_id = f.report("koordinator", OLA)
    f.wait(days=1)
    f.approve("helse")  # appoint_coordinator: fagleder in helse, due in 14 days
    deliver = worker.file_delivery(tmp_path)
    due = f.now + timedelta(days=14)

    assert worker.run_once(db, deliver, due - timedelta(hours=1)).reminders == 0
    first = worker.run_once(db, deliver, due + timedelta(hours=1))
    assert (first.reminders, first.notices) == (1, 0)
    again = worker.run_once(db, deliver, due + timedelta(days=3))
    assert (again.reminders, again.notices) == (0, 0)  # not repeated every round
    notice = worker.run_once(db, deliver, due + timedelta(days=8, hours=2))
    assert (notice.reminders, notice.notices) == (0, 1)
    assert worker.run_once(db, deliver, due + timedelta(days=30)).notices == 0

    assert escalations(db, case_id) == [(1, "appoint_coordinator", "fagleder (helse)"),
                                        (2, "appoint_coordinator", "fagleder")]
    rows = [(r.kind, r.recipient) for r in f.outbox("reminder") + f.outbox("escalation")]
    assert rows == [("reminder", "fagleder (helse)"), ("escalation", "fagleder")]
    assert all(r.delivered_at is not None and r.attempts == 1
               for r in f.outbox("reminder") + f.outbox("escalation"))
    body = f.outbox("escalation")[0].body
    assert "Oppnevn koordinator" in body and "påminnelse" in body


def test_assessment_notice_goes_to_the_leder_and_claims_change_the_reminded(
        flow: Callable[..., Any], db: Database, api: Any, tmp_path: Path) -> None:
    f = flow()
    case_id = f.report("koordinator", OLA)
    task = api.task(case_id, "assess_report", "systemkoordinator")
    api.post(f"/tasks/{task['id']}/claim", "systemkoordinator")
    deliver = worker.file_delivery(tmp_path)
    worker.run_once(db, deliver, T0 + timedelta(days=31))
    worker.run_once(db, deliver, T0 + timedelta(days=39))
    assert escalations(db, case_id) == [(1, "assess_report", "systemkoordinator"),
                                        (2, "assess_report", "leder")]


def test_notice_delay_is_configurable(db: Database, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(worker.NOTICE_AFTER_ENV, "1")
    settings = worker.WorkerSettings.from_env()
    assert settings.notice_after == timedelta(days=1)
    (case_id,) = start_cases(db, 1)
    deliver = worker.file_delivery(tmp_path)
    worker.run_once(db, deliver, T0 + timedelta(days=31), settings)
    assert worker.run_once(db, deliver, T0 + timedelta(days=32, hours=1), settings).notices == 1
    assert worker.WorkerSettings.from_env(batch_size=7).batch_size == 7


def test_each_due_timer_fires_once_over_many_rounds(db: Database, tmp_path: Path) -> None:
    ids = start_cases(db, 12)
    deliver = worker.file_delivery(tmp_path)
    settings = worker.WorkerSettings(batch_size=5)  # several batches in one round
    now = T0 + timedelta(days=31)
    first = worker.run_once(db, deliver, now, settings)
    assert first.cases_fired == 12 and first.delivered == 24  # 12 interim replies, 12 reminders
    again = worker.run_once(db, deliver, now, settings)
    assert (again.cases_fired, again.delivered, again.reminders) == (0, 0, 0)
    with db.reading() as session:
        fired = session.execute(select(Event.case_id, func.count()).where(
            Event.kind == "timer_fired").group_by(Event.case_id)).all()
        assert sorted(fired) == [(case_id, 1) for case_id in ids]
        # What is left is each case's next interim reply, 30 days on (the cycle repeats).
        assert session.scalar(select(func.count()).select_from(Timer).where(
            Timer.fired_at.is_(None), Timer.due_at <= now)) == 0
        assert session.scalar(select(func.count()).select_from(Timer).where(
            Timer.fired_at.is_(None), Timer.due_at > now)) == 12
        assert {row.attempts for row in session.scalars(select(Outbox))} == {1}
    assert len(list(tmp_path.glob("*.txt"))) == 24


def test_fire_case_checks_again_under_the_lock(db: Database) -> None:
    (case_id,) = start_cases(db, 1)
    settings = worker.WorkerSettings()
    assert worker.fire_case(db, case_id, T0 + timedelta(days=29), settings) is False
    assert worker.fire_case(db, case_id, T0 + timedelta(days=31), settings) is True
    assert worker.fire_case(db, case_id, T0 + timedelta(days=31), settings) is False


def test_a_case_that_fails_is_rolled_back_whole_and_others_go_on(
        db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = start_cases(db, 3)
    real_save = CaseRun.save

    def save(self: CaseRun, workflow: Any) -> None:
        real_save(self, workflow)
        if self.case.id == ids[1]:
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(CaseRun, "save", save)
    result = worker.run_once(db, worker.file_delivery(tmp_path), T0 + timedelta(days=31))
    assert result.cases_fired == 2 and len(result.errors) == 1
    with db.reading() as session:
        broken = session.scalar(select(Timer).where(Timer.case_id == ids[1]))
        assert broken is not None and broken.fired_at is None  # nothing half-written
        assert session.scalar(select(func.count()).select_from(Event).where(
            Event.case_id == ids[1], Event.kind.in_(("timer_fired", "step_completed")))) == 1
    monkeypatch.setattr(CaseRun, "save", real_save)
    assert worker.run_once(db, worker.file_delivery(tmp_path),
                           T0 + timedelta(days=31)).cases_fired == 1


def test_a_failed_delivery_is_kept_and_retried(flow: Callable[..., Any], db: Database,
                                               tmp_path: Path) -> None:
    start_cases(db, 1)
    calls: list[int] = []

    def broken(row: Outbox) -> None:
        calls.append(row.id)
        raise OSError("postkassen er full")

    now = T0 + timedelta(days=31)
    result = worker.run_once(db, broken, now)
    assert (result.delivered, result.failed_deliveries) == (0, 2) and len(calls) == 2
    with db.reading() as session:
        rows = list(session.scalars(select(Outbox).order_by(Outbox.id)))
    assert [(r.attempts, r.delivered_at, r.last_error) for r in rows] == [
        (1, None, "postkassen er full")] * 2
    assert worker.run_once(db, worker.file_delivery(tmp_path), now).delivered == 2
    with db.reading() as session:
        assert [(r.attempts, r.last_error) for r in session.scalars(
            select(Outbox).order_by(Outbox.id))] == [(2, None)] * 2


def test_a_letter_is_stored_once_and_delivered_from_its_document(
        flow: Callable[..., Any], db: Database, tmp_path: Path) -> None:
    f = flow()
    f.report("koordinator", OLA)
    f.refuse("Behovet er kortvarig.")
    [letter] = f.letters("Avslag på individuell plan og koordinator")
    [row] = f.outbox("letter")
    assert (row.document_id, row.body) == (letter["id"], None), "a reference, not a copy"
    assert worker.run_once(db, worker.file_delivery(tmp_path), f.now).delivered >= 1
    [delivered] = tmp_path.glob(f"{row.id:08d}-letter.txt")
    assert delivered.read_text(encoding="utf-8").endswith(f"\n\n{letter['body']}\n")


def test_file_delivery_is_idempotent(db: Database, tmp_path: Path) -> None:
    row = Outbox(id=42, case_id=7, kind="letter", recipient="Ola", subject="Svar", body="Tekst",
                 created_at=T0)
    deliver = worker.file_delivery(tmp_path)
    deliver(row)
    row.body = "Tekst"
    deliver(row)  # a redelivery after a crash replaces the same file
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["00000042-letter.txt"]
    assert (tmp_path / files[0]).read_text(encoding="utf-8") == (
        "Til: Ola\nEmne: Svar\nSak: 7\n\nTekst\n")


def test_escalation_reads_only_open_tasks(flow: Callable[..., Any], db: Database,
                                          tmp_path: Path) -> None:
    f = flow()
    f.report("koordinator", OLA)
    f.wait(days=1)
    f.approve("helse")
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Task).where(
            Task.state == "completed")) == 1
    worker.run_once(db, worker.file_delivery(tmp_path), T0 + timedelta(days=60))
    with db.reading() as session:
        levels = list(session.scalars(select(TaskEscalation.level)))
    assert levels == [1]  # the completed assessment is never escalated


def test_a_delivery_target_gets_rows_it_can_keep(db: Database) -> None:
    start_cases(db, 1)
    kept: list[Outbox] = []
    worker.run_once(db, kept.append, T0 + timedelta(days=31))
    assert [(row.kind, row.attempts) for row in kept] == [("letter", 1), ("reminder", 1)]
    assert all(row.delivered_at == T0 + timedelta(days=31) for row in kept)


def test_the_worker_command_takes_batch_size_and_notice_delay(
        db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from cli.main import cli

    start_cases(db, 3)
    monkeypatch.setenv("DATABASE_URL", db.url)

    def run(now: datetime) -> str:
        result = CliRunner().invoke(cli, [
            "worker", "--once", "--now", now.isoformat(), "--outbox-dir", str(tmp_path),
            "--batch-size", "2", "--notice-after-days", "1"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    assert run(T0 + timedelta(days=31)).startswith(
        "3 saker med tidsfrister kjørt, 6 meldinger levert, 0 konflikter, 0 feilet levering, "
        "3 påminnelser og 0 varsler til fagleder.")
    assert "0 påminnelser og 3 varsler til fagleder." in run(T0 + timedelta(days=32, hours=1))
    assert len(list(tmp_path.glob("*.txt"))) == 9
