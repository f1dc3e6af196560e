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

# What a repeating timer may ask for: the procedure's own (R12/P30D, interim replies for a
# year) is far inside; a cycle without a count or with a tiny interval would fire in a loop.
MAX_CYCLES = 100
MIN_CYCLE_INTERVAL = timedelta(hours=1)
EXAMPLES = {"timeDuration": ("varighet", '"P30D" eller "PT12H"'),
            "timeDate": ("tidspunkt", '"2027-01-31T09:00:00+01:00"'),
            "timeCycle": ("gjentakelse", '"R12/P30D"')}


class TimerRefused(ValueError):
    """A timer value the engine will not run: no ISO 8601 text, or a cycle without bounds.
    At deploy it refuses a literal; at run time (a computed value) it becomes an incident on
    ``task``, the timer that computed it."""

    task: SpiffTask | None = None


def _timer_value(my_task: SpiffTask, kind: str, value: Any) -> Any:
    """:func:`parse_timer` at run time: a refusal names the timer task it came from."""
    try:
        return parse_timer(kind, value)
    except TimerRefused as refused:
        refused.task = my_task
        raise


def parse_timer(kind: str, value: Any) -> Any:
    """``value`` as Spiff reads a timer of ``kind`` (timeDuration, timeDate, timeCycle):
    the parsed duration, moment, or (count, start, interval) of a bounded cycle."""
    name, example = EXAMPLES[kind]
    if not isinstance(value, str):
        raise TimerRefused(f"tidshendelsens {name} må være en tekst i ISO 8601 (f.eks. "
                           f"{example}), ikke {type(value).__name__}")
    try:
        if kind == "timeDuration":
            return TimerEventDefinition.parse_iso_duration(value)
        if kind == "timeDate":
            return TimerEventDefinition.get_datetime(value)
        cycle = TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception:  # noqa: BLE001  (Spiff raises bare Exceptions and ValueErrors)
        raise TimerRefused(f"ugyldig {name} {value!r} i tidshendelsen (ISO 8601, f.eks. "
                           f"{example})") from None
    cycles, _start, interval = cycle
    if not 0 <= cycles <= MAX_CYCLES:
        raise TimerRefused(f"gjentakelsen {value!r} må si hvor mange ganger, høyst "
                           f"{MAX_CYCLES} (f.eks. {example})")
    if interval < MIN_CYCLE_INTERVAL:
        raise TimerRefused(f"gjentakelsen {value!r} må ha minst én time mellom gangene")
    return cycle


class ClockedTimeDate(TimeDateEventDefinition):
    """A timeDate timer that fires by the engine clock."""

    def has_fired(self, my_task: SpiffTask) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            event_value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            _timer_value(my_task, "timeDate", event_value)
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
            parsed = _timer_value(my_task, "timeDuration", expression)
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
            cycles, _start, duration = _timer_value(my_task, "timeCycle", expression)
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
