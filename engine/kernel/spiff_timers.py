"""Timers on the engine clock: SpiffWorkflow's timer definitions, made to read
:func:`engine.kernel.clock.now` instead of the wall clock.

A compiled spec carries these in place of Spiff's own (:func:`use_engine_clock`), so tests, the
demo and a worker catching up all move time the same way.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.task import Task as SpiffTask

from engine.kernel import clock


class ClockedTimeDate(TimeDateEventDefinition):
    """A timeDate timer that fires by the engine clock."""

    def has_fired(self, my_task: SpiffTask) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            event_value = str(my_task.workflow.script_engine.evaluate(my_task, self.expression))
            my_task._set_internal_data(event_value=event_value)
        if TimerEventDefinition.get_datetime(event_value) <= clock.now():
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


class ClockedDuration(DurationTimerEventDefinition):
    """A timeDuration timer that starts and fires by the engine clock."""

    def has_fired(self, my_task: SpiffTask) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            start = clock.now()
            parsed = TimerEventDefinition.parse_iso_duration(expression)
            due = start + TimerEventDefinition.get_timedelta_from_start(parsed, start)
            event_value = due.isoformat()
            my_task._set_internal_data(event_value=event_value)
        if TimerEventDefinition.get_datetime(event_value) <= clock.now():
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


class ClockedCycle(CycleTimerEventDefinition):
    """A repeating timer (``R12/P30D``: twelve times, every 30 days) on the engine clock.

    Each due repetition lets the boundary event fire once (a second interim reply every 30
    days); the timer ends with its host or after its last repetition.
    """

    def cycle_complete(self, my_task: SpiffTask) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            cycles, _start, duration = TimerEventDefinition.parse_iso_recurring_interval(
                expression)
            event_value = {"cycles": cycles, "next": (clock.now() + duration).isoformat(),
                           "duration": duration.total_seconds()}
        ready = False
        if event_value["cycles"] != 0:
            due = datetime.fromisoformat(event_value["next"])
            if due <= clock.now():
                event_value["next"] = (due + timedelta(seconds=event_value["duration"])).isoformat()
                event_value["cycles"] -= 1
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
        my_task._set_internal_data(event_value=event_value)
        return ready


_CLOCKED = {TimeDateEventDefinition: ClockedTimeDate, DurationTimerEventDefinition: ClockedDuration,
            CycleTimerEventDefinition: ClockedCycle}


def _clocked(definition: Any) -> Any:
    """The same definition with timers (also inside a multiple event) on the engine clock."""
    if isinstance(definition, MultipleEventDefinition):
        definition.event_definitions = [_clocked(d) for d in definition.event_definitions]
        return definition
    clocked = _CLOCKED.get(type(definition))
    if clocked is None:
        return definition
    return clocked(definition.name, definition.expression, description=definition.description)


def use_engine_clock(spec: Any) -> None:
    """Put every timer of the spec (a process or a phase) on the engine clock."""
    for task_spec in spec.task_specs.values():
        if getattr(task_spec, "event_definition", None) is not None:
            task_spec.event_definition = _clocked(task_spec.event_definition)
