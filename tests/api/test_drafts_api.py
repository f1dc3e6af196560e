"""GET/PUT/DELETE /api/v1/tasks/<id>/draft: the caller's own draft, as typed."""

from __future__ import annotations

from engine import demo
from engine.kernel.db import Database
from tests.support.api import Api
from tests.support.people import EMMA, staff_of


def _appointment(db: Database) -> int:
    people = staff_of(db)
    case_id = demo.report(db, people["koordinator"], EMMA)
    demo.approve(db, people, case_id, "oppvekst")
    return demo.open_task(db, case_id, "appoint_coordinator")


def test_put_get_delete_a_draft(api: Api, db: Database) -> None:
    task_id = _appointment(db)
    path = f"/tasks/{task_id}/draft"
    assert api.get(path, "fagleder_oppvekst", expect=404)["code"] == "not_found"
    saved = api.call("PUT", path, "fagleder_oppvekst",
                     {"data": {"citizen_wishes": "Halvferdig", "coordinator": ""}})
    assert saved["data"] == {"citizen_wishes": "Halvferdig", "coordinator": ""}
    assert api.get(path, "fagleder_oppvekst") == saved
    assert api.get(path, "fagleder", expect=404)  # a colleague never sees it
    assert api.call("DELETE", path, "fagleder_oppvekst") == {"ok": True}
    api.get(path, "fagleder_oppvekst", expect=404)


def test_a_draft_that_is_not_an_object_is_422(api: Api, db: Database) -> None:
    task_id = _appointment(db)
    refused = api.call("PUT", f"/tasks/{task_id}/draft", "fagleder_oppvekst",
                       {"data": "tekst"}, expect=422)
    assert refused["code"] == "invalid_data" and "data" in refused["errors"]


def test_completing_removes_the_draft(api: Api, db: Database) -> None:
    task_id = _appointment(db)
    path = f"/tasks/{task_id}/draft"
    api.call("PUT", path, "fagleder_oppvekst", {"data": {"citizen_wishes": "Utkast"}})
    api.post(f"/tasks/{task_id}/complete", "fagleder_oppvekst",
             {"data": {"coordinator": "koordinator_oppvekst"}, "claim": True})
    api.get(path, "fagleder_oppvekst", expect=404)


def test_a_task_out_of_reach_has_no_draft(api: Api, db: Database) -> None:
    task_id = _appointment(db)
    api.call("PUT", f"/tasks/{task_id}/draft", "innbygger", {"data": {}}, expect=404)
