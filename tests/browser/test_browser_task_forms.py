"""Forms that fit the task, in Chromium: the fagleder picks the coordinator from a list that
shows how many active cases each coordinates."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from engine import demo
from engine.runtime.users import get_actor
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
