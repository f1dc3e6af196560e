"""What of a case is the citizen's to follow, on every outlet they read it from: the case
page, its history and the JSON API.

The diagram says it. Its lanes are the procedure's roles, but a staff lane also holds what
the citizen is told of (a decision sent, a coordinator appointed), so a lane alone does not
decide: an element the municipality keeps to itself (the coordinator's training) carries the
property ``audience`` ``staff`` (on a lane it marks the lane's every element), and a designer
who adds such a step marks it the same way. The citizen sees what people do (the diagram's
tasks) and what happens (its events), never the automatic steps (journal notes, KPR,
computing a date) nor the staff's own work distribution (claims, reminders, incidents).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from engine.features.diagram import Step
from engine.features.snapshots import EventRow
from engine.kernel.vocabulary import EventKind as K

# What happens, in any lane.
EVENT_KINDS = frozenset({"startEvent", "endEvent", "boundaryEvent", "intermediateCatchEvent",
                         "intermediateThrowEvent"})
# What a person does.
TASK_KINDS = frozenset({"userTask", "task"})
# Internal work distribution, technical errors, the automatic bookkeeping steps and moves
# between process versions: staff see them, the citizen does not.
STAFF_ONLY_EVENTS = frozenset({
    K.TASK_CLAIMED, K.TASK_UNCLAIMED, K.TASK_ASSIGNED, K.INCIDENT_OPENED, K.INCIDENT_RESOLVED,
    K.INCIDENT_RETRIED, K.TASK_REASSIGNED, K.REMINDER_SENT, K.TASK_ESCALATED,
    K.VARIABLE_CORRECTED, K.STEP_SKIPPED, K.STEP_COMPLETED, K.MIGRATED})


class AtStep(Protocol):
    """A task, as a row or as a snapshot: it stands at one element of the diagram."""

    @property
    def bpmn_id(self) -> str: ...


T = TypeVar("T", bound=AtStep)


def citizen_steps(steps: Iterable[Step]) -> list[Step]:
    """The steps shown to the citizen: tasks and events the diagram does not keep to staff."""
    return [step for step in steps
            if step.kind in EVENT_KINDS | TASK_KINDS and not step.staff_only]


def _hidden_steps(steps: Sequence[Step]) -> set[str]:
    return {step.id for step in steps} - {step.id for step in citizen_steps(steps)}


def citizen_events(events: Iterable[EventRow], steps: Sequence[Step]) -> list[EventRow]:
    """The history the citizen reads: no staff-only kind, nothing at a step not theirs."""
    hidden = _hidden_steps(steps)
    return [event for event in events
            if event.kind not in STAFF_ONLY_EVENTS and event.bpmn_id not in hidden]


def citizen_tasks(tasks: Iterable[T], steps: Sequence[Step]) -> list[T]:
    """The tasks the citizen is told of: those at the steps they follow."""
    hidden = _hidden_steps(steps)
    return [task for task in tasks if task.bpmn_id not in hidden]
