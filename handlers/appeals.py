"""The appeal of an avgjørelse about IP or coordinator (pbrl. §§ 7-2 and 7-5, fvl. § 31).

The appeal period counts from when the citizen received the decision (the letter handlers
compute ``appeal_deadline``). An appeal that comes later is still registered and assessed: the
reassessment says whether it is taken up (fvl. § 31), and only then is it reassessed. What an
upheld appeal or Statsforvalteren's decision grants is written back as the same facts the first
decision set (``ip_granted``, ``coordinator_granted``, ``barnekoordinator_granted``), so the
rest of the diagram reads one vocabulary whatever way a right was granted.

A plan closed at evaluation against the citizen's wish is an avgjørelse too: its letter sets
``appeal_subject`` ``closing``, the same appeal phase runs, and an upheld appeal reinstates the
plan (:func:`reinstate_plan`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from handlers.dates import add_months, end_of_day, safe_date
from handlers.grants import appealed_parts
from handlers.params import param
from handlers.plan import PLAN_PERIOD_MONTHS
from handlers.registry import HandlerContext, handler, validator

APPEAL_PERIOD = timedelta(weeks=4)  # pbrl. § 7-5
GRANT_FLAGS = {"ip": "ip_granted", "koordinator": "coordinator_granted",
               "barnekoordinator": "barnekoordinator_granted"}
OUTCOMES = ("upheld", "partly_upheld", "rejected")


def _received_on(appeal: dict[str, Any], fallback: date) -> date:
    """The day the municipality received the appeal: given by staff for an appeal by post,
    otherwise the day it was registered."""
    return (safe_date(appeal.get("received_on")) or safe_date(appeal.get("received_at"))
            or fallback)


@handler("appeal.open_period")
def open_period(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """When the appeal period ends and until when a late appeal is still registered.

    ``appeal_deadline`` comes from the decision letter (receipt + four weeks); without it the
    period runs four weeks from today. Parameter ``late_window`` (ISO 8601 duration, the
    diagram's choice, e.g. ``P1Y``) is how long after the period a late appeal is taken in.
    """
    deadline = safe_date(data.get("appeal_deadline")) or context.today + APPEAL_PERIOD
    ends = end_of_day(deadline)
    window = TimerEventDefinition.parse_iso_duration(param(context, "late_window"))
    until = ends + TimerEventDefinition.get_timedelta_from_start(window, ends)
    return {"appeal_deadline": deadline.isoformat(), "appeal_period_ends": ends.isoformat(),
            "late_appeal_until": until.isoformat()}


@handler("appeal.classify")
def classify(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """Register the appeal: when it was received, whether it came after the period, and keep
    it in ``appeals`` (every appeal of the case, for the history and the journal)."""
    appeal = data.get("appeal") or {}
    received = _received_on(appeal, context.today)
    deadline = safe_date(data.get("appeal_deadline"))
    late = bool(deadline and received > deadline)
    entry = {**appeal, "received_on": received.isoformat(), "late": late,
             "against": appealed_parts(data), "subject": data.get("appeal_subject", "decision")}
    return {"appeal_late": late, "appeals": [*(data.get("appeals") or []), entry],
            "late_appeal_taken_up": None, "appeal_upheld": None, "appeal_granted": False}


def _grant(data: dict[str, Any], parts: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {GRANT_FLAGS[p]: True for p in parts if p in GRANT_FLAGS}
    result["refused_parts"] = [p for p in data.get("refused_parts") or [] if p not in parts]
    result["appeal_granted"] = bool(parts)
    return result


@handler("appeal.grant")
def grant(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """The municipality upholds the appeal on reassessment: everything appealed is granted."""
    return _grant(data, appealed_parts(data))


@handler("appeal.apply_decision")
def apply_decision(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """Carry out Statsforvalteren's decision (an enkeltvedtak): upheld grants what was appealed,
    partly upheld grants the parts it names, rejected grants nothing."""
    decision = data.get("appeal_decision") or {}
    outcome = decision.get("outcome")
    if outcome not in OUTCOMES:
        raise ValueError(f"appeal_decision.outcome is {outcome!r}; expected one of {OUTCOMES}")
    appealed = appealed_parts(data)
    parts = {"upheld": appealed, "rejected": [],
             "partly_upheld": [p for p in decision.get("granted") or [] if p in appealed]}
    return _grant(data, parts[outcome])


@handler("appeal.reinstate_plan")
def reinstate_plan(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """An appeal against closing the plan is upheld: the plan goes on for a new period from
    today, and the closing is no longer the case's decision."""
    today = context.today
    return {"continue_plan": True, "closing_against_wish": None, "appeal_subject": "decision",
            "revision_date": add_months(today, PLAN_PERIOD_MONTHS).isoformat(),
            "plan_reinstated_on": today.isoformat()}


@validator("validate.appeal_reassessment")
def reassessment(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """A late appeal needs a decision on whether it is taken up and why (fvl. § 31); an appeal
    that is not taken up is not reassessed on its merits."""
    errors: dict[str, str] = {}
    if data.get("appeal_late"):
        if data.get("late_appeal_taken_up") is None:
            errors["late_appeal_taken_up"] = ("Klagen kom etter fristen. Svar på om den likevel "
                                              "tas under behandling.")
        if not (data.get("late_appeal_reason") or "").strip():
            errors["late_appeal_reason"] = "Begrunn om den sene klagen tas under behandling."
    taken_up = not data.get("appeal_late") or data.get("late_appeal_taken_up") is True
    if taken_up and data.get("appeal_upheld") is None:
        errors["appeal_upheld"] = "Svar på om klagen tas til følge."
    return errors


@validator("message.appeal_received")
def appeal_message(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """An appeal says what it is about; a date of receipt by post may not be in the future."""
    message = data.get("message") or {}
    errors = {}
    if not str(message.get("text") or "").strip():
        errors["text"] = "Skriv hva klagen gjelder, eller legg ved klagen."
    received = message.get("received_on")
    if received is not None:
        day = safe_date(received)
        if day is None:
            errors["received_on"] = "Mottatt-datoen må være en dato (ÅÅÅÅ-MM-DD)."
        elif day > context.today:
            errors["received_on"] = "Mottatt-datoen kan ikke være fram i tid."
    return errors


@validator("message.appeal_decided")
def appeal_decided_message(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """Statsforvalteren's decision: the outcome, the day it was made and its reference."""
    message = data.get("message") or {}
    errors = {}
    if message.get("outcome") not in OUTCOMES:
        errors["outcome"] = "Utfallet må være upheld, partly_upheld eller rejected."
    if safe_date(message.get("decided_on")) is None:
        errors["decided_on"] = "Vedtaksdatoen må være en dato (ÅÅÅÅ-MM-DD)."
    if not str(message.get("reference") or "").strip():
        errors["reference"] = "Oppgi Statsforvalterens saksnummer eller referanse."
    if message.get("outcome") == "partly_upheld":
        granted = message.get("granted")
        refused = appealed_parts(data)
        if not isinstance(granted, list) or not granted or any(p not in refused for p in granted):
            errors["granted"] = ("Ved delvis medhold: list hva som innvilges, blant "
                                 f"{', '.join(refused) or 'det som ble avslått'}.")
    return errors
