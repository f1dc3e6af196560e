"""Claim before complete through the API: a group task nobody holds is refused (409
``not_claimed``) unless the request claims it; a refused completion says who and when."""

from __future__ import annotations

from engine import demo
from engine.kernel.db import Database
from tests.support.api import Api
from tests.support.people import EMMA, staff_of

APPOINT = {"coordinator": "koordinator_oppvekst", "citizen_wishes": "Fast kontaktperson."}


def _appointment(db: Database) -> tuple[int, int]:
    people = staff_of(db)
    case_id = demo.report(db, people["koordinator"], EMMA)
    demo.approve(db, people, case_id, "oppvekst")
    return case_id, demo.open_task(db, case_id, "appoint_coordinator")


def test_completing_an_unclaimed_group_task_is_409_not_claimed(api: Api, db: Database) -> None:
    case_id, task_id = _appointment(db)
    refused = api.post(f"/tasks/{task_id}/complete", "fagleder_oppvekst", {"data": APPOINT},
                       expect=409)
    assert refused["code"] == "not_claimed"
    assert refused["error"].startswith("Ta oppgaven før du fullfører den")
    task = api.get(f"/tasks/{task_id}", "fagleder_oppvekst")
    assert (task["state"], task["claimed_by"], task["claimed_at"]) == ("ready", None, None)


def test_claim_true_claims_and_completes_in_one_request(api: Api, db: Database) -> None:
    case_id, task_id = _appointment(db)
    api.post(f"/tasks/{task_id}/complete", "fagleder_oppvekst",
             {"data": APPOINT, "claim": True})
    case = api.get(f"/cases/{case_id}", "systemkoordinator")
    done = next(t for t in case["tasks"] if t["id"] == task_id)
    assert (done["state"], done["claimed_by"], done["completed_by"]) == (
        "completed", "fagleder_oppvekst", "fagleder_oppvekst")
    assert case["coordinator"] == "koordinator_oppvekst"


def test_a_claim_is_shown_with_since_when(api: Api, db: Database) -> None:
    _case_id, task_id = _appointment(db)
    api.post(f"/tasks/{task_id}/claim", "fagleder_oppvekst")
    task = api.get(f"/tasks/{task_id}", "fagleder_oppvekst")
    assert task["claimed_by"] == "fagleder_oppvekst" and task["claimed_at"]


def test_completing_a_task_someone_else_completed_says_who_and_when(
        api: Api, db: Database) -> None:
    case_id, task_id = _appointment(db)
    api.post(f"/tasks/{task_id}/complete", "fagleder_oppvekst",
             {"data": APPOINT, "claim": True})
    refused = api.post(f"/tasks/{task_id}/complete", "fagleder", {"data": APPOINT,
                                                                   "claim": True}, expect=409)
    assert refused["code"] == "conflict"
    assert refused["error"] == "Oppgaven er allerede fullført av Frida Oppvekst."
    assert refused["task"]["completed"] is True and refused["task"]["by"] == "fagleder_oppvekst"
    assert refused["task"]["at"] and refused["task"]["case_url"] == f"/cases/{case_id}"
