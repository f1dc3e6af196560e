"""``inbox_count`` follows the ready tasks through engine calls: after each call its groups are
what counting the tasks directly gives, a refused call changes nothing, and a rebuild (what a
bulk load or the migration does) writes the same rows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from engine import demo
from engine.features import interventions, task_actions
from engine.kernel.db import Database
from engine.kernel.errors import EngineError
from engine.kernel.models import InboxCount, Task, inbox_counts
from engine.kernel.vocabulary import TaskState
from engine.runtime.users import Actor, get_actor
from tests.support.people import EMMA, KARI, OLA

Counts = dict[tuple[str | None, ...], int]


def _kept(db: Database) -> Counts:
    columns = [getattr(InboxCount, name) for name in inbox_counts.GROUPED]
    with db.reading() as session:
        return {tuple(row[:-1]): row[-1] for row in session.execute(
            select(*columns, InboxCount.tasks).where(InboxCount.tasks != 0))}


def _counted(db: Database) -> Counts:
    columns = [getattr(Task, name) for name in inbox_counts.GROUPED]
    with db.reading() as session:
        return {tuple(row[:-1]): row[-1] for row in session.execute(
            select(*columns, func.count()).where(Task.state == TaskState.READY)
            .group_by(*columns))}


def test_counts_follow_every_engine_call_and_a_rebuild_writes_the_same(
        db: Database, staff: dict[str, Actor]) -> None:
    sk, koordinator = staff["systemkoordinator"], staff["koordinator"]
    leder = get_actor(db, "leder")
    cases: list[int] = []

    def task(index: int, bpmn_id: str) -> int:
        return demo.open_task(db, cases[index], bpmn_id)

    steps: list[Callable[[], object]] = [
        lambda: cases.extend(demo.report(db, sk, nin) for nin in (OLA, KARI, EMMA)),
        lambda: demo.approve(db, staff, cases[0], "helse"),
        lambda: demo.approve(db, staff, cases[1], "helse"),
        lambda: task_actions.claim_task(db, task(0, "appoint_coordinator"), staff["fagleder"]),
        lambda: task_actions.unclaim_task(db, task(0, "appoint_coordinator"),
                                          staff["fagleder"]),
        lambda: task_actions.assign_task(db, task(1, "appoint_coordinator"), "fagleder",
                                         staff["fagleder"]),
        lambda: demo.appoint(db, staff, cases[0]),
        lambda: interventions.reassign_task(db, task(2, "assess_report"), "systemkoordinator",
                                            "Ferie.", leder),
        lambda: demo.consent(db, koordinator, cases[0], wants_ip=True),
        lambda: interventions.cancel_case(db, cases[1], "Feilregistrert.", leder),
    ]
    for step in steps:
        step()
        assert _kept(db) == _counted(db)
    assert sum(_kept(db).values()) > 0

    before = _kept(db)
    with pytest.raises(EngineError):  # taken already: refused, rolled back
        task_actions.claim_task(db, task(2, "assess_report"), staff["fagleder"])
    assert _kept(db) == before

    with db.transaction() as session:
        inbox_counts.rebuild(session)
    assert _kept(db) == before
