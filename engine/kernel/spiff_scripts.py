"""The script engine of a diagram: conditions and scripts run in the sandbox's separate process
(:mod:`engine.kernel.sandbox`), within one time budget per engine call, and service tasks run
through the engine's handlers by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.task import Task as SpiffTask

from engine.kernel.sandbox import Budget, Sandbox

# What diagram code may call: no imports, no files, nothing that reaches out of the data.
SAFE_BUILTINS = (
    "abs", "all", "any", "bool", "dict", "enumerate", "filter", "float", "int", "len", "list",
    "map", "max", "min", "range", "reversed", "round", "set", "sorted", "str", "sum", "tuple",
    "zip", "True", "False", "None", "isinstance",
)
SANDBOX = Sandbox(SAFE_BUILTINS)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Task-data scripts and conditions, run in the sandbox with ``budget`` for all of them.

    Like Spiff's own ``TaskDataEnvironment``: an expression sees the task data (and an external
    context, such as a message's payload, beneath it); a script changes the task data in
    place, keeping only plain values (no functions, nothing that is not JSON).
    """

    def __init__(self, budget: Budget | None = None) -> None:
        super().__init__({})
        self.budget = budget or Budget()

    def evaluate(self, expression: str, context: dict[str, Any],
                 external_context: dict[str, Any] | None = None) -> Any:
        scope = {**(external_context or {}), **context}
        return SANDBOX.run("eval", expression, scope, self.budget)["value"]

    def execute(self, script: str, context: dict[str, Any],
                external_context: dict[str, Any] | None = None) -> bool:
        external = external_context or {}
        result = SANDBOX.run("exec", script, {**external, **context}, self.budget)["context"]
        context.clear()
        context.update({key: value for key, value in result.items() if key not in external})
        return True


ServiceCall = Callable[[SpiffTask, str, dict[str, Any]], dict[str, Any] | None]


class HandlerScriptEngine(PythonScriptEngine):
    """Runs conditions in the restricted environment and service tasks through handlers.

    ``environment``: Spiff's own in-process one only for ``ipflow bench engine``'s yardstick,
    plain SpiffWorkflow; the engine always runs designer code in the sandbox."""

    def __init__(self, call: ServiceCall,
                 environment: BasePythonScriptEngineEnvironment | None = None) -> None:
        # One budget per engine call.
        super().__init__(environment=environment or RestrictedEnvironment())
        self._call = call

    def call_service(self, task: SpiffTask, **kwargs: Any) -> str:
        """Merge what the handler returns into the task data; Spiff wants JSON back."""
        result = self._call(task, kwargs["operation_name"], kwargs.get("operation_params", {}))
        if result:
            task.data.update(result)
        return "null"
