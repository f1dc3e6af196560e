"""Where cases wait (the heat map's numbers) and the monthly trends, through API and engine.

The heat map's data: for each step, how many open cases wait there at ``now`` and the median
time they have waited (from the task's creation, the incident, or the last event for a case
that waits on a timer). Levels 1..5 colour a step by its share of the busiest one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from engine.features import monitor_heat, monitor_trends
from engine.features.monitor_positions import Position
from tests.support.clock import T0
from tests.support.people import EMMA, KARI, OLA, PER


def steps(overview: dict[str, Any], key: str = "per_step") -> dict[str, dict[str, Any]]:
    rows = overview[key] if key == "per_step" else overview["heatmap"]["steps"]
    return {row["step"]: row for row in rows}


def test_heat_map_counts_and_median_wait_per_step(
        flow: Callable[..., Any], api: Any, letters_down: Callable[[], None]) -> None:
    f = flow()
    first = f.report("koordinator", OLA)                 # waits at assess_report from day 0
    f.wait(days=2)
    f.report("koordinator", PER)                         # waits at assess_report from day 2
    f.wait(days=1)
    f.report("koordinator", KARI)
    f.refuse("Vilkårene er ikke oppfylt.")               # waits for an appeal from day 3
    f.wait(days=1)
    f.report("koordinator", EMMA)
    f.approve("helse")                                   # letters fail: incident from day 4
    f.wait(days=1)
    api.post(f"/monitor/cases/{first}/cancel", "leder", {"reason": "Dobbeltregistrert."})

    now = T0 + timedelta(days=10)
    seen = api.get(f"/monitor/overview?now={now.isoformat().replace('+', '%2B')}", "leder")
    per_step = steps(seen)
    assert set(per_step) == {"assess_report", "await_appeal", "send_decision"}
    assert per_step["assess_report"] == {"step": "assess_report", "name": "Vurder og avgjør",
                                         "cases": 1, "median_wait_days": 8.0, "level": 5}
    assert per_step["await_appeal"]["cases"] == 1
    assert per_step["await_appeal"]["median_wait_days"] == 7.0
    assert per_step["send_decision"]["median_wait_days"] == 6.0
    assert seen["active_cases"] == 3
    assert {row["service_area"]: row["cases"] for row in seen["per_area"]} == {
        None: 2, "helse": 1}
    assert seen["heatmap"]["process"] == "ip_koordinator"
    heat = steps(seen, "heat")
    assert {step: heat[step] for step in per_step} == per_step
    # Each phase counts the cases waiting at any step inside it (the top of the diagram).
    assert {step: (row["name"], row["cases"]) for step, row in heat.items()
            if step not in per_step} == {"phase_assessment": ("Vurdering og avgjørelse", 2),
                                         "phase_appeal": ("Klage", 1)}

    # as of day 1 the cancelled case and only it was waiting
    early = api.get("/monitor/overview?now=2026-03-03T09:00:00Z", "leder")
    assert {s: row["cases"] for s, row in steps(early).items()} == {"assess_report": 1}


def test_median_and_levels() -> None:
    now = T0 + timedelta(days=10)
    places = [Position(1, "a", "A", T0, None),
              Position(2, "a", "A", T0 + timedelta(days=4), None),
              Position(3, "a", "A", T0 + timedelta(days=9), None),
              Position(4, "b", None, T0 + timedelta(days=5), None),
              Position(4, "b", None, T0 + timedelta(days=8), None)]
    loads = {load.step: load for load in monitor_heat.step_loads(places, now, {"b": "B"})}
    assert (loads["a"].cases, loads["a"].median_wait_days, loads["a"].level) == (3, 6.0, 5)
    # one case counted once per step, from its earliest moment there
    assert (loads["b"].name, loads["b"].cases, loads["b"].median_wait_days,
            loads["b"].level) == ("B", 1, 5.0, 2)
    assert monitor_heat.heat_levels([]) == []


def test_lead_times_by_month_and_cases_opened_and_closed(
        flow: Callable[..., Any], api: Any) -> None:
    f = flow()
    f.report("koordinator", OLA)                   # 2 March
    f.wait(days=4)
    f.approve("helse")                             # decision after 4 days (March)
    f.wait(days=3)
    f.appoint("koordinator")                       # coordinator after 7 days (March)
    f.train()
    f.summon(f.now + timedelta(days=30))
    f.travel_to(datetime(2026, 4, 10, 9, 0, tzinfo=UTC))
    f.consent("koordinator")                       # start-up meeting after 39 days (April)

    second = f.report("koordinator", PER)          # 10 April
    f.wait(days=2)
    f.refuse("Ikke langvarig behov.")              # decision after 2 days (April)
    f.wait(days=1)
    api.post(f"/monitor/cases/{second}/cancel", "leder", {"reason": "Trukket."})

    trends = api.get("/monitor/trends?now=2026-04-30T12:00:00Z&months=3", "leder")
    assert trends["months"] == ["2026-02", "2026-03", "2026-04"]
    lead = {name: [(v["median_days"], v["cases"]) for v in values]
            for name, values in trends["lead_times"].items()}
    assert lead["decision"] == [(None, 0), (4.0, 1), (2.0, 1)]
    assert lead["coordinator"] == [(None, 0), (7.0, 1), (None, 0)]
    assert lead["startup_meeting"] == [(None, 0), (None, 0), (39.0, 1)]
    assert trends["opened"] == [0, 1, 1]
    assert trends["closed"] == [0, 0, 1]

    # asked as of 31 March, April has not happened
    march = api.get("/monitor/trends?now=2026-03-31T12:00:00Z&months=2", "leder")
    assert march["opened"] == [0, 1] and march["closed"] == [0, 0]
    assert march["lead_times"]["startup_meeting"][-1]["cases"] == 0


def test_month_starts_cross_the_year() -> None:
    assert monitor_trends.month_starts(datetime(2026, 2, 15, tzinfo=UTC), 3) == [
        date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    # 23:30 UTC on 31 January is already February in Norway
    assert monitor_trends.month_starts(datetime(2026, 1, 31, 23, 30, tzinfo=UTC), 1) == [
        date(2026, 2, 1)]


def test_overview_and_trends_are_for_the_monitor_roles_only(api: Any) -> None:
    for path in ("/monitor/overview", "/monitor/trends"):
        api.get(path, "systemkoordinator")
        api.get(path, "koordinator", expect=403)
        api.get(path, "fagleder", expect=403)
