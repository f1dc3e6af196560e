"""Letters that answer the report: the decision, the refusal, and interim replies.

A decision that refuses any part (IP, koordinator, barnekoordinator) is an avgjørelse the
citizen can appeal (pbrl. § 7-2) within four weeks from receipt (§ 7-5): it gives the reasons
and returns ``appeal_deadline`` for the diagram's appeal period.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from handlers.grants import outcome
from handlers.letters.appeal import appeal_upheld
from handlers.letters.common import (
    appeal_deadline,
    basis,
    citizen_recipients,
    in_words,
    received_on,
    requested_parts,
    send,
    text,
    voice,
)
from handlers.registry import HandlerContext, handler

INTERIM_ANSWER_WITHIN = timedelta(days=30)  # expected answer stated in the interim reply
DEFAULT_DELAY_REASON = ("Systemkoordinator vurderer saken, ved behov i samråd med fagledere i "
                        "tjenesteområdene, og denne vurderingen er ikke ferdig ennå.")


def _appeal_fields(context: HandlerContext) -> dict[str, Any]:
    return {"appeal_deadline": appeal_deadline(context), "received_on": received_on(context)}


@handler("letters.decision")
def decision(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """What is granted, from which service area; a part refused beside a granted one is a
    refusal in its own right and carries reasons and appeal rights.

    Returns ``ip_granted`` every time, so the diagram only offers a plan that was granted, and
    ``appeal_deadline`` (ISO date) when a part was refused.
    """
    if data.get("appeal_upheld"):  # the flat diagram sends its new decision through here
        return appeal_upheld(context, data)
    facts = outcome(data)
    refused = facts["refused_parts"]
    reasoning = text(data, "assessment_reasoning")
    if refused and not reasoning:
        raise ValueError("assessment_reasoning is missing; a partial refusal must state reasons")
    granted = [part for part, flag in (("ip", "ip_granted"), ("koordinator", "coordinator_granted"),
                                       ("barnekoordinator", "barnekoordinator_granted"))
               if facts[flag]]
    send(context, data, "decision", "Avgjørelse om individuell plan og koordinator",
         citizen_recipients(context, data),
         ip_granted=facts["ip_granted"], coordinator_granted=facts["coordinator_granted"],
         barnekoordinator_granted=facts["barnekoordinator_granted"],
         refused=[in_words([part]) for part in refused], refused_words=in_words(refused),
         service_area=data.get("service_area"), reasoning=reasoning,
         basis=basis(*(["appeal"] if refused else []), parts=[*granted, *refused]),
         **_appeal_fields(context))
    result: dict[str, Any] = {"ip_granted": facts["ip_granted"]}
    if refused:
        result["appeal_deadline"] = appeal_deadline(context).isoformat()
    return result


# The seed criteria (field -> wording when met, when not met), for the refusal letter.
CRITERIA = {
    "long_term_need": ("behovet for tjenester er langvarig",
                       "behovet for tjenester er ikke langvarig"),
    "two_or_more_services": (
        "{person} har behov for to eller flere helse- og omsorgstjenester som må ses i sammenheng",
        "{person} har ikke behov for flere helse- og omsorgstjenester som må ses i sammenheng"),
    "citizen_wants": ("{person} ønsker selv tjenesten",
                      "vi har ikke fått bekreftet at {person} selv ønsker tjenesten"),
}


def criteria(context: HandlerContext, data: dict[str, Any]) -> list[str]:
    """The seed criteria as the assessment answered them, in words."""
    person = voice(context, data)["person"]
    return [CRITERIA[key][0 if data[key] else 1].format(person=person)
            for key in CRITERIA if data.get(key) is not None]


@handler("letters.refusal")
def refusal(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """Reasoned refusal of everything requested, with the right to appeal (pbrl. § 7-2) within
    four weeks from receipt (§ 7-5). Returns ``appeal_deadline`` (ISO date)."""
    reasoning = text(data, "assessment_reasoning")
    if not reasoning:
        raise ValueError("assessment_reasoning is missing; a refusal must state its reasons")
    parts = requested_parts(data)
    title = f"Avslag på {in_words(parts) or 'individuell plan og koordinator'}"
    send(context, data, "refusal", title,
         citizen_recipients(context, data), reasoning=reasoning, criteria=criteria(context, data),
         refused_parts=parts, basis=basis("appeal", parts=parts or ["ip", "koordinator"]),
         **_appeal_fields(context))
    return {"appeal_deadline": appeal_deadline(context).isoformat()}


@handler("letters.interim_reply")
def interim_reply(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """Foreløpig svar (fvl. § 11 a) while the assessment is not done: why it takes time
    (``delay_reason``, else the usual reason) and when an answer can be expected. The diagram
    repeats it every 30 days; ``interim_replies_sent`` counts them, and a second or later reply
    says it is one more."""
    number = int(data.get("interim_replies_sent") or 0) + 1
    send(context, data, "interim_reply",
         "Foreløpig svar på melding om behov for individuell plan og koordinator"
         + (f" (nr. {number})" if number > 1 else ""),
         citizen_recipients(context, data), number=number,
         delay_reason=text(data, "delay_reason") or DEFAULT_DELAY_REASON,
         expected_by=context.today + INTERIM_ANSWER_WITHIN,
         basis=basis("interim", parts=requested_parts(data)))
    return {"interim_replies_sent": number}

