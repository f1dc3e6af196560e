"""Never lose work, in a real browser: two people on one group task (the second keeps what they
typed and learns who completed it and when), a draft that outlives the browser, and a row
added to a list that takes the focus.

The cases are set up through the engine, as the demo does; everything checked is done in the
browser. Screenshots of the task page's states at 1366 px and 390 px.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from engine.demo import appoint, approve, consent, establish_plan, open_task, report
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.people import EMMA, OLA

WIDE = {"width": 1366, "height": 900}
NARROW = {"width": 390, "height": 844}
WISHES = "Ønsker en koordinator som kjenner skolen."


def _appointment(db: Database, staff: dict[str, Actor]) -> int:
    case_id = report(db, staff["koordinator"], EMMA, reported_by="parorende")
    approve(db, staff, case_id, "oppvekst")
    return open_task(db, case_id, "appoint_coordinator")


def _at_the_appointment(visitor: Any, server: Any, staff: dict[str, Actor]) -> tuple[int, Any]:
    """The appointment task, opened by the fagleder it falls to."""
    task_id = _appointment(server.db, staff)
    person = visitor(viewport=WIDE)
    person.login("fagleder_oppvekst")
    person.go(f"/tasks/{task_id}")
    return task_id, person


def _both_widths(person: Any, name: str) -> None:
    """Screenshots of the page as it is, 1366 px and 390 px wide (then wide again)."""
    for size, suffix in ((WIDE, "1366"), (NARROW, "390")):
        person.page.set_viewport_size(size)
        person.shot(f"{name}-{suffix}")
    person.page.set_viewport_size(WIDE)


def test_the_second_of_two_people_keeps_their_text_and_learns_who_completed_it(
        visitor, server, staff) -> None:
    task_id = _appointment(server.db, staff)
    first = visitor(viewport=WIDE)
    first.login("fagleder_oppvekst")
    second = visitor(viewport=WIDE)
    second.login("fagleder")
    for person in (first, second):
        person.go(f"/tasks/{task_id}")
        expect(person.page.locator("#holding")).to_contain_text(
            "Ingen har tatt denne oppgaven ennå.")
    _both_widths(first, "task-open")

    # the second starts typing while nobody holds the task ...
    second.field("Innbyggerens ønsker").fill(WISHES)
    # ... the first takes it (one click) and completes it
    first.button("Ta oppgaven").click()
    expect(first.page.locator("#holding")).to_contain_text("Du har tatt oppgaven")
    _both_widths(first, "task-mine")
    first.field("Koordinator").select_option(index=1)
    first.complete()

    with second.page.expect_response(lambda r: r.url.endswith(f"/tasks/{task_id}")
                                     and r.request.method == "POST") as posted:
        second.button("Ta og fullfør oppgaven").click()
    assert posted.value.status == 409
    problem = second.page.get_by_role("alert")
    expect(problem).to_contain_text("Oppgaven er allerede fullført av Frida Oppvekst.")
    expect(problem).to_contain_text("Det du skrev, står fortsatt i skjemaet under.")
    holding = second.page.locator("#holding")
    expect(holding).to_contain_text(re.compile(
        r"Oppgaven ble fullført av Frida Oppvekst \d+\. \w+ \d{4} kl\. \d\d\.\d\d"))
    expect(second.field("Innbyggerens ønsker")).to_have_value(WISHES)
    expect(second.page.get_by_role("button", name="Ta og fullfør oppgaven")).to_have_count(0)
    _both_widths(second, "task-refused")
    second.page.get_by_role("link", name="Se hva som har skjedd i saken").click()
    expect(second.page).to_have_url(re.compile(r"/cases/\d+$"))


def test_a_task_held_by_a_colleague_is_read_only_before_typing(visitor, server, staff) -> None:
    task_id = _appointment(server.db, staff)
    holder = visitor(viewport=WIDE)
    holder.login("fagleder_oppvekst")
    holder.go(f"/tasks/{task_id}")
    holder.button("Ta oppgaven").click()
    expect(holder.page.locator("#holding")).to_contain_text("Du har tatt oppgaven")

    colleague = visitor(viewport=WIDE)
    colleague.login("fagleder")
    colleague.go(f"/tasks/{task_id}")
    expect(colleague.page.locator("#holding")).to_contain_text(
        re.compile(r"Oppgaven er tatt av Frida Oppvekst siden \d+\. \w+ \d{4} kl\. \d\d\.\d\d"))
    expect(colleague.field("Innbyggerens ønsker")).to_be_disabled()
    expect(colleague.page.get_by_role("button", name=re.compile("ullfør"))).to_have_count(0)
    _both_widths(colleague, "task-held")


def test_a_draft_outlives_the_browser(visitor, server, staff) -> None:
    task_id, person = _at_the_appointment(visitor, server, staff)
    person.field("Innbyggerens ønsker").fill(WISHES)
    person.field("Merknad").fill("Snakk med skolen først.")
    person.button("Lagre utkast").click()
    expect(person.flash("Utkastet er lagret. Bare du ser det.")).to_be_visible()
    person.page.context.close()

    again = visitor(viewport=WIDE)
    again.login("fagleder_oppvekst")
    again.go(f"/tasks/{task_id}")
    expect(again.page.locator("#draft-note")).to_contain_text(
        re.compile(r"Utkast lagret \d+\. \w+ \d{4} kl\. \d\d\.\d\d"))
    expect(again.field("Innbyggerens ønsker")).to_have_value(WISHES)
    expect(again.field("Merknad")).to_have_value("Snakk med skolen først.")
    _both_widths(again, "task-draft")

    # a colleague opening the same task sees an empty form, not my draft
    colleague = visitor(viewport=WIDE)
    colleague.login("fagleder")
    colleague.go(f"/tasks/{task_id}")
    expect(colleague.field("Innbyggerens ønsker")).to_have_value("")
    expect(colleague.page.locator("#draft-note")).to_have_count(0)

    # completed, the draft is gone
    again.field("Koordinator").select_option(index=1)
    again.complete()
    again.go(f"/tasks/{task_id}")
    expect(again.page.locator("#draft-note")).to_have_count(0)


def _in_follow_up(db: Database, staff: dict[str, Actor]) -> int:
    case_id = report(db, staff["koordinator"], OLA, reported_by="parorende")
    approve(db, staff, case_id, "helse")
    appoint(db, staff, case_id)
    consent(db, staff["koordinator"], case_id, wants_ip=True)
    establish_plan(db, staff["koordinator"], case_id)
    return open_task(db, case_id, "follow_up")


def test_adding_a_row_moves_the_focus_to_it_and_removing_keeps_the_place(
        visitor, server, staff) -> None:
    task_id = _in_follow_up(server.db, staff)
    person = visitor(viewport=WIDE)
    person.login("koordinator")
    person.go(f"/tasks/{task_id}")
    person.field("Navn og rolle 1").fill("Kari Nordmann, innbygger")
    person.field("Referat").fill("Skrevet før raden ble lagt til.")
    person.button("Legg til rad", "Deltakere på møtet").click()
    new_row = person.field("Navn og rolle 2")
    expect(new_row).to_be_focused()
    expect(new_row).to_be_in_viewport()
    expect(person.field("Navn og rolle 1")).to_have_value("Kari Nordmann, innbygger")
    expect(person.field("Referat")).to_have_value("Skrevet før raden ble lagt til.")
    person.page.keyboard.type("Nina Fysio, fysioterapeut")
    expect(new_row).to_have_value("Nina Fysio, fysioterapeut")
    _both_widths(person, "task-row-added")

    person.page.get_by_role("button", name=re.compile(r"^Fjern rad\s+Navn og rolle 1$")).click()
    remaining = person.field("Navn og rolle 1")
    expect(remaining).to_have_value("Nina Fysio, fysioterapeut")
    expect(remaining).to_be_focused()
    expect(remaining).to_be_in_viewport()


FIRST_INPUT = "#form-top .field input, #form-top .field select, #form-top .field textarea"


def test_taking_the_task_puts_the_focus_on_the_form(visitor, server, staff) -> None:
    """After «Ta oppgaven» the page comes back with the focus on the form's first field, not
    at the top of the page: the next thing to do is to fill it in."""
    task_id, person = _at_the_appointment(visitor, server, staff)
    person.button("Ta oppgaven").click()
    expect(person.flash("Du har tatt oppgaven.")).to_be_visible()
    first = person.page.locator(FIRST_INPUT).first
    expect(first).to_be_focused()
    expect(first).to_have_accessible_name(re.compile(r"\w"))  # read out by its label
    assert person.page.evaluate("document.activeElement.closest('#form-top') !== null")


def test_deleting_a_draft_asks_first(visitor, server, staff) -> None:
    """«Slett utkastet» asks before it deletes: «Avbryt» keeps the draft, «OK» deletes it."""
    task_id, person = _at_the_appointment(visitor, server, staff)
    person.field("Innbyggerens ønsker").fill(WISHES)
    person.button("Lagre utkast").click()
    expect(person.page.locator("#draft-note")).to_be_visible()
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    person.page.once("dialog", dismiss)
    person.button("Slett utkastet").click()
    expect(person.page.locator("#draft-note")).to_be_visible()
    assert asked == ["Slette utkastet? Det du har skrevet i det, kan ikke hentes tilbake."]
    person.go(f"/tasks/{task_id}")
    expect(person.field("Innbyggerens ønsker")).to_have_value(WISHES)  # still saved

    person.page.once("dialog", lambda dialog: dialog.accept())
    person.button("Slett utkastet").click()
    expect(person.flash("Utkastet er slettet.")).to_be_visible()
    expect(person.page.locator("#draft-note")).to_have_count(0)
    expect(person.field("Innbyggerens ønsker")).to_have_value("")
