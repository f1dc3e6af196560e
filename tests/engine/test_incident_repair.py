"""An incident caused by the diagram is resolved by hand: correct the variable the condition
reads and retry, skip a failed step, or move the case to a fixed version while the incident
is open (the failed step then runs again there). Only the leder and the systemkoordinator may,
each with a reason that the case history keeps."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from engine.features import incident_repair, incidents, migration
from engine.kernel.db import Database
from engine.kernel.errors import Conflict, Forbidden, InvalidData
from engine.kernel.models import Case, Event, Incident, Task
from engine.kernel.paging import Paging
from engine.runtime.users import get_actor
from handlers import catalogue, registry
from tests.support import incident_diagram as age

FIXED = "len(citizen_nin) != 11"  # reads only what every report has


def _case_in_incident(db: Database) -> tuple[int, int]:
    age.deploy_age_process(db)
    case_id = age.start_without_age(db, get_actor(db, "koordinator"))
    [incident] = [i for i in incidents.list_incidents(db, Paging()).rows if i["case_id"] == case_id]
    return case_id, int(incident["id"])


def _events(db: Database, case_id: int, kind: str) -> list[Event]:
    with db.reading() as session:
        return list(session.scalars(select(Event).where(Event.case_id == case_id,
                                                        Event.kind == kind)))


def _open_steps(db: Database, case_id: int) -> list[str]:
    with db.reading() as session:
        return sorted(session.scalars(select(Task.bpmn_id).where(Task.case_id == case_id,
                                                                 Task.state == "ready")))


def _status(db: Database, case_id: int) -> str:
    with db.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.status


def test_the_repair_view_names_the_element_and_the_missing_variable(db: Database) -> None:
    case_id, incident_id = _case_in_incident(db)
    repair = incident_repair.case_repair(db, case_id, get_actor(db, "leder"))
    [incident] = repair.incidents
    assert (incident.id, incident.bpmn_id, incident.element_name) == (
        incident_id, "adult_gateway", "Er innbyggeren voksen?")
    assert incident.cause.element_kind == "gateway"
    assert incident.cause.missing_variable == "alder"
    assert "alder >= 18" in incident.cause.technical and not incident.may_skip
    assert repair.variables["citizen_name"] == "Kari Nordmann" and "alder" not in repair.variables
    assert repair.failed_elements == ("adult_gateway",) and repair.newer_versions == ()


def test_a_corrected_variable_is_recorded_and_the_retry_moves_the_case_on(db: Database) -> None:
    case_id, incident_id = _case_in_incident(db)
    leder = get_actor(db, "leder")
    incident_repair.correct_variable(db, case_id, "alder", 20, "Alder oppgitt på telefon",
                                     leder)
    [event] = _events(db, case_id, "variable_corrected")
    assert event.actor == "leder" and event.bpmn_id == "adult_gateway"
    assert event.data == {"variable": "alder", "old": None, "old_missing": True, "new": 20,
                          "reason": "Alder oppgitt på telefon"}
    assert incident_repair.case_repair(db, case_id, leder).variables["alder"] == 20
    assert _status(db, case_id) == "error"  # nothing runs until someone retries

    incidents.retry_incident(db, incident_id, leder)
    assert _status(db, case_id) == "active"
    assert _open_steps(db, case_id) == ["adult_follow_up"]

    with pytest.raises(Conflict):
        incident_repair.correct_variable(db, case_id, "alder", 21, "igjen", leder)


def test_correcting_keeps_the_old_value_and_checks_name_and_reason(db: Database) -> None:
    case_id, _incident_id = _case_in_incident(db)
    leder = get_actor(db, "systemkoordinator")
    incident_repair.correct_variable(db, case_id, "citizen_name", "Kari N. Nordmann",
                                     "Skrivefeil", leder)
    [event] = _events(db, case_id, "variable_corrected")
    assert (event.data["old"], event.data["old_missing"], event.data["new"]) == (
        "Kari Nordmann", False, "Kari N. Nordmann")
    for name, reason, field in (("alder", "  ", "reason"), ("__class__", "x", "variable"),
                                ("ikke et navn", "x", "variable"), ("", "x", "variable")):
        with pytest.raises(InvalidData) as refused:
            incident_repair.correct_variable(db, case_id, name, 1, reason, leder)
        assert field in refused.value.errors
    assert len(_events(db, case_id, "variable_corrected")) == 1


def test_skipping_a_failed_handler_step_records_it_and_goes_on(
        db: Database, monkeypatch: pytest.MonkeyPatch, api: Any) -> None:
    original = catalogue.get_handler("letters.decision")

    def broken(_context: registry.HandlerContext, _data: dict[str, Any]) -> None:
        raise RuntimeError("brevtjenesten svarer ikke")

    monkeypatch.setitem(registry._handlers, "letters.decision", broken)
    created = api.post("/cases", "koordinator", {"process": "ip_koordinator", "data": {
        "citizen_name": "Ola Hansen", "citizen_nin": "23074820085",
        "reported_by": "kommunal_tjenesteyter", "requests": ["ip", "koordinator"]}}, expect=201)
    case_id = int(created["id"])
    api.complete(case_id, "assess_report", "systemkoordinator", {
        "long_term_need": True, "two_or_more_services": True, "citizen_wants": True,
        "approved": True, "approved_ip": True, "service_area": "helse",
        "assessment_reasoning": "Vilkårene er oppfylt."})
    [incident] = incidents.list_incidents(db, Paging()).rows
    monkeypatch.setitem(registry._handlers, "letters.decision", original)
    repair = incident_repair.case_repair(db, case_id, get_actor(db, "leder"))
    assert repair.incidents[0].cause.element_kind == "service"
    assert repair.incidents[0].cause.handler == "letters.decision"
    assert repair.incidents[0].may_skip

    incident_repair.skip_step(db, incident["id"], "Brevet sendt manuelt", get_actor(db, "leder"))
    [skipped] = _events(db, case_id, "step_skipped")
    assert skipped.data["reason"] == "Brevet sendt manuelt" and skipped.actor == "leder"
    assert _status(db, case_id) == "active" and "appoint_coordinator" in _open_steps(db, case_id)
    assert [e for e in _events(db, case_id, "step_completed")
            if e.bpmn_id == "send_decision"] == []  # the handler did not run
    with db.reading() as session:
        row = session.get(Incident, incident["id"])
        assert row is not None and row.resolved_by == "leder"
    with pytest.raises(Conflict):
        incident_repair.skip_step(db, incident["id"], "igjen", get_actor(db, "leder"))


def test_a_gateway_cannot_be_skipped(db: Database) -> None:
    _case_id, incident_id = _case_in_incident(db)
    with pytest.raises(Conflict, match="Er innbyggeren voksen"):
        incident_repair.skip_step(db, incident_id, "prøver", get_actor(db, "leder"))


def test_moving_a_case_in_incident_retries_the_step_on_the_fixed_version(db: Database) -> None:
    case_id, incident_id = _case_in_incident(db)
    leder = get_actor(db, "leder")
    fixed = age.deploy_age_process(db, FIXED)
    assert incident_repair.case_repair(db, case_id, leder).newer_versions == (fixed,)

    notes = incident_repair.move_case(db, case_id, fixed, "Betingelsen er rettet", leder)
    assert any("Er innbyggeren voksen?" in note for note in notes)
    assert _status(db, case_id) == "active"
    assert _open_steps(db, case_id) == ["child_follow_up"]
    with db.reading() as session:
        row = session.get(Incident, incident_id)
        assert row is not None and row.resolved_at is not None and row.retries == 1
        case = session.get(Case, case_id)
        assert case is not None and case.process_version.version == fixed
    [moved] = _events(db, case_id, "migrated")
    assert moved.data["reason"] == "Betingelsen er rettet" and moved.data["to"] == fixed
    assert len(_events(db, case_id, "incident_resolved")) == 1


def test_a_move_to_a_version_that_still_fails_keeps_the_incident_open(db: Database) -> None:
    case_id, incident_id = _case_in_incident(db)
    still = age.deploy_age_process(db, "alder &gt; 17")
    incident_repair.move_case(db, case_id, still, "Prøver ny versjon", get_actor(db, "leder"))
    assert _status(db, case_id) == "error"
    with db.reading() as session:
        row = session.get(Incident, incident_id)
        assert row is not None and row.resolved_at is None and row.retries == 1
        assert "alder > 17" in row.error


def test_the_designers_migration_moves_cases_in_incident_too(db: Database) -> None:
    case_id, _incident_id = _case_in_incident(db)
    fixed = age.deploy_age_process(db, FIXED)
    designer = get_actor(db, "designer")
    [plan] = migration.preview(db, age.KEY, fixed, designer)
    assert plan.can_move and any("kjøres på nytt" in note for note in plan.notes)
    [result] = migration.migrate(db, age.KEY, fixed, [case_id], designer)
    assert result.moved and _status(db, case_id) == "active"


@pytest.mark.parametrize("user", ["koordinator", "fagleder", "designer", "innbygger"])
def test_only_leder_and_systemkoordinator_repair(db: Database, user: str) -> None:
    case_id, incident_id = _case_in_incident(db)
    fixed = age.deploy_age_process(db, FIXED)
    actor = get_actor(db, user)
    with pytest.raises(Forbidden):
        incident_repair.case_repair(db, case_id, actor)
    with pytest.raises(Forbidden):
        incident_repair.correct_variable(db, case_id, "alder", 20, "grunn", actor)
    with pytest.raises(Forbidden):
        incident_repair.skip_step(db, incident_id, "grunn", actor)
    with pytest.raises(Forbidden):
        incident_repair.move_case(db, case_id, fixed, "grunn", actor)
    assert _status(db, case_id) == "error" and _events(db, case_id, "variable_corrected") == []
