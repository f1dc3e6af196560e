"""The designer's pages and their JSON endpoints, through the real /login and with CSRF on:
who may see them, the process list and version history, opening a version as a draft,
saving (validated every time), uploads and downloads, hostile files and clashing process ids
refused with nothing stored, form editing with the preview, deploy as version n+1, the diff,
and the migration pages."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from engine import demo
from engine.features import case_queries, deploy
from engine.kernel.db import Database
from engine.kernel.models import Case, ProcessDraft
from engine.runtime.users import Actor, get_actor
from tests.designer.diagrams import IP_XML, KEY, small, upload

DESIGNER = "designer"


def drafts(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count(ProcessDraft.id))) or 0


def open_draft(web: Any, version: int = 1) -> tuple[Any, int]:
    """Press "Åpne i modellereren" for a version; returns the browser and the draft id."""
    browser = web(DESIGNER)
    browser.get(f"/designer/processes/{KEY}")
    response = browser.post(f"/designer/processes/{KEY}/versions/{version}/edit")
    match = re.search(r"/designer/drafts/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return browser, int(match.group(1))


def post_json(browser: Any, path: str, body: Any, token: str | None = None) -> Any:
    headers = {"X-CSRFToken": token if token is not None else browser.token()}
    return browser.client.post(path, json=body, headers=headers)


# ------------------------------------------------------------------ access


@pytest.mark.parametrize("user", ["systemkoordinator", "koordinator", "fagleder", "leder",
                                  "innbygger"])
def test_only_designers_see_the_designer_pages(web: Any, user: str) -> None:
    browser = web(user)
    for path in ("/designer/", f"/designer/processes/{KEY}",
                 f"/designer/processes/{KEY}/versions/1/download",
                 f"/designer/processes/{KEY}/versions/1/migrate"):
        assert browser.get(path, expect=403).status == 403
    assert "Prosesser" not in browser.get("/inbox", expect=None).text
    browser.post(f"/designer/processes/{KEY}/versions/1/edit", expect=403)


def test_anonymous_visitors_are_sent_to_log_in(anonymous: Any) -> None:
    response = anonymous.client.get("/designer/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_designer_has_a_menu_item_and_sees_processes_with_versions(
        web: Any, db: Database, designer: Actor) -> None:
    deploy.deploy(db, IP_XML.replace("P30D", "P20D"), designer, note="Kortere frist")
    page = web(DESIGNER).get("/designer/")
    assert page.one("a", href="/designer/").text == "Prosesser"
    assert "Individuell plan og koordinator" in page and "Versjon 2" in page
    process = web(DESIGNER).get(f"/designer/processes/{KEY}")
    rows = [" ".join(e.text.split()) for e in process.all("tr")
            if e.get("id", "").startswith("version-")]
    assert rows[0].startswith("Versjon 2 nyeste") and "av designer" in rows[0]
    assert "8 endret" in rows[0] and "Kortere frist" in rows[0]
    assert "Første versjon" in rows[1] and "av system" in rows[1]


def test_any_version_can_be_downloaded(web: Any, db: Database, designer: Actor) -> None:
    deploy.deploy(db, IP_XML.replace("P30D", "P20D"), designer)
    response = web(DESIGNER).client.get(f"/designer/processes/{KEY}/versions/1/download")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert 'filename="ip_koordinator-v1.bpmn"' in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True) == IP_XML
    assert "P20D" in web(DESIGNER).client.get(
        f"/designer/processes/{KEY}/versions/2/download").get_data(as_text=True)
    assert web(DESIGNER).get(f"/designer/processes/{KEY}/versions/9/download",
                             expect=404).status == 404


# ------------------------------------------------------------------ drafts and the modeler


def test_a_version_opens_in_the_modeler_with_its_diagram_and_forms(web: Any) -> None:
    browser, draft_id = open_draft(web)
    page = browser.get(f"/designer/drafts/{draft_id}")
    assert page.one("h1").text == f"Utkast {draft_id} av {KEY}"
    assert page.one("script", src="/static/vendor/designer.bundle.js")
    assert page.one("link", href="/static/vendor/designer.bundle.css")
    assert not [e for e in page.all("script") if e.get("src", "").startswith("http")]
    data = json.loads(re.search(r'<script type="application/json" id="draft-data">(.*?)'
                                r"</script>", page.html, re.S).group(1))
    assert data["xml"] == IP_XML and data["errors"] == []
    assert "assessment" in data["forms"] and "letters.decision" in data["handlers"]
    # a task may name a validate.* validator; message.* ones run for their message, not a task
    assert "validate.report" in data["validators"]
    assert "message.end_requested" not in data["validators"]
    assert data["roles"] == ["innbygger", "systemkoordinator", "fagleder", "koordinator"]
    assert page.one("meta", name="csrf-token").get("content")


def test_saving_validates_and_shows_errors_per_element(web: Any, db: Database) -> None:
    browser, draft_id = open_draft(web)
    token = browser.get(f"/designer/drafts/{draft_id}").one("meta", name="csrf-token").get(
        "content")
    moved = IP_XML.replace("<bpmn:flowNodeRef>assess_report</bpmn:flowNodeRef>", "").replace(
        'name="Vurder og avgjør"', 'name="Vurder meldingen"')
    response = post_json(browser, f"/designer/drafts/{draft_id}/save", {"bpmn": moved}, token)
    assert response.status_code == 200
    assert [(e["element"], e["text"]) for e in response.get_json()["errors"]] == [(
        "assess_report", '"Vurder meldingen" (assess_report): brukeroppgaven må ligge i en bane '
        "med en kjent rolle (innbygger, systemkoordinator, fagleder, koordinator), men den "
        "ligger ikke i noen bane")]
    # Saved all the same: a draft may be wrong; the page shows the errors again.
    page = browser.get(f"/designer/drafts/{draft_id}")
    assert "\"Vurder meldingen\" (assess_report): brukeroppgaven" in page, "label, then the id"
    # Checking without saving, as the designer draws, stores nothing.
    fixed = moved.replace("<bpmn:flowNodeRef>assessment_start</bpmn:flowNodeRef>",
                          "<bpmn:flowNodeRef>assessment_start</bpmn:flowNodeRef>"
                          "<bpmn:flowNodeRef>assess_report</bpmn:flowNodeRef>")
    checked = post_json(browser, f"/designer/drafts/{draft_id}/check", {"bpmn": fixed}, token)
    assert checked.get_json() == {"errors": []}
    assert "(assess_report): brukeroppgaven" in browser.get(f"/designer/drafts/{draft_id}")
    # Without the CSRF token the save is refused.
    assert post_json(browser, f"/designer/drafts/{draft_id}/save", {"bpmn": fixed},
                     "feil").status_code == 400


@pytest.mark.parametrize("bpmn", ["ikke xml", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e '
                                  'SYSTEM "file:///etc/passwd">]><d>&e;</d>',
                                  IP_XML + "<!--" + "x" * 2_100_000 + "-->"],
                         ids=["text", "entities", "too-big"])
def test_hostile_saves_are_refused_and_the_draft_stays(web: Any, db: Database,
                                                       bpmn: str) -> None:
    browser, draft_id = open_draft(web)
    response = post_json(browser, f"/designer/drafts/{draft_id}/save", {"bpmn": bpmn})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["element"] == "fil"
    with db.reading() as session:
        draft = session.get(ProcessDraft, draft_id)
        assert draft is not None and draft.bpmn_xml == IP_XML


def test_deploying_a_draft_makes_version_n_plus_1_and_running_cases_stay(
        web: Any, db: Database, staff: dict[str, Actor]) -> None:
    running = demo.report(db, staff["koordinator"], "23074820085")
    browser, draft_id = open_draft(web)
    changed = IP_XML.replace('name="Vurder og avgjør"', 'name="Vurder meldingen og avgjør"')
    response = post_json(browser, f"/designer/drafts/{draft_id}/deploy",
                         {"bpmn": changed, "note": "Nytt navn på vurderingen"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"key": KEY, "version": 2, "url": f"/designer/processes/{KEY}",
                                   "message": "Versjon 2 av ip_koordinator er tatt i bruk."}
    assert drafts(db) == 0
    assert deploy.get_bpmn(db, KEY, 2) == changed
    # New cases start on version 2; the running one stays on version 1.
    new_case = demo.report(db, staff["koordinator"], "11039930090")
    with db.reading() as session:
        versions = {c.id: c.process_version.version for c in session.scalars(select(Case))}
    assert versions == {running: 1, new_case: 2}
    created = case_queries.get_case(db, new_case, staff["systemkoordinator"])["tasks"]
    assert created[0]["name"] == "Vurder meldingen og avgjør"
    page = browser.get(f"/designer/processes/{KEY}")
    assert "Nytt navn på vurderingen" in page and "Versjon 2" in page


def test_a_draft_with_errors_is_not_deployed(web: Any, db: Database) -> None:
    browser, draft_id = open_draft(web)
    broken = IP_XML.replace('"R12/P30D"</bpmn:timeCycle>', '"R12/P30X"</bpmn:timeCycle>')
    response = post_json(browser, f"/designer/drafts/{draft_id}/deploy", {"bpmn": broken})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["element"] == "assessment_deadline"
    assert deploy.version_count(db) == 1 and drafts(db) == 1
    # The plain form (no JavaScript) deploys the stored draft and says why not, too.
    response = browser.post(f"/designer/drafts/{draft_id}/deploy", {"note": "x"})
    page = browser.follow(response)
    assert ('"Hver 30. dag uten avgjørelse" (assessment_deadline): ugyldig gjentakelse '
            "'R12/P30X'") in page
    assert deploy.version_count(db) == 1


def test_a_draft_may_not_change_its_process_id(web: Any, db: Database,
                                               designer: Actor) -> None:
    deploy.deploy(db, small(pid="annen"), designer)
    browser, draft_id = open_draft(web)
    taken = IP_XML.replace('id="ip_koordinator"', 'id="annen"').replace(
        'processRef="ip_koordinator"', 'processRef="annen"')
    errors = post_json(browser, f"/designer/drafts/{draft_id}/save", {"bpmn": taken}
                       ).get_json()["errors"]
    assert [e["text"] for e in errors[:2]] == [
        '"Individuell plan og koordinator" (annen): utkastet gjelder prosessen '
        "'ip_koordinator', men diagrammet har ingen prosess med den id-en; prosess-id-en kan "
        "ikke endres",
        '"Individuell plan og koordinator" (annen): prosess-id-en \'annen\' er allerede i bruk '
        "av en annen prosess; velg en ny id eller last opp filen som ny versjon av den "
        "prosessen"]
    response = post_json(browser, f"/designer/drafts/{draft_id}/deploy", {"bpmn": taken})
    assert response.status_code == 422 and deploy.version_count(db) == 2


# ------------------------------------------------------------------ uploads


def test_uploading_a_new_process_makes_a_draft_shown_in_the_modeler(web: Any,
                                                                     db: Database) -> None:
    browser = web(DESIGNER)
    response = upload(browser, small(pid="ny_prosess", form="ukjent_skjema"))
    assert response.status_code == 302
    page = browser.follow(response)
    assert "Utkast" in page.one("h1").text and "ny_prosess" in page.one("h1").text
    assert "\"Gjør jobben\" (work): skjemaet 'ukjent_skjema' finnes ikke" in page
    assert deploy.version_count(db) == 1 and drafts(db) == 1


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n", "ikke gyldig BPMN-XML"),
    ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "a"><!ENTITY b "&a;&a;&a;&a;">]>'
     '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&b;'
     '</bpmn:definitions>', "ikke gyldig BPMN-XML"),
    (IP_XML + "<!--" + "x" * 2_100_000 + "-->", "filen er større enn 2 MB"),
    (IP_XML.replace("P30D", "P20D"), "prosess-id-en 'ip_koordinator' er allerede i bruk"),
], ids=["binary", "entities", "too-big", "id-clash"])
def test_hostile_or_clashing_uploads_are_refused_and_nothing_is_stored(
        web: Any, db: Database, content: str | bytes, message: str) -> None:
    response = upload(web(DESIGNER), content)
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert "Ingenting er lagret" in response.get_data(as_text=True)
    assert drafts(db) == 0 and deploy.version_count(db) == 1


def test_an_upload_as_a_new_version_must_hold_that_process(web: Any, db: Database) -> None:
    browser = web(DESIGNER)
    refused = upload(browser, small(pid="noe_annet"), key=KEY)
    # The refused page names the process by its name, the id after it.
    assert refused.status_code == 422 and ('"Liten prosess" (noe_annet): utkastet gjelder '
                                           "prosessen 'ip_koordinator'") in html.unescape(
        refused.get_data(as_text=True))
    accepted = upload(browser, IP_XML.replace("P30D", "P20D"), key=KEY)
    assert accepted.status_code == 302 and drafts(db) == 1
    assert "fra versjon 1" in browser.get(f"/designer/processes/{KEY}")


def test_an_empty_upload_asks_for_a_file(web: Any, db: Database) -> None:
    browser = web(DESIGNER)
    page = browser.follow(upload(browser, b""))
    assert "Velg en .bpmn-fil å laste opp." in page and drafts(db) == 0


# ------------------------------------------------------------------ forms


def test_the_live_preview_renders_the_form_or_says_what_is_wrong(web: Any) -> None:
    browser, _draft_id = open_draft(web)
    form = {"title": "Opplæring", "schema": {"type": "object", "required": ["kurs"],
                                              "properties": {"kurs": {"type": "string",
                                                                      "title": "Kursnavn"},
                                                             "ferdig": {"type": "boolean",
                                                                        "title": "Fullført"}}}}
    answer = post_json(browser, "/designer/forms/preview", {"text": json.dumps(form)}).get_json()
    assert answer["errors"] == []
    assert '<label for="f-kurs">Kursnavn <span class="required">' in answer["html"]
    assert "Fullført" in answer["html"] and "<h3>Opplæring</h3>" in answer["html"]
    bad = post_json(browser, "/designer/forms/preview", {"text": '{"schema": {"type": 5}}'})
    assert bad.get_json()["html"] == ""
    assert bad.get_json()["errors"][0].startswith("Ugyldig JSON Schema ved type")
    assert post_json(browser, "/designer/forms/preview", {"text": "{"}).get_json()[
        "errors"][0].startswith("Ikke gyldig JSON")


def test_a_drafts_form_is_edited_and_deployed_with_the_new_version(
        web: Any, db: Database) -> None:
    browser, draft_id = open_draft(web)
    original = browser.client.get(f"/designer/drafts/{draft_id}/forms/coordinator_training.json"
                                  ).get_json()["form"]
    changed = dict(original, title="Opplæring av ny koordinator")
    saved = post_json(browser, f"/designer/drafts/{draft_id}/forms/coordinator_training.json",
                      {"text": json.dumps(changed)})
    assert saved.status_code == 200 and saved.get_json()["errors"] == []
    invalid = post_json(browser, f"/designer/drafts/{draft_id}/forms/coordinator_training.json",
                        {"text": json.dumps({"title": "x", "schema": {"type": "nope"}})})
    assert invalid.status_code == 422 and "form" in invalid.get_json()["errors"]
    assert post_json(browser, f"/designer/drafts/{draft_id}/deploy", {"note": "Skjema"}
                     ).status_code == 201
    with db.reading() as session:
        latest = deploy.latest_version(session, KEY)
        assert latest.version == 2
        assert latest.forms["coordinator_training"]["title"] == "Opplæring av ny koordinator"
        first = session.scalar(select(type(latest)).where(type(latest).version == 1))
        assert first is not None and first.forms["coordinator_training"] == original
    diff = browser.get(f"/designer/processes/{KEY}/diff?from=1&to=2")
    assert "Endret: coordinator_training" in diff


def test_the_form_page_without_javascript_previews_and_saves(web: Any, db: Database) -> None:
    browser, draft_id = open_draft(web)
    page = browser.get(f"/designer/drafts/{draft_id}/forms/coordinator_training")
    text = page.value("form")
    assert json.loads(text)["schema"]["type"] == "object"
    assert page.one("label", **{"for": "f-training_ensured-true"}).text == "Ja"
    preview = browser.post_page(f"/designer/drafts/{draft_id}/forms/coordinator_training",
                                {"form": text.replace("Opplæring", "Kurs"),
                                 "action": "preview"})
    assert preview.status == 200
    broken = browser.post_page(f"/designer/drafts/{draft_id}/forms/coordinator_training",
                               {"form": '{"schema": []}', "action": "save"}, expect=422)
    assert "Skjemaet mangler schema" in broken.by_id("form-problem").text
    saved = browser.post(f"/designer/drafts/{draft_id}/forms/coordinator_training",
                         {"form": text.replace('"title": "', '"title": "Ny: ', 1),
                          "action": "save"})
    assert "Skjemaet coordinator_training er lagret i utkastet." in browser.follow(saved)
    with db.reading() as session:
        draft = session.get(ProcessDraft, draft_id)
        assert draft is not None
        assert draft.forms["coordinator_training"]["title"].startswith("Ny: ")


# ------------------------------------------------------------------ diff and migration pages


def test_the_diff_lists_elements_added_removed_and_changed(web: Any, db: Database,
                                                           designer: Actor) -> None:
    changed = IP_XML.replace('name="Vurder og avgjør"', 'name="Vurder meldingen"').replace(
        '"R12/P30D"</bpmn:timeCycle>', '"R12/P14D"</bpmn:timeCycle>').replace(
        "appoint_coordinator", "appoint_coordinator_in_area")
    deploy.deploy(db, changed, designer)
    page = web(DESIGNER).get(f"/designer/processes/{KEY}/diff?from=1&to=2")
    added = page.by_id("added")
    assert added.text.startswith("Lagt til (")
    assert "appoint_coordinator_in_area userTask «Oppnevn koordinator»" in page
    assert "appoint_coordinator userTask «Oppnevn koordinator»" in page
    assert "navn Vurder og avgjør Vurder meldingen" in page
    assert 'tid (gjentakelse) "R12/P30D" "R12/P14D"' in page
    assert "Ingen endringer i skjemaene." in page


def test_the_migration_pages_preview_and_move_the_chosen_cases(
        web: Any, db: Database, designer: Actor, staff: dict[str, Actor]) -> None:
    at_assessment = demo.report(db, staff["koordinator"], "23074820085")
    at_appointment = demo.report(db, staff["systemkoordinator"], "02031250032")
    demo.approve(db, staff, at_appointment, "oppvekst")
    deploy.deploy(db, IP_XML.replace("appoint_coordinator", "appoint_coordinator_in_area"),
                  designer)
    browser = web(DESIGNER)
    page = browser.get(f"/designer/processes/{KEY}/versions/2/migrate")
    assert page.by_id(f"case-{at_assessment}").text.count("Ja") == 1
    stuck = page.by_id(f"case-{at_appointment}").text
    assert "Nei" in stuck and "som ikke finnes i versjon 2" in stuck
    assert page.checked("case") == [str(at_assessment)]  # only safe cases can be chosen
    # Choosing both anyway (a stale page): one moves, the other is refused with the reason.
    done = browser.post_page(f"/designer/processes/{KEY}/versions/2/migrate",
                             {"case": [str(at_assessment), str(at_appointment)]})
    results = done.by_id("migration-results").text
    assert f"Sak {at_assessment} er flyttet." in results
    assert f"Sak {at_appointment} ble ikke flyttet:" in results
    assert "1 av 2 saker er flyttet til versjon 2." in done
    assert f"case-{at_assessment}" not in done.html  # no longer on an older version
    events = case_queries.get_case(db, at_assessment, get_actor(db, "systemkoordinator"))["events"]
    assert [e["data"] for e in events if e["kind"] == "migrated"] == [
        {"from": 1, "to": 2, "notes": []}]
    nothing = browser.post_page(f"/designer/processes/{KEY}/versions/2/migrate", {})
    assert "Velg minst én sak å flytte." in nothing


def test_the_designer_writes_the_english_of_a_new_field_beside_the_form(
        web: Any, db: Database) -> None:
    browser, draft_id = open_draft(web)
    path = f"/designer/drafts/{draft_id}/forms/coordinator_training"
    form = json.loads(browser.get(path).value("form"))
    form["schema"]["properties"]["training_note"] = {
        "type": "string", "title": "Hva opplæringen gjaldt", "description": "Kort"}
    browser.post(path, {"form": json.dumps(form, ensure_ascii=False), "action": "save"})

    page = browser.get(path)
    ref = "schema/properties/training_note|title"
    field = page.one("input", name=f"en:{ref}")
    assert field.get("value") == "" and field.get("placeholder") == "Mangler engelsk"
    assert page.one("label", **{"for": field.get("id")}).text == (
        "Engelsk for «Hva opplæringen gjaldt»")
    saved = browser.post(f"{path}/english", {f"en:{ref}": "What the training covered",
                                             "en:schema/properties/training_note|description":
                                             "Short"})
    assert "Alle tekstene har engelsk." in browser.follow(saved)
    with db.reading() as session:
        draft = session.get(ProcessDraft, draft_id)
        assert draft is not None
        node = draft.forms["coordinator_training"]["schema"]["properties"]["training_note"]
    assert node["x-translations"]["en"] == {"title": "What the training covered",
                                            "description": "Short"}
    assert browser.get(path).one("input", name=f"en:{ref}").get("value") == (
        "What the training covered")
