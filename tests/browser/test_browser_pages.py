"""Pages in a real browser: access between service areas, a form that keeps what was typed,
the case diagram drawn from local files only, the login by keyboard, the inbox on a phone.

The cases these tests look at are set up through the engine, as the demo does; everything
that is checked is done in the browser.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, expect

from engine.demo import CITIZENS, appoint, approve, consent, establish_plan, open_task, report
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.people import EMMA, KARI, OLA

PHONE = {"width": 375, "height": 740}


def _at_consent(db: Database, staff: dict[str, Actor], nin: str, area: str) -> int:
    case_id = report(db, staff["koordinator"], nin, reported_by="parorende")
    approve(db, staff, case_id, area)
    appoint(db, staff, case_id)
    return case_id


def _in_follow_up(db: Database, staff: dict[str, Actor], nin: str, area: str,
                  citizen: str = "koordinator") -> int:
    case_id = _at_consent(db, staff, nin, area)
    consent(db, staff[citizen], case_id, wants_ip=True)
    establish_plan(db, staff["koordinator"], case_id)
    return case_id


# ---------------------------------------------------------------- access between areas


def test_koordinator_of_another_area_cannot_open_a_helse_case(visitor, server, staff) -> None:
    helse = _in_follow_up(server.db, staff, KARI, "helse", citizen="innbygger")
    oppvekst = _in_follow_up(server.db, staff, OLA, "oppvekst")
    helse_task = open_task(server.db, helse, "follow_up")
    person = visitor()
    page = person.page
    person.login("koordinator_oppvekst")

    # Their inbox holds the oppvekst case's follow-up, never the helse case.
    for tab in ("Mine oppgaver", "Gruppens oppgaver"):
        person.inbox_tab(tab)
        expect(page.get_by_role("main")).not_to_contain_text(CITIZENS[KARI])
    expect(page.get_by_role("row").filter(has_text=CITIZENS[OLA])).to_contain_text(
        "Oppfølging og samarbeidsmøte")
    page.get_by_label("Søk etter navn eller fødselsnummer").fill(KARI)
    page.get_by_role("button", name="Søk", exact=True).click()
    expect(page.get_by_text("Ingen oppgaver passer med filtrene.")).to_be_visible()

    # The helse case and its task: the plain error page, no stack trace.
    for path in (f"/cases/{helse}", f"/tasks/{helse_task}"):
        response = page.goto(server.url(path))
        assert response is not None and response.status in (403, 404), (path, response)
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text(str(response.status))
        main = page.get_by_role("main")
        expect(main).not_to_contain_text(CITIZENS[KARI])
        expect(page.get_by_role("link", name="Til forsiden")).to_be_visible()
        html = page.content()
        for leak in ("Traceback", "File \"", "Exception", "sqlalchemy", "werkzeug"):
            assert leak not in html, (path, leak)
        if path.startswith("/cases"):
            person.shot("case-not-visible")

    # Their own area's case opens, and so does its follow-up task from the case page.
    person.go(f"/cases/{oppvekst}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(CITIZENS[OLA])
    page.get_by_role("link", name=re.compile(r"^Åpne oppgaven\s+Oppfølging")).click()
    expect(page.get_by_role("heading", name="Samarbeidsmøte", level=1)).to_be_visible()
    person.logout()


# ---------------------------------------------------------------- a form keeps what was typed


def test_report_form_with_an_invalid_nin_keeps_the_typed_values(visitor, server) -> None:
    person = visitor()
    page = person.page
    person.login("koordinator")
    page.get_by_role("link", name="Meld behov").click()
    person.field("Innbyggerens navn").fill("Ola Hansen")
    person.field("Fødselsnummer").fill("23074820086")  # the last check digit is wrong
    person.field("Meldt av").select_option(label="Kommunal tjenesteyter")
    person.field("Melderens navn").fill("Hanne Helsesykepleier")
    person.field("Melderens kontaktinformasjon").fill("hanne@kommune.no")
    person.group("Det meldes behov for").get_by_label("Koordinator", exact=True).check()
    person.field("Beskrivelse av behovet").fill("Trenger hjelp fra skole og BUP.\nHaster.")
    with page.expect_response(lambda r: r.url.endswith("/report")
                              and r.request.method == "POST") as posted:
        person.button("Send meldingen").click()
    assert posted.value.status == 422

    # The message, in Norwegian, next to the field, linked to it and in the summary.
    nin = person.field("Fødselsnummer")
    message = page.locator("#f-citizen_nin-error")
    expect(message).to_contain_text(
        "Fødselsnummeret er ikke gyldig: det andre kontrollsifferet stemmer ikke.")
    expect(page.locator(".field.invalid").filter(has=nin)).to_contain_text(
        "kontrollsifferet stemmer ikke")
    expect(nin).to_have_attribute("aria-invalid", "true")
    expect(nin).to_have_attribute("aria-describedby", re.compile(r"\bf-citizen_nin-error\b"))
    summary = page.get_by_role("alert").filter(has_text="Skjemaet har feil")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Feil: Meld behov"))

    # Everything typed is still there.
    expect(nin).to_have_value("23074820086")
    expect(person.field("Innbyggerens navn")).to_have_value("Ola Hansen")
    expect(person.field("Meldt av")).to_have_value("kommunal_tjenesteyter")
    expect(person.field("Melderens navn")).to_have_value("Hanne Helsesykepleier")
    expect(person.field("Melderens kontaktinformasjon")).to_have_value("hanne@kommune.no")
    requests = person.group("Det meldes behov for")
    expect(requests.get_by_label("Koordinator", exact=True)).to_be_checked()
    expect(requests.get_by_label("Individuell plan", exact=True)).not_to_be_checked()
    expect(person.field("Beskrivelse av behovet")).to_have_value(
        "Trenger hjelp fra skole og BUP.\nHaster.")
    person.shot("report-form-errors")

    # The summary's link takes the keyboard to the field; corrected, the report goes in.
    summary.get_by_role("link", name=re.compile("Fødselsnummer")).click()
    expect(nin).to_be_focused()
    nin.fill(OLA)
    person.button("Send meldingen").click()
    expect(person.flash("Meldingen er registrert")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ola Hansen")


# ---------------------------------------------------------------- the case diagram

PASSED = re.compile(r"\bpassed\b")


def _element(diagram: Locator, bpmn_id: str) -> Locator:
    return diagram.locator(f'.djs-element[data-element-id="{bpmn_id}"]')



def test_case_diagram_renders_from_local_files_without_console_errors(
        visitor, server, staff) -> None:
    case_id = _at_consent(server.db, staff, KARI, "helse")
    person = visitor()
    page = person.page
    person.login("koordinator")
    person.go(f"/cases/{case_id}")

    # The consent is the citizen's to give from her own login: no link the koordinator
    # could follow only to be refused.
    waiting = page.get_by_role("region", name="Hva saken venter på nå")
    expect(waiting.get_by_role("row").filter(has_text="Samtykke og ønske om IP")).to_contain_text(
        "Kari Nordmann")
    expect(waiting.get_by_role("link")).to_have_count(0)

    # The diagram opens where the case stands: the start-up phase, at the consent, which is
    # in view; the steps before it in the phase are passed.
    person.case_tab("Prosessen")
    diagram = page.locator(".diagram")
    expect(diagram.locator(".djs-container > svg")).to_be_visible()
    current = diagram.locator(".djs-element.current")
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("data-element-id", "give_consent")
    expect(current).to_be_in_viewport()
    for done in ("startup_start", "summon_startup_meeting", "send_summons"):
        expect(_element(diagram, done)).to_have_class(PASSED)
    expect(_element(diagram, "phase_follow_up")).to_have_count(0)
    expect(page.get_by_role("img", name=re.compile("^Prosessdiagram for saken"))).to_be_visible()
    expect(page.locator("[data-diagram-error]")).to_be_hidden()
    person.shot("case-diagram-phase")

    # The whole process: its phases, the ones behind the case passed, the start-up (where the
    # consent waits) current, the ones ahead unmarked.
    page.get_by_role("button", name="Vis hele").click()
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("data-element-id", "phase_startup")
    for done in ("report_received", "phase_assessment", "phase_appointment"):
        expect(_element(diagram, done)).to_have_class(PASSED)
    for ahead in ("phase_follow_up", "phase_evaluation", "phase_closing", "phase_appeal"):
        expect(_element(diagram, ahead)).to_be_visible()
        expect(_element(diagram, ahead)).not_to_have_class(PASSED)
    # Each phase has its button that opens its own plane (the help text says so).
    expect(diagram.locator('.djs-overlays[data-container-id="phase_follow_up"] '
                           'button.bjs-drilldown')).to_have_count(1)
    person.shot("case-diagram")
    page.get_by_role("button", name="Vis der saken står").click()
    expect(current).to_have_attribute("data-element-id", "give_consent")
    expect(current).to_be_in_viewport()

    assert person.watch.console_errors == [], person.watch.console_errors
    assert person.watch.page_errors == [], person.watch.page_errors
    assert any(url.endswith("/static/vendor/bpmn-navigated-viewer.production.min.js")
               for url in person.watch.requests), person.watch.requests
    outside = [url for url in person.watch.requests if not url.startswith(server.origin + "/")]
    assert outside == [], outside


# ---------------------------------------------------------------- keyboard and phone


def test_login_by_keyboard_only(visitor, server) -> None:
    person = visitor()
    page = person.page
    person.go("/login")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Hopp til innholdet")).to_be_focused()
    username = page.get_by_label("Brukernavn")
    for _ in range(10):
        if username.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(username).to_be_focused()
    page.keyboard.type("koordinator")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Passord")).to_be_focused()
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Oppgaver", level=1)).to_be_visible()
    expect(page.get_by_text("Kim Koordinator")).to_be_visible()


def test_inbox_is_readable_at_phone_width(visitor, server, staff) -> None:
    _in_follow_up(server.db, staff, KARI, "helse", citizen="innbygger")
    _in_follow_up(server.db, staff, OLA, "oppvekst")
    _at_consent(server.db, staff, EMMA, "psykisk")  # no login: on her behalf
    person = visitor(viewport=PHONE, is_mobile=True, has_touch=True)
    page = person.page
    person.login("koordinator")
    expect(page.get_by_role("heading", name="Oppgaver", level=1)).to_be_visible()
    rows = page.locator("table.inbox tbody tr")
    expect(rows).to_have_count(3)

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 2, f"the inbox scrolls sideways on a phone: {width}px"
    for index in range(3):
        row = rows.nth(index)
        open_link = row.get_by_role("link", name=re.compile(r"^Åpne"))
        open_link.scroll_into_view_if_needed()
        expect(open_link).to_be_in_viewport(ratio=1)
        box = open_link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # The cells carry their column names when the table is stacked.
    first_cell = rows.first.locator("td").first
    label = first_cell.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert "Innbygger" in label, label
    person.shot("inbox-phone")
