"""A start-up meeting typed for a time that has passed is refused beside the field, with the
reason, and what was typed stays on the page; nothing is moved to another date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from engine import demo
from engine.kernel import clock
from engine.kernel.clock import MUNICIPAL_TZ
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.cases import at_startup_summons

if TYPE_CHECKING:
    from tests.support.pages import Browser

Web = Callable[[str], "Browser"]


def test_a_past_startup_meeting_is_refused_with_the_reason(
        web: Web, db: Database, staff: dict[str, Actor]) -> None:
    case_id, task_id = at_startup_summons(db, staff)
    browser = web("systemkoordinator")
    page = browser.get(f"/tasks/{task_id}")

    yesterday = (clock.now() - timedelta(days=1)).astimezone(MUNICIPAL_TZ)
    typed = yesterday.strftime("%Y-%m-%dT%H:%M")
    refused = browser.post_page(f"/tasks/{task_id}", {
        **page.form_data(), "startup_meeting_at": typed,
        "startup_meeting_place": "Rådhuset"}, expect=422)
    message = refused.by_id("f-startup_meeting_at-error").text
    assert "er passert" in message and "fram i tid" in message
    assert refused.value("startup_meeting_at") == typed, "what was typed is kept, not moved"
    assert demo.open_task(db, case_id, "summon_startup_meeting") == task_id
