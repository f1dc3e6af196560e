"""Letters in an appeal (pbrl. §§ 7-2 and 7-5): forwarded to Statsforvalteren, upheld by the
municipality on reassessment, Statsforvalteren's decision, and a late appeal not taken up.

The letters run before the steps that write the new grants (``appeal.grant``,
``appeal.apply_decision``), so they compute what the appeal grants themselves, with the same
rule: the parts appealed are the refused ones, or all that was asked for after a full refusal.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from handlers.grants import PARTS, appealed_parts, outcome
from handlers.letters.common import (
    Recipient,
    basis,
    citizen_recipients,
    in_words,
    send,
    text,
)
from handlers.registry import HandlerContext, handler

OUTCOMES = ("upheld", "partly_upheld", "rejected")
STATSFORVALTEREN = Recipient("Statsforvalteren")


def grants_with(data: dict[str, Any], parts: list[str]) -> dict[str, bool]:
    """The grant flags once ``parts`` are granted too (flags already on the case count)."""
    first = outcome(data)
    return {fact: bool(data.get(fact, first[fact])) or part in parts
            for part, (_, fact) in PARTS.items()}


def _received(data: dict[str, Any]) -> Any:
    latest = (data.get("appeals") or [{}])[-1]
    appeal = data.get("appeal") or {}
    return latest.get("received_on") or appeal.get("received_on") or appeal.get("received_at")


def _granted_parts(flags: dict[str, bool]) -> list[str]:
    return [part for part, (_, fact) in PARTS.items() if flags[fact]]


@handler("letters.appeal_forwarded")
def appeal_forwarded(context: HandlerContext, data: dict[str, Any]) -> None:
    """The municipality did not uphold the appeal: send it to Statsforvalteren (pbrl. § 7-2)
    with the reasons on both levels, and a copy to the citizen so they know where the case is."""
    citizens = [replace(r, copy=True) for r in citizen_recipients(context, data)]
    appeal = data.get("appeal") or {}
    send(context, data, "appeal_forwarded",
         f"Oversendelse av klage – individuell plan og koordinator – {data['citizen_name']}",
         [STATSFORVALTEREN, *citizens],
         appeal_text=str(appeal.get("text") or "").strip(), appeal_received=_received(data),
         reasoning=text(data, "assessment_reasoning"),
         appeal_reasoning=text(data, "appeal_reasoning"),
         basis=basis("appeal", parts=appealed_parts(data)))


@handler("letters.appeal_upheld")
def appeal_upheld(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """The municipality upholds the appeal on reassessment: the new decision with the
    reassessment's reasons (``appeal_reasoning``, not the first decision's) and what is now
    granted. Returns ``ip_granted`` as the decision letter does."""
    reasoning = text(data, "appeal_reasoning")
    if not reasoning:
        raise ValueError("appeal_reasoning is missing; an upheld appeal states the new reasons")
    appealed = appealed_parts(data)
    flags = grants_with(data, appealed)
    send(context, data, "appeal_upheld", "Ny avgjørelse etter klage – individuell plan og "
         "koordinator", citizen_recipients(context, data),
         appealed_words=in_words(appealed), appeal_received=_received(data),
         appeal_reasoning=reasoning, ip_granted=flags["ip_granted"],
         coordinator_granted=flags["coordinator_granted"],
         barnekoordinator_granted=flags["barnekoordinator_granted"],
         service_area=data.get("service_area"),
         basis=basis(parts=_granted_parts(flags)))
    return {"ip_granted": flags["ip_granted"]}


@handler("letters.appeal_decided")
def appeal_decided(context: HandlerContext, data: dict[str, Any]) -> None:
    """Statsforvalteren's decision (``appeal_decision``: outcome, decided_on, reference, and
    ``granted`` when partly upheld) told to the citizen, with what the municipality now does.
    The decision is final (fvl. § 28 tredje ledd)."""
    decision = data.get("appeal_decision") or {}
    result = decision.get("outcome")
    if result not in OUTCOMES:
        raise ValueError(f"appeal_decision.outcome is {result!r}; expected one of {OUTCOMES}")
    appealed = appealed_parts(data)
    granted = {"upheld": appealed, "rejected": [],
               "partly_upheld": [p for p in decision.get("granted") or [] if p in appealed]}[result]
    flags = grants_with(data, granted)
    send(context, data, "appeal_decided", "Statsforvalteren har avgjort klagen",
         citizen_recipients(context, data), outcome=result,
         decided_on=decision.get("decided_on"), reference=decision.get("reference") or "",
         appealed_words=in_words(appealed),
         still_refused=[in_words([p]) for p in appealed if p not in granted],
         ip_granted=flags["ip_granted"], coordinator_granted=flags["coordinator_granted"],
         barnekoordinator_granted=flags["barnekoordinator_granted"],
         service_area=data.get("service_area"),
         basis=basis("appeal", "final", parts=appealed))


@handler("letters.late_appeal_rejected")
def late_appeal_rejected(context: HandlerContext, data: dict[str, Any]) -> None:
    """The late appeal is not taken up (fvl. § 31): the citizen is told why, in writing
    (``late_appeal_reason``), and that Statsforvalteren can review this too."""
    reason = text(data, "late_appeal_reason")
    if not reason:
        raise ValueError("late_appeal_reason is missing; refusing a late appeal states why")
    send(context, data, "late_appeal_rejected", "Klagen kan ikke behandles fordi den kom for sent",
         citizen_recipients(context, data), received=_received(data),
         deadline=data.get("appeal_deadline"), reason=reason,
         basis=basis("appeal", "late_appeal", parts=appealed_parts(data)))
