"""The script engine of a diagram: conditions and scripts in a restricted sandbox, each
stopped after a time budget, and service tasks run through the engine's handlers by name.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.task import Task as SpiffTask

SCRIPT_SECONDS = 2.0  # wall-clock budget of one condition or script in a diagram

SAFE_BUILTINS: dict[str, Any] = {
    name: __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
    for name in (
        "abs", "all", "any", "bool", "dict", "enumerate", "filter", "float", "int", "len",
        "list", "map", "max", "min", "range", "reversed", "round", "set", "sorted", "str",
        "sum", "tuple", "zip", "True", "False", "None", "isinstance",
    )
}


class ScriptTimeout(Exception):  # noqa: N818  (the name says what happened)
    """A diagram's condition or script ran past its time budget and was stopped."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Stop Python code run inside the block once it has used ``seconds`` of wall time.

    A trace function checks the clock on every instruction, so ``while True: pass`` in a diagram
    ends as :class:`ScriptTimeout` (an incident at run time, a refusal at deploy) instead of
    holding a web worker forever. Only diagram code runs under it: handlers are ours.
    """
    deadline = time.monotonic() + seconds
    previous = sys.gettrace()

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        # Per-opcode events: a one-line loop (``while True: pass``) has no new lines to report.
        frame.f_trace_opcodes = True
        if time.monotonic() > deadline:
            raise ScriptTimeout(f"skriptet brukte mer enn {seconds:g} sekunder og ble stoppet")
        return tracer

    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(previous)


class RestrictedEnvironment(TaskDataEnvironment):
    """Task-data scripts and conditions without imports, open() or other builtins,
    each stopped after :data:`SCRIPT_SECONDS`."""

    def __init__(self, seconds: float | None = None) -> None:
        super().__init__({"__builtins__": SAFE_BUILTINS})
        self.seconds = SCRIPT_SECONDS if seconds is None else seconds

    def evaluate(self, expression: str, context: dict[str, Any],
                 external_context: dict[str, Any] | None = None) -> Any:
        with time_limit(self.seconds):
            return super().evaluate(expression, context, external_context)

    def execute(self, script: str, context: dict[str, Any],
                external_context: dict[str, Any] | None = None) -> bool:
        with time_limit(self.seconds):
            return bool(super().execute(script, context, external_context))


ServiceCall = Callable[[SpiffTask, str, dict[str, Any]], dict[str, Any] | None]


class HandlerScriptEngine(PythonScriptEngine):
    """Runs conditions in the restricted environment and service tasks through handlers."""

    def __init__(self, call: ServiceCall) -> None:
        super().__init__(environment=RestrictedEnvironment())
        self._call = call

    def call_service(self, task: SpiffTask, **kwargs: Any) -> str:
        """Merge what the handler returns into the task data; Spiff wants JSON back."""
        result = self._call(task, kwargs["operation_name"], kwargs.get("operation_params", {}))
        if result:
            task.data.update(result)
        return "null"
