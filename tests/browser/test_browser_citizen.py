"""The citizen's pages in a real browser, at 1366 and 390 px: the case as they see it (the
steps in plain words, no diagram of the staff's lanes) and who has read it (the staff's reads,
their own on request)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from engine.demo import appoint, approve, consent, report
from tests.support.people import KARI

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_the_citizen_reads_their_case_and_who_has_opened_it(visitor, server, staff) -> None:
    case_id = report(server.db, staff["systemkoordinator"], KARI)
    approve(server.db, staff, case_id, "helse")
    appoint(server.db, staff, case_id)
    consent(server.db, staff["innbygger"], case_id, wants_ip=True)
    coordinator = visitor(viewport=WIDE)
    coordinator.login("koordinator")
    coordinator.go(f"/cases/{case_id}")

    for name, viewport in (("1366", WIDE), ("390", PHONE)):
        citizen = visitor(viewport=viewport, is_mobile=viewport is PHONE)
        citizen.login("innbygger")
        page = citizen.page
        citizen.go(f"/cases/{case_id}")
        page.get_by_role("tab", name="Prosessen").click()
        steps = page.locator("#steg-i-saken")
        expect(steps).to_contain_text("Samtykke og ønske om IP")
        expect(page.locator("#prosess")).not_to_contain_text("Registrer samtykke")
        expect(page.locator("#diagram")).to_have_count(0)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= viewport["width"] + 2, f"the page scrolls sideways: {scroll}px"
        citizen.shot(f"citizen-case-{name}")

        citizen.go(f"/cases/{case_id}/access-log")
        log = page.locator("table.access-log")
        expect(log).to_contain_text("Kim Koordinator")
        expect(log).not_to_contain_text("Kari Nordmann")
        citizen.shot(f"citizen-access-log-{name}")
        page.get_by_role("link", name="Vis også når du selv har åpnet saken").click()
        expect(page.locator("table.access-log")).to_contain_text("Kari Nordmann")
        expect(page.get_by_role("link", name=re.compile("^Vis bare når andre"))).to_be_visible()
