"""Stuck detection, one reason at a time, asked at chosen ``now`` values through the API.

``GET /api/v1/monitor/stuck?now=...`` answers as of that moment: the same database gives last
month's answer for last month. Deadlines come from the diagram (assessment 30 days, appointment
14 days, start-up summons 30 days, evaluation at the plan's revision date).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from engine.features import monitor
from engine.kernel.db import Database
from engine.kernel.models import ActionItem, Task
from engine.runtime.deadlines import end_of_day
from tests.support.clock import T0
from tests.support.people import OLA, PER


def stuck(api: Any, now: datetime, user: str = "leder", **params: Any) -> list[dict[str, Any]]:
    query = urlencode({"now": now.isoformat(), **params})
    return api.get(f"/monitor/stuck?{query}", user)["rows"]


def reasons(api: Any, now: datetime, case_id: int, **params: Any) -> dict[str, dict[str, Any]]:
    """The case's stuck rows at ``now`` by reason."""
    return {row["reason"]: row for row in stuck(api, now, **params)
            if row["case_id"] == case_id}


def test_assessment_is_overdue_after_30_days_fvl_11a(flow: Callable[..., Any], api: Any) -> None:
    f = flow()
    case_id = f.report("koordinator", OLA)
    assert "overdue" not in reasons(api, T0 + timedelta(days=29, hours=23), case_id)

    row = reasons(api, T0 + timedelta(days=30, hours=1), case_id)["overdue"]
    assert row == {**row, "case_id": case_id, "step": "assess_report",
                   "step_name": "Vurder og avgjør", "role": "systemkoordinator",
                   "assignee": None, "service_area": None, "overdue_days": 0,
                   "since": (T0 + timedelta(days=30)).isoformat()}
    assert reasons(api, T0 + timedelta(days=33, hours=1), case_id)["overdue"]["overdue_days"] == 3

    # decided on day 31: not overdue afterwards, but still overdue when asked about day 30.5
    f.travel_to(T0 + timedelta(days=31))
    f.approve("helse")
    assert "overdue" not in {r["reason"] for r in stuck(api, T0 + timedelta(days=32))
                             if r["step"] == "assess_report"}
    assert "overdue" in reasons(api, T0 + timedelta(days=30, hours=12), case_id)


def test_appointment_is_overdue_after_14_days(flow: Callable[..., Any], api: Any) -> None:
    f = flow()
    case_id = f.report("koordinator", OLA)
    f.wait(days=1)
    f.approve("helse")
    approved = f.now
    assert "overdue" not in reasons(api, approved + timedelta(days=13), case_id)
    row = reasons(api, approved + timedelta(days=15), case_id)["overdue"]
    assert (row["step"], row["role"], row["service_area"], row["overdue_days"]) == (
        "appoint_coordinator", "fagleder", "helse", 1)
    assert row["since"] == (approved + timedelta(days=14)).isoformat()


def test_startup_summons_is_overdue_30_days_after_the_appointment(
        flow: Callable[..., Any], api: Any) -> None:
    f = flow()
    case_id = f.report("koordinator", OLA)
    f.approve("helse")
    f.wait(days=2)
    f.appoint("koordinator")
    appointed = f.now
    f.train()
    rows = reasons(api, appointed + timedelta(days=31), case_id)
    assert rows["overdue"]["step"] == "summon_startup_meeting"
    assert rows["overdue"]["since"] == (appointed + timedelta(days=30)).isoformat()
    assert rows["overdue"]["overdue_days"] == 1
    assert "overdue" not in reasons(api, appointed + timedelta(days=29), case_id)


def test_evaluation_is_due_by_the_end_of_the_revision_date(
        flow: Callable[..., Any], api: Any, db: Database) -> None:
    f = flow()
    case_id = f.to_follow_up("systemkoordinator", OLA, "helse", "koordinator")
    revision = f.today + timedelta(days=365)
    f.travel_to(datetime.combine(revision, datetime.min.time(), tzinfo=UTC)
                + timedelta(hours=6))
    assert f.run_worker().cases_fired == 1
    with db.reading() as session:
        task = session.scalar(select(Task).where(Task.case_id == case_id,
                                                 Task.bpmn_id == "evaluate_plan"))
    assert task is not None and task.due_at == end_of_day(revision)
    assert "overdue" not in reasons(api, f.now, case_id)
    row = reasons(api, end_of_day(revision) + timedelta(days=2, hours=1), case_id)["overdue"]
    assert (row["step"], row["role"], row["assignee"], row["overdue_days"]) == (
        "evaluate_plan", "koordinator", "koordinator", 2)


def test_unclaimed_group_task_after_the_configured_hours(
        flow: Callable[..., Any], api: Any) -> None:
    f = flow()
    case_id = f.report("koordinator", OLA)
    assert "unclaimed" not in reasons(api, T0 + timedelta(hours=23), case_id,
                                      unclaimed_hours=24)
    row = reasons(api, T0 + timedelta(hours=25), case_id, unclaimed_hours=24)["unclaimed"]
    assert (row["step"], row["role"], row["assignee"], row["since"], row["overdue_days"]) == (
        "assess_report", "systemkoordinator", None, T0.isoformat(), 0)
    # the default threshold is 48 hours
    assert "unclaimed" not in reasons(api, T0 + timedelta(hours=47), case_id)
    assert "unclaimed" in reasons(api, T0 + timedelta(hours=49), case_id)

    f.wait(days=3)
    task = api.task(case_id, "assess_report", "systemkoordinator")
    api.post(f"/tasks/{task['id']}/claim", "systemkoordinator")
    assert "unclaimed" not in reasons(api, T0 + timedelta(days=4), case_id)


def test_unclaimed_threshold_from_the_app_config(flow: Callable[..., Any], api: Any) -> None:
    api.client.application.config["MONITOR_UNCLAIMED_HOURS"] = 2
    f = flow()
    case_id = f.report("koordinator", OLA)
    assert "unclaimed" in reasons(api, T0 + timedelta(hours=3), case_id)


def test_open_incident_is_stuck_until_resolved(
        flow: Callable[..., Any], api: Any, letters_down: Callable[[], None]) -> None:
    f = flow()
    case_id = f.report("koordinator", OLA)
    f.wait(days=2)
    f.approve("helse")  # send_decision fails: an incident
    failed_at = f.now
    assert reasons(api, failed_at - timedelta(hours=1), case_id).get("incident") is None
    row = reasons(api, failed_at + timedelta(days=3), case_id)["incident"]
    assert (row["step"], row["role"], row["overdue_days"], row["since"]) == (
        "send_decision", "systemkoordinator", 3, failed_at.isoformat())
    assert "brevtjenesten svarer ikke" in row["detail"] and row["incident_id"]

    letters_down()
    f.wait(days=5)
    api.post(f"/incidents/{row['incident_id']}/retry", "systemkoordinator")
    assert "incident" not in reasons(api, f.now + timedelta(hours=1), case_id)
    # as of day 3 it was still open
    assert "incident" in reasons(api, failed_at + timedelta(days=3), case_id)


def test_idle_case_with_no_event_for_the_configured_days(
        flow: Callable[..., Any], api: Any) -> None:
    f = flow()
    case_id = f.report("koordinator", OLA)
    f.wait(days=5)
    # a reminder is a nudge, not progress: the case stays idle since the report
    api.post(f"/monitor/cases/{case_id}/remind", "leder", {"reason": "Ingen har sett på den."})
    assert "idle" not in reasons(api, T0 + timedelta(days=9), case_id, idle_days=10)
    row = reasons(api, T0 + timedelta(days=12), case_id, idle_days=10)["idle"]
    assert (row["since"], row["overdue_days"], row["step"], row["role"]) == (
        T0.isoformat(), 2, "assess_report", "systemkoordinator")
    assert "idle" not in reasons(api, T0 + timedelta(days=12), case_id)  # default: 30 days

    f.wait(days=1)  # day 6: someone acts, the case is no longer idle from then on
    f.approve("helse")
    assert "idle" not in reasons(api, T0 + timedelta(days=12), case_id, idle_days=10)
    assert "idle" in reasons(api, T0 + timedelta(days=17), case_id, idle_days=10)


def test_a_closed_case_is_never_idle(flow: Callable[..., Any], api: Any) -> None:
    f = flow()
    case_id = f.report("koordinator", OLA)
    f.wait(days=1)
    api.post(f"/monitor/cases/{case_id}/cancel", "leder", {"reason": "Meldt to ganger."})
    assert reasons(api, T0 + timedelta(days=90), case_id, idle_days=10) == {}
    # before it was cancelled it was an open case
    assert "unclaimed" in reasons(api, T0 + timedelta(hours=23), case_id, unclaimed_hours=2)


def test_action_item_past_its_deadline(flow: Callable[..., Any], api: Any,
                                       db: Database) -> None:
    f = flow()
    case_id = f.to_follow_up("systemkoordinator", OLA, "helse", "koordinator")
    deadline = f.today + timedelta(days=7)
    f.meeting("koordinator", "Første samarbeidsmøte.", [
        {"description": "Søke om rullator", "owner": "Fastlege",
         "deadline": deadline.isoformat(), "status": "apen"},
        {"description": "Bestille time", "owner": "Koordinator",
         "deadline": (f.today + timedelta(days=2)).isoformat(), "status": "utfort"}])
    with db.reading() as session:
        items = list(session.scalars(select(ActionItem).where(ActionItem.case_id == case_id)
                                     .order_by(ActionItem.position)))
    assert [(i.description, i.owner, i.deadline, i.status) for i in items] == [
        ("Søke om rullator", "Fastlege", deadline, "apen"),
        ("Bestille time", "Koordinator", f.today + timedelta(days=2), "utfort")]

    on_deadline = datetime.combine(deadline, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    assert "action_item" not in reasons(api, on_deadline, case_id)
    rows = [r for r in stuck(api, on_deadline + timedelta(days=3))
            if r["case_id"] == case_id and r["reason"] == "action_item"]
    assert len(rows) == 1  # the done one is not stuck
    row = rows[0]
    assert (row["assignee"], row["detail"], row["step"], row["service_area"],
            row["overdue_days"]) == ("Fastlege", "Søke om rullator", "follow_up", "helse", 2)
    assert row["since"] == end_of_day(deadline).isoformat()


def test_action_item_counts_only_from_the_meeting_that_recorded_it(
        flow: Callable[..., Any], api: Any) -> None:
    f = flow()
    case_id = f.to_follow_up("systemkoordinator", OLA, "helse", "koordinator")
    f.wait(days=10)
    late = f.today - timedelta(days=5)  # written down after its deadline had passed
    f.meeting("koordinator", "Møte.", [{"description": "Søknad", "owner": "Fastlege",
                                       "deadline": late.isoformat(), "status": "pagar"}])
    assert "action_item" not in reasons(api, f.now - timedelta(days=1), case_id)
    assert reasons(api, f.now + timedelta(hours=1), case_id)["action_item"]["overdue_days"] == 4


def test_action_items_are_mirrored_when_the_case_is_saved(
        flow: Callable[..., Any], db: Database) -> None:
    f = flow()
    case_id = f.to_follow_up("systemkoordinator", OLA, "helse", "koordinator")
    f.meeting("koordinator", "Møte 1.", [{"description": "A", "owner": "X",
                                         "deadline": "2026-04-01", "status": "apen"}])
    f.wait(days=1)
    f.meeting("koordinator", "Møte 2.", [{"description": "B", "owner": "Y",
                                         "deadline": "2026-05-01", "status": "pagar"}])
    with db.reading() as session:
        items = [(i.position, i.description, i.status, i.recorded_at is not None)
                 for i in session.scalars(select(ActionItem).where(
                     ActionItem.case_id == case_id).order_by(ActionItem.position))]
    assert items == [(0, "A", "apen", True), (1, "B", "pagar", True)]


def test_one_case_can_be_stuck_for_several_reasons_each_its_own_row(
        flow: Callable[..., Any], api: Any) -> None:
    f = flow()
    case_id = f.report("koordinator", OLA)
    rows = reasons(api, T0 + timedelta(days=40), case_id)
    assert set(rows) == {"overdue", "unclaimed", "idle"}


def test_filters_and_sorting(flow: Callable[..., Any], api: Any) -> None:
    f = flow()
    first = f.report("koordinator", OLA)
    f.wait(days=1)
    second = f.report("koordinator", PER)
    f.approve("oppvekst")
    now = T0 + timedelta(days=40)
    overdue = stuck(api, now, reason="overdue")
    assert {r["reason"] for r in overdue} == {"overdue"}
    assert [r["case_id"] for r in overdue] == [second, first]  # most overdue first
    assert [r["overdue_days"] for r in overdue] == sorted(
        [r["overdue_days"] for r in overdue], reverse=True)
    by_case = stuck(api, now, reason="overdue", sort="case_id", order="asc")
    assert [r["case_id"] for r in by_case] == [first, second]
    assert {r["case_id"] for r in stuck(api, now, service_area="oppvekst")} == {second}
    assert {r["role"] for r in stuck(api, now, role="fagleder")} == {"fagleder"}
    assert {r["step"] for r in stuck(api, now, step="assess_report")} == {"assess_report"}


def test_only_leder_and_systemkoordinator_see_the_stuck_list(api: Any) -> None:
    for user in ("leder", "systemkoordinator"):
        api.get("/monitor/stuck", user)
    for user in ("koordinator", "fagleder", "designer", "innbygger"):
        api.get("/monitor/stuck", user, expect=403)
    assert api.get("/monitor/stuck?now=yesterday", "leder", expect=400)["error"]
    assert api.get("/monitor/stuck?idle_days=many", "leder", expect=400)["error"]


def test_negative_thresholds_are_refused(api: Any) -> None:
    assert api.get("/monitor/stuck?unclaimed_hours=-1", "leder", expect=422)["errors"]


def test_engine_answer_equals_the_api(flow: Callable[..., Any], api: Any, db: Database) -> None:
    f = flow()
    f.report("koordinator", OLA)
    now = T0 + timedelta(days=31)
    engine_rows = monitor.stuck_cases(db, _leder(db), now, monitor.MonitorConfig())
    assert [r.as_json() for r in engine_rows] == stuck(api, now)


def _leder(db: Database) -> Any:
    from engine.runtime.users import get_actor

    return get_actor(db, "leder")


def test_deadline_helpers() -> None:
    assert end_of_day(date(2027, 3, 10)).isoformat() == "2027-03-10T22:59:59.999999+00:00"
    assert end_of_day(date(2027, 7, 10)).isoformat() == "2027-07-10T21:59:59.999999+00:00"
