"""Find any case in a real browser: the systemkoordinator lands on the case list, finds a
closed case by a fødselsnummer typed with a space, and opens it; the list on a desktop and a
phone."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from engine import demo
from engine.kernel import clock
from tests.support.cases import closed_case
from tests.support.people import EMMA, KARI, PER

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_the_systemkoordinator_finds_a_closed_case_by_fodselsnummer(visitor, server,
                                                                    staff) -> None:
    db = server.db
    closed = closed_case(db, staff, PER, clock.now())
    kari = demo.report(db, staff["koordinator"], KARI)
    demo.approve(db, staff, kari, "helse")
    demo.report(db, staff["systemkoordinator"], EMMA)

    person = visitor(viewport=WIDE)
    page = person.page
    person.login("systemkoordinator")
    expect(page.get_by_role("heading", name="Saker", level=1)).to_be_visible()
    assert page.url.endswith("/cases")
    expect(page.get_by_role("status").filter(has_text="saker")).to_have_text(
        re.compile(r"^\s*3 saker\s*$"))
    expect(page.get_by_role("columnheader", name=re.compile("^Sak"))).to_have_attribute(
        "aria-sort", "descending")
    person.shot("case-list-1366")

    page.get_by_label("Navn, fødselsnummer eller saksnummer").fill(f"{PER[:6]} {PER[6:]}")
    page.get_by_role("button", name="Søk", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="sak")).to_have_text(
        re.compile(r"^\s*1 sak\s*$"))
    row = page.get_by_role("row").filter(has_text="Per Olsen")
    expect(row).to_contain_text("Avsluttet")
    row.get_by_role("link", name=re.compile(rf"^Sak {closed}")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Per Olsen")
    assert page.url.endswith(f"/cases/{closed}")

    # Sorting by a column header, then the same list on a phone.
    person.go("/cases")
    page.get_by_role("link", name=re.compile("^Innbygger")).click()
    expect(page.get_by_role("columnheader", name=re.compile("^Innbygger"))).to_have_attribute(
        "aria-sort", "ascending")
    phone = visitor(viewport=PHONE)
    phone.login("systemkoordinator")
    expect(phone.page.get_by_role("heading", name="Saker", level=1)).to_be_visible()
    expect(phone.page.get_by_role("link", name=re.compile(rf"^Sak {kari}"))).to_be_visible()
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the list scrolls sideways on a phone ({width} px)"
    phone.shot("case-list-390")
