"""Actions from the monitor: reassign, remind, retry an incident, cancel a case.

Each is for ``leder`` and ``systemkoordinator`` only, needs a reason, and is recorded in the
case history with who and why (the event's actor and ``data.reason``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from engine.features import worker
from engine.kernel.db import Database
from engine.kernel.models import Case, KprRecord, Outbox, Task, Timer
from tests.support.people import OLA, PER


def history(api: Any, case_id: int, kind: str) -> list[dict[str, Any]]:
    return [e for e in api.get(f"/cases/{case_id}", "systemkoordinator")["events"]
            if e["kind"] == kind]


def test_reassign_a_group_task_and_a_personal_task(flow: Callable[..., Any], api: Any) -> None:
    f = flow()
    case_id = f.report("koordinator", PER)
    f.approve("oppvekst")
    appoint = api.task(case_id, "appoint_coordinator", "fagleder")
    api.post(f"/monitor/tasks/{appoint['id']}/reassign", "leder",
             {"assignee": "fagleder_oppvekst", "reason": "Frode har ferie."})
    assert api.task(case_id, "appoint_coordinator", "fagleder_oppvekst")["claimed_by"] == (
        "fagleder_oppvekst")
    assert not [t for t in api.get("/tasks", "fagleder")["tasks"] if t["case_id"] == case_id]
    event = history(api, case_id, "task_reassigned")[-1]
    assert (event["actor"], event["data"]["reason"], event["data"]["from"],
            event["data"]["to"]) == ("leder", "Frode har ferie.", None, "fagleder_oppvekst")

    f.appoint("koordinator", user="fagleder_oppvekst")
    f.train()
    f.summon(f.now + timedelta(days=7))
    f.wait(days=7)
    f.consent("koordinator")
    f.describe_goals("koordinator")
    f.establish_plan("koordinator", f.today + timedelta(days=365))
    follow_up = api.task(case_id, "follow_up", "koordinator")
    api.post(f"/monitor/tasks/{follow_up['id']}/reassign", "systemkoordinator",
             {"assignee": "koordinator_oppvekst", "reason": "Kim er sykmeldt."})
    moved = api.task(case_id, "follow_up", "koordinator_oppvekst")
    assert (moved["assignee"], moved["claimed_by"]) == ("koordinator_oppvekst",
                                                        "koordinator_oppvekst")
    assert history(api, case_id, "task_reassigned")[-1]["actor"] == "systemkoordinator"


def test_reassign_refusals(flow: Callable[..., Any], api: Any) -> None:
    f = flow()
    case_id = f.report("koordinator", OLA)
    f.approve("helse")
    task = api.task(case_id, "appoint_coordinator", "fagleder")
    path = f"/monitor/tasks/{task['id']}/reassign"
    errors = api.post(path, "leder", {"assignee": "fagleder_oppvekst", "reason": "x"},
                      expect=422)["errors"]
    assert "assignee" in errors  # fagleder of another service area
    assert "reason" in api.post(path, "leder", {"assignee": "fagleder", "reason": "  "},
                                expect=422)["errors"]
    api.post(path, "leder", {"assignee": "nobody", "reason": "x"}, expect=422)
    api.post(path, "koordinator", {"assignee": "fagleder", "reason": "x"}, expect=403)
    api.post(path, "fagleder", {"assignee": "fagleder", "reason": "x"}, expect=403)
    api.post("/monitor/tasks/9999/reassign", "leder", {"assignee": "fagleder", "reason": "x"},
             expect=404)
    assert history(api, case_id, "task_reassigned") == []


def test_send_a_reminder_to_the_responsible_person(flow: Callable[..., Any], api: Any,
                                                    db: Database) -> None:
    f = flow()
    case_id = f.report("koordinator", OLA)
    f.approve("helse")
    task = api.task(case_id, "appoint_coordinator", "fagleder")
    answer = api.post(f"/monitor/cases/{case_id}/remind", "leder",
                      {"task_id": task["id"], "reason": "Fristen nærmer seg."})
    assert answer["recipient"] == "fagleder (helse)"  # a group task: the group
    api.post(f"/tasks/{task['id']}/claim", "fagleder")
    assert api.post(f"/monitor/cases/{case_id}/remind", "leder",
                    {"task_id": task["id"], "reason": "Igjen."})["recipient"] == "fagleder"

    reminders = f.outbox("reminder")
    assert [(r.recipient, r.subject) for r in reminders] == [
        ("fagleder (helse)", "Påminnelse om oppgaven «Oppnevn koordinator» i sak "
                             f"{case_id}"),
        ("fagleder", f"Påminnelse om oppgaven «Oppnevn koordinator» i sak {case_id}")]
    assert "Fristen nærmer seg." in reminders[0].body and "Lars Leder" in reminders[0].body
    events = history(api, case_id, "reminder_sent")
    assert [(e["actor"], e["data"]["to"], e["data"]["reason"]) for e in events] == [
        ("leder", "fagleder (helse)", "Fristen nærmer seg."), ("leder", "fagleder", "Igjen.")]

    # the worker delivers reminders like letters
    result = worker.run_once(db, worker.file_delivery(f.outbox_dir), now=f.now)
    assert result.delivered >= 2
    assert all(row.delivered_at is not None for row in f.outbox("reminder"))

    api.post(f"/monitor/cases/{case_id}/remind", "leder", {"task_id": "x", "reason": "y"},
             expect=422)
    api.post(f"/monitor/cases/{case_id}/remind", "leder", {"reason": ""}, expect=422)
    api.post(f"/monitor/cases/{case_id}/remind", "koordinator", {"reason": "y"}, expect=403)


def test_reminder_without_a_task_goes_to_the_coordinator(flow: Callable[..., Any],
                                                         api: Any) -> None:
    f = flow()
    case_id = f.to_follow_up("systemkoordinator", OLA, "helse", "koordinator")
    assert api.post(f"/monitor/cases/{case_id}/remind", "leder",
                    {"reason": "Ingen møter på to måneder."})["recipient"] == "koordinator"


def test_retry_an_incident_with_a_reason(flow: Callable[..., Any], api: Any,
                                         letters_down: Callable[[], None]) -> None:
    f = flow()
    case_id = f.report("koordinator", OLA)
    f.approve("helse")
    incident = api.get("/incidents", "leder")["incidents"][0]
    path = f"/monitor/incidents/{incident['id']}/retry"
    api.post(path, "leder", {}, expect=422)
    still = api.post(path, "leder", {"reason": "Prøver før feilen er rettet."})
    assert still["resolved_at"] is None and still["retries"] == 1
    letters_down()
    done = api.post(path, "leder", {"reason": "Brevtjenesten er oppe igjen."})
    assert done["resolved_at"] is not None and done["retries"] == 2
    assert api.get(f"/cases/{case_id}", "leder")["status"] == "active"
    events = history(api, case_id, "incident_retried")
    assert [(e["actor"], e["data"]["reason"]) for e in events] == [
        ("leder", "Prøver før feilen er rettet."), ("leder", "Brevtjenesten er oppe igjen.")]
    api.post(path, "leder", {"reason": "igjen"}, expect=409)
    api.post(path, "koordinator", {"reason": "igjen"}, expect=403)


def test_cancel_a_case_stops_tasks_timers_and_kpr(flow: Callable[..., Any], api: Any,
                                                  db: Database) -> None:
    f = flow()
    case_id = f.to_follow_up("systemkoordinator", OLA, "helse", "koordinator")
    api.post(f"/monitor/cases/{case_id}/cancel", "leder", {}, expect=422)
    api.post(f"/monitor/cases/{case_id}/cancel", "koordinator", {"reason": "x"}, expect=403)
    f.wait(days=3)
    api.post(f"/monitor/cases/{case_id}/cancel", "leder",
             {"reason": "Innbyggeren er flyttet fra kommunen."})

    case = api.get(f"/cases/{case_id}", "leder")
    assert case["status"] == "cancelled" and case["closed_at"] == f.now.isoformat()
    assert [t["state"] for t in case["tasks"] if t["bpmn_id"] == "follow_up"] == ["cancelled"]
    assert not [t for t in api.get("/tasks", "koordinator")["tasks"] if t["case_id"] == case_id]
    event = history(api, case_id, "case_cancelled")[0]
    assert (event["actor"], event["data"]["reason"]) == (
        "leder", "Innbyggeren er flyttet fra kommunen.")
    with db.reading() as session:
        timers = list(session.scalars(select(Timer).where(Timer.case_id == case_id)))
        records = list(session.scalars(select(KprRecord).where(KprRecord.case_id == case_id)))
        assert session.scalar(select(Task.id).where(Task.case_id == case_id,
                                                    Task.state == "ready")) is None
    assert timers and all(t.cancelled for t in timers if t.fired_at is None)
    assert records and all(r.to_date == f.today for r in records)

    # the revision date passes: nothing fires for a cancelled case
    f.travel_to(f.now + timedelta(days=400))
    assert f.run_worker().cases_fired == 0
    assert api.get(f"/cases/{case_id}", "leder")["status"] == "cancelled"
    api.post(f"/monitor/cases/{case_id}/cancel", "leder", {"reason": "igjen"}, expect=409)
    api.post("/monitor/cases/9999/cancel", "leder", {"reason": "x"}, expect=404)
    with db.reading() as session:
        case_row = session.get(Case, case_id)
        assert case_row is not None and case_row.status == "cancelled"
        assert not list(session.scalars(select(Outbox).where(Outbox.case_id == case_id,
                                                             Outbox.kind == "reminder")))
