"""A handler that raises becomes an incident; a retry runs the failed step again.

The person's completion is kept (their work is not lost because a letter could not be
written), the case waits in status ``error`` at the failed step with nothing of that step
written, and a retry after the cause is fixed resolves the incident and moves the case on.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from engine.features import incidents
from engine.kernel.db import Database
from engine.kernel.errors import Conflict, Forbidden, NotFound
from engine.kernel.models import Document, Incident, Outbox
from engine.runtime.users import SYSTEM, get_actor
from handlers import catalogue, registry
from tests.support.api import Api

ERROR = "brevtjenesten svarer ikke"
APPROVE = {"long_term_need": True, "two_or_more_services": True, "citizen_wants": True,
           "approved": True, "approved_ip": True, "service_area": "helse",
           "assessment_reasoning": "Vilkårene er oppfylt."}


def _broken_letters(_context: registry.HandlerContext, _data: dict[str, Any]) -> None:
    raise RuntimeError(ERROR)


@pytest.fixture()
def letters_down(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``letters.decision`` raises; returns a function that repairs it again."""
    original = catalogue.get_handler("letters.decision")
    monkeypatch.setitem(registry._handlers, "letters.decision", _broken_letters)
    return lambda: monkeypatch.setitem(registry._handlers, "letters.decision", original)


def _start_and_approve(api: Api) -> int:
    created = api.post("/cases", "koordinator", {"process": "ip_koordinator", "data": {
        "citizen_name": "Ola Hansen", "citizen_nin": "23074820085",
        "reported_by": "kommunal_tjenesteyter", "requests": ["ip", "koordinator"]}}, expect=201)
    case_id = int(created["id"])
    api.complete(case_id, "assess_report", "systemkoordinator", APPROVE)
    return case_id


def _letters(db: Database, case_id: int, bpmn_id: str) -> list[Document]:
    with db.reading() as session:
        return list(session.scalars(select(Document).where(
            Document.case_id == case_id, Document.bpmn_id == bpmn_id, Document.kind == "letter")))


def test_a_failing_handler_opens_an_incident_and_keeps_the_completion(
        api: Api, db: Database, letters_down: Any) -> None:
    case_id = _start_and_approve(api)

    case = api.get(f"/cases/{case_id}", "systemkoordinator")
    assert case["status"] == "error"
    assert [(t["bpmn_id"], t["state"]) for t in case["tasks"]] == [
        ("assess_report", "completed")]
    kinds = [e["kind"] for e in case["events"]]
    assert "task_completed" in kinds and "incident_opened" in kinds
    assert "step_completed" not in [e["kind"] for e in case["events"]
                                    if e["bpmn_id"] == "send_decision"]

    incidents = api.get("/incidents", "systemkoordinator")["incidents"]
    assert len(incidents) == 1
    incident = incidents[0]
    assert (incident["case_id"], incident["bpmn_id"], incident["handler"]) == (
        case_id, "send_decision", "letters.decision")
    assert ERROR in incident["error"] and "RuntimeError" in incident["error"]
    assert incident["retries"] == 0 and incident["resolved_at"] is None

    assert _letters(db, case_id, "send_decision") == []
    documents = api.get(f"/cases/{case_id}/documents", "systemkoordinator")["documents"]
    assert [d for d in documents if d["kind"] == "letter"] == []
    with db.reading() as session:
        assert list(session.scalars(select(Outbox).where(Outbox.case_id == case_id))) == []
    assert case_id not in [t["case_id"] for t in api.get("/tasks", "fagleder")["tasks"]]


def test_retry_while_failing_keeps_it_open_then_resolves_after_the_fix(
        api: Api, db: Database, letters_down: Any) -> None:
    case_id = _start_and_approve(api)
    incident_id = api.get("/incidents", "systemkoordinator")["incidents"][0]["id"]

    still = api.post(f"/incidents/{incident_id}/retry", "systemkoordinator")
    assert still["resolved_at"] is None and still["retries"] == 1
    assert ERROR in still["error"]
    again = api.post(f"/incidents/{incident_id}/retry", "leder")
    assert again["resolved_at"] is None and again["retries"] == 2
    assert api.get(f"/cases/{case_id}", "systemkoordinator")["status"] == "error"
    assert len(api.get("/incidents", "systemkoordinator")["incidents"]) == 1
    assert _letters(db, case_id, "send_decision") == []

    letters_down()  # the letter service is back
    resolved = api.post(f"/incidents/{incident_id}/retry", "systemkoordinator")
    assert resolved["resolved_at"] is not None and resolved["retries"] == 3

    case = api.get(f"/cases/{case_id}", "systemkoordinator")
    assert case["status"] == "active"
    assert [(t["bpmn_id"], t["state"]) for t in case["tasks"]] == [
        ("assess_report", "completed"), ("appoint_coordinator", "ready")]
    assert [e["kind"] for e in case["events"]].count("incident_resolved") == 1
    assert [e["kind"] for e in case["events"]].count("task_completed") == 1
    letters = _letters(db, case_id, "send_decision")
    assert len(letters) == 1 and letters[0].recipients == ["Ola Hansen"]
    assert api.get("/incidents", "systemkoordinator")["incidents"] == []
    assert api.task(case_id, "appoint_coordinator", "fagleder")["service_area"] == "helse"
    with db.reading() as session:
        row = session.get(Incident, incident_id)
        assert row is not None and row.resolved_by == "systemkoordinator"

    # a resolved incident cannot be retried again
    api.post(f"/incidents/{incident_id}/retry", "systemkoordinator", expect=409)


def test_retry_refusals(api: Api, db: Database, letters_down: Any) -> None:
    case_id = _start_and_approve(api)
    incident_id = api.get("/incidents", "systemkoordinator")["incidents"][0]["id"]
    for user in ("koordinator", "fagleder", "innbygger"):
        api.post(f"/incidents/{incident_id}/retry", user, expect=403)
    api.post("/incidents/424242/retry", "systemkoordinator", expect=404)
    malformed = api.client.post(
        f"/api/v1/incidents/{incident_id}/retry", data=b"{bad", content_type="application/json",
        headers={"Authorization": f"Bearer {api.token('systemkoordinator')}"})
    assert malformed.status_code == 400
    with db.reading() as session:
        row = session.get(Incident, incident_id)
        assert row is not None and row.retries == 0 and row.resolved_at is None
    with pytest.raises(Forbidden):
        incidents.retry_incident(db, incident_id, get_actor(db, "koordinator"))
    with pytest.raises(NotFound):
        incidents.retry_incident(db, 424242, SYSTEM)
    letters_down()
    assert incidents.retry_incident(db, incident_id, SYSTEM)["resolved_at"] is not None
    with pytest.raises(Conflict):
        incidents.retry_incident(db, incident_id, SYSTEM)
    assert api.get(f"/cases/{case_id}", "systemkoordinator")["status"] == "active"
