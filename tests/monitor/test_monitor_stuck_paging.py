"""The stuck list as the database computes it: paged, and meaning what it meant when it was
computed in Python from every event (the reference below is that old definition, written out
plainly over the rows)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from engine.features import monitor
from engine.kernel.db import Database
from engine.kernel.models import NUDGE_EVENTS, Case, Event, Incident, Task
from engine.kernel.paging import Paging
from engine.runtime.users import get_actor
from tests.support.clock import T0
from tests.support.people import EMMA, KARI, OLA, PER


def _days(delta: timedelta) -> int:
    return max(0, math.floor(delta.total_seconds() / 86400))


def reference(db: Database, now: datetime, config: monitor.MonitorConfig) -> set[tuple[Any, ...]]:
    """(case, reason, since, overdue days, task) of every stuck reason, by the old rules:
    open tasks past their deadline or unclaimed too long, open incidents, and cases whose
    newest event that is not a nudge is older than the idle limit (action items aside)."""
    unclaimed, idle = timedelta(hours=config.unclaimed_hours), timedelta(days=config.idle_days)
    found: set[tuple[Any, ...]] = set()
    with db.reading() as session:
        cases = [c for c in session.scalars(select(Case)) if c.created_at <= now
                 and (c.closed_at is None or c.closed_at > now)]
        for case in cases:
            for task in session.scalars(select(Task).where(Task.case_id == case.id)):
                if task.created_at > now or (task.completed_at and task.completed_at <= now):
                    continue
                if task.due_at and task.due_at < now:
                    found.add((case.id, "overdue", task.due_at, _days(now - task.due_at),
                               task.id))
                if not task.claimed_by and not task.assignee and task.created_at + unclaimed < now:
                    found.add((case.id, "unclaimed", task.created_at,
                               _days(now - task.created_at - unclaimed), task.id))
            for incident in session.scalars(select(Incident).where(Incident.case_id == case.id)):
                if incident.created_at <= now and (incident.resolved_at is None
                                                   or incident.resolved_at > now):
                    found.add((case.id, "incident", incident.created_at,
                               _days(now - incident.created_at), None))
            last = session.scalar(select(func.max(Event.at)).where(
                Event.case_id == case.id, Event.at <= now, Event.kind.not_in(NUDGE_EVENTS)))
            since = last or case.created_at
            if since + idle < now:
                found.add((case.id, "idle", since, _days(now - since - idle), None))
    return found


def test_the_database_list_agrees_with_the_old_definition(
        flow: Callable[..., Any], api: Any, db: Database) -> None:
    f = flow()
    waiting = f.report("koordinator", OLA)
    f.wait(days=3)
    approved = f.report("koordinator", PER)
    f.approve("helse")
    f.wait(days=10)
    f.report("koordinator", EMMA)
    api.post(f"/monitor/cases/{waiting}/remind", "leder", {"reason": "Purring."})
    leder = get_actor(db, "leder")
    config = monitor.MonitorConfig(unclaimed_hours=24, idle_days=7)
    for now in (T0 + timedelta(days=2), T0 + timedelta(days=12), T0 + timedelta(days=45)):
        rows = monitor.stuck_cases(db, leder, now, config)
        assert {(r.case_id, r.reason, r.since, r.overdue_days,
                 r.task_id if r.reason in ("overdue", "unclaimed") else None)
                for r in rows if r.reason != "action_item"} == reference(db, now, config), now
    assert {r.case_id for r in monitor.stuck_cases(db, leder, T0 + timedelta(days=45),
                                                   config)} >= {waiting, approved}


def test_the_stuck_list_is_paged(flow: Callable[..., Any], api: Any) -> None:
    f = flow()
    for nin in (OLA, PER, EMMA, KARI):
        f.report("koordinator", nin)
        f.wait(days=1)
    now = (T0 + timedelta(days=60)).isoformat()
    whole = api.get(f"/monitor/stuck?now={now}&per_page=500", "leder")
    assert whole["total"] == len(whole["rows"]) >= 8 and whole["pages"] == 1
    pages = [api.get(f"/monitor/stuck?now={now}&per_page=3&page={n}", "leder")
             for n in range(1, -(-whole["total"] // 3) + 1)]
    assert {(p["page"], p["per_page"], p["total"]) for p in pages} == {
        (n, 3, whole["total"]) for n in range(1, len(pages) + 1)}
    assert [row for p in pages for row in p["rows"]] == whole["rows"]
    days = [row["overdue_days"] for row in whole["rows"]]
    assert days == sorted(days, reverse=True)  # most overdue first
    for bad in ("page=0", "per_page=501", "per_page=x", "order=up"):
        refused = api.get(f"/monitor/stuck?{bad}", "leder", expect=400)
        assert refused["code"] == "invalid_query" and refused["errors"]


def _key(row: monitor.StuckRow) -> tuple[Any, ...]:
    return row.case_id, row.reason, row.since, row.task_id or 0


def _order(row: monitor.StuckRow, sort: str, descending: bool | None,
           config: monitor.MonitorConfig) -> tuple[float, ...]:
    """Where ``row`` belongs in the list sorted by ``sort``: smaller first."""
    since = row.since.timestamp()
    past = {"unclaimed": config.unclaimed_hours * 3600, "idle": config.idle_days * 86400}
    first = {"overdue_days": since + past.get(row.reason, 0), "since": since,
             "case_id": row.case_id}[sort]
    later_first = descending if sort != "overdue_days" else descending is False
    return -first if later_first else first, since, row.case_id


def test_pages_read_from_each_reason_are_the_whole_list_in_order(
        flow: Callable[..., Any], api: Any, db: Database, monkeypatch: Any) -> None:
    """A page reads only the first rows of each reason (``first_rows``): page after page it
    is the whole list in its order, as time moves on and the thresholds change; past
    ``COUNT_CAP`` rows the total stops there and says so."""
    f = flow()
    for nin in (OLA, PER, EMMA):
        f.report("koordinator", nin)
        f.wait(days=2)
    f.approve("helse")
    leder = get_actor(db, "leder")
    for days, config in ((5, monitor.MonitorConfig(unclaimed_hours=24, idle_days=3)),
                         (40, monitor.MonitorConfig()),
                         (40, monitor.MonitorConfig(unclaimed_hours=2000, idle_days=0))):
        now = T0 + timedelta(days=days)
        for sort, descending in (("overdue_days", None), ("overdue_days", False),
                                 ("since", True), ("case_id", None)):
            query = monitor.StuckQuery(sort=sort, descending=descending)
            whole = monitor.stuck_cases(db, leder, now, config, query)
            assert {(r.case_id, r.reason, r.since, r.overdue_days) for r in whole
                    if r.reason != "action_item"} == {
                row[:4] for row in reference(db, now, config)}
            pages = [monitor.stuck_page(db, leder, now, config, query, Paging(n, 2))
                     for n in range(1, -(-len(whole) // 2) + 1)]
            assert {page.total for page in pages} == {len(whole)}
            paged = [row for page in pages for row in page.rows]
            assert sorted(map(_key, paged)) == sorted(map(_key, whole)), (days, sort)
            order = [_order(r, sort, descending, config) for r in paged]
            assert order == sorted(order), (days, sort)  # ties in any order
    monkeypatch.setattr(monitor, "COUNT_CAP", 3)
    capped = api.get(f"/monitor/stuck?now={(T0 + timedelta(days=40)).isoformat()}&per_page=2",
                     "leder")
    assert (capped["total"], capped["pages"], capped["total_capped"]) == (3, 2, True)
