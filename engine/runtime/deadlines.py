"""Deadlines from the diagram: ISO 8601 durations on the engine clock, a date-only deadline
allowing the whole day in Norway, and a user task's due date from ``due_in``/``due_from``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.kernel.clock import MUNICIPAL_TZ


def due_after(start: datetime, duration: str | None) -> datetime | None:
    """``start`` plus an ISO 8601 duration from the diagram (calendar-aware months)."""
    if not duration:
        return None
    parsed = TimerEventDefinition.parse_iso_duration(duration)
    due: datetime = start + TimerEventDefinition.get_timedelta_from_start(parsed, start)
    return due


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in Norway: a date-only deadline allows the whole day."""
    next_midnight = datetime.combine(day + timedelta(days=1), time.min, tzinfo=MUNICIPAL_TZ)
    return next_midnight.astimezone(UTC) - timedelta(microseconds=1)


def _moment(value: Any) -> datetime | None:
    """A data value as a deadline: a date-time as it is, a plain date as the end of that day."""
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 10:
            return end_of_day(date.fromisoformat(value))
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def task_due(created: datetime, props: dict[str, str], data: dict[str, Any]) -> datetime | None:
    """A user task's deadline from its diagram properties.

    ``due_in`` (ISO 8601 duration) counts from ``due_from`` when that names a variable holding
    a date or date-time, else from the moment the task is created; ``due_from`` alone makes
    that moment the deadline (the evaluation is due at the plan's ``revision_date``: a plain
    date allows the whole day). An empty variable falls back to counting from creation.
    Without either property the task has no deadline.
    """
    start = created
    if props.get("due_from"):
        found = _moment(data.get(props["due_from"]))
        if found is None:
            return due_after(created, props.get("due_in"))
        start = found
        if not props.get("due_in"):
            return start
    return due_after(start, props.get("due_in"))
