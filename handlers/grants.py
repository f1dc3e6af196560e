"""What an assessment granted and refused, part by part.

A report can ask for an individual plan, a coordinator and, for a child, a barnekoordinator
(pbrl. §§ 2-5, 2-5 a/b/c). Each is a right of its own, so each is granted or refused on its own:
a refused part is an avgjørelse the citizen may appeal even when another part is granted. The
rest of the diagram reads only these facts (``ip_granted``, ``coordinator_granted``,
``barnekoordinator_granted``, ``refused_parts``), whichever way a right was granted.
"""

from __future__ import annotations

from typing import Any

from handlers.registry import HandlerContext, handler

# part of a report's ``requests`` -> (assessment field that grants it, fact the diagram reads)
PARTS = {
    "ip": ("approved_ip", "ip_granted"),
    "koordinator": ("approved_coordinator", "coordinator_granted"),
    "barnekoordinator": ("approved_barnekoordinator", "barnekoordinator_granted"),
}


def outcome(data: dict[str, Any]) -> dict[str, Any]:
    """Granted flags for every part, the requested parts that were refused, and
    ``decision_granted``: whether anything was granted (the case goes on to appointment).

    Only a requested part can be granted. A part's own field (``approved_ip``, …) decides it;
    when the assessment did not separate the parts, ``approved`` covers all of them.
    """
    requested = data.get("requests") or []
    result: dict[str, Any] = {}
    refused = []
    for part, (field, fact) in PARTS.items():
        decision = data.get(field)
        granted = part in requested and bool(data.get("approved") if decision is None
                                             else decision)
        result[fact] = granted
        if part in requested and not granted:
            refused.append(part)
    result["refused_parts"] = refused
    result["decision_granted"] = len(refused) < len([p for p in requested if p in PARTS])
    return result


def appealed_parts(data: dict[str, Any]) -> list[str]:
    """What the appeal under way is about: the plan, when it was closed against the citizen's
    wish (``appeal_subject`` ``closing``, set by that closing letter); otherwise the refused
    parts, or all that was asked for after a full refusal."""
    if data.get("appeal_subject") == "closing":
        return ["ip"]
    requested = data.get("requests") or []
    return list(data.get("refused_parts") or outcome(data)["refused_parts"]
                or [part for part in PARTS if part in requested])


@handler("decision.outcome")
def decide(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """Record the assessment's outcome part by part (see :func:`outcome`)."""
    return outcome(data)
