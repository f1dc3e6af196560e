"""Reporting to KPR (Kommunalt pasient- og brukerregister).

KPR records, per citizen, when an individual plan is active and when they have a coordinator,
with from/to dates. The diagram marks those moments with ``kpr.start`` and ``kpr.end``; the
engine turns the effect into a register record in the case's transaction.
"""

from __future__ import annotations

from typing import Any

from handlers.params import param
from handlers.registry import HandlerContext, handler

SERVICES = ("ip", "koordinator")


def _record(context: HandlerContext, action: str) -> None:
    """Start or end, today, the record of the diagram's ``service``: ``ip``, ``koordinator``,
    or ``all`` for both."""
    service = param(context, "service", choices=(*SERVICES, "all"))
    for each in SERVICES if service == "all" else (service,):
        context.effects.kpr(each, action, context.today)


@handler("kpr.start")
def start(context: HandlerContext, data: dict[str, Any]) -> None:
    """Start the KPR record for ``service`` (``ip`` or ``koordinator``) today; ``all`` starts
    both (a plan reinstated after an appeal)."""
    _record(context, "start")


@handler("kpr.end")
def end(context: HandlerContext, data: dict[str, Any]) -> None:
    """End the KPR record for ``service`` today; ``all`` ends both IP and coordinator (closing
    a case). Ending a record that is not open is the engine's no-op."""
    _record(context, "end")
