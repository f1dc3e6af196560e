"""The task page tells who holds the task before anyone types, takes it with one click, and
keeps what was typed when a colleague was faster (409), saying who did what and when."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine import demo
from engine.features import case_queries, task_actions
from engine.kernel.db import Database
from engine.kernel.models import Task
from engine.runtime.users import Actor
from tests.support.people import EMMA

if TYPE_CHECKING:
    from tests.support.pages import Browser

Web = Callable[[str], "Browser"]
TYPED = {"coordinator": "koordinator_oppvekst", "citizen_wishes": "Ønsker en fast kontaktperson."}


def _appointment(db: Database, staff: dict[str, Actor]) -> tuple[int, int]:
    case_id = demo.report(db, staff["koordinator"], EMMA)
    demo.approve(db, staff, case_id, "oppvekst")
    return case_id, demo.open_task(db, case_id, "appoint_coordinator")


def _held_by(db: Database, task_id: int) -> str | None:
    with db.reading() as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task.claimed_by


def test_an_open_group_task_is_taken_with_one_click_and_given_back(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    _case_id, task_id = _appointment(db, staff)
    browser = web("fagleder_oppvekst")
    page = browser.get(f"/tasks/{task_id}")
    assert "Ingen har tatt denne oppgaven ennå." in page.by_id("holding").text
    take = page.by_id("take-task")
    assert (take.text, take.get("name"), take.get("value")) == ("Ta oppgaven", "_action", "take")
    assert [b.text for b in page.all("button", **{"class": "primary"})] == [
        "Ta oppgaven", "Ta og fullfør oppgaven"]

    # taking it posts the form: what was typed before the click stays
    mine = browser.post_page(f"/tasks/{task_id}", {**page.form_data(), "_action": "take",
                                                   "citizen_wishes": "Skrevet før klikket."})
    assert "Du har tatt oppgaven. Kollegene ser at du arbeider med den." in mine
    assert "Du har tatt oppgaven" in mine.by_id("holding").text
    assert mine.value("citizen_wishes") == "Skrevet før klikket."
    assert [b.text for b in mine.all("button", **{"class": "primary"})] == ["Fullfør oppgaven"]
    assert _held_by(db, task_id) == "fagleder_oppvekst"

    back = browser.post_page(f"/tasks/{task_id}", {**mine.form_data(), "_action": "release"})
    assert "Ingen har tatt denne oppgaven ennå." in back.by_id("holding").text
    assert back.value("citizen_wishes") == "Skrevet før klikket."
    assert _held_by(db, task_id) is None


def test_the_second_person_keeps_what_they_typed_and_learns_who_completed_it(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id, task_id = _appointment(db, staff)
    second = web("fagleder")
    second.get(f"/tasks/{task_id}")  # both open the task while nobody holds it
    task_actions.complete_task(db, task_id, dict(TYPED), staff["fagleder_oppvekst"], take=True)

    typed = {"coordinator": "koordinator", "citizen_wishes": "Mine egne notater om ønskene."}
    page = second.post_page(f"/tasks/{task_id}", typed, expect=409)
    assert "Oppgaven er allerede fullført av Frida Oppvekst." in page.by_id("problem").text
    assert "Det du skrev, står fortsatt i skjemaet under." in page.by_id("problem").text
    assert "Oppgaven ble fullført av Frida Oppvekst" in page.by_id("holding").text
    assert page.by_id("holding-case").get("href") == f"/cases/{case_id}"
    assert page.value("citizen_wishes") == "Mine egne notater om ønskene."
    assert page.value("coordinator") == "koordinator"
    assert not page.all("button", **{"class": "primary"})  # nothing to send it to


def test_a_colleague_taking_it_meanwhile_keeps_the_text_and_says_since_when(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    _case_id, task_id = _appointment(db, staff)
    second = web("fagleder")
    second.get(f"/tasks/{task_id}")
    task_actions.claim_task(db, task_id, staff["fagleder_oppvekst"])
    page = second.post_page(f"/tasks/{task_id}", TYPED, expect=409)
    assert "Oppgaven er tatt av Frida Oppvekst siden" in page.by_id("holding").text
    assert page.value("citizen_wishes") == TYPED["citizen_wishes"]
    assert not page.all("fieldset", **{"class": "locked"})  # the typed text stays selectable


def test_the_same_form_sent_twice_completes_once(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id, task_id = _appointment(db, staff)
    browser = web("fagleder_oppvekst")
    browser.get(f"/tasks/{task_id}")
    token = browser.token()
    first = browser.post(f"/tasks/{task_id}", {**TYPED, "csrf_token": token})
    again = browser.post(f"/tasks/{task_id}", {**TYPED, "csrf_token": token})
    assert first.headers["Location"] == again.headers["Location"] == "/inbox"
    assert "Oppgaven er allerede fullført av deg." in browser.follow(again)
    case = case_queries.get_case(db, case_id, staff["systemkoordinator"])
    assert [e["bpmn_id"] for e in case["events"] if e["kind"] == "task_completed"
            and e["bpmn_id"] == "appoint_coordinator"] == ["appoint_coordinator"]
