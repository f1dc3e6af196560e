"""The moments the tests run at, on the engine's frozen clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""A Monday morning (10:00 in Norway): every scenario and page test starts here."""

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
"""The moment handler tests run at unless a test gives its own."""


def at(day: date, hour: int = 9) -> datetime:
    """``day`` at ``hour`` o'clock UTC (a scenario's working morning)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
