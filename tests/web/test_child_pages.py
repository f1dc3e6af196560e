"""The report page for a child: guardians as rows, the number typed with spaces, and the
consent page asking for the child's own view."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import select

from engine import demo
from engine.kernel.db import Database
from engine.kernel.models import Case
from engine.runtime.users import Actor
from tests.support.people import EMMA

if TYPE_CHECKING:
    from tests.support.pages import Browser

Web = Callable[[str], "Browser"]
SANDER = "20111550027"  # born 20 November 2015: a child


def test_a_child_is_reported_with_guardians_and_a_spaced_number(web: Web, db: Database) -> None:
    browser = web("koordinator")
    typed = {"citizen_name": "Sander Lie", "citizen_nin": "201115 500 27",
             "reported_by": "parorende", "reporter_name": "Hanne Lie",
             "reporter_contact": "hanne@example.no", "copy_to_reporter": "true",
             "requests": ["barnekoordinator"], "need_description": "Sammensatte behov."}
    page = browser.post_page("/report", typed, expect=422)
    assert "foreldreansvar" in page.by_id("f-guardians-error").text
    assert page.value("citizen_nin") == "201115 500 27"  # kept as typed while it is refused

    with_parents = {**typed, "guardians-_rows": "2",
                    "guardians-0-name": "Hanne Lie",
                    "guardians-0-parental_responsibility": "true",
                    "guardians-1-name": "Geir Lie", "guardians-1-nin": "140882 00005",
                    "guardians-1-parental_responsibility": "true",
                    "guardians-1-contact": "900 00 001"}
    browser.post("/report", with_parents)
    with db.reading() as session:
        case = session.scalars(select(Case).where(Case.citizen_name == "Sander Lie")).one()
    assert case.citizen_nin == SANDER


def test_the_consent_page_asks_for_the_childs_own_view(web: Web, db: Database,
                                                       staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], EMMA)
    demo.approve(db, staff, case_id, "oppvekst")
    demo.appoint(db, staff, case_id)
    task_id = demo.open_task(db, case_id, "give_consent")
    page = web("koordinator").get(f"/tasks/{task_id}")
    assert page.one("textarea", name="child_view").get("id") == "f-child_view"
    assert "stor vekt fra 12 år" in page.by_id("f-child_view-hint").text
