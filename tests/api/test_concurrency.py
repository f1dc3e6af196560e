"""Lost races: two people complete or claim the same task at the same moment.

A barrier holds both requests after they have loaded the task (and, for a completion, the
workflow) until both have done so; only then may either go on to write. Exactly one wins, the
other gets Conflict (409 over HTTP), and the case moves on exactly once. The engine must get
this right on SQLite (one writer at a time) and on PostgreSQL (row locks, optimistic version).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from engine import demo
from engine.features import task_actions
from engine.kernel.db import CHANGED_MEANWHILE, Database
from engine.kernel.errors import Conflict, TaskTaken
from engine.kernel.models import Event, Task
from engine.runtime.case_run import CaseRun
from engine.runtime.users import Actor, get_actor
from tests.support.people import staff_of
from tests.support.threads import run_together
from webapp import create_app

NIN = "23074820085"
BARRIER_TIMEOUT = 20
APPROVE = {"long_term_need": True, "two_or_more_services": True, "citizen_wants": True,
           "approved": True, "approved_ip": True, "service_area": "oppvekst",
           "assessment_reasoning": "Vilkårene er oppfylt."}


def _hold_after_loading(monkeypatch: pytest.MonkeyPatch, parties: int) -> threading.Barrier:
    """Every completion waits, right after loading its workflow, until all have loaded."""
    barrier = threading.Barrier(parties, timeout=BARRIER_TIMEOUT)
    original = CaseRun.load_workflow

    def load_then_wait(self: CaseRun) -> Any:
        workflow = original(self)
        barrier.wait()
        return workflow

    monkeypatch.setattr(CaseRun, "load_workflow", load_then_wait)
    return barrier


def _hold_after_checking(monkeypatch: pytest.MonkeyPatch, parties: int) -> threading.Barrier:
    """Every claim waits, right after its checks passed, until all have checked."""
    barrier = threading.Barrier(parties, timeout=BARRIER_TIMEOUT)
    original = task_actions._task_for_action

    def check_then_wait(session: Any, task_id: int, actor: Actor) -> Task:
        task = original(session, task_id, actor)
        barrier.wait()
        return task

    monkeypatch.setattr(task_actions, "_task_for_action", check_then_wait)
    return barrier


def _count(db: Database, case_id: int, kind: str) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count(Event.id)).where(
            Event.case_id == case_id, Event.kind == kind)) or 0


def _tasks(db: Database, case_id: int) -> list[tuple[str, str]]:
    with db.reading() as session:
        return [(t.bpmn_id, t.state) for t in session.scalars(
            select(Task).where(Task.case_id == case_id).order_by(Task.id))]


def test_two_concurrent_completions_one_wins(db: Database,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    staff = staff_of(db)
    case_id = demo.report(db, staff["koordinator"], NIN)
    task_id = demo.open_task(db, case_id, "assess_report")
    task_actions.claim_task(db, task_id, staff["systemkoordinator"])
    barrier = _hold_after_loading(monkeypatch, 2)

    outcomes = run_together(
        lambda: task_actions.complete_task(db, task_id, dict(APPROVE), staff["systemkoordinator"]),
        lambda: task_actions.complete_task(db, task_id, dict(APPROVE), staff["systemkoordinator"]),
    )

    assert not barrier.broken, "both completions should have loaded before either wrote"
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "NoneType"], outcomes
    # both had passed every check, so the loser lost at the write, not at "already completed"
    assert [o.message for o in outcomes if isinstance(o, Conflict)] == [CHANGED_MEANWHILE]
    assert _count(db, case_id, "task_completed") == 1
    assert _count(db, case_id, "step_completed") == 3  # derive, record_decision, send_decision
    assert _tasks(db, case_id) == [("assess_report", "completed"),
                                   ("appoint_coordinator", "ready")]
    # the case is consistent afterwards: the next steps can be taken
    monkeypatch.undo()
    demo.appoint(db, staff, case_id)
    assert _count(db, case_id, "task_completed") == 4


def test_two_concurrent_completions_over_http_one_gets_409(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    staff = staff_of(db)
    case_id = demo.report(db, staff["koordinator"], NIN)
    task_id = demo.open_task(db, case_id, "assess_report")
    app: Flask = create_app(db.url, {"TESTING": True})
    app.extensions["ipflow_db"] = db
    login = app.test_client().post("/api/v1/login",
                                   json={"username": "systemkoordinator", "password": "demo"})
    token = login.get_json()["token"]
    task_actions.claim_task(db, task_id, staff["systemkoordinator"])
    barrier = _hold_after_loading(monkeypatch, 2)

    def complete() -> tuple[int, Any]:
        response = app.test_client().post(f"/api/v1/tasks/{task_id}/complete",
                                          json={"data": APPROVE},
                                          headers={"Authorization": f"Bearer {token}"})
        return response.status_code, response.get_json()

    outcomes = run_together(complete, complete)

    assert not barrier.broken
    assert sorted(status for status, _body in outcomes) == [200, 409], outcomes
    assert [body["error"] for status, body in outcomes if status == 409] == [CHANGED_MEANWHILE]
    assert _count(db, case_id, "task_completed") == 1
    assert _tasks(db, case_id) == [("assess_report", "completed"),
                                   ("appoint_coordinator", "ready")]


def test_two_concurrent_claims_one_wins(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    staff = staff_of(db)
    other = get_actor(db, "fagleder_oppvekst")
    case_id = demo.report(db, staff["koordinator"], NIN)
    demo.approve(db, staff, case_id, "oppvekst")
    task_id = demo.open_task(db, case_id, "appoint_coordinator")
    barrier = _hold_after_checking(monkeypatch, 2)

    outcomes = run_together(
        lambda: task_actions.claim_task(db, task_id, staff["fagleder"]),
        lambda: task_actions.claim_task(db, task_id, other),
    )

    assert not barrier.broken
    kinds = [type(o).__name__ for o in outcomes]
    assert sorted(kinds) == ["NoneType", "TaskTaken"], outcomes
    winner = ("fagleder", "fagleder_oppvekst")[kinds.index("NoneType")]
    # the loser is told who won, and since when
    lost = next(o for o in outcomes if isinstance(o, TaskTaken))
    assert (lost.by, lost.done, lost.at is not None) == (winner, False, True)
    with db.reading() as session:
        assert session.get(Task, task_id).claimed_by == winner  # type: ignore[union-attr]
    assert _count(db, case_id, "task_claimed") == 2  # assess_report (taken to approve), and this
    loser = other if winner == "fagleder" else staff["fagleder"]
    with pytest.raises(Conflict):
        task_actions.complete_task(db, task_id, {"coordinator": "koordinator"}, loser)
