"""The monitor's figures as the worker computes them (``monitor_snapshot``): the same figures as
computing them from the rows, computed every ``IPFLOW_MONITOR_REFRESH_MINUTES`` by the worker,
once on demand on a fresh install, and the page saying when they were computed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.features import monitor, monitor_heat, monitor_snapshot, monitor_trends, worker
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import MonitorSnapshot
from engine.kernel.settings import monitor_refresh
from engine.runtime.users import get_actor
from tests.support.clock import T0
from tests.support.pages import inside
from tests.support.people import EMMA, KARI, OLA, PER

Web = Callable[[str], Any]
EVERY = timedelta(minutes=5)


def seeded(flow: Callable[..., Any], letters_down: Callable[[], None]) -> Any:
    """Four cases: two wait at the assessment, one for an appeal (decided in March), one at a
    failed step (its decision letter)."""
    f = flow()
    f.report("koordinator", OLA)
    f.wait(days=2)
    f.report("koordinator", PER)
    f.wait(days=1)
    f.report("koordinator", KARI)
    f.refuse("Vilkårene er ikke oppfylt.")
    f.wait(days=1)
    f.report("koordinator", EMMA)
    f.approve("helse")                       # letters fail: an incident at send_decision
    f.wait(days=5)
    return f


def snapshots(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(MonitorSnapshot)) or 0


def test_snapshot_figures_equal_the_direct_computation(
        flow: Callable[..., Any], db: Database, letters_down: Callable[[], None]) -> None:
    f = seeded(flow, letters_down)
    leder = get_actor(db, "leder")
    made = monitor_snapshot.refresh(db, f.now, EVERY)
    assert made is not None and made.computed_at == f.now
    with clock.frozen_at(f.now + timedelta(minutes=2)):
        stored = monitor_snapshot.overview(db, leder).as_json()
        stored_trends = monitor_snapshot.trends(db, leder, months=14).as_json()
    direct = monitor_heat.overview(db, leder, f.now).as_json()
    assert stored.pop("now") != direct.pop("now")  # asked two minutes later
    assert stored == direct and stored["computed_at"] == f.now.isoformat()
    assert stored["active_cases"] == 4 and stored["heatmap"]["steps"]
    assert stored_trends == monitor_trends.trends(db, leder, f.now, 14).as_json()
    assert stored_trends["lead_times"]["decision"][-1]["cases"] == 1  # the letter failed once

    # the API's ?process= and an unknown process, from the same snapshot
    with clock.frozen_at(f.now):
        chosen = monitor_snapshot.overview(db, leder, process_key="ip_koordinator")
        unknown = monitor_snapshot.overview(db, leder, process_key="finnes_ikke")
    assert chosen.as_json()["heatmap"] == direct["heatmap"]
    assert chosen.bpmn_xml and "<bpmn:definitions" in chosen.bpmn_xml
    assert unknown.heat == [] and unknown.process_key is None
    assert unknown.per_step == chosen.per_step


def test_the_worker_computes_them_every_interval(
        flow: Callable[..., Any], db: Database, tmp_path: Path) -> None:
    f = flow()
    f.report("koordinator", OLA)
    deliver = worker.file_delivery(tmp_path)
    settings = worker.WorkerSettings(monitor_refresh=EVERY)
    first = worker.run_once(db, deliver, f.now, settings)
    assert first.monitor_refreshed and snapshots(db) == 1
    assert not worker.run_once(db, deliver, f.now + timedelta(minutes=4), settings
                               ).monitor_refreshed
    f.report("koordinator", PER)
    later = f.now + timedelta(minutes=5)
    assert worker.run_once(db, deliver, later, settings).monitor_refreshed
    assert snapshots(db) == 1  # the older one is dropped in the same transaction
    with clock.frozen_at(later):
        seen = monitor_snapshot.overview(db, get_actor(db, "leder"))
    assert seen.computed_at == later and seen.active_cases == 2


def test_the_interval_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IPFLOW_MONITOR_REFRESH_MINUTES", raising=False)
    assert monitor_refresh() == timedelta(minutes=5)
    monkeypatch.setenv("IPFLOW_MONITOR_REFRESH_MINUTES", "15")
    assert worker.WorkerSettings.from_env().monitor_refresh == timedelta(minutes=15)
    for wrong in ("0", "-1", "fem", "nan", "1440"):
        monkeypatch.setenv("IPFLOW_MONITOR_REFRESH_MINUTES", wrong)
        with pytest.raises(ValueError, match="IPFLOW_MONITOR_REFRESH_MINUTES"):
            monitor_refresh()


def test_a_fresh_install_computes_them_once_and_the_page_says_when(
        flow: Callable[..., Any], db: Database, web: Web) -> None:
    f = flow()
    f.report("koordinator", OLA)
    assert snapshots(db) == 0
    page = web("leder").get("/monitor")
    assert snapshots(db) == 1
    # T0 is 10.00 in Norway
    assert "tall per kl. 10.00 (regnes ut på nytt hvert 5. minutt)" in inside(
        page, "figures-at")
    assert "Tall per kl. 10.00." in page and page.by_id("count-active").text.strip() == "1"
    assert not page.all(id="figures-stale")

    # a new case: the page shows the stored figures until the worker computes new ones
    f.report("koordinator", PER)
    f.wait(minutes=3)
    assert web("leder").get("/monitor").by_id("count-active").text.strip() == "1"
    assert snapshots(db) == 1
    f.wait(minutes=3)
    f.run_worker()
    page = web("leder").get("/monitor")
    assert page.by_id("count-active").text.strip() == "2"
    assert "tall per kl. 10.06" in inside(page, "figures-at")

    # a worker that has stopped: after two intervals the page says the figures are old
    f.wait(minutes=11)
    old = web("leder").get("/monitor")
    assert old.all(id="figures-stale") and "tall per kl. 10.06" in inside(old, "figures-at")

    # a moment asked for is computed for that moment, so no snapshot time is shown
    asked = web("leder").get(f"/monitor?now={f.now.isoformat().replace('+', '%2B')}")
    assert not asked.all(id="figures-at")
    assert asked.by_id("count-active").text.strip() == "2"


def test_the_stuck_key_figures_come_with_them_and_the_list_is_live(
        flow: Callable[..., Any], db: Database, web: Web, api: Any) -> None:
    f = flow()
    first = f.report("koordinator", OLA)
    f.report("koordinator", PER)
    f.wait(days=40)                                    # both overdue and unclaimed
    page = web("leder").get("/monitor")
    assert page.by_id("count-stuck").text.strip() == "2"
    with db.reading() as session:
        counted = monitor.stuck_summary(session, f.now, monitor.MonitorConfig.from_env())
    assert monitor_snapshot.current(db, f.now).stuck(monitor.MonitorConfig.from_env()
                                                     ) == counted

    api.post(f"/monitor/cases/{first}/cancel", "leder", {"reason": "Dobbeltregistrert."})
    page = web("leder").get("/monitor")
    assert page.by_id("count-stuck").text.strip() == "2"          # as the worker counted
    assert [int(e.get("data-case")) for e in page.all("tr") if e.get("data-case")] != [first]
    assert inside(page, "stuck-count").startswith("1 sak ")        # the list: now
    # other thresholds than the worker's: the key figures are counted for this page
    assert web("leder").get("/monitor?unclaimed_hours=24").by_id(
        "count-stuck").text.strip() == "1"
    f.wait(minutes=5)
    f.run_worker()
    assert web("leder").get("/monitor").by_id("count-stuck").text.strip() == "1"


def test_the_api_says_when_the_figures_were_computed(flow: Callable[..., Any], db: Database,
                                                      api: Any) -> None:
    f = flow()
    f.report("koordinator", OLA)
    monitor_snapshot.refresh(db, f.now - timedelta(minutes=1), EVERY)
    seen = api.get("/monitor/overview", "leder")
    assert seen["computed_at"] == (f.now - timedelta(minutes=1)).isoformat()
    assert seen["now"] == f.now.isoformat() and seen["active_cases"] == 0  # before the case
    trends = api.get("/monitor/trends?months=3", "leder")
    assert trends["computed_at"] == seen["computed_at"] and len(trends["months"]) == 3
    asked = api.get(f"/monitor/overview?now={f.now.isoformat().replace('+', '%2B')}", "leder")
    assert asked["computed_at"] == asked["now"] and asked["active_cases"] == 1


def test_a_worker_skips_while_another_computes(db: Database) -> None:
    """PostgreSQL: the computation holds an advisory lock; a second worker does not wait for
    it, a first page read does (and then finds the figures stored)."""
    if not db.is_postgresql:
        pytest.skip("advisory locks are PostgreSQL's; SQLite runs one writer at a time")
    with clock.frozen_at(T0), db.transaction() as holder:
        holder.execute(select(func.pg_advisory_xact_lock(monitor_snapshot.LOCK_KEY)))
        assert monitor_snapshot.refresh(db, T0, EVERY) is None
        assert snapshots(db) == 0
    assert monitor_snapshot.refresh(db, T0, EVERY) is not None
