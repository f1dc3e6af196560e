"""Norwegian date formatting and month arithmetic used by letters and the plan period."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from handlers.dates import add_months, format_date, format_datetime, parse_date


def test_format_date() -> None:
    assert format_date(date(2026, 11, 26)) == "26. november 2026"
    assert format_date("2027-01-05") == "5. januar 2027"
    assert format_date(datetime(2026, 5, 17, 12, tzinfo=UTC)) == "17. mai 2026"
    assert format_date(None) == ""


def test_format_datetime_shows_norwegian_local_time() -> None:
    assert format_datetime("2026-12-03T10:00:00") == "torsdag 3. desember 2026 kl. 10.00"
    # 09:00 UTC in winter is 10:00 in Norway.
    assert format_datetime("2026-12-03T09:00:00+00:00") == "torsdag 3. desember 2026 kl. 10.00"


def test_parse_date_accepts_date_time_strings() -> None:
    assert parse_date("2026-11-26T08:00:00+00:00") == date(2026, 11, 26)
    assert parse_date("") is None
    with pytest.raises(TypeError):
        parse_date(20261126)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 11, 26), 12, date(2027, 11, 26)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected
