"""The closed vocabularies: every event the engine writes names its kind by an ``EventKind``
member, and the members still equal the strings stored in databases and shown by the API."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from engine.kernel.vocabulary import CaseState, EventKind, Role, TaskState

ENGINE = Path(__file__).resolve().parents[2] / "engine"


def _kind_argument(call: ast.Call) -> ast.expr | None:
    """The expression giving an event's kind in ``run.event(kind, …)``, ``_event(session,
    case_id, actor, kind, …)`` or ``Event(kind=…)``; None for other calls."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "event" and call.args:
        return call.args[0]
    if isinstance(func, ast.Name) and func.id == "_event" and len(call.args) > 3:
        return call.args[3]
    if isinstance(func, ast.Name) and func.id == "Event":
        return next((k.value for k in call.keywords if k.arg == "kind"), None)
    return None


def _names_a_member(expr: ast.expr) -> bool:
    """``EventKind.X`` of an existing member, ``EventKind(…)`` (checked when it runs) or a
    parameter called ``kind`` that a helper passes on."""
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        return expr.value.id == "EventKind" and expr.attr in EventKind.__members__
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
        return expr.func.id == "EventKind"
    return isinstance(expr, ast.Name) and expr.id == "kind"


def test_every_event_the_engine_writes_names_an_event_kind() -> None:
    written, stray = 0, []
    for path in sorted(ENGINE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            kind = _kind_argument(node) if isinstance(node, ast.Call) else None
            if kind is None:
                continue
            written += 1
            if not _names_a_member(kind):
                stray.append(f"{path.relative_to(ENGINE)}:{node.lineno}: {ast.unparse(kind)}")
    assert stray == []
    assert written >= len(EventKind) - 1  # kpr_start and kpr_end share one call


def test_members_are_their_stored_strings() -> None:
    assert TaskState.READY == "ready" and CaseState.CLOSED == "closed"
    assert json.dumps([EventKind.TIMER_FIRED, Role.KOORDINATOR]) == '["timer_fired", "koordinator"]'
    assert f"{Role.INNBYGGER}" == "innbygger"
    for vocabulary in (TaskState, CaseState, EventKind, Role):
        assert all(member == member.value == member.value.lower() for member in vocabulary)
