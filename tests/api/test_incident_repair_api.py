"""The incident repair through the JSON API: read what failed with the case's data, correct a
variable (any JSON value), skip, move to a fixed version; leder and systemkoordinator only,
with the API's one error shape."""

from __future__ import annotations

from typing import Any

from engine.kernel.db import Database
from engine.runtime.users import get_actor
from tests.support import incident_diagram as age
from tests.support.api import Api


def _incident_case(db: Database) -> int:
    age.deploy_age_process(db)
    return age.start_without_age(db, get_actor(db, "koordinator"))


def test_read_correct_and_retry(api: Api, db: Database) -> None:
    case_id = _incident_case(db)
    seen = api.get(f"/cases/{case_id}/incident", "leder")
    [incident] = seen["incidents"]
    assert (incident["bpmn_id"], incident["element_name"], incident["element_kind"],
            incident["missing_variable"], incident["may_skip"]) == (
        "adult_gateway", "Er innbyggeren voksen?", "gateway", "alder", False)
    assert "NameError" in incident["error"]
    assert seen["variables"]["citizen_name"] == "Kari Nordmann"
    assert (seen["process"], seen["version"], seen["newer_versions"]) == (age.KEY, 1, [])

    after = api.post(f"/cases/{case_id}/variables", "systemkoordinator",
                     {"variable": "alder", "value": 17, "reason": "Fra folkeregisteret"})
    assert after["variables"]["alder"] == 17
    api.post(f"/incidents/{incident['id']}/retry", "systemkoordinator")
    case = api.get(f"/cases/{case_id}", "systemkoordinator")
    assert case["status"] == "active"
    assert [t["bpmn_id"] for t in case["tasks"] if t["state"] == "ready"] == ["child_follow_up"]
    [corrected] = [e for e in case["events"] if e["kind"] == "variable_corrected"]
    assert corrected["data"]["new"] == 17 and corrected["data"]["old_missing"] is True


def test_move_to_a_fixed_version(api: Api, db: Database) -> None:
    case_id = _incident_case(db)
    fixed = age.deploy_age_process(db, "len(citizen_nin) != 11")
    assert api.get(f"/cases/{case_id}/incident", "leder")["newer_versions"] == [fixed]
    moved = api.post(f"/cases/{case_id}/move", "leder",
                     {"version": fixed, "reason": "Rettet betingelse"})
    assert any("kjøres på nytt" in note for note in moved["notes"])
    assert api.get(f"/cases/{case_id}", "leder")["status"] == "active"
    assert api.get(f"/cases/{case_id}/incident", "leder")["incidents"] == []


def test_refusals_have_the_api_shape(api: Api, db: Database) -> None:
    case_id = _incident_case(db)
    incident_id = api.get("/incidents", "leder")["incidents"][0]["id"]
    for user in ("koordinator", "fagleder", "designer"):
        denied: Any = api.get(f"/cases/{case_id}/incident", user, expect=403)
        assert denied["code"] == "forbidden"
        api.post(f"/cases/{case_id}/variables", user,
                 {"variable": "alder", "value": 20, "reason": "x"}, expect=403)
        api.post(f"/incidents/{incident_id}/skip", user, {"reason": "x"}, expect=403)
        api.post(f"/cases/{case_id}/move", user, {"version": 1, "reason": "x"}, expect=403)
    missing = api.post(f"/cases/{case_id}/variables", "leder",
                       {"variable": "alder", "reason": "x"}, expect=422)
    assert missing["code"] == "invalid_data" and "value" in missing["errors"]
    no_reason = api.post(f"/cases/{case_id}/variables", "leder",
                         {"variable": "alder", "value": 20}, expect=422)
    assert "reason" in no_reason["errors"]
    gateway = api.post(f"/incidents/{incident_id}/skip", "leder", {"reason": "x"}, expect=409)
    assert gateway["code"] == "conflict" and "Er innbyggeren voksen?" in gateway["error"]
    bad_version = api.post(f"/cases/{case_id}/move", "leder", {"version": "2", "reason": "x"},
                           expect=422)
    assert "version" in bad_version["errors"]
    same = api.post(f"/cases/{case_id}/move", "leder", {"version": 1, "reason": "x"},
                    expect=409)
    assert "allerede på versjon 1" in same["error"]
    api.get("/cases/424242/incident", "leder", expect=404)
    assert api.get(f"/cases/{case_id}", "leder")["status"] == "error"
