"""citizen.derive: birth date and the under-16 flag on the engine clock's day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from handlers.catalogue import get_handler
from handlers.citizen import age_now, derive


def test_registered_under_contract_name() -> None:
    assert get_handler("citizen.derive") is derive


def test_child(context, nin_for) -> None:
    result = derive(context, {"citizen_nin": nin_for(date(2015, 4, 2))})
    assert result == {"citizen_birth_date": "2015-04-02", "citizen_under_16": True}


def test_adult_d_number(context, nin_for) -> None:
    result = derive(context, {"citizen_nin": nin_for(date(1970, 1, 9), d_number=True)})
    assert result == {"citizen_birth_date": "1970-01-09", "citizen_under_16": False}


def test_sixteenth_birthday_is_the_day_consent_age_is_reached(make_context, nin_for) -> None:
    """The birthday is a Norwegian date: 23.05 UTC on the 25th is 00.05 on the 26th in Oslo."""
    nin = nin_for(date(2010, 11, 26))
    on_birthday = make_context(now=datetime(2026, 11, 25, 23, 5, tzinfo=UTC))
    day_before = make_context(now=datetime(2026, 11, 25, 22, 55, tzinfo=UTC))
    assert derive(on_birthday, {"citizen_nin": nin})["citizen_under_16"] is False
    assert derive(day_before, {"citizen_nin": nin})["citizen_under_16"] is True


def test_invalid_number_raises(context) -> None:
    with pytest.raises(ValueError, match="kontrollsiffer"):
        derive(context, {"citizen_nin": "15076500566"})


def test_age_now_at_renewal_two_years_after_the_report(make_context, nin_for) -> None:
    """A 15-year-old at the report is 17 two years later: consents alone, still under 18."""
    nin = nin_for(date(2010, 6, 1))
    at_report = age_now(make_context(now=datetime(2026, 3, 2, 9, tzinfo=UTC)),
                        {"citizen_nin": nin})
    at_renewal = age_now(make_context(now=datetime(2028, 3, 2, 9, tzinfo=UTC)),
                         {"citizen_nin": nin})
    assert at_report == {"citizen_age": 15, "citizen_under_16": True, "citizen_under_18": True}
    assert at_renewal == {"citizen_age": 17, "citizen_under_16": False,
                          "citizen_under_18": True}
