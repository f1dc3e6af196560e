"""Validation messages on the form pages name the field, in the page's language: composed from
the field's title or worded by the form itself; a step's validator speaks as it spoke."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from babel.messages.pofile import read_po

from engine import demo
from engine.kernel.db import Database
from engine.runtime.forms import WORDING
from engine.runtime.users import Actor
from tests.support.pages import Browser, Page
from tests.support.people import OLA
from webapp import form_page

Web = Callable[[str], Browser]
EN_PO = Path(form_page.__file__).parent / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def error_of(page: Page, field_id: str) -> str:
    return page.by_id(f"{field_id}-error").text.replace("Feil:", "").replace("Error:", "").strip()


def test_the_report_names_each_missing_field_in_norwegian_and_english(web: Web) -> None:
    browser = web("koordinator")
    browser.get("/report")
    page = browser.post_page("/report", {"need_description": "Trenger hjelp."}, expect=422)
    assert error_of(page, "f-citizen_name") == "Skriv inn innbyggerens navn."
    assert error_of(page, "f-reported_by") == "Velg hvem som melder behovet."
    assert error_of(page, "f-requests") == "Velg minst ett alternativ i «Det meldes behov for»."
    assert error_of(page, "f-citizen_nin") == "Skriv inn fødselsnummeret."

    browser.post("/language", {"locale": "en", "next": "/report"})
    browser.get("/report")
    page = browser.post_page("/report", {"need_description": "Needs help.",
                                         "citizen_nin": "1234"}, expect=422)
    assert error_of(page, "f-citizen_name") == "Enter the citizen's name."
    assert error_of(page, "f-reported_by") == "Choose who is reporting the need."
    assert error_of(page, "f-requests") == "Choose at least one option in “Need reported for”."
    assert error_of(page, "f-citizen_nin") == "The national identity number has 11 digits."


def test_a_task_in_english_names_the_unanswered_question(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], OLA)
    task_id = demo.open_task(db, case_id, "assess_report")
    browser = web("systemkoordinator")
    browser.post("/language", {"locale": "en", "next": f"/tasks/{task_id}"})
    browser.get(f"/tasks/{task_id}")
    page = browser.post_page(f"/tasks/{task_id}", {
        "long_term_need": "true", "two_or_more_services": "true", "citizen_wants": "true",
        "assessment_reasoning": "Long-term need."}, expect=422)
    assert error_of(page, "f-approved") == "Answer “Granted”."


def test_every_wording_has_english_in_the_catalogue() -> None:
    with EN_PO.open("rb") as file:
        english = read_po(file)
    missing = [text for text in WORDING.values()
               if english.get(text) is None or not english[text].string
               or english[text].fuzzy]
    assert not missing, missing
