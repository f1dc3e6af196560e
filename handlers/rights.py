"""Facts the rights procedure keeps besides letters: an individual plan that ends while the
coordinator stays, a plan that is established (in ipflow or on paper), and what a request to end
may ask for.

The right to a coordinator stands on its own (pbrl. § 2-5 b): ending the IP, by the citizen's
wish, a withdrawn consent or a renewal without consent, does not end the coordinator.
"""

from __future__ import annotations

from typing import Any

from handlers.dates import add_months, safe_date
from handlers.plan import PLAN_PERIOD_MONTHS
from handlers.registry import HandlerContext, handler, validator

END_WHAT = ("ip", "coordinator", "both")
PLAN_MEDIA = ("ipflow", "paper")


@handler("rights.end_ip")
def end_ip(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """The individual plan ends today; the coordinator goes on. No new plan is made unless the
    citizen asks and consents again. When the plan ends at its revision date, the coordinator's
    follow-up gets a review date a year on, so it too is looked at again."""
    today = context.today
    result: dict[str, Any] = {"ip_ended_on": today.isoformat(), "wants_ip": False,
                              "consent_to_plan": False, "plan_established": False}
    revision = safe_date(data.get("revision_date"))
    if revision is None or revision <= today:
        result["revision_date"] = add_months(today, PLAN_PERIOD_MONTHS).isoformat()
    return result


@handler("plan.mark_established")
def mark_established(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """The plan exists from today, wherever it is kept (``plan_medium``): KPR records it either
    way, so a plan on paper counts as an individual plan."""
    medium = data.get("plan_medium") or "ipflow"
    if medium not in PLAN_MEDIA:
        raise ValueError(f"plan_medium is {medium!r}; expected one of {PLAN_MEDIA}")
    return {"plan_established": True, "plan_medium": medium,
            "plan_established_on": context.today.isoformat()}


def _ip_active(data: dict[str, Any]) -> bool:
    return bool(data.get("plan_established")) or (
        bool(data.get("ip_granted")) and bool(data.get("wants_ip"))
        and not data.get("ip_ended_on"))


@validator("message.end_requested")
def end_requested(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """What ends: the IP, the coordinator, or both. An individual plan needs a coordinator
    (hol. § 7-1), so the coordinator alone cannot end while the plan goes on."""
    what = (data.get("message") or {}).get("what", "both")
    if what not in END_WHAT:
        return {"what": "Velg hva som skal avsluttes: ip, coordinator eller both."}
    if what == "ip" and not _ip_active(data):
        return {"what": "Saken har ingen individuell plan å avslutte. Velg both for å avslutte."}
    if what == "coordinator" and _ip_active(data):
        return {"what": "En individuell plan må ha en koordinator. Avslutt både planen og "
                        "koordinatoren (both), eller bare planen (ip)."}
    return {}
