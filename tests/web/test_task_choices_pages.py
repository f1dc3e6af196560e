"""The appointment page offers the service area's coordinators as a list with their active
cases, and a posted name outside the list comes back refused with who may be chosen."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine import demo
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.people import KARI, OLA

if TYPE_CHECKING:
    from tests.support.pages import Browser

Web = Callable[[str], "Browser"]


def test_the_fagleder_picks_the_coordinator_from_the_areas_coordinators(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    earlier = demo.report(db, staff["koordinator"], KARI)
    demo.approve(db, staff, earlier, "oppvekst")
    demo.do(db, staff["fagleder"], earlier, "appoint_coordinator",
            {"coordinator": "koordinator_oppvekst"})
    case_id = demo.report(db, staff["koordinator"], OLA)
    demo.approve(db, staff, case_id, "oppvekst")
    task_id = demo.open_task(db, case_id, "appoint_coordinator")
    browser = web("fagleder")

    page = browser.get(f"/tasks/{task_id}")
    assert page.one("select", name="coordinator")
    assert page.options("coordinator") == [
        ("", "Velg"), ("koordinator", "Kim Koordinator (0 aktive saker)"),
        ("koordinator_oppvekst", "Ola Oppvekst (1 aktiv sak)")]

    data = page.form_data()
    refused = browser.post_page(f"/tasks/{task_id}", {**data, "coordinator": "kim"},
                                expect=422)
    assert refused.by_id("f-coordinator-error").text.replace("Feil:", "").strip() == (
        "«kim» kan ikke velges her. Velg en av: Kim Koordinator (0 aktive saker), "
        "Ola Oppvekst (1 aktiv sak).")

    done = browser.post(f"/tasks/{task_id}", {**data, "coordinator": "koordinator_oppvekst"})
    assert done.headers["Location"] == "/inbox"
    assert demo.open_task(db, case_id, "ensure_training")


def test_the_picker_speaks_english_on_an_english_page(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], OLA)
    demo.approve(db, staff, case_id, "helse")
    task_id = demo.open_task(db, case_id, "appoint_coordinator")
    browser = web("fagleder")
    page = browser.follow(browser.post("/language", {"locale": "en",
                                                     "next": f"/tasks/{task_id}"}))
    assert ("koordinator", "Kim Koordinator (0 active cases)") in page.options("coordinator")
