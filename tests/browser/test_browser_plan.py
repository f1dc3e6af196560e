"""The living plan in a real browser: the case page shows the plan's revision history (who,
when, what changed) to the coordinator and to the citizen, and an action item is marked done
with its button.

The case and its revisions are set up through the engine (the calls the API makes); what is
checked is read and clicked in the browser. A screenshot of the history is kept in the test's
temporary folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from engine.demo import appoint, approve, consent, do, establish_plan, report
from engine.features import plans
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.people import KARI, staff_of

ITEM = "Søke om trygghetsalarm"
FIRST_GOALS = "Mestre hverdagen hjemme."  # written by ``establish_plan``
PLAN = {"plan_goals": "Bo hjemme.", "plan_needs": "Hjemmetjenester.",
        "plan_participants": [{"name": "Fastlege", "role": "lege"}],
        "plan_measures": [{"description": "Fysioterapi", "scope": "ukentlig",
                           "responsible": "Fysioterapeut", "implementation": "Hjemme"}],
        "plan_start": "2026-03-02", "revision_date": "2027-03-02"}


def _expect_current_plan(page: Page) -> None:
    """The plan section shows the newest revision: its goals and language, not the first
    plan's goals that revision 1 replaced."""
    plan = page.locator("#plan")
    expect(plan).to_contain_text(PLAN["plan_goals"])
    expect(plan).to_contain_text("Polsk")
    expect(plan).not_to_contain_text(FIRST_GOALS)


def _established(db: Database, staff: dict[str, Actor]) -> int:
    """Kari's case with the plan written at establish_plan (revision 1)."""
    case_id = report(db, staff["koordinator"], KARI, reported_by="parorende")
    approve(db, staff, case_id, "helse")
    appoint(db, staff, case_id)
    consent(db, staff["innbygger"], case_id, wants_ip=True)
    establish_plan(db, staff["koordinator"], case_id)
    return case_id


def test_plan_history_and_action_item_on_the_case_page(visitor, server, tmp_path: Path
                                                        ) -> None:
    db = server.db
    staff = staff_of(db)
    case_id = _established(db, staff)
    do(db, staff["koordinator"], case_id, "follow_up", {
        "meeting_date": "2026-03-02", "minutes": "Første møte.",
        "action_items": [{"description": ITEM, "owner": "Koordinator",
                          "deadline": "2099-01-01"}]})
    # Revision 1 is the plan written at establish_plan; the coordinator revises it, and the
    # citizen's proposal on revision 2 is taken in as revision 3.
    plans.revise_plan(db, case_id, PLAN, 1, staff["koordinator"])
    proposal = plans.revise_plan(db, case_id, {"plan_language": "Polsk"}, 2,
                                 staff["innbygger"])["proposal"]
    plans.decide_proposal(db, case_id, proposal["id"], "accepted", staff["koordinator"])

    person = visitor()
    page = person.page
    person.login("koordinator")
    person.go(f"/cases/{case_id}")
    person.case_tab("Plan og møter")
    history = page.locator("#planhistorikk")
    expect(page.get_by_role("heading", name="Planens historikk")).to_be_visible()
    rows = history.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("3 gjeldende")
    expect(rows.nth(0)).to_contain_text("innbyggerens forslag, tatt inn")
    expect(rows.nth(0)).to_contain_text("Språk")
    expect(rows.nth(1)).to_contain_text("revidert")
    expect(rows.nth(1)).to_contain_text("Mål")
    expect(rows.nth(1)).to_contain_text("Tiltak")
    expect(rows.nth(2)).to_contain_text("skrevet i oppgaven")
    expect(rows.nth(2)).to_contain_text("Mål")
    name = staff["koordinator"].full_name
    expect(rows.nth(0)).to_contain_text(name)
    expect(rows.nth(0).locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-"))
    _expect_current_plan(page)
    shot = tmp_path / "plan-history.png"
    page.locator("#plan").screenshot(path=str(shot))
    assert shot.stat().st_size > 0

    item_row = page.locator("#oppgaver tbody tr").filter(has_text=ITEM)
    expect(item_row).to_contain_text("Åpen")
    person.button("Marker som utført", ITEM).click()
    expect(person.flash("Oppgaven er markert: Utført.")).to_be_visible()
    expect(page.locator("#oppgaver tbody tr").filter(has_text=ITEM)).to_contain_text("Utført")
    person.logout()

    person.login("innbygger")
    person.go(f"/cases/{case_id}")
    person.case_tab("Plan og møter")
    expect(page.locator("#planhistorikk tbody tr")).to_have_count(3)
    _expect_current_plan(page)
    expect(page.get_by_role("button", name="Ta inn i planen")).to_have_count(0)
    assert person.watch.page_errors == [], person.watch.page_errors


def test_a_plan_draft_is_there_when_the_coordinator_comes_back(visitor, server) -> None:
    """Typed into the plan, saved as a draft, left for the inbox: the text is there on coming
    back (a new browser, too); saving the plan uses the draft up."""
    db = server.db
    staff = staff_of(db)
    case_id = _established(db, staff)
    typed = "Bo hjemme, og gå på tur hver dag."

    person = visitor()
    person.login("koordinator")
    person.go(f"/cases/{case_id}/plan")
    expect(person.field("Mål")).to_have_value(FIRST_GOALS)
    person.field("Mål").fill(typed)
    person.button("Lagre utkast").click()
    expect(person.flash("Utkastet er lagret. Bare du ser det.")).to_be_visible()
    person.inbox_tab("Mine oppgaver")  # leaves the page
    person.page.context.close()

    again = visitor()
    again.login("koordinator")
    again.go(f"/cases/{case_id}/plan")
    expect(again.field("Mål")).to_have_value(typed)
    expect(again.page.locator("#draft-note")).to_contain_text("Utkast lagret")
    again.button("Revider planen").click()
    expect(again.flash("Planen er revidert.")).to_be_visible()
    again.go(f"/cases/{case_id}/plan")
    expect(again.field("Mål")).to_have_value(typed)  # now the plan's own text
    expect(again.page.locator("#draft-note")).to_have_count(0)
