"""A designer's new step is named in English in the designer's table, and the pages show that
name when the reader has chosen English (the Norwegian name otherwise), in the lists and in
the drawn diagram alike."""

from __future__ import annotations

import re
from typing import Any

from engine.features import case_start
from engine.kernel.db import Database
from engine.runtime.users import get_actor
from tests.designer.diagrams import small, upload


def test_a_designer_added_step_shows_its_english_name_in_english(web: Any,
                                                                  db: Database) -> None:
    designer = web("designer")
    response = upload(designer, small(pid="ny_prosess"))
    draft_id = int(re.search(r"/designer/drafts/(\d+)$", response.headers["Location"]).group(1))
    assert "Navnene i diagrammet på engelsk" in designer.get(f"/designer/drafts/{draft_id}")
    table = designer.get(f"/designer/drafts/{draft_id}/names")
    assert table.value("en:work") == "" and "Gjør jobben" in table
    saved = designer.follow(designer.post(f"/designer/drafts/{draft_id}/names",
                                          {"en:work": "Do the job"}))
    assert saved.value("en:work") == "Do the job"
    designer.post(f"/designer/drafts/{draft_id}/deploy", {"note": "engelsk navn"})

    koordinator = get_actor(db, "systemkoordinator")
    case_id = case_start.start_case(db, "ny_prosess", {"citizen_name": "Kari Nordmann",
                                                       "citizen_nin": "23074820085"},
                                    koordinator)
    browser = web("systemkoordinator")
    assert "Gjør jobben" in browser.get("/inbox")
    browser.post("/language", {"locale": "en", "next": "/inbox"})
    inbox = browser.get("/inbox")
    assert "Do the job" in inbox and "Gjør jobben" not in inbox
    case_page = browser.get(f"/cases/{case_id}")
    assert "Do the job" in case_page
    assert "Gjør jobben" not in case_page, "the drawn diagram is named in English too"
    # The shipped diagram's steps are in English in the same page language.
    assert "Assess and decide" in browser.get("/cases?step=assess_report")
