"""``GET /api/v1/cases/<id>/events``: the legal events the caller may send now, the same
answer the case page gets, and each one's ``send`` path takes it."""

from __future__ import annotations

from engine.kernel.db import Database
from tests.support.api import Api
from tests.support.legal_events import refused


def test_the_events_list_offers_the_appeal_and_its_send_path_delivers_it(
        api: Api, db: Database) -> None:
    case_id = refused(db)
    body = api.get(f"/cases/{case_id}/events", "systemkoordinator")
    assert body["case_id"] == case_id and body["appeal_deadline"]
    [appeal] = body["events"]
    assert appeal["message"] == "appeal_received" and appeal["label"] == "Klage mottatt"
    assert appeal["takes_attachment"] is True
    assert appeal["form"]["schema"]["required"] == ["text"]
    assert appeal["explanation"] and appeal["leads_to"] == "Registrer klagen"
    api.post(f"/cases/{case_id}/{appeal['send']['path']}", "systemkoordinator",
             {"data": {"text": "Jeg klager."}})
    assert api.get(f"/cases/{case_id}/events", "systemkoordinator")["events"] == []
    assert api.task(case_id, "reassess_appeal", "systemkoordinator")


def test_a_case_outside_the_callers_area_has_no_events_list(api: Api, db: Database) -> None:
    case_id = refused(db)
    api.get(f"/cases/{case_id}/events", "koordinator_oppvekst", expect=404)
    api.get("/cases/99999/events", "systemkoordinator", expect=404)


def test_oversight_sees_the_case_but_is_offered_no_event(api: Api, db: Database) -> None:
    case_id = refused(db)
    assert api.get(f"/cases/{case_id}/events", "leder")["events"] == []
