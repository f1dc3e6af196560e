"""A generator of valid fødselsnummer (and D-nummer, synthetic Tenor numbers), and of numbers
invalid in one specific way.

Written independently of ``handlers.nin`` on purpose, so the tests do not check the production
code against itself.
"""

from __future__ import annotations

from datetime import date


def _mod11(digits: str, weights: list[int]) -> int:
    """11 - (weighted sum mod 11); 11 means 0; 10 means "no valid check digit"."""
    value = (
        11 - sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True)) % 11
    )
    return 0 if value == 11 else value


FIRST_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2]
SECOND_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]


def with_check_digits(base: str) -> str | None:
    """``base`` (nine digits) with both check digits, or None when one of them would be 10."""
    first = _mod11(base, FIRST_WEIGHTS)
    if first == 10:
        return None
    second = _mod11(base + str(first), SECOND_WEIGHTS)
    if second == 10:
        return None
    return f"{base}{first}{second}"


def nin_with_individual(
    birth: date, individual: int, *, d_number: bool = False, synthetic: bool = False
) -> str | None:
    """The number for ``birth`` and ``individual``, or None when a check digit would be 10."""
    day = birth.day + (40 if d_number else 0)
    month = birth.month + (80 if synthetic else 0)
    return with_check_digits(f"{day:02d}{month:02d}{birth.year % 100:02d}{individual:03d}")


def individual_range(year: int) -> range:
    """Individual numbers Skatteetaten issues for a birth year."""
    if 1854 <= year <= 1899:
        return range(500, 750)
    if 1900 <= year <= 1999:
        return range(0, 500)
    if 2000 <= year <= 2039:
        return range(500, 1000)
    raise ValueError(f"no individual numbers for {year}")


def make_nin(birth: date, *, d_number: bool = False, synthetic: bool = False) -> str:
    """A valid fødselsnummer (or D-nummer / synthetic Tenor number) for ``birth``."""
    for individual in individual_range(birth.year):
        nin = nin_with_individual(birth, individual, d_number=d_number, synthetic=synthetic)
        if nin:
            return nin
    raise AssertionError(f"no valid number for {birth}")


def first_remainder_10_base() -> str:
    """Nine digits (a real date, individual < 500) whose first check digit would be 10."""
    for individual in range(500):
        base = f"010190{individual:03d}"
        if _mod11(base, FIRST_WEIGHTS) == 10:
            return base
    raise AssertionError("no base found")


def second_remainder_10_prefix() -> str:
    """Ten digits with a valid first check digit whose second check digit would be 10."""
    for individual in range(500):
        base = f"010190{individual:03d}"
        first = _mod11(base, FIRST_WEIGHTS)
        if first != 10 and _mod11(base + str(first), SECOND_WEIGHTS) == 10:
            return base + str(first)
    raise AssertionError("no prefix found")
