"""Registering the case's coordinator.

The systemkoordinator must know at all times who is responsible for following the citizen up
(seed procedure 4.3/4.4), KPR must see the coordinator period change, and koordinator-lane tasks
must follow the new person. ``coordinator_history`` keeps every period with its dates.
"""

from __future__ import annotations

from typing import Any

from handlers.kpr import coordinator_ends, coordinator_kind
from handlers.registry import HandlerContext, handler


@handler("coordinator.register")
def register(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """Make ``coordinator`` the case's coordinator and record the period.

    On a change (a previous coordinator with a different username) the previous period gets a
    ``to`` date and the KPR coordinator record (a barnekoordinator's, when one is granted:
    ``handlers.kpr``) is ended and started again today. The first
    registration does not touch KPR: the diagram has its own ``kpr.start`` after it. Registering
    the current coordinator again changes nothing but is harmless.
    """
    username = data.get("coordinator")
    if not username:
        raise ValueError("coordinator is missing; appoint a coordinator before registering")
    today = context.today
    history = [dict(entry) for entry in data.get("coordinator_history") or []]
    current = history[-1].get("username") if history else None
    context.effects.set_coordinator(username)
    if current == username:
        return {"coordinator_history": history}
    if current is not None:
        history[-1]["to"] = today.isoformat()
        for kind in coordinator_ends(data):
            context.effects.kpr(kind, "end", today)
        context.effects.kpr(coordinator_kind(data), "start", today)
    history.append({"username": username, "from": today.isoformat()})
    return {"coordinator_history": history}
