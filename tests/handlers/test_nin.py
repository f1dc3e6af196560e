"""Fødselsnummer: check digits, D-numbers, synthetic numbers, centuries and age."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.nin import InvalidNin, age_on, birth_date, validate_nin

KNOWN_VALID = "15076500565"  # widely used valid example: 15.07.1965, individual 005


def first_valid(nin_tools, born: date, start: int) -> str:
    """The first valid number for ``born`` with an individual number from ``start`` upwards."""
    for individual in range(start, start + 50):
        nin = nin_tools.with_individual(born, individual)
        if nin:
            return nin
    raise AssertionError("no valid number")


def test_known_valid_number() -> None:
    assert validate_nin(KNOWN_VALID) is None
    assert birth_date(KNOWN_VALID) == date(1965, 7, 15)


@pytest.mark.parametrize(
    "born", [date(1965, 7, 15), date(2012, 2, 29), date(1999, 12, 31), date(2026, 1, 1)]
)
def test_generated_numbers_are_valid(nin_for, born: date) -> None:
    nin = nin_for(born)
    assert validate_nin(nin) is None
    assert birth_date(nin) == born


def test_wrong_first_check_digit() -> None:
    wrong = KNOWN_VALID[:9] + str((int(KNOWN_VALID[9]) + 1) % 10) + KNOWN_VALID[10]
    message = validate_nin(wrong)
    assert message is not None
    assert "første kontrollsifferet" in message


def test_wrong_second_check_digit() -> None:
    wrong = KNOWN_VALID[:10] + str((int(KNOWN_VALID[10]) + 1) % 10)
    message = validate_nin(wrong)
    assert message is not None
    assert "andre kontrollsifferet" in message


def test_first_remainder_10_is_never_valid(nin_tools) -> None:
    base = nin_tools.first_remainder_10_base()
    for first in range(10):
        for second in range(10):
            message = validate_nin(f"{base}{first}{second}")
            assert message is not None
            assert "første kontrollsifferet" in message


def test_second_remainder_10_is_never_valid(nin_tools) -> None:
    prefix = nin_tools.second_remainder_10_prefix()
    for second in range(10):
        message = validate_nin(f"{prefix}{second}")
        assert message is not None
        assert "andre kontrollsifferet" in message


def test_d_number(nin_for) -> None:
    nin = nin_for(date(1985, 3, 12), d_number=True)
    assert nin.startswith("52")
    assert validate_nin(nin) is None
    assert birth_date(nin) == date(1985, 3, 12)


def test_synthetic_tenor_number(nin_for) -> None:
    nin = nin_for(date(2001, 6, 30), synthetic=True)
    assert nin[2:4] == "86"
    assert validate_nin(nin) is None
    assert birth_date(nin) == date(2001, 6, 30)


def test_synthetic_d_number(nin_for) -> None:
    nin = nin_for(date(1990, 11, 5), d_number=True, synthetic=True)
    assert nin[:4] == "4591"
    assert birth_date(nin) == date(1990, 11, 5)


def test_month_above_12_without_synthetic_offset_is_invalid(nin_tools) -> None:
    nin = next(n for i in range(100) if (n := nin_tools.with_check_digits(f"011390{i:03d}")))
    message = validate_nin(nin)
    assert message is not None
    assert "gyldig fødselsdato" in message


@pytest.mark.parametrize(
    ("born", "start"),
    [
        (date(1899, 5, 17), 600),  # 500-749 with year 54-99 -> 1854-1899
        (date(1950, 5, 17), 950),  # 900-999 with year 40-99 -> 1940-1999
        (date(1950, 5, 17), 123),  # 000-499 -> 1900-1999
        (date(2010, 5, 17), 520),  # 500-999 with year 00-39 -> 2000-2039
        (date(2039, 5, 17), 940),
    ],
)
def test_century_from_individual_number(nin_tools, born: date, start: int) -> None:
    assert birth_date(first_valid(nin_tools, born, start)) == born


@pytest.mark.parametrize(
    ("born", "start"),
    [(date(1950, 5, 17), 800), (date(1945, 5, 17), 600)],  # 750-899; 500-749 with year 40-53
)
def test_individual_number_that_fits_no_century(nin_tools, born: date, start: int) -> None:
    message = validate_nin(first_valid(nin_tools, born, start))
    assert message is not None
    assert "individnummeret" in message


def test_impossible_date_with_valid_check_digits(nin_tools) -> None:
    nin = next(n for i in range(100) if (n := nin_tools.with_check_digits(f"310290{i:03d}")))
    message = validate_nin(nin)
    assert message is not None
    assert "gyldig fødselsdato" in message


@pytest.mark.parametrize(
    "bad", ["", "1507650056", "150765005655", "1507650056a", "15076500 65", None, 15076500565]
)
def test_wrong_shape(bad: object) -> None:
    assert validate_nin(bad) == "Fødselsnummeret må bestå av nøyaktig 11 siffer."


def test_birth_date_raises_for_invalid_number() -> None:
    with pytest.raises(InvalidNin) as error:
        birth_date("15076500566")
    assert isinstance(error.value, ValueError)
    assert "kontrollsifferet" in str(error.value)


def test_under_16_on_a_given_day(nin_for) -> None:
    nin = nin_for(date(2012, 3, 1))
    assert age_on(nin, date(2026, 11, 26)) == 14


def test_birthday_edge(nin_for) -> None:
    nin = nin_for(date(2010, 11, 26))
    assert age_on(nin, date(2026, 11, 25)) == 15
    assert age_on(nin, date(2026, 11, 26)) == 16


def test_leap_day_birthday(nin_for) -> None:
    nin = nin_for(date(2008, 2, 29))
    assert age_on(nin, date(2024, 2, 28)) == 15
    assert age_on(nin, date(2024, 2, 29)) == 16
    assert age_on(nin, date(2025, 2, 28)) == 16


def test_birth_date_in_the_future_is_refused(nin_for) -> None:
    today = date(2026, 11, 26)
    tomorrow = nin_for(date(2026, 11, 27))
    message = validate_nin(tomorrow, today)
    assert message is not None and "27.11.2026" in message and "frem i tid" in message
    assert validate_nin(nin_for(date(2026, 11, 26)), today) is None  # born today
    assert validate_nin(nin_for(date(2026, 11, 27), d_number=True), today) is not None


def test_without_a_date_the_future_is_not_checked(nin_for) -> None:
    assert validate_nin(nin_for(date(2035, 1, 1))) is None
