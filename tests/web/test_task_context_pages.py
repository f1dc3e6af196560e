"""The task page's panel is what the task's form declares, and a repeated task opens empty
with a "Kopier fra forrige periode" button that fills it from last time (never a yes/no)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import processes
from engine import demo
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.cases import FIRST_SUMMARY, at_second_evaluation
from tests.support.people import OLA

if TYPE_CHECKING:
    from tests.support.pages import Browser

Web = Callable[[str], "Browser"]
def aside(page: Any) -> str:
    return str(page.one("aside").text)


def test_the_evaluation_opens_empty_beside_the_plan_and_copies_on_request(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id = at_second_evaluation(db, staff)
    task_id = demo.open_task(db, case_id, "evaluate_plan")
    browser = web("koordinator")
    page = browser.get(f"/tasks/{task_id}")

    panel = aside(page)
    for shown in ("Gjeldende plan", "Mestre hverdagen hjemme.", "Tidligere møter",
                  "Andre møte: hjelpemidlene er på plass.", "Åpne oppgaver fra møtene",
                  "Søke om hjelpemidler", "Bestille time hos fastlegen"):
        assert shown in panel, shown
    assert panel.index("Andre møte") < panel.index("Første møte"), "newest meeting first"
    assert "Det er meldt behov for" not in panel, "the evaluation does not declare the case"

    assert page.value("evaluation_summary") == ""
    assert page.checked("continue_plan") == []
    copy_button = page.one("button", name="_action", value="copy-previous")
    assert copy_button.text == "Kopier fra forrige periode"

    copied = browser.post_page(f"/tasks/{task_id}",
                               {**page.form_data(), "_action": "copy-previous"})
    assert copied.value("evaluation_summary") == FIRST_SUMMARY
    assert copied.checked("continue_plan") == [], "a yes/no answer is never copied"
    assert "Skjemaet er fylt ut med svarene fra forrige gang" in copied.one(
        "p", role="status").text

    done = browser.post(f"/tasks/{task_id}", {**copied.form_data(),
                                              "evaluation_summary": "Andre periode: nådd.",
                                              "continue_plan": "false",
                                              "closing_against_wish": "false"})
    assert done.headers["Location"] == "/inbox"


def test_a_task_done_for_the_first_time_has_nothing_to_copy(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], OLA)
    page = web("systemkoordinator").get(f"/tasks/{demo.open_task(db, case_id, 'assess_report')}")
    assert not page.all("button", value="copy-previous")
    assert "Det er meldt behov for" in aside(page), "a form without x-context shows the case"


def test_the_plan_form_shows_the_citizens_own_goals_by_their_forms_titles(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    coordinator = staff["koordinator"]
    case_id = demo.report(db, coordinator, OLA)
    demo.approve(db, staff, case_id, "helse")
    demo.appoint(db, staff, case_id)
    demo.consent(db, coordinator, case_id, wants_ip=True)
    demo.describe_goals(db, case_id)
    page = web("koordinator").get(f"/tasks/{demo.open_task(db, case_id, 'establish_plan')}")
    panel = aside(page)
    goals_form = processes.load_form("citizen_goals")
    titles = {key: prop["title"] for key, prop in goals_form["schema"]["properties"].items()}
    for shown in (goals_form["title"], titles["citizen_goals"], titles["citizen_own_resources"],
                  "Bo hjemme og klare hverdagen selv.", "Familien hjelper til i helgene."):
        assert shown in panel, shown
