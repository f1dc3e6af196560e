"""The unread marks on the pages: the header's count, the inbox's and /mine's lines and rows,
and what the case page says was new; cleared by opening the case or the task."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from engine import demo
from engine.features import notices
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.pages import Browser, Page
from tests.support.people import KARI, OLA

Web = Callable[[str], Browser]


def _appointed(db: Database, staff: dict[str, Actor], nin: str = KARI) -> int:
    case_id = demo.report(db, staff["systemkoordinator"], nin)
    demo.approve(db, staff, case_id, "helse")
    demo.appoint(db, staff, case_id)
    return case_id


def _header_count(page: Page) -> int:
    marks = page.all(id="unread-mark")
    if not marks:
        return 0
    count, word = marks[0].text.split()
    assert word in ("uleste", "ulest", "unread")
    return int(count)


def test_a_citizens_message_marks_the_coordinators_header_and_inbox_until_the_case_is_read(
        web: Web, db: Database, staff: dict[str, Actor], frozen: datetime) -> None:
    case_id = _appointed(db, staff)
    citizen, coordinator = web("innbygger"), web("koordinator")
    before = _header_count(coordinator.get("/inbox"))
    citizen.get(f"/cases/{case_id}")
    citizen.post(f"/cases/{case_id}/messages", {"body": "Kan møtet flyttes til tirsdag?"})

    inbox = coordinator.get("/inbox")
    assert _header_count(inbox) == before + 1
    assert _header_count(inbox) == notices.unread(db, staff["koordinator"]).total
    assert inbox.by_id("unread-mark").get("href") == "/inbox"
    line = inbox.by_id(f"unread-case-{case_id}").text
    assert "Kari Nordmann" in line and "1 ny melding" in line

    case_page = coordinator.get(f"/cases/{case_id}")
    assert "1 ny melding" in case_page.by_id("case-notices").text
    assert _header_count(case_page) == before, "read as the page opens"
    inbox = coordinator.get("/inbox")
    assert not inbox.all(id=f"unread-case-{case_id}")
    assert "case-notices" not in coordinator.get(f"/cases/{case_id}").html


def test_a_new_task_is_marked_in_the_inbox_row_until_opened(
        web: Web, db: Database, staff: dict[str, Actor], frozen: datetime) -> None:
    """Ola has no login: his consent task goes to his coordinator, who acts on his behalf."""
    case_id = _appointed(db, staff, OLA)
    task_id = demo.open_task(db, case_id, "give_consent")
    assert task_id in notices.unread(db, staff["koordinator"]).tasks
    coordinator = web("koordinator")
    row = coordinator.get("/inbox")
    assert "Ny" in row.by_id(f"task-{task_id}").text
    coordinator.get(f"/tasks/{task_id}")
    assert "Ny" not in coordinator.get("/inbox").by_id(f"task-{task_id}").text.split()


def test_the_citizen_sees_the_coordinators_answer_and_new_letters_on_mine(
        web: Web, db: Database, staff: dict[str, Actor], frozen: datetime) -> None:
    case_id = _appointed(db, staff)
    coordinator, citizen = web("koordinator"), web("innbygger")
    coordinator.get(f"/cases/{case_id}")
    coordinator.post(f"/cases/{case_id}/messages", {"body": "Møtet er flyttet."})

    mine = citizen.get("/mine")
    line = " ".join(mine.by_id(f"unread-case-{case_id}").text.split())
    letters = notices.unread(db, staff["innbygger"]).letters[case_id]
    assert letters > 1, "the decision, the appointment and the summons"
    assert "1 ny melding" in line and f"{letters} nye brev" in line
    assert "Kari Nordmann" not in line, "the citizen's own cases are named by number"
    assert mine.by_id("unread-mark").get("href") == "/mine"
    assert _header_count(mine) == notices.unread(db, staff["innbygger"]).total
    consent = demo.open_task(db, case_id, "give_consent")
    assert f"/tasks/{consent}" in mine.html and "Ny" in mine.text.split()

    citizen.get(f"/cases/{case_id}")
    citizen.get(f"/tasks/{consent}")
    mine = citizen.get("/mine")
    assert not mine.all(id=f"unread-case-{case_id}") and not mine.all(id="unread-mark")


def test_the_marks_in_english(web: Web, db: Database, staff: dict[str, Actor],
                              frozen: datetime) -> None:
    case_id = _appointed(db, staff)
    citizen = web("innbygger")
    citizen.post("/language", {"locale": "en", "next": "/mine"})
    mine = citizen.get("/mine")
    assert "new letters" in mine.by_id(f"unread-case-{case_id}").text
    assert mine.by_id("unread-mark").text.endswith("unread")
    assert "New since your last visit" in citizen.get(f"/cases/{case_id}").by_id(
        "case-notices").text
