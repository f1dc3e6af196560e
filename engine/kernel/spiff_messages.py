"""The messages a workflow waits for now, each with the diagram element that stands for it.

A boundary event or an intermediate catch event waits for its message itself; behind an
event-based gateway it is the gateway that waits (Spiff moves the events onto it), yet the
event's name, documentation and properties sit on the element behind the gateway. Both the
sending of a message and the question "which events can this case take now" read the same
element, so both use :func:`waiting_messages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from engine.kernel.spiff import event_definitions

# Steps that only route the token on; "what happens next" is the first step after them.
_ROUTING_SPECS = ("Gateway", "Join", "Split")
_MAX_HOPS = 20


@dataclass(frozen=True)
class WaitingMessage:
    """A message the workflow would take now: its name, the waiting task, and the element
    of the diagram that catches it (which carries its name, documentation and properties)."""

    name: str
    task: SpiffTask
    element: Any


def waiting_messages(workflow: BpmnWorkflow) -> list[WaitingMessage]:
    """Every message some waiting task would catch now, in the workflow's task order."""
    found = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        spec = task.task_spec
        for index, definition in enumerate(event_definitions(spec)):
            if isinstance(definition, MessageEventDefinition):
                element = (spec.outputs[index] if isinstance(spec, EventBasedGateway)
                           else spec)
                found.append(WaitingMessage(definition.name, task, element))
    return found


def leads_to(element: Any) -> Any | None:
    """The first named step after an event, past the gateways that merge flows into it (a
    boundary event's phase-wide handling is usually a sub-process behind a merge)."""
    current = element
    for _hop in range(_MAX_HOPS):
        if not current.outputs:
            return None
        current = current.outputs[0]
        routing = any(word in type(current).__name__ for word in _ROUTING_SPECS)
        if getattr(current, "bpmn_name", None) and not routing:
            return current
    return None
