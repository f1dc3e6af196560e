"""The JSON API contract: every status code with a real request.

After each refused request the test checks that nothing changed: the rows of every table the
engine writes (cases with their optimistic version, tasks with state and claim, events,
documents, incidents, process versions, outbox, KPR) are the same as before. Reads write the
access log and logins write tokens; those two tables are left out of the comparison.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine import demo
from engine.kernel.db import Database
from tests.hostile_xml import BILLION_LAUGHS, XXE
from tests.support.api import Api
from tests.support.people import staff_of
from tests.support.reports import (
    BAD_CHECK_DIGIT_NIN,
    NIN,
    PROCESS,
    assessment_data,
    report_data,
    start_case,
    unchanged,
)


def case_at_appointment(db: Database, area: str) -> int:
    """A case approved for ``area``: the fagleder of that area is to appoint a coordinator."""
    people = staff_of(db)
    case_id = demo.report(db, people["koordinator"], NIN)
    demo.approve(db, people, case_id, area)
    return case_id


def post_raw(client: FlaskClient, path: str, token: str | None, body: bytes,
             content_type: str = "application/json") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/api/v1{path}", data=body, content_type=content_type, headers=headers)


# --------------------------------------------------------------------------- 200 / 201


def test_login_returns_a_token_and_refuses_bad_credentials(api: Api, db: Database) -> None:
    ok = api.client.post("/api/v1/login", json={"username": "koordinator", "password": "demo"})
    assert ok.status_code == 200 and isinstance(ok.get_json()["token"], str)
    with unchanged(db):
        wrong = api.client.post("/api/v1/login",
                                json={"username": "koordinator", "password": "feil"})
        unknown = api.client.post("/api/v1/login",
                                  json={"username": "finnes_ikke", "password": "demo"})
    assert wrong.status_code == 401 and "token" not in wrong.get_json()
    assert unknown.status_code == 401 and "token" not in unknown.get_json()


def test_processes_are_listed_with_their_start_form(api: Api) -> None:
    listed = api.get("/processes", "koordinator")["processes"]
    assert PROCESS in [p["key"] for p in listed]
    process = api.get(f"/processes/{PROCESS}", "koordinator")
    assert process["key"] == PROCESS and process["version"] == 1
    assert "citizen_nin" in process["start_form"]["schema"]["properties"]
    bpmn = api.client.get(f"/api/v1/processes/{PROCESS}/bpmn",
                          headers={"Authorization": f"Bearer {api.token('koordinator')}"})
    assert bpmn.status_code == 200 and bpmn.mimetype == "application/xml"
    assert f'<bpmn:process id="{PROCESS}"' in bpmn.get_data(as_text=True)
    api.get("/processes/finnes_ikke", "koordinator", expect=404)
    api.get("/processes/finnes_ikke/bpmn", "koordinator", expect=404)


def test_case_task_and_documents_shapes(api: Api) -> None:
    case_id = start_case(api)
    case = api.get(f"/cases/{case_id}", "systemkoordinator")
    assert {"id", "status", "process", "version", "tasks", "events"} <= set(case)
    assert (case["id"], case["status"], case["process"], case["version"]) == (
        case_id, "active", PROCESS, 1)
    assert [e["kind"] for e in case["events"]][0] == "case_started"
    task = api.task(case_id, "assess_report", "systemkoordinator")
    detail = api.get(f"/tasks/{task['id']}", "systemkoordinator")
    assert detail["form"]["title"] == "Vurdering og avgjørelse"
    assert detail["data"]["citizen_nin"] == NIN and detail["data"]["citizen_under_16"] is False
    # service areas come from the database when the form is served
    assert set(detail["form"]["schema"]["properties"]["service_area"]["enum"]) >= {
        "helse", "oppvekst"}
    api.post(f"/tasks/{task['id']}/claim", "systemkoordinator")
    api.post(f"/tasks/{task['id']}/complete", "systemkoordinator", {"data": assessment_data()})
    documents = api.get(f"/cases/{case_id}/documents", "systemkoordinator")["documents"]
    assert [d["bpmn_id"] for d in documents if d["kind"] == "letter"][0] == "send_decision"
    assert api.task(case_id, "appoint_coordinator", "fagleder")["service_area"] == "helse"


def test_a_message_the_case_waits_for_is_delivered(api: Api) -> None:
    case_id = start_case(api)
    api.complete(case_id, "assess_report", "systemkoordinator", assessment_data(
        approved=False, approved_ip=False, service_area="",
        assessment_reasoning="Behovet er ikke langvarig."))
    api.post(f"/cases/{case_id}/messages/appeal_received", "systemkoordinator",
             {"data": {"text": "Jeg klager på avslaget."}})
    case = api.get(f"/cases/{case_id}", "systemkoordinator")
    received = [e for e in case["events"] if e["kind"] == "message_received"]
    assert [e["data"]["message"] for e in received] == ["appeal_received"]
    assert received[0]["data"]["data"]["text"] == "Jeg klager på avslaget."
    assert api.task(case_id, "reassess_appeal", "systemkoordinator")


# --------------------------------------------------------------------------- 400


def test_malformed_json_is_400_and_changes_nothing(api: Api, db: Database) -> None:
    case_id = start_case(api)
    task = api.task(case_id, "assess_report", "systemkoordinator")
    token = api.token("systemkoordinator")
    with unchanged(db):
        started = post_raw(api.client, "/cases", token, b"{bad")
        completed = post_raw(api.client, f"/tasks/{task['id']}/complete", token, b"{bad")
        claimed = post_raw(api.client, f"/tasks/{task['id']}/claim", token, b"{bad")
        message = post_raw(api.client, f"/cases/{case_id}/messages/end_requested", token,
                           b'{"data": ')
        not_an_object = post_raw(api.client, "/cases", token, b'["ip_koordinator"]')
    for response in (started, completed, claimed, message, not_an_object):
        assert response.status_code == 400, response.get_json()
        assert response.get_json()["error"] and response.get_json()["code"] == "bad_request"
    login = post_raw(api.client, "/login", None, b"{bad")
    assert login.status_code == 400


# --------------------------------------------------------------------------- 401


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer oppdiktet-token-som-ikke-finnes"},
    {"Authorization": "Bearer "},
    {"Authorization": "Basic a29vcmRpbmF0b3I6ZGVtbw=="},
], ids=["missing", "made-up", "empty", "wrong-scheme"])
def test_missing_or_bad_token_is_401(api: Api, db: Database, headers: dict[str, str]) -> None:
    case_id = start_case(api)
    task = api.task(case_id, "assess_report", "systemkoordinator")
    with unchanged(db):
        responses = [
            api.client.get("/api/v1/tasks", headers=headers),
            api.client.get(f"/api/v1/cases/{case_id}", headers=headers),
            api.client.get("/api/v1/processes", headers=headers),
            api.client.post("/api/v1/cases", headers=headers,
                            json={"process": PROCESS, "data": report_data()}),
            api.client.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers,
                            json={"data": assessment_data()}),
            api.client.post(f"/api/v1/tasks/{task['id']}/claim", headers=headers),
            api.client.post("/api/v1/processes", headers=headers, json={"bpmn": "<x/>"}),
        ]
    for response in responses:
        assert response.status_code == 401
        assert "error" in response.get_json()


# --------------------------------------------------------------------------- 403


def test_only_designers_deploy(api: Api, db: Database, diagram_xml: str) -> None:
    changed = diagram_xml.replace('name="Vurder og avgjør"', 'name="Vurder og avgjør saken"')
    for user in ("koordinator", "systemkoordinator", "leder"):
        with unchanged(db):
            body = api.post("/processes", user, {"bpmn": changed}, expect=403)
        assert body["error"]
    assert api.get(f"/processes/{PROCESS}", "koordinator")["version"] == 1
    assert api.post("/processes", "designer", {"bpmn": changed}, expect=201)["version"] == 2


def test_roles_that_may_not_act_are_403(api: Api, db: Database) -> None:
    case_id = start_case(api)
    task = api.task(case_id, "assess_report", "systemkoordinator")
    with unchanged(db):
        api.post("/cases", "designer", {"process": PROCESS, "data": report_data()}, expect=403)
        api.get("/incidents", "koordinator", expect=403)
        # the koordinator reported the case and so sees it, but the task is the
        # systemkoordinator's
        api.post(f"/tasks/{task['id']}/complete", "koordinator",
                 {"data": assessment_data()}, expect=403)
        api.post(f"/tasks/{task['id']}/claim", "koordinator", expect=403)


# --------------------------------------------------------------------------- 404


def test_a_case_outside_the_callers_area_is_404(api: Api, db: Database) -> None:
    case_id = case_at_appointment(db, "helse")
    task = api.task(case_id, "appoint_coordinator", "fagleder")
    for user in ("koordinator_oppvekst", "fagleder_oppvekst"):
        assert task["id"] not in [t["id"] for t in api.get("/tasks", user)["tasks"]]
        with unchanged(db):
            api.get(f"/cases/{case_id}", user, expect=404)
            api.get(f"/cases/{case_id}/documents", user, expect=404)
            api.get(f"/tasks/{task['id']}", user, expect=404)
            api.post(f"/tasks/{task['id']}/claim", user, expect=404)
            api.post(f"/tasks/{task['id']}/complete", user,
                     {"data": {"coordinator": "koordinator_oppvekst"}}, expect=404)
            api.post(f"/cases/{case_id}/messages/end_requested", user, {"data": {}},
                     expect=404)
    # the same shape of case in their own area is theirs
    own = case_at_appointment(db, "oppvekst")
    assert api.task(own, "appoint_coordinator", "fagleder_oppvekst")
    assert api.get(f"/cases/{own}", "koordinator_oppvekst")["id"] == own


def test_a_koordinator_task_of_another_area_is_not_in_the_inbox(api: Api, db: Database) -> None:
    people = staff_of(db)
    case_id = case_at_appointment(db, "helse")
    demo.appoint(db, people, case_id)
    demo.consent(db, people["koordinator"], case_id, wants_ip=True)
    demo.describe_goals(db, case_id)
    plan = api.task(case_id, "establish_plan", "koordinator")
    assert plan["role"] == "koordinator" and plan["service_area"] == "helse"
    inbox = api.get("/tasks", "koordinator_oppvekst")["tasks"]
    assert case_id not in [t["case_id"] for t in inbox]
    with unchanged(db):
        api.get(f"/cases/{case_id}", "koordinator_oppvekst", expect=404)
        api.get(f"/tasks/{plan['id']}", "koordinator_oppvekst", expect=404)


def test_unknown_ids_are_404(api: Api, db: Database) -> None:
    with unchanged(db):
        api.get("/cases/99999", "systemkoordinator", expect=404)
        api.get("/cases/99999/documents", "systemkoordinator", expect=404)
        api.get("/tasks/99999", "systemkoordinator", expect=404)
        api.post("/tasks/99999/claim", "systemkoordinator", expect=404)
        api.post("/tasks/99999/complete", "systemkoordinator", {"data": {}}, expect=404)
        api.post("/cases/99999/messages/end_requested", "systemkoordinator", {"data": {}},
                 expect=404)
        api.post("/cases", "systemkoordinator", {"process": "finnes_ikke",
                                                  "data": report_data()}, expect=404)
        api.post("/incidents/99999/retry", "systemkoordinator", expect=404)


# --------------------------------------------------------------------------- 409


def test_double_submit_is_409_and_the_case_moves_on_once(api: Api, db: Database) -> None:
    case_id = start_case(api)
    task = api.task(case_id, "assess_report", "systemkoordinator")
    path = f"/tasks/{task['id']}/complete"
    api.claim(task, "systemkoordinator")
    api.post(path, "systemkoordinator", {"data": assessment_data()})
    with unchanged(db):
        again = api.post(path, "systemkoordinator", {"data": assessment_data()}, expect=409)
        api.post(f"/tasks/{task['id']}/claim", "systemkoordinator", expect=409)
    assert again["error"]
    events = api.get(f"/cases/{case_id}", "systemkoordinator")["events"]
    assert [e["bpmn_id"] for e in events if e["kind"] == "task_completed"] == ["assess_report"]


def test_a_task_claimed_by_someone_else_is_409(api: Api, db: Database) -> None:
    case_id = case_at_appointment(db, "oppvekst")
    task = api.task(case_id, "appoint_coordinator", "fagleder_oppvekst")
    assert api.task(case_id, "appoint_coordinator", "fagleder")["id"] == task["id"]
    api.post(f"/tasks/{task['id']}/claim", "fagleder_oppvekst")
    # claimed: gone from the other fagleder's inbox
    assert task["id"] not in [t["id"] for t in api.get("/tasks", "fagleder")["tasks"]]
    with unchanged(db):
        refused = api.post(f"/tasks/{task['id']}/complete", "fagleder",
                           {"data": {"coordinator": "koordinator"}}, expect=409)
        api.post(f"/tasks/{task['id']}/claim", "fagleder", expect=409)
    assert refused["error"] == "Oppgaven er tatt av Frida Oppvekst."
    assert refused["task"]["by"] == "fagleder_oppvekst" and not refused["task"]["completed"]
    assert refused["task"]["case_url"] == f"/cases/{case_id}" and refused["task"]["at"]
    api.post(f"/tasks/{task['id']}/complete", "fagleder_oppvekst",
             {"data": {"coordinator": "koordinator_oppvekst"}})
    case = api.get(f"/cases/{case_id}", "systemkoordinator")
    assert case["coordinator"] == "koordinator_oppvekst"


@pytest.mark.parametrize("name", ["appeal_received", "end_requested", "finnes_ikke"])
def test_a_message_the_case_does_not_wait_for_is_409(api: Api, db: Database, name: str) -> None:
    case_id = start_case(api)
    with unchanged(db):
        body = api.post(f"/cases/{case_id}/messages/{name}", "systemkoordinator",
                        {"data": {"reason": "test"}}, expect=409)
    assert name in body["error"]


# --------------------------------------------------------------------------- 422


def test_invalid_report_is_422_with_norwegian_field_errors(api: Api, db: Database) -> None:
    with unchanged(db):
        without_name = {k: v for k, v in report_data(requests="ip").items()
                        if k != "citizen_name"}
        missing = api.post("/cases", "koordinator", {"process": PROCESS, "data": without_name},
                           expect=422)
        null = api.post("/cases", "koordinator", {"process": PROCESS, "data": report_data(
            citizen_name=None)}, expect=422)
        bad_nin = api.post("/cases", "koordinator", {"process": PROCESS, "data": report_data(
            citizen_nin=BAD_CHECK_DIGIT_NIN)}, expect=422)
        short_nin = api.post("/cases", "koordinator", {"process": PROCESS, "data": report_data(
            citizen_nin="1234")}, expect=422)
        not_object = api.post("/cases", "koordinator", {"process": PROCESS, "data": "tekst"},
                              expect=422)
    assert missing["code"] == "invalid_data"
    assert missing["errors"] == {"citizen_name": "Skriv inn innbyggerens navn.",
                                 "requests": "«Det meldes behov for» har en ugyldig verdi."}
    assert null["errors"] == {"citizen_name": "«Innbyggerens navn» har en ugyldig verdi."}
    assert set(bad_nin["errors"]) == {"citizen_nin"}
    assert "kontrollsifferet stemmer ikke" in bad_nin["errors"]["citizen_nin"]
    assert set(short_nin["errors"]) == {"citizen_nin"}
    assert not_object["errors"]


def test_invalid_task_data_is_422_and_the_task_stays_open(api: Api, db: Database) -> None:
    case_id = start_case(api)
    task = api.task(case_id, "assess_report", "systemkoordinator")
    path = f"/tasks/{task['id']}/complete"
    api.claim(task, "systemkoordinator")
    with unchanged(db):
        schema = api.post(path, "systemkoordinator", {"data": {
            "long_term_need": "ja", "two_or_more_services": True, "citizen_wants": True}},
            expect=422)
        rule = api.post(path, "systemkoordinator", {"data": assessment_data(service_area="")},
                        expect=422)
        unknown_area = api.post(path, "systemkoordinator",
                                {"data": assessment_data(service_area="finnes_ikke")},
                                expect=422)
        refusal = api.post(path, "systemkoordinator", {"data": assessment_data(
            approved=False, approved_ip=False, assessment_reasoning="  ")}, expect=422)
    assert schema["errors"] == {
        "long_term_need": "«Langvarig behov for tjenester» har en ugyldig verdi.",
        "approved": "Svar på «Innvilget»."}
    assert rule["errors"] == {
        "service_area": "Velg tjenesteområdet koordinatoren skal oppnevnes fra."}
    refused_area = unknown_area["errors"]["service_area"]
    assert refused_area.startswith("«finnes_ikke» kan ikke velges her. Velg en av: ")
    assert all(name in refused_area for name in demo.SERVICE_AREAS.values()), refused_area
    assert "begrunnes" in refusal["errors"]["assessment_reasoning"]
    assert api.task(case_id, "assess_report", "systemkoordinator")["state"] == "ready"


def test_appointing_a_coordinator_from_another_area_is_422(api: Api, db: Database) -> None:
    case_id = case_at_appointment(db, "helse")
    api.claim(api.task(case_id, "appoint_coordinator", "fagleder"), "fagleder")
    with unchanged(db):
        body = api.complete(case_id, "appoint_coordinator", "fagleder",
                            {"coordinator": "koordinator_oppvekst"}, expect=422)
    assert "koordinator_oppvekst" in body["errors"]["coordinator"]


# --------------------------------------------------------------------------- deploy


def _lane_ref_removed(xml: str, element: str) -> str:
    ref = f"<bpmn:flowNodeRef>{element}</bpmn:flowNodeRef>"
    assert ref in xml
    return xml.replace(ref, "")


@pytest.mark.parametrize("bpmn", [
    "dette er ikke XML",
    "<bpmn:definitions",
    '<?xml version="1.0"?><root/>',
    XXE,
    BILLION_LAUGHS,
], ids=["text", "truncated", "not-bpmn", "external-entity", "billion-laughs"])
def test_a_file_that_is_not_safe_bpmn_is_422(api: Api, db: Database, bpmn: str) -> None:
    with unchanged(db):
        body = api.post("/processes", "designer", {"bpmn": bpmn}, expect=422)
    assert body["code"] == "deploy_rejected"
    assert list(body["errors"]) == ["fil"] and isinstance(body["errors"]["fil"], str)
    assert "root:" not in str(body)  # /etc/passwd was not read


@pytest.mark.parametrize(("change", "element", "words"), [
    (lambda xml: _lane_ref_removed(xml, "assess_report"), "assess_report", "bane"),
    (lambda xml: xml.replace('name="form" value="assessment"', 'name="form" value="mangler"'),
     "assess_report", "'mangler' finnes ikke"),
    (lambda xml: re.sub(r'<spiffworkflow:property name="form" value="plan"\s*/>', "", xml),
     "establish_plan", "mangler skjema"),
    (lambda xml: xml.replace('id="letters.interim_reply"', 'id="letters.finnes_ikke"'),
     "send_interim_reply", "ukjent handler 'letters.finnes_ikke'"),
    (lambda xml: xml.replace('value="validate.assessment"', 'value="validate.finnes_ikke"'),
     "assess_report", "ukjent validator"),
], ids=["user-task-outside-lanes", "missing-form", "no-form", "unknown-handler",
        "unknown-validator"])
def test_a_diagram_that_breaks_the_contract_is_422_with_the_element(
        api: Api, db: Database, diagram_xml: str, change: Any, element: str,
        words: str) -> None:
    broken = change(diagram_xml)
    assert broken != diagram_xml
    with unchanged(db):
        body = api.post("/processes", "designer", {"bpmn": broken}, expect=422)
    assert body["code"] == "deploy_rejected"
    assert words in body["errors"].get(element, ""), body["errors"]
    assert api.get(f"/processes/{PROCESS}", "designer")["version"] == 1


def test_deploy_without_a_diagram_is_422(api: Api, db: Database) -> None:
    with unchanged(db):
        body = api.post("/processes", "designer", {"bpmn": "  "}, expect=422)
    assert set(body["errors"]) == {"bpmn"}


def test_deploying_the_same_file_again_keeps_the_version(api: Api, db: Database,
                                                          diagram_xml: str) -> None:
    with unchanged(db):
        body = api.post("/processes", "designer", {"bpmn": diagram_xml}, expect=201)
    assert (body["key"], body["version"]) == (PROCESS, 1)


def test_a_changed_diagram_is_a_new_version_and_running_cases_stay(api: Api, db: Database,
                                                                    diagram_xml: str) -> None:
    before = api.get(f"/processes/{PROCESS}", "designer")["version"]
    old_case = start_case(api)
    changed = diagram_xml.replace('name="Vurder og avgjør"', 'name="Vurder og avgjør melding"')
    assert changed != diagram_xml
    body = api.post("/processes", "designer", {"bpmn": changed}, expect=201)
    assert (body["key"], body["version"]) == (PROCESS, before + 1)
    assert api.post("/processes", "designer", {"bpmn": changed}, expect=201)["version"] == (
        before + 1)
    assert api.get(f"/processes/{PROCESS}", "koordinator")["version"] == before + 1
    new_case = start_case(api)
    assert api.get(f"/cases/{old_case}", "systemkoordinator")["version"] == before
    assert api.get(f"/cases/{new_case}", "systemkoordinator")["version"] == before + 1
    assert api.task(old_case, "assess_report", "systemkoordinator")["name"] == "Vurder og avgjør"
    assert api.task(new_case, "assess_report", "systemkoordinator")["name"] == (
        "Vurder og avgjør melding")
    # the old case runs on to its end of the first step on its own version
    api.complete(old_case, "assess_report", "systemkoordinator", assessment_data())
    assert api.get(f"/cases/{old_case}", "systemkoordinator")["version"] == before
    assert api.task(old_case, "appoint_coordinator", "fagleder")
    old_bpmn = api.client.get(f"/api/v1/processes/{PROCESS}/bpmn?version={before}",
                              headers={"Authorization": f"Bearer {api.token('designer')}"})
    assert old_bpmn.get_data(as_text=True) == diagram_xml


def test_every_refusal_has_one_shape_with_a_stable_code(api: Api) -> None:
    """``{"error": sentence, "code": code}``, plus ``errors`` by field only when there are
    details; the HTTP layer's own refusals answer the same way."""
    unknown_case = api.get("/cases/999999", "systemkoordinator", expect=404)
    no_token = api.client.get("/api/v1/cases/1")
    no_such_url = api.get("/finnes-ikke", "systemkoordinator", expect=404)
    forbidden = api.post("/processes", "koordinator", {"bpmn": "x"}, expect=403)
    for body, code in ((unknown_case, "not_found"), (no_token.get_json(), "unauthenticated"),
                       (no_such_url, "not_found"), (forbidden, "forbidden")):
        assert set(body) == {"error", "code"} and body["code"] == code, body
        assert isinstance(body["error"], str) and body["error"]
    assert no_token.status_code == 401
