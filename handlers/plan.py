"""The individual plan's period and its follow-up meetings.

The law sets no evaluation interval; the plan states its revision date, and the diagram's
evaluation timer fires on ``revision_date``. Meeting minutes with owners and deadlines are kept in
``meetings`` (seed procedure 4.4); the meeting form is reused in a loop, so it is cleared after
each meeting. The plan itself is kept as revisions (``plan.record``): written at the task, then
revised at any time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers.dates import add_months, parse_date
from handlers.registry import HandlerContext, handler

PLAN_PERIOD_MONTHS = 12
MEETING_FIELDS = ("meeting_date", "meeting_participants", "minutes", "action_items")


@handler("plan.set_revision_date")
def set_revision_date(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any] | None:
    """Default ``revision_date`` to 12 months after ``consent_date`` (or today) when the form
    left it out; a date the form gave is kept.

    The consent form's validator refuses a revision date on or before the consent date (it
    would be the previous period's, and the evaluation timer would fire at once); one that
    arrives anyway is an error to look at, never silently moved.
    """
    revision = revision_date_for(data, context.today)
    if revision == parse_date(data.get("revision_date")):
        return None
    return {"revision_date": revision.isoformat()}


def revision_date_for(data: dict[str, Any], today: date) -> date:
    """The revision date of the period consented to in ``data``: the form's ``revision_date``,
    else 12 months after ``consent_date`` (or ``today``). Raises ValueError for one on or
    before the consent date."""
    start = parse_date(data.get("consent_date")) or today
    current = parse_date(data.get("revision_date"))
    if current is None:
        return add_months(start, PLAN_PERIOD_MONTHS)
    if current <= start:
        raise ValueError(f"revision_date {current.isoformat()} is not after the consent date "
                         f"{start.isoformat()}")
    return current


def _empty_like(value: Any) -> Any:
    if isinstance(value, list):
        return []
    if isinstance(value, dict):
        return {}
    if isinstance(value, str):
        return ""
    return None


@handler("plan.record_meeting")
def record_meeting(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """Append the meeting from the form to ``meetings`` and empty the form fields, so the next
    round of the meeting loop starts blank instead of showing the last minutes."""
    meeting = {name: data.get(name) for name in MEETING_FIELDS}
    meeting["recorded_at"] = context.now.isoformat()
    return {
        "meetings": [*(data.get("meetings") or []), meeting],
        **{name: _empty_like(data.get(name)) for name in MEETING_FIELDS},
    }


@handler("plan.record")
def record(context: HandlerContext, data: dict[str, Any]) -> None:
    """Keep the plan as it now stands as a revision of its own (source ``task``: who completed
    the step, when, what changed).

    The engine keeps only the plan form's fields and writes nothing when they are unchanged,
    so a renewal that keeps the plan as it was adds no empty revision.
    """
    context.effects.record_plan(data, "task")
