"""Dates as the case data stores them (ISO strings) and as Norwegian letters print them.

Task data must stay JSON-serialisable for the workflow serializer, so handlers store dates as ISO
strings and parse them back here; letters need "26. november 2026", not "2026-11-26".
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)  # fmt: skip
WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")

# The municipality's time zone: deadlines, "today" and every time a person reads are Norwegian.
# This is its one definition (handlers are the lowest layer; the engine and pages take it from
# here through ``engine.kernel.clock``).
try:
    MUNICIPAL_TZ: tzinfo = ZoneInfo("Europe/Oslo")
except ZoneInfoNotFoundError:  # no tz database on the host: UTC rather than fail
    MUNICIPAL_TZ = UTC


def parse_date(value: object) -> date | None:
    """A date from an ISO string, a date or a datetime; None for an empty value."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip()[:10])
    raise TypeError(f"not a date: {value!r}")


def parse_datetime(value: object) -> datetime | None:
    """A datetime from an ISO string or a datetime; None for an empty value."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return datetime.fromisoformat(value.strip())
    raise TypeError(f"not a date-time: {value!r}")


def local_date(moment: datetime) -> date:
    """The date in Norway at ``moment``: a birthday, a deadline or "today" is a Norwegian date,
    so a child turns 16 at midnight in Norway, not at 01.00 or 02.00."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(MUNICIPAL_TZ)
    return moment.date()


def format_date(value: object) -> str:
    """Norwegian long date, e.g. ``26. november 2026``; empty string for an empty value."""
    day = parse_date(value)
    if day is None:
        return ""
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def format_datetime(value: object) -> str:
    """Norwegian weekday, date and clock time, e.g. ``torsdag 3. desember 2026 kl. 10.00``.

    A time with an offset is shown in Norwegian local time, since that is where the meeting is.
    """
    moment = parse_datetime(value)
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(MUNICIPAL_TZ)
    return f"{WEEKDAYS[moment.weekday()]} {format_date(moment)} kl. {moment:%H.%M}"


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the last day of a shorter month (31.1 -> 28.2)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_of_day(day: date) -> datetime:
    """The last second of ``day`` in Norway: a deadline that is a date allows the whole day."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=MUNICIPAL_TZ)


def safe_date(value: object) -> date | None:
    """Like :func:`parse_date`, but None for text that is not a date (for validating input)."""
    try:
        return parse_date(value)
    except (TypeError, ValueError):
        return None
