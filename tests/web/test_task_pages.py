"""Task pages and the report form: JSON Schema forms rendered, posted, refused and completed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine import demo
from engine.features import case_queries, task_actions
from engine.kernel.db import Database
from engine.runtime.users import Actor, get_actor
from tests.support.cases import at_startup_summons
from tests.support.pages import assert_labelled
from tests.support.people import EMMA, KARI, OLA, PER

if TYPE_CHECKING:
    from tests.support.pages import Browser, Page

Web = Callable[[str], "Browser"]


def error_of(page: Page, field_id: str) -> str:
    return page.by_id(f"{field_id}-error").text.replace("Feil:", "").strip()


def summary_links(page: Page) -> dict[str, str]:
    summary = page.by_id("error-summary")
    assert summary.get("role") == "alert"
    start = page.elements.index(summary)
    links = {}
    for element in page.elements[start + 1:]:
        if element.tag == "a" and element.get("href").startswith("#"):
            links[element.get("href")] = element.text
        if element.tag in ("input", "fieldset"):
            break
    return links


def completed_data(db: Database, case_id: int, bpmn_id: str) -> dict[str, Any]:
    """What the engine stored when the step was completed (from the case history)."""
    case = case_queries.get_case(db, case_id, get_actor(db, "systemkoordinator"))
    done = [e for e in case["events"] if e["kind"] == "task_completed"
            and e["bpmn_id"] == bpmn_id]
    assert done, f"{bpmn_id} was not completed"
    return dict(done[-1]["data"]["data"])


def open_tasks(db: Database, case_id: int) -> list[str]:
    case = case_queries.get_case(db, case_id, get_actor(db, "systemkoordinator"))
    return [t["bpmn_id"] for t in case["tasks"] if t["state"] == "ready"]


def at_consent(db: Database, staff: dict[str, Actor], nin: str) -> int:
    case_id = demo.report(db, staff["koordinator"], nin)
    demo.approve(db, staff, case_id, "helse")
    demo.appoint(db, staff, case_id)
    return case_id


def at_follow_up(db: Database, staff: dict[str, Actor], nin: str) -> int:
    case_id = at_consent(db, staff, nin)
    demo.consent(db, staff["koordinator"], case_id, wants_ip=True)
    demo.establish_plan(db, staff["koordinator"], case_id)
    return case_id


# ---------------------------------------------------------------- assessment


def test_assessment_form_round_trip_moves_the_case_on(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], OLA)
    task_id = demo.open_task(db, case_id, "assess_report")
    browser = web("systemkoordinator")
    page = browser.get(f"/tasks/{task_id}")

    assert page.one("h1").text == "Vurdering og avgjørelse"
    assert "Steg: Vurder og avgjør" in page
    for name in ("long_term_need", "two_or_more_services", "citizen_wants", "approved"):
        assert [r.get("value") for r in page.all("input", name=name)] == ["true", "false"]
        assert page.one("label", **{"for": f"f-{name}-true"}).text == "Ja"
        assert page.one("label", **{"for": f"f-{name}-false"}).text == "Nei"
    assert "Langvarig behov for tjenester (må fylles ut)" in page
    assert page.options("service_area") == [("", "Velg"), ("helse", "Helse og omsorg"),
                                            ("oppvekst", "Oppvekst og skole"),
                                            ("psykisk", "Psykisk helse og rus")]
    assert page.one("textarea", name="assessment_reasoning")
    hint = page.by_id("f-assessment_reasoning-hint")
    assert "§ 7-2" in hint.text and "§ 2-7" not in hint.text  # § 2-7 is no basis for reasons
    assert page.by_id("f-assessment_reasoning").get("aria-describedby") == hint.get("id")
    assert_labelled(page)

    context = page.one("aside").text
    for shown in ("Ola Hansen", OLA, "78 år", "Individuell plan, Koordinator",
                  "Kommunal tjenesteyter", "Ikke oppnevnt ennå"):
        assert shown in context
    assert page.one("a", href=f"/cases/{case_id}").text.startswith("Åpne saken")

    data = page.form_data()
    data.update({"long_term_need": "true", "two_or_more_services": "true",
                 "citizen_wants": "true", "approved": "true", "approved_ip": "true",
                 "service_area": "helse", "assessment_reasoning": "Vilkårene er oppfylt."})
    done = browser.post(f"/tasks/{task_id}", data)
    assert done.headers["Location"] == "/inbox"
    assert "Oppgaven er fullført." in browser.follow(done)

    assert completed_data(db, case_id, "assess_report") == {
        "long_term_need": True, "two_or_more_services": True, "citizen_wants": True,
        "approved": True, "approved_ip": True, "service_area": "helse",
        "assessment_reasoning": "Vilkårene er oppfylt."}
    assert open_tasks(db, case_id) == ["appoint_coordinator"]
    assert "Oppnevn koordinator" in web("fagleder").get("/inbox?view=group")
    done_page = browser.get(f"/tasks/{task_id}")
    assert "Oppgaven ble fullført av Siri Systemkoordinator" in done_page.by_id("holding").text
    assert not done_page.all("form", id="form-top")  # nothing left to fill in


def test_invalid_data_keeps_what_was_typed_and_shows_the_message_by_the_field(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], OLA)
    task_id = demo.open_task(db, case_id, "assess_report")
    browser = web("systemkoordinator")
    browser.get(f"/tasks/{task_id}")

    # An unanswered required yes/no question is caught.
    page = browser.post_page(f"/tasks/{task_id}", {
        "long_term_need": "true", "approved": "false",
        "assessment_reasoning": "Behovet er ikke langvarig."}, expect=422)
    assert page.one("title").text.startswith("Feil:")
    assert error_of(page, "f-two_or_more_services") == (
        "Svar på «To eller flere tjenester som må ses i sammenheng».")
    assert error_of(page, "f-citizen_wants") == "Svar på «Innbyggeren ønsker det og vil medvirke»."
    assert page.checked("long_term_need") == ["true"]
    assert page.checked("approved") == ["false"]
    assert page.checked("two_or_more_services") == []
    assert page.value("assessment_reasoning") == "Behovet er ikke langvarig."
    radio = page.by_id("f-two_or_more_services-true")
    assert radio.get("aria-invalid") == "true"
    assert "f-two_or_more_services-error" in radio.get("aria-describedby")
    links = summary_links(page)
    assert links["#f-two_or_more_services-true"].endswith(
        "Svar på «To eller flere tjenester som må ses i sammenheng».")
    assert "#f-citizen_wants-true" in links
    assert_labelled(page)

    # Then the task's own validator: an approval needs the service area.
    page = browser.post_page(f"/tasks/{task_id}", {
        "long_term_need": "true", "two_or_more_services": "true", "citizen_wants": "true",
        "approved": "true", "approved_ip": "true", "assessment_reasoning": "Innvilges."},
        expect=422)
    message = "Velg tjenesteområdet koordinatoren skal oppnevnes fra."
    assert error_of(page, "f-service_area") == message
    select = page.by_id("f-service_area")
    assert select.get("aria-invalid") == "true"
    assert select.get("aria-describedby") == "f-service_area-hint f-service_area-error"
    assert summary_links(page) == {"#f-service_area": f"Tjenesteområde: {message}"}
    assert page.checked("approved_ip") == ["true"]
    assert page.value("assessment_reasoning") == "Innvilges."
    assert open_tasks(db, case_id) == ["assess_report"]  # nothing moved


# ---------------------------------------------------------------- consent: rows of objects


def test_consent_rows_are_added_and_removed_keeping_every_typed_value(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id = at_consent(db, staff, OLA)  # Ola has no login: the coordinator acts for him
    task_id = demo.open_task(db, case_id, "give_consent")
    browser = web("koordinator")
    page = browser.get(f"/tasks/{task_id}")
    assert "Utføres på vegne av Ola Hansen" in page
    assert "Kim Koordinator" in page.one("aside").text
    assert "Helse og omsorg" in page.one("aside").text
    assert page.one("input", name="consent_date").get("type") == "date"
    assert page.options("consent_given_by-0-relation")[1] == ("selv", "Innbyggeren selv")
    assert page.one("button", value="add:consent_given_by").text.startswith("Legg til rad")
    assert_labelled(page)

    typed = page.form_data()
    typed.update({"consent_date": "2026-03-09", "consent_to_plan": "true",
                  "consent_given_by-0-name": "Ola Hansen",
                  "consent_given_by-0-relation": "selv",
                  "sharing_consents-0-participant": "Fastlege",
                  "sharing_consents-0-scope": "Helseopplysninger"})
    page = browser.post_page(f"/tasks/{task_id}", {**typed, "_action": "add:consent_given_by"})
    assert page.value("consent_given_by-0-name") == "Ola Hansen"
    assert page.value("consent_given_by-0-relation") == "selv"
    assert page.value("consent_given_by-1-name") == ""
    assert page.value("consent_date") == "2026-03-09"
    assert page.checked("consent_to_plan") == ["true"]
    assert page.value("sharing_consents-0-participant") == "Fastlege"
    assert "Samtykkegiver 2" in page
    assert page.one("button", value="remove:consent_given_by:1")

    typed = page.form_data()
    typed.update({"consent_given_by-1-name": "Mor Hansen",
                  "consent_given_by-1-relation": "fullmektig"})
    page = browser.post_page(f"/tasks/{task_id}",
                             {**typed, "_action": "remove:consent_given_by:0"})
    assert page.value("consent_given_by-0-name") == "Mor Hansen"
    assert page.value("consent_given_by-0-relation") == "fullmektig"
    assert not page.all("input", name="consent_given_by-1-name")
    assert page.value("sharing_consents-0-scope") == "Helseopplysninger"

    typed = page.form_data()
    page = browser.post_page(f"/tasks/{task_id}", {**typed, "_action": "add:sharing_consents"})
    assert page.value("sharing_consents-1-participant") == ""
    typed = page.form_data()
    typed.update({"wants_ip": "true", "sharing_consents-1-participant": "Skolen",
                  "sharing_consents-1-scope": "Timeplan", "sharing_consents-1-valid_until":
                  "2026-12-31"})
    done = browser.post(f"/tasks/{task_id}", typed)
    assert done.headers["Location"] == "/inbox"

    stored = completed_data(db, case_id, "give_consent")
    assert stored["consent_given_by"] == [{"name": "Mor Hansen", "relation": "fullmektig"}]
    assert stored["sharing_consents"] == [
        {"participant": "Fastlege", "scope": "Helseopplysninger"},
        {"participant": "Skolen", "scope": "Timeplan", "valid_until": "2026-12-31"}]
    assert stored["consent_date"] == "2026-03-09"
    assert stored["consent_to_plan"] is True and stored["wants_ip"] is True
    # Ola has no login: his goals and wishes are written by the coordinator on his behalf.
    assert open_tasks(db, case_id) == ["describe_goals"]
    mine = browser.get("/inbox")
    assert "Beskriv mål og ønsker for planen" in mine


def test_a_child_cannot_consent_alone(web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id = at_consent(db, staff, EMMA)
    task_id = demo.open_task(db, case_id, "give_consent")
    browser = web("koordinator")
    page = browser.get(f"/tasks/{task_id}")
    assert "Under 16 år" in page.one("aside").text
    page = browser.post_page(f"/tasks/{task_id}", {
        "consent_date": "2026-03-09", "consent_to_plan": "true", "wants_ip": "true",
        "consent_given_by-_rows": "1", "consent_given_by-0-name": "Emma Berg",
        "consent_given_by-0-relation": "selv"}, expect=422)
    assert "Barn under 16 år kan ikke samtykke alene." in error_of(page, "f-consent_given_by")
    fieldset = page.by_id("f-consent_given_by")
    assert fieldset.tag == "fieldset"
    assert "f-consent_given_by-error" in fieldset.get("aria-describedby")
    assert page.value("consent_given_by-0-name") == "Emma Berg"
    assert "#f-consent_given_by-0-name" in summary_links(page)
    assert open_tasks(db, case_id) == ["give_consent"]


def test_the_citizen_completes_their_own_consent(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id = at_consent(db, staff, KARI)  # Kari has the login ``innbygger``
    task_id = demo.open_task(db, case_id, "give_consent")
    browser = web("innbygger")
    page = browser.get(f"/tasks/{task_id}")
    assert "på vegne av" not in page.text
    assert "Samtykke og ønske om individuell plan" in page
    done = browser.post(f"/tasks/{task_id}", {
        "consent_date": "2026-03-09", "consent_to_plan": "true", "wants_ip": "false",
        "consent_given_by-0-name": "Kari Nordmann", "consent_given_by-0-relation": "selv"})
    assert done.headers["Location"] == "/mine"
    assert completed_data(db, case_id, "give_consent")["wants_ip"] is False
    assert "give_consent" not in open_tasks(db, case_id)


# ---------------------------------------------------------------- meeting: strings and objects


def test_meeting_minutes_with_participants_and_action_items(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id = at_follow_up(db, staff, PER)
    task_id = demo.open_task(db, case_id, "follow_up")
    browser = web("koordinator")
    page = browser.get(f"/tasks/{task_id}")
    assert page.one("h1").text == "Samarbeidsmøte"
    assert page.one("input", name="meeting_participants-0").get("type") == "text"
    assert page.one("input", name="action_items-0-deadline").get("type") == "date"
    assert page.value("action_items-0-status") == "apen"
    assert_labelled(page)

    typed = page.form_data()
    typed.update({"meeting_date": "2026-04-01", "minutes": "Gikk gjennom planen.",
                  "meeting_participants-0": "Per Olsen"})
    page = browser.post_page(f"/tasks/{task_id}",
                             {**typed, "_action": "add:meeting_participants"})
    typed = page.form_data()
    assert typed["meeting_participants-0"] == "Per Olsen"
    typed.update({"meeting_participants-1": "Fastlege", "action_items-0-owner": "Kim"})

    # A row with an owner but no description: the message sits by that row's input.
    page = browser.post_page(f"/tasks/{task_id}", typed, expect=422)
    assert error_of(page, "f-action_items-0-description") == "Skriv inn oppgave."
    description = page.by_id("f-action_items-0-description")
    assert description.get("aria-describedby") == "f-action_items-0-description-error"
    assert page.value("action_items-0-owner") == "Kim"
    assert page.value("meeting_participants-1") == "Fastlege"
    assert page.value("minutes") == "Gikk gjennom planen."
    assert summary_links(page) == {
        "#f-action_items-0-description": "Oppgave 1: Oppgave: Skriv inn oppgave."}

    # The meeting validator: every action item needs a deadline.
    typed = page.form_data()
    typed["action_items-0-description"] = "Søke om avlastning"
    page = browser.post_page(f"/tasks/{task_id}", typed, expect=422)
    assert error_of(page, "f-action_items") == (
        "Hver oppgave må ha ansvarlig og frist: oppgave 1 mangler frist.")
    assert page.value("action_items-0-description") == "Søke om avlastning"

    typed = page.form_data()
    typed.update({"action_items-0-deadline": "2026-05-01", "action_items-0-status": "pagar"})
    done = browser.post(f"/tasks/{task_id}", typed)
    assert browser.follow(done).one("p", **{"class": "flash success"}).text == (
        "Oppgaven er fullført.")
    stored = completed_data(db, case_id, "follow_up")
    assert stored == {"meeting_date": "2026-04-01", "minutes": "Gikk gjennom planen.",
                      "meeting_participants": ["Per Olsen", "Fastlege"],
                      "action_items": [{"description": "Søke om avlastning", "owner": "Kim",
                                        "deadline": "2026-05-01", "status": "pagar"}]}
    # The follow-up loops: a new meeting task waits, with an empty form.
    next_task = demo.open_task(db, case_id, "follow_up")
    assert next_task != task_id
    page = browser.get(f"/tasks/{next_task}")
    assert page.value("minutes") == ""


def test_start_up_meeting_time_is_a_local_date_time(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id, task_id = at_startup_summons(db, staff)
    browser = web("systemkoordinator")
    page = browser.get(f"/tasks/{task_id}")
    assert page.one("input", name="startup_meeting_at").get("type") == "datetime-local"
    assert "Kim Koordinator" in page.one("aside").text
    browser.post(f"/tasks/{task_id}", {"startup_meeting_at": "2030-05-06T10:00",
                                       "startup_meeting_place": "Rådhuset, møterom 2"})
    stored = completed_data(db, case_id, "summon_startup_meeting")
    assert stored == {"startup_meeting_at": "2030-05-06T10:00:00",
                      "startup_meeting_place": "Rådhuset, møterom 2"}
    assert open_tasks(db, case_id) == ["give_consent"]


# ---------------------------------------------------------------- who may open a task


def test_tasks_of_other_areas_and_roles_are_refused(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    helse = at_consent(db, staff, OLA)
    demo.consent(db, staff["koordinator"], helse, wants_ip=True)
    demo.describe_goals(db, helse)
    plan_task = demo.open_task(db, helse, "establish_plan")
    other_area = web("koordinator_oppvekst")
    assert other_area.get(f"/tasks/{plan_task}", expect=404).one("h1").text == "404"
    other_area.post(f"/tasks/{plan_task}", {"plan_goals": "x"}, expect=404)

    oppvekst = demo.report(db, staff["koordinator"], EMMA)
    demo.approve(db, staff, oppvekst, "oppvekst")
    appointment = demo.open_task(db, oppvekst, "appoint_coordinator")
    refused = web("systemkoordinator").get(f"/tasks/{appointment}", expect=403)
    assert "Du kan ikke utføre denne oppgaven." in refused
    assert "Traceback" not in refused.html
    assert web("koordinator_oppvekst").get(f"/tasks/{appointment}", expect=403)
    web("fagleder_oppvekst").get(f"/tasks/{appointment}")  # the right person may
    assert web("koordinator").get("/tasks/99999", expect=404)


def test_a_task_taken_by_a_colleague_cannot_be_completed(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], EMMA)
    demo.approve(db, staff, case_id, "oppvekst")
    task_id = demo.open_task(db, case_id, "appoint_coordinator")
    task_actions.claim_task(db, task_id, staff["fagleder_oppvekst"])
    page = web("fagleder").get(f"/tasks/{task_id}")
    # told before typing: who holds it since when, and the form is read-only
    holding = page.by_id("holding").text
    assert "Oppgaven er tatt av Frida Oppvekst siden" in holding
    assert "ikke fylle det ut" in holding
    assert page.one("fieldset", **{"class": "locked"}).has("disabled")
    assert not page.all("button", **{"class": "primary"})
    assert page.by_id("holding-case").get("href") == f"/cases/{case_id}"


# ---------------------------------------------------------------- the report form


def test_report_form_starts_a_case(web: Web, db: Database) -> None:
    browser = web("koordinator")
    page = browser.get("/report")
    assert page.one("h1").text == "Meld behov"
    assert [e.get("value") for e in page.all("input", name="requests")] == [
        "ip", "koordinator", "barnekoordinator"]
    assert page.one("label", **{"for": "f-requests-0"}).text == "Individuell plan"
    assert page.options("reported_by")[1:] == [
        ("innbygger", "Innbyggeren selv"), ("parorende", "Pårørende"),
        ("kommunal_tjenesteyter", "Kommunal tjenesteyter"),
        ("ekstern_samarbeidspart", "Ekstern samarbeidspart")]
    assert page.one("textarea", name="need_description")
    assert_labelled(page)

    typed = {"citizen_name": "Ola Hansen", "citizen_nin": "23074820086",
             "reported_by": "parorende", "requests": ["ip", "koordinator"],
             "need_description": "Trenger hjelp."}
    page = browser.post_page("/report", typed, expect=422)
    assert "kontrollsifferet" in error_of(page, "f-citizen_nin")
    assert page.value("citizen_nin") == "23074820086"
    assert page.value("citizen_name") == "Ola Hansen"
    assert page.checked("requests") == ["ip", "koordinator"]
    assert page.value("reported_by") == "parorende"

    page = browser.post_page("/report", {"citizen_name": "Ola Hansen"}, expect=422)
    assert error_of(page, "f-requests") == "Velg minst ett alternativ i «Det meldes behov for»."
    assert error_of(page, "f-citizen_nin") == "Skriv inn fødselsnummeret.", "the form's own"

    done = browser.post("/report", {**typed, "citizen_nin": OLA})
    location = done.headers["Location"]
    assert location.startswith("/cases/") or location == "/inbox"
    assert "Meldingen er registrert." in browser.follow(done)
    group = web("systemkoordinator").get("/inbox?view=group")
    assert "Ola Hansen" in group and "Vurder og avgjør" in group


def test_report_form_for_citizens_and_roles_without_the_procedure(web: Web) -> None:
    page = web("innbygger").get("/report")
    assert page.value("citizen_name") == "Kari Nordmann"
    assert page.value("citizen_nin") == KARI
    assert page.value("reported_by") == "innbygger"
    refused = web("designer").get("/report", expect=403)
    assert "Du har ikke tilgang til denne siden." in refused
