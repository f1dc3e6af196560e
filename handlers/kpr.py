"""Reporting to KPR (Kommunalt pasient- og brukerregister).

KPR records, per citizen, when an individual plan is active and when they have a coordinator,
with from/to dates. The diagram marks those moments with ``kpr.start`` and ``kpr.end``; the
engine turns the effect into a register record in the case's transaction.

A family granted a barnekoordinator (pbrl § 2-5 c, hol § 7-2 a) has its coordinator period
reported as ``barnekoordinator`` *instead of* ``koordinator``. The barnekoordinator is the
extended coordinator arrangement for these families (Prop. 100 L (2020–2021) 7.3.2): it carries
the coordinator's duties (follow-up, coordinating the services, progress of the plan) and
more, and the municipality appoints one person, a koordinator *or* a barnekoordinator. Two
periods for that one appointment would count it twice in KPR. The diagram keeps one
coordinator path and says ``koordinator``; which kind that period is, is decided here, from
``barnekoordinator_granted``, so the diagram needs no second path.
"""

from __future__ import annotations

from typing import Any

from handlers.params import param
from handlers.registry import HandlerContext, handler

SERVICES = ("ip", "koordinator")
COORDINATOR_KINDS = ("koordinator", "barnekoordinator")


def coordinator_kind(data: dict[str, Any]) -> str:
    """The KPR service of the case's coordinator period: ``barnekoordinator`` once one is
    granted (by the assessment or on appeal), otherwise ``koordinator``."""
    return "barnekoordinator" if data.get("barnekoordinator_granted") is True else "koordinator"


def coordinator_ends(data: dict[str, Any]) -> tuple[str, ...]:
    """The coordinator kinds to end: a family granted a barnekoordinator after a koordinator
    period began (an appeal upheld in part) may have either open, so both are ended; ending
    one that is not open is the engine's no-op. Without a barnekoordinator only ``koordinator``
    is ever started, so only it is ended."""
    return COORDINATOR_KINDS if coordinator_kind(data) == "barnekoordinator" else ("koordinator",)


def services(data: dict[str, Any], service: str, action: str) -> tuple[str, ...]:
    """The KPR services the diagram's ``service`` (``ip``, ``koordinator`` or ``all``) means
    for this case, when started or ended."""
    wanted = SERVICES if service == "all" else (service,)
    result: list[str] = []
    for each in wanted:
        if each != "koordinator":
            result.append(each)
        elif action == "start":
            result.append(coordinator_kind(data))
        else:
            result.extend(coordinator_ends(data))
    return tuple(result)


def _record(context: HandlerContext, data: dict[str, Any], action: str) -> None:
    """Start or end, today, the records of the diagram's ``service``: ``ip``, ``koordinator``
    (a barnekoordinator when one is granted), or ``all`` for both."""
    service = param(context, "service", choices=(*SERVICES, "all"))
    for each in services(data, service, action):
        context.effects.kpr(each, action, context.today)


@handler("kpr.start")
def start(context: HandlerContext, data: dict[str, Any]) -> None:
    """Start the KPR record for ``service`` (``ip`` or ``koordinator``) today; ``all`` starts
    both (a plan reinstated after an appeal)."""
    _record(context, data, "start")


@handler("kpr.end")
def end(context: HandlerContext, data: dict[str, Any]) -> None:
    """End the KPR record for ``service`` today; ``all`` ends both IP and coordinator (closing
    a case). Ending a record that is not open is the engine's no-op."""
    _record(context, data, "end")
