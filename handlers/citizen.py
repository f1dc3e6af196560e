"""Facts derived from the citizen's fødselsnummer once the report is in.

Later steps need the birth date and, above all, whether the citizen is under 16: that decides
whether guardians must consent (validate.consent) and how letters are addressed.
"""

from __future__ import annotations

from typing import Any

from handlers.nin import age_on, birth_date
from handlers.registry import HandlerContext, handler

AGE_OF_CONSENT = 16  # helsemessig myndighetsalder, pbrl. § 4-3


@handler("citizen.derive")
def derive(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """Set ``citizen_birth_date`` (ISO) and ``citizen_under_16`` on the engine clock's date."""
    nin = data["citizen_nin"]
    return {
        "citizen_birth_date": birth_date(nin).isoformat(),
        "citizen_under_16": age_on(nin, context.now.date()) < AGE_OF_CONSENT,
    }
