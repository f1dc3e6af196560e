"""Dates, numbers and identity numbers as the pages show them: the one set of formatters.

Every time is shown in the municipality's zone (``engine.kernel.clock.MUNICIPAL_TZ``), in the
page's language. :func:`register` makes them the app's Jinja filters, one name per format, so no
blueprint brings its own; the page modules call the same functions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from babel.dates import format_date, format_time
from flask import Flask
from flask_babel import get_locale

from engine.kernel import clock
from engine.kernel.clock import MUNICIPAL_TZ
from webapp.procedure_texts import step_name
from webapp.translation import gettext as _


def locale() -> str:
    """The page's language (bokmål outside a request)."""
    return str(get_locale() or "nb")


def as_datetime(value: Any) -> datetime | None:
    """A datetime or ISO string as the moment in Norway (a naive value is taken as UTC)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(MUNICIPAL_TZ)


def as_date(value: Any) -> date | None:
    """A date, or the date in Norway of a moment; ISO strings of either; None for the rest."""
    if isinstance(value, str) and len(value) > 10:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value.astimezone(MUNICIPAL_TZ).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def clock_time(moment: datetime) -> str:
    """Norwegian writes ``10.00`` (as the letters do); other languages ``10:00``."""
    return _clock(moment.hour, moment.minute, locale())


# A history shows dozens of moments, most on a few days: Babel's formatting (about 50 µs a
# call) is asked once per day or minute and language.
@lru_cache(maxsize=2048)
def _clock(hour: int, minute: int, language: str) -> str:
    pattern = "HH.mm" if language.startswith(("nb", "no", "nn")) else "HH:mm"
    return format_time(time(hour, minute), format=pattern, locale=language)


@lru_cache(maxsize=4096)
def _long_date(day: date, language: str) -> str:
    return format_date(day, format="long", locale=language)


def long_date(value: Any) -> str:
    """``2. mars 2026``; a date, a datetime (shown in Norwegian time) or an ISO string."""
    day = as_date(value)
    return _long_date(day, locale()) if day else ""


def long_datetime(value: Any) -> str:
    """``2. mars 2026 kl. 10.00`` in Norwegian time; a plain date shows without time."""
    moment = as_datetime(value)
    if moment is None:
        return long_date(value)
    return _("%(date)s kl. %(time)s", date=long_date(moment), time=clock_time(moment))


def short_date(value: Any) -> str:
    """``31.12.2026``, for table cells; a moment is shown as the date in Norway."""
    day = as_date(value)
    return f"{day.day:02d}.{day.month:02d}.{day.year}" if day else ""


def short_datetime(value: Any) -> str:
    """``31.12.2026 kl. 10.00`` in Norwegian time, for table cells."""
    moment = as_datetime(value)
    return f"{short_date(moment)} kl. {moment:%H.%M}" if moment else ""


def month_label(month: date, long: bool = False) -> str:
    """``mars 2026`` (long) or ``mar. 26``, in the page's language."""
    return format_date(month, "LLLL yyyy" if long else "LLL yy", locale=locale())


def month_short(month: date) -> str:
    """``mar``: a month name short enough for a chart's axis."""
    return format_date(month, "LLL", locale=locale()).rstrip(".")


def decimal(value: float) -> str:
    """``12`` or ``2,5``: whole numbers bare, others with one decimal and a decimal comma."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}".replace(".", ",")


def days(value: float | None) -> str:
    """``2,5 d`` / ``12 d``: one decimal below ten days, ``–`` when there is no value."""
    if value is None:
        return "–"
    number = f"{value:.1f}".replace(".", ",") if value < 10 else str(round(value))
    return _("%(days)s d", days=number)


def duration(delta: timedelta) -> str:
    """``5 d`` / ``7 t``: how long something has gone on, short enough for a table cell."""
    hours = max(0, int(delta.total_seconds() // 3600))
    if hours < 48:
        return _("%(hours)s t", hours=hours)
    return _("%(days)s d", days=hours // 24)


def local_today() -> date:
    """Today in Norway, by the engine's clock."""
    return clock.today()


def age_on(birth: date | None, today: date) -> int | None:
    """Whole years from ``birth`` to ``today`` (None without a birth date)."""
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def spaced_nin(nin: str) -> str:
    """Fødselsnummer as it is usually written: ``150585 10170``."""
    return f"{nin[:6]} {nin[6:]}" if len(nin) == 11 else nin


def masked_nin(nin: str | None) -> str:
    """The birth date part of a fødselsnummer, the personal number hidden: ``150585*****``."""
    if not nin:
        return ""
    return nin[:6] + "*" * max(0, len(nin) - 6)


def answer_text(value: Any) -> str:
    """A form answer as one line of text: yes/no in words, a list of texts joined, and a row
    of a list (an object) left out, since the page names it elsewhere."""
    if isinstance(value, bool):
        return _("Ja") if value else _("Nei")
    if isinstance(value, list):
        return ", ".join(answer_text(item) for item in value if not isinstance(item, dict))
    if isinstance(value, dict) or value is None:
        return ""
    return str(value).strip()


FILTERS = {"long_date": long_date, "long_datetime": long_datetime, "short_date": short_date,
           "short_datetime": short_datetime, "masked_nin": masked_nin, "step_name": step_name}


def register(app: Flask) -> None:
    """The formatters as the app's Jinja filters (``{{ case.created_at|long_date }}``)."""
    app.jinja_env.filters.update(FILTERS)


def csv_cell(value: Any) -> str:
    """Text as is, except that a leading = + - @ cannot start a spreadsheet formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
