"""The case page in a real browser: a summary on the first screen, its parts as tabs that work
by keyboard, a history that can be filtered, and the same page without JavaScript.

The case is set up through the engine, as the demo does; what is checked is done in Chromium.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from engine.demo import appoint, approve, consent, establish_plan, report
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.people import KARI

DOWNLOADS = Path(__file__).resolve().parents[2] / "test-output" / "letters"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
TABS = ["Oversikt", "Prosessen", "Plan og møter", "Dokumenter og brev", "Samtale", "Hendelser"]


def _in_follow_up(db: Database, staff: dict[str, Actor]) -> int:
    case_id = report(db, staff["koordinator"], KARI, reported_by="parorende")
    approve(db, staff, case_id, "helse")
    appoint(db, staff, case_id)
    consent(db, staff["innbygger"], case_id, wants_ip=True)
    establish_plan(db, staff["koordinator"], case_id)
    return case_id


def _tab(page: Page, name: str) -> Locator:
    return page.get_by_role("tab", name=re.compile(rf"^{re.escape(name)}( \(\d+\))?$"))


def test_the_summary_fits_the_first_screen_and_the_tabs_work_by_keyboard(
        visitor, server, staff) -> None:
    case_id = _in_follow_up(server.db, staff)
    person = visitor(viewport=LAPTOP)
    page = person.page
    person.login("koordinator")
    person.go(f"/cases/{case_id}")

    # Who, status, coordinator, where the case waits and since when, the next deadline: all
    # on the first screen, with the tabs below them, before any scrolling.
    summary = page.get_by_role("region", name="Sammendrag")
    for text in ("Kari Nordmann", "Aktiv", staff["koordinator"].full_name, "Helse og omsorg",
                 "Venter på", "Oppfølging og samarbeidsmøte", "Siden", "Neste frist"):
        expect(summary).to_contain_text(text)
    tablist = page.get_by_role("tablist", name="Deler av saken")
    for element in (summary, tablist):
        box = element.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= LAPTOP["height"], (
            box)
    assert page.evaluate("window.scrollY") == 0

    # One tab in the tab order; the first is chosen and its part shown, the others hidden.
    tabs = page.get_by_role("tab")
    expect(tabs).to_have_count(len(TABS))
    expect(page.locator('[role=tab][tabindex="0"]')).to_have_count(1)
    expect(_tab(page, "Oversikt")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel")).to_have_count(1)
    expect(page.get_by_role("region", name="Hva saken venter på nå")).to_be_visible()
    expect(page.locator("#plan")).to_be_hidden()

    # Arrow keys move between the tabs and show their parts; Home and End go to the ends.
    _tab(page, "Oversikt").focus()
    page.keyboard.press("ArrowRight")
    process = _tab(page, "Prosessen")
    expect(process).to_be_focused()
    expect(process).to_have_attribute("aria-selected", "true")
    expect(page.locator("#prosess")).to_be_visible()
    expect(page.locator("#na")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"#fane-prosess$"))
    page.keyboard.press("End")
    expect(_tab(page, TABS[-1])).to_be_focused()
    expect(page.get_by_role("region", name="Hendelser i saken")).to_be_visible()
    page.keyboard.press("ArrowRight")  # round to the first
    expect(_tab(page, TABS[0])).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(_tab(page, TABS[-1])).to_be_focused()
    page.keyboard.press("Home")
    expect(_tab(page, "Oversikt")).to_have_attribute("aria-selected", "true")
    # Tab leaves the tab list for the part's content.
    page.keyboard.press("Tab")
    expect(tabs.filter(has=page.locator(":focus"))).to_have_count(0)

    # A link to something inside a part opens that part (the thread's form posts back there).
    person.go("/inbox")
    person.go(f"/cases/{case_id}#samtale")
    expect(_tab(page, "Samtale")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Ny melding")).to_be_visible()

    # Every part at laptop and phone width.
    for width, viewport in (("1366", LAPTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        person.go(f"/cases/{case_id}")
        for name in TABS:
            person.case_tab(name)
            slug = name.split()[0].lower().replace("ø", "o")
            person.shot(f"case-{slug}-{width}")
    assert person.watch.console_errors == [], person.watch.console_errors


def test_the_history_is_filtered_by_kind_and_can_be_folded(visitor, server, staff) -> None:
    case_id = _in_follow_up(server.db, staff)
    person = visitor(viewport=LAPTOP)
    person.login("koordinator")
    person.go(f"/cases/{case_id}")
    panel = person.case_tab("Hendelser")
    history = panel.locator("#hendelsesliste")
    completed = history.get_by_text("Fullførte «Vurder og avgjør»")
    letter = history.get_by_text(re.compile(r"^\s*Brev: "))
    expect(completed).to_be_visible()
    expect(letter.first).to_be_visible()

    # Unticking "Oppgaver" hides the tasks at once (no button needed), ticking brings them back.
    expect(panel.get_by_role("button", name="Vis valgte")).to_be_hidden()
    kinds = panel.get_by_role("group", name="Vis hendelser av typen")
    kinds.get_by_label(re.compile(r"Oppgaver \(\d+\)")).uncheck()
    expect(completed).to_be_hidden()
    expect(letter.first).to_be_visible()
    kinds.get_by_label(re.compile(r"Brev og notater \(\d+\)")).uncheck()
    expect(letter.first).to_be_hidden()
    kinds.get_by_label(re.compile(r"Oppgaver \(\d+\)")).check()
    expect(completed).to_be_visible()

    # The list folds away under its summary and opens again.
    fold = panel.locator("details.history > summary")
    fold.click()
    expect(completed).to_be_hidden()
    fold.click()
    expect(completed).to_be_visible()


def test_without_javascript_every_part_shows_in_order_under_its_contents(
        visitor, server, staff) -> None:
    case_id = _in_follow_up(server.db, staff)
    person = visitor(viewport=LAPTOP, java_script_enabled=False)
    page = person.page
    person.login("koordinator")
    person.go(f"/cases/{case_id}")
    contents = page.get_by_role("navigation", name="Deler av saken")
    expect(contents.get_by_role("link")).to_have_count(len(TABS))
    expect(page.get_by_role("tab")).to_have_count(0)
    for section in ("#na", "#prosess", "#plan", "#dokumenter", "#samtale", "#hendelser"):
        expect(page.locator(section)).to_be_visible()
    # The filter is a form: showing only the letters reloads the page with them.
    kinds = page.get_by_role("group", name="Vis hendelser av typen")
    for box in kinds.get_by_role("checkbox").all():
        box.uncheck()
    kinds.get_by_label(re.compile(r"Brev og notater \(\d+\)")).check()
    page.get_by_role("button", name="Vis valgte").click()
    expect(page).to_have_url(re.compile(r"\?vis=letters#fane-hendelser$"))
    history = page.locator("#hendelsesliste")
    expect(history.get_by_text(re.compile(r"^\s*Brev: ")).first).to_be_visible()
    expect(history.get_by_text("Fullførte «Vurder og avgjør»")).to_be_hidden()
    person.shot("case-no-javascript-1366")


def test_a_letter_and_the_plan_download_as_pdf(visitor, server, staff) -> None:
    case_id = _in_follow_up(server.db, staff)
    person = visitor(viewport=LAPTOP, accept_downloads=True)
    page = person.page
    person.login("innbygger")
    person.go(f"/cases/{case_id}")
    panel = person.case_tab("Dokumenter og brev")
    decision = panel.locator("li.document").filter(
        has_text="Avgjørelse om individuell plan og koordinator")
    expect(decision).to_contain_text("Mottakere: Kari Nordmann")
    with page.expect_download() as download:
        decision.get_by_role("link", name=re.compile(r"^Last ned \(PDF\)")).click()
    saved = DOWNLOADS / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.endswith(".pdf") and saved.read_bytes().startswith(b"%PDF-")
    assert "Kari Nordmann" in " ".join(p.extract_text() for p in PdfReader(saved).pages)

    person.case_tab("Plan og møter")
    with page.expect_download() as plan:
        page.get_by_role("link", name="Last ned planen (PDF)").click()
    plan_file = DOWNLOADS / plan.value.suggested_filename
    plan.value.save_as(plan_file)
    assert "Individuell plan for Kari Nordmann" in PdfReader(plan_file).pages[0].extract_text()
