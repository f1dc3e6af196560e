"""The pages' one set of formatters: dates in Norway's time zone, numbers with a decimal comma.

Outside a request the language is bokmål.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from webapp.formatting import (
    age_on,
    as_date,
    days,
    duration,
    long_date,
    long_datetime,
    masked_nin,
    short_date,
    short_datetime,
    spaced_nin,
)

LATE_EVENING_UTC = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # 1 April 00.30 in Norway


def test_a_moment_is_shown_on_its_date_in_norway() -> None:
    assert as_date(LATE_EVENING_UTC) == date(2026, 4, 1)
    assert as_date(LATE_EVENING_UTC.isoformat()) == date(2026, 4, 1)
    assert short_date(LATE_EVENING_UTC) == "01.04.2026"
    assert long_date(LATE_EVENING_UTC) == "1. april 2026"
    assert short_datetime(LATE_EVENING_UTC) == "01.04.2026 kl. 00.30"
    assert long_datetime(LATE_EVENING_UTC) == "1. april 2026 kl. 00.30"


def test_plain_dates_and_empty_or_broken_values() -> None:
    assert long_date("2026-03-02") == "2. mars 2026"
    assert long_datetime("2026-03-02") != ""  # a plain date as a moment: midnight UTC
    assert short_date(date(2026, 12, 31)) == "31.12.2026"
    assert [f(v) for f in (long_date, short_date, short_datetime) for v in (None, "", "x")] == [
        ""] * 9


def test_numbers_and_durations() -> None:
    assert days(None) == "–"
    assert days(2.45) == "2,5 d" and days(12.4) == "12 d"
    assert duration(timedelta(hours=47)) == "47 t" and duration(timedelta(days=5)) == "5 d"


def test_ages_and_identity_numbers() -> None:
    assert age_on(date(2010, 4, 2), date(2026, 4, 1)) == 15
    assert age_on(date(2010, 4, 1), date(2026, 4, 1)) == 16
    assert age_on(None, date(2026, 4, 1)) is None
    assert spaced_nin("15058510170") == "150585 10170"
    assert masked_nin("15058510170") == "150585*****" and masked_nin(None) == ""
