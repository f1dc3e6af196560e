"""Norwegian national identity numbers (fødselsnummer and D-nummer).

The report form's only identifier is the citizen's number. A mistyped number would attach a case
to the wrong person, and the birth date it carries decides who may consent (guardians below 16),
so it is checked fully here: both mod-11 check digits, a real calendar date that is not in the
future, and an individual number that fits the birth year.

Layout ``DDMMYYIIIKK``: birth date, individual number ``III``, check digits ``KK``.

- D-nummer: the day is raised by 40 (41-71).
- Synthetic test numbers (Skatteetaten's Tenor test data): the month is raised by 80 (81-92).
- Century from the individual number (Skatteetaten): 000-499 -> 1900-1999; 500-749 with year
  54-99 -> 1854-1899; 500-999 with year 00-39 -> 2000-2039; 900-999 with year 40-99 ->
  1940-1999. Other combinations are not issued.
"""

from __future__ import annotations

from datetime import date

WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

D_NUMBER_DAY_OFFSET = 40
SYNTHETIC_MONTH_OFFSET = 80


class InvalidNin(ValueError):  # noqa: N818  (reads as the domain term)
    """A number that is not a valid fødselsnummer; ``str(error)`` is a Norwegian message."""


def check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    """The mod-11 check digit for ``digits``, or None when the remainder gives 10 (not issued)."""
    control = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    if control == 11:
        return 0
    if control == 10:
        return None
    return control


def _century(year2: int, individual: int) -> int | None:
    if individual <= 499:
        return 1900
    if individual <= 749 and year2 >= 54:
        return 1800
    if year2 <= 39:
        return 2000
    if individual >= 900:
        return 1900
    return None


def _parse(nin: object) -> date:
    """The birth date of a valid number; raises InvalidNin with the first thing that is wrong."""
    if not isinstance(nin, str) or len(nin) != 11 or not nin.isascii() or not nin.isdigit():
        raise InvalidNin("Fødselsnummeret må bestå av nøyaktig 11 siffer.")
    first = check_digit(nin[:9], WEIGHTS_1)
    if first is None or first != int(nin[9]):
        raise InvalidNin(
            "Fødselsnummeret er ikke gyldig: det første kontrollsifferet stemmer ikke. "
            "Kontroller at nummeret er skrevet riktig."
        )
    second = check_digit(nin[:10], WEIGHTS_2)
    if second is None or second != int(nin[10]):
        raise InvalidNin(
            "Fødselsnummeret er ikke gyldig: det andre kontrollsifferet stemmer ikke. "
            "Kontroller at nummeret er skrevet riktig."
        )
    day, month, year2, individual = int(nin[0:2]), int(nin[2:4]), int(nin[4:6]), int(nin[6:9])
    if day > D_NUMBER_DAY_OFFSET:
        day -= D_NUMBER_DAY_OFFSET
    if month > SYNTHETIC_MONTH_OFFSET:
        month -= SYNTHETIC_MONTH_OFFSET
    century = _century(year2, individual)
    if century is None:
        raise InvalidNin(
            "Fødselsnummeret er ikke gyldig: individnummeret passer ikke med fødselsåret."
        )
    try:
        return date(century + year2, month, day)
    except ValueError:
        raise InvalidNin("Fødselsnummeret inneholder ikke en gyldig fødselsdato.") from None


def validate_nin(nin: object, today: date | None = None) -> str | None:
    """None for a valid fødselsnummer or D-nummer, else a Norwegian message for the form.

    With ``today`` (the engine clock's date), a birth date after it is refused: the century rule
    maps individual numbers 500-999 with year 00-39 to 2000-2039, so a mistyped year can decode
    to a child not yet born.
    """
    try:
        born = _parse(nin)
    except InvalidNin as error:
        return str(error)
    if today is not None and born > today:
        return (f"Fødselsdatoen i fødselsnummeret ({born.day}.{born.month}.{born.year}) er frem "
                "i tid. Kontroller at nummeret er skrevet riktig.")
    return None


def birth_date(nin: str) -> date:
    """The birth date encoded in ``nin``; raises InvalidNin for an invalid number."""
    return _parse(nin)


def age_on(nin: str, day: date) -> int:
    """Completed years on ``day``; the birthday itself counts (16 on the 16th birthday)."""
    born = birth_date(nin)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
