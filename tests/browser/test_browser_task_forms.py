"""Forms that fit the task, in Chromium: the fagleder picks the coordinator from a list that
shows how many active cases each coordinates; the coordinator's second evaluation shows the plan,
the meetings and the open items beside an empty form, and "Kopier fra forrige periode" fills it
from the first evaluation."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from engine import demo
from engine.runtime.users import get_actor
from tests.support.cases import FIRST_SUMMARY, at_second_evaluation
from tests.support.screens import at_both_widths

OLA = "Ola Hansen"


def test_the_fagleder_picks_the_coordinator_from_the_list(visitor: Any, server: Any) -> None:
    db = server.db
    staff = {name: get_actor(db, name) for name in ("systemkoordinator", "fagleder",
                                                     "koordinator")}
    earlier = demo.report(db, staff["koordinator"], "15058510170")
    demo.approve(db, staff, earlier, "oppvekst")
    demo.do(db, staff["fagleder"], earlier, "appoint_coordinator",
            {"coordinator": "koordinator_oppvekst"})
    case_id = demo.report(db, staff["koordinator"], "23074820085")
    demo.approve(db, staff, case_id, "oppvekst")

    person = visitor()
    page = person.page
    person.login("fagleder")
    person.open_task("Oppnevn koordinator", OLA, tab="Gruppens oppgaver")
    picker = person.field("Koordinator")
    expect(picker.locator("option")).to_have_text(
        ["Velg", "Kim Koordinator (0 aktive saker)", "Ola Oppvekst (1 aktiv sak)"])
    picker.select_option(label="Ola Oppvekst (1 aktiv sak)")
    person.field("Innbyggerens ønsker").fill("Ønsker en koordinator som kjenner skolen.")
    at_both_widths(page, "task-appointment-picker")
    person.complete()

    person.go(f"/cases/{case_id}")
    expect(page.get_by_text("Ola Oppvekst").first).to_be_visible()


def test_the_evaluation_shows_the_plan_opens_empty_and_copies_last_period(
        visitor: Any, server: Any) -> None:
    db = server.db
    staff = {name: get_actor(db, name) for name in ("systemkoordinator", "fagleder",
                                                     "koordinator")}
    at_second_evaluation(db, staff)

    person = visitor()
    page = person.page
    person.login("koordinator")
    person.open_task("Evaluer planen", OLA)
    panel = page.get_by_role("complementary")
    expect(panel.get_by_role("heading", name="Gjeldende plan")).to_be_visible()
    expect(panel).to_contain_text("Mestre hverdagen hjemme.")
    expect(panel.get_by_role("heading", name="Tidligere møter")).to_be_visible()
    expect(panel).to_contain_text("Andre møte: hjelpemidlene er på plass.")
    expect(panel.get_by_role("heading", name="Åpne oppgaver fra møtene")).to_be_visible()
    summary = person.field("Oppsummering av evalueringen")
    expect(summary).to_have_value("")
    continued = person.group("Planen videreføres")
    expect(continued.get_by_label("Ja", exact=True)).not_to_be_checked()
    expect(continued.get_by_label("Nei", exact=True)).not_to_be_checked()
    at_both_widths(page, "task-evaluation-empty")

    person.button("Kopier fra forrige periode").click()
    expect(page.get_by_role("status")).to_contain_text("svarene fra forrige gang")
    expect(summary).to_have_value(FIRST_SUMMARY)
    expect(continued.get_by_label("Ja", exact=True)).not_to_be_checked()
    at_both_widths(page, "task-evaluation-copied")

    summary.fill(FIRST_SUMMARY + " Andre periode: målene er nådd.")
    person.answer("Planen videreføres", "Ja")
    person.complete()
