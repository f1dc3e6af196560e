"""The task page's "Lagre utkast": the form as typed is kept on the server for me alone, and
opens again from it with a note saying when it was saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine import demo
from engine.features import drafts
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.people import EMMA

if TYPE_CHECKING:
    from tests.support.pages import Browser

Web = Callable[[str], "Browser"]


def _appointment(db: Database, staff: dict[str, Actor]) -> int:
    return _appointment_of(db, staff)[1]


def _appointment_of(db: Database, staff: dict[str, Actor]) -> tuple[int, int]:
    case_id = demo.report(db, staff["koordinator"], EMMA)
    demo.approve(db, staff, case_id, "oppvekst")
    return case_id, demo.open_task(db, case_id, "appoint_coordinator")


def test_a_saved_draft_opens_again_for_me_only(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    task_id = _appointment(db, staff)
    browser = web("fagleder_oppvekst")
    page = browser.get(f"/tasks/{task_id}")
    assert page.by_id("save-draft").text == "Lagre utkast"
    assert not page.all(None, id="draft-note")

    # half done: the required coordinator is empty, and that is fine for a draft
    saved = browser.post_page(f"/tasks/{task_id}", {
        **page.form_data(), "_action": "draft", "citizen_wishes": "Halvferdig tekst"})
    assert "Utkastet er lagret. Bare du ser det." in saved
    assert not saved.all(None, id="error-summary")
    assert "Utkast lagret" in saved.by_id("draft-note").text

    again = web("fagleder_oppvekst").get(f"/tasks/{task_id}")
    assert again.value("citizen_wishes") == "Halvferdig tekst"
    note = again.by_id("draft-note").text
    assert "Utkast lagret" in note and "kl." in note
    assert drafts.load_draft(db, task_id, staff["fagleder_oppvekst"]) is not None

    colleague = web("fagleder").get(f"/tasks/{task_id}")
    assert colleague.value("citizen_wishes") == ""
    assert not colleague.all(None, id="draft-note")


def test_deleting_the_draft_opens_the_form_as_new(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    task_id = _appointment(db, staff)
    drafts.save_draft(db, task_id, {"citizen_wishes": "Gammelt utkast"},
                      staff["fagleder_oppvekst"])
    browser = web("fagleder_oppvekst")
    page = browser.get(f"/tasks/{task_id}")
    assert page.value("citizen_wishes") == "Gammelt utkast"
    fresh = browser.follow(browser.post(f"/tasks/{task_id}", {
        **page.form_data(), "_action": "discard_draft"}))
    assert "Utkastet er slettet." in fresh
    assert fresh.value("citizen_wishes") == ""
    assert drafts.load_draft(db, task_id, staff["fagleder_oppvekst"]) is None


def test_completing_from_the_page_removes_the_draft(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    task_id = _appointment(db, staff)
    drafts.save_draft(db, task_id, {"citizen_wishes": "Utkast"}, staff["fagleder_oppvekst"])
    browser = web("fagleder_oppvekst")
    page = browser.get(f"/tasks/{task_id}")
    done = browser.post(f"/tasks/{task_id}", {**page.form_data(),
                                              "coordinator": "koordinator_oppvekst"})
    assert done.headers["Location"] == "/inbox"
    assert drafts.load_draft(db, task_id, staff["fagleder_oppvekst"]) is None


def test_a_colleagues_draft_of_a_completed_task_stays_readable(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id, task_id = _appointment_of(db, staff)
    drafts.save_draft(db, task_id, {"citizen_wishes": "Mitt utkast"}, staff["fagleder"])
    demo.do(db, staff["fagleder_oppvekst"], case_id, "appoint_coordinator",
            {"coordinator": "koordinator_oppvekst"})
    page = web("fagleder").get(f"/tasks/{task_id}")
    assert "Oppgaven ble fullført av Frida Oppvekst" in page.by_id("holding").text
    assert page.value("citizen_wishes") == "Mitt utkast"
    assert page.by_id("discard-draft").text == "Slett utkastet"

