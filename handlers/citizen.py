"""Facts derived from the citizen's fødselsnummer.

Later steps need the birth date and, above all, the citizen's age *at that step*: it decides
whether guardians must consent (under 16, pbrl. § 4-3), whether they still may (under 18) and
how letters are addressed. A child at the report may be 16 at renewal two years later, so the
diagram computes the age again (``citizen.age_now``) right before each step that depends on it.
"""

from __future__ import annotations

from typing import Any

from handlers.nin import age_on, birth_date
from handlers.registry import HandlerContext, handler

AGE_OF_CONSENT = 16  # helsemessig myndighetsalder, pbrl. § 4-3
AGE_OF_MAJORITY = 18  # vergemålsloven § 2: guardians no longer consent


@handler("citizen.derive")
def derive(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """Set ``citizen_birth_date`` (ISO) and ``citizen_under_16`` on the engine clock's date."""
    nin = data["citizen_nin"]
    return {
        "citizen_birth_date": birth_date(nin).isoformat(),
        "citizen_under_16": age_on(nin, context.today) < AGE_OF_CONSENT,
    }


@handler("citizen.age_now")
def age_now(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """The citizen's age on the engine clock's date: ``citizen_age``, ``citizen_under_16`` and
    ``citizen_under_18``."""
    age = age_on(data["citizen_nin"], context.today)
    return {"citizen_age": age, "citizen_under_16": age < AGE_OF_CONSENT,
            "citizen_under_18": age < AGE_OF_MAJORITY}
