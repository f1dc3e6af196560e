"""Notices in a real browser: the citizen writes to the coordinator, the coordinator sees an
unread mark in the header and in the inbox, opens the case, and the mark is gone.

Screenshots of the inbox, the case page and the citizen's /mine at 1366 and 390 px.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from engine.demo import appoint, approve, report
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.people import KARI

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
QUESTION = "Kan møtet flyttes til tirsdag?"


def _unread_count(page: Page) -> int:
    """The header's count (0 when the mark is not shown)."""
    mark = page.locator("#unread-mark")
    if mark.count() == 0:
        return 0
    match = re.fullmatch(r"(\d+) ulest[e]?", mark.inner_text().strip())
    assert match, mark.inner_text()
    return int(match.group(1))


def _appointed(db: Database, staff: dict[str, Actor]) -> int:
    """Kari's case, her coordinator appointed: the thread is between the two of them."""
    case_id = report(db, staff["systemkoordinator"], KARI)
    approve(db, staff, case_id, "helse")
    appoint(db, staff, case_id)
    return case_id


def _send(person: Any, case_id: int, text: str) -> None:
    person.go(f"/cases/{case_id}")
    person.page.get_by_role("tab", name=re.compile(r"^Samtale")).click()  # a part of its own
    person.field("Ny melding").fill(text)
    person.button("Send melding").click()
    expect(person.flash("Meldingen er sendt.")).to_be_visible()


def _marked(count: int) -> str:
    """The header's text for ``count`` unread things."""
    return f"{count} ulest" if count == 1 else f"{count} uleste"


def _no_sideways_scroll(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 2, f"the page scrolls sideways: {scroll}px"


def test_a_citizens_message_is_unread_for_the_coordinator_until_the_case_is_opened(
        visitor, server, staff) -> None:
    case_id = _appointed(server.db, staff)

    coordinator = visitor(viewport=WIDE)
    coordinator.login("koordinator")
    before = _unread_count(coordinator.page)

    citizen = visitor(viewport=WIDE)
    citizen.login("innbygger")
    _send(citizen, case_id, QUESTION)

    page = coordinator.page
    coordinator.go("/inbox")
    expect(page.locator("#unread-mark")).to_have_text(_marked(before + 1))
    news = page.get_by_role("region", name="Nytt i sakene")
    expect(news).to_contain_text("Kari Nordmann")
    expect(news).to_contain_text("1 ny melding")
    coordinator.shot("notices-inbox-1366")

    news.get_by_role("link", name="Kari Nordmann").click()
    expect(page.locator("#case-notices")).to_contain_text("1 ny melding")
    expect(page.locator("#samtale")).to_contain_text(QUESTION)
    assert _unread_count(page) == before, "the message is read as the case opens"
    coordinator.shot("notices-case-1366")

    coordinator.go("/inbox")
    expect(page.get_by_role("region", name="Nytt i sakene")).to_have_count(0)

    # A second message, read on a phone.
    _send(citizen, case_id, "Eller onsdag.")
    phone = visitor(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.login("koordinator")
    expect(phone.page.locator("#unread-mark")).to_have_text(_marked(before + 1))
    expect(phone.page.get_by_role("region", name="Nytt i sakene")).to_contain_text("1 ny melding")
    _no_sideways_scroll(phone.page, PHONE["width"])
    phone.shot("notices-inbox-390")


def test_the_citizen_sees_new_letters_and_messages_on_mine_at_both_widths(
        visitor, server, staff) -> None:
    case_id = _appointed(server.db, staff)
    coordinator = visitor(viewport=WIDE)
    coordinator.login("koordinator")
    _send(coordinator, case_id, "Velkommen! Jeg er koordinatoren din.")

    for name, viewport in (("1366", WIDE), ("390", PHONE)):
        citizen = visitor(viewport=viewport, is_mobile=viewport is PHONE)
        citizen.login("innbygger")
        page = citizen.page
        citizen.go("/mine")
        news = page.get_by_role("region", name="Nytt i sakene")
        expect(news).to_contain_text("1 ny melding")
        expect(news).to_contain_text("nye brev")
        expect(page.locator("#unread-mark")).to_be_visible()
        _no_sideways_scroll(page, viewport["width"])
        citizen.shot(f"notices-mine-{name}")
        if viewport is PHONE:
            citizen.go(f"/cases/{case_id}")
            expect(page.locator("#case-notices")).to_contain_text("1 ny melding")
            citizen.shot("notices-case-390")
            citizen.go("/mine")
            expect(page.get_by_role("region", name="Nytt i sakene")).to_have_count(0)
