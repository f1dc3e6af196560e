"""The SpiffWorkflow adapter: a case's workflow, from the diagram to its stored state.

Parsing (untrusted XML, safely), the spec restored once per deployed version, a case's state
loaded onto it and stored (instance part only: :mod:`engine.kernel.spiff_serializer`; finished
tasks cut out first: :mod:`engine.kernel.spiff_compaction`), running the engine's steps, and
reading and writing the case's data in the tokens that wait. The script engine is
:mod:`engine.kernel.spiff_scripts`, the timers on the engine clock
:mod:`engine.kernel.spiff_timers`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from engine.kernel import spiff_compaction, spiff_timers
from engine.kernel.spiff_serializer import SERIALIZER, standard_serializer
from engine.kernel.vocabulary import CaseState

MAX_BPMN_BYTES = 2_000_000
MAX_ENGINE_ROUNDS = 50
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"


# ---------------------------------------------------------------- parsing


@dataclass(frozen=True)
class ParsedProcess:
    key: str
    name: str
    spec_json: dict[str, Any]


def parse_xml(bpmn_xml: str | bytes) -> etree._Element:
    """Parse untrusted XML: no entities, no network, no DTD loading, bounded size."""
    raw = bpmn_xml.encode() if isinstance(bpmn_xml, str) else bpmn_xml
    if len(raw) > MAX_BPMN_BYTES:
        raise ValueError(f"filen er større enn {MAX_BPMN_BYTES // 1_000_000} MB")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True)
    root = etree.fromstring(raw, parser)
    if root.getroottree().docinfo.internalDTD is not None or "<!ENTITY" in raw[:4096].decode(
            "utf-8", "replace"):
        raise ValueError("filen inneholder en DTD eller entiteter, som ikke er tillatt")
    return root


def new_parser() -> SpiffBpmnParser:
    return SpiffBpmnParser()


def parse_process(root: etree._Element) -> tuple[SpiffBpmnParser, list[str]]:
    """Load a parsed document into a Spiff parser and return the executable process ids."""
    parser = new_parser()
    parser.add_bpmn_xml(etree.ElementTree(root), filename="diagram.bpmn")
    return parser, parser.get_process_ids()


def compile_spec(parser: SpiffBpmnParser, key: str) -> dict[str, Any]:
    """Build the process spec with clocked timers and serialize it once for storage."""
    spec = parser.get_spec(key)
    subprocess_specs = parser.get_subprocess_specs(key)
    for each in [spec, *subprocess_specs.values()]:
        spiff_timers.use_engine_clock(each)
    converter = SERIALIZER.registry
    return {
        "spec": converter.convert(spec),
        "subprocess_specs": {k: converter.convert(v) for k, v in subprocess_specs.items()},
    }


def event_definitions(task_spec: Any) -> list[Any]:
    """A catching task's event definitions; an event-based gateway waits for several."""
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return list(definition.event_definitions)
    return [definition] if definition is not None else []


# ---------------------------------------------------------------- workflow state


class VersionSpec(Protocol):
    """What the adapter needs of a deployed version: its checksum (the cache key) and, only the
    first time a process meets that checksum, its serialized spec (a deferred column)."""

    @property
    def checksum(self) -> str: ...

    @property
    def spec_json(self) -> dict[str, Any]: ...


_spec_cache: dict[str, tuple[Any, dict[str, Any]]] = {}


def _spec_objects(version: VersionSpec) -> tuple[Any, dict[str, Any]]:
    """Restore a version's spec once per process (key: its checksum) and share it between every
    workflow of that version: Spiff's specs are not changed by running them."""
    cached = _spec_cache.get(version.checksum)
    if cached is None:
        spec_json = version.spec_json
        registry = SERIALIZER.registry
        cached = (registry.restore(copy.deepcopy(spec_json["spec"])),
                  {k: registry.restore(copy.deepcopy(v))
                   for k, v in spec_json["subprocess_specs"].items()})
        _spec_cache[version.checksum] = cached
    return cached


def start_properties(version: VersionSpec) -> dict[str, str]:
    """The spiffworkflow properties of the process's start event (its form, its validator)."""
    spec, _subs = _spec_objects(version)
    for task_spec in spec.start.outputs:
        props = task_properties(task_spec)
        if props:
            return props
    return {}


def new_workflow(version: VersionSpec, engine: PythonScriptEngine) -> BpmnWorkflow:
    spec, subs = _spec_objects(version)
    return BpmnWorkflow(spec, subs, script_engine=engine)


def dump_state(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The instance part of the serialized workflow (the spec is stored per version), with
    what has finished cut out first (:mod:`engine.kernel.spiff_compaction`): read what the
    finished tasks did before this, the history keeps it."""
    spiff_compaction.compact(workflow)
    state: dict[str, Any] = SERIALIZER.to_dict(workflow)
    return state


def load_state(version: VersionSpec, state: dict[str, Any], engine: PythonScriptEngine
               ) -> BpmnWorkflow:
    """Rebuild a workflow from the version's cached spec and the case's instance state.

    Nothing is deep-copied: restoring builds new containers for the tasks' data, and the one
    mapping the converter empties as it goes (``subprocesses``) is copied here."""
    spec, subs = _spec_objects(version)
    instance = {**state, "subprocesses": dict(state.get("subprocesses", {}))}
    workflow: BpmnWorkflow = SERIALIZER.from_dict(instance, spec=spec, subprocess_specs=subs)
    workflow.script_engine = engine
    return workflow


def ready_user_tasks(workflow: BpmnWorkflow) -> list[SpiffTask]:
    tasks: list[SpiffTask] = workflow.get_tasks(state=TaskState.READY, manual=True)
    return tasks


def waiting_timers(workflow: BpmnWorkflow) -> Iterator[tuple[SpiffTask, datetime]]:
    """Timer events waiting now, with the moment each is due by the engine clock."""
    for task in workflow.get_tasks(state=TaskState.WAITING):
        if any(isinstance(d, TimerEventDefinition) for d in event_definitions(task.task_spec)):
            value = task._get_internal_data("event_value")
            if isinstance(value, dict):  # a repeating timer: its next repetition
                value = value.get("next") if value.get("cycles") else None
            if value:
                yield task, TimerEventDefinition.get_datetime(value)


def is_user_task(task: SpiffTask) -> bool:
    return isinstance(task.task_spec, UserTask)


def is_user_task_spec(task_spec: Any) -> bool:
    return isinstance(task_spec, UserTask)


def is_service_task(task: SpiffTask) -> bool:
    return isinstance(task.task_spec, ServiceTask)


def task_properties(task_spec: Any) -> dict[str, str]:
    return dict((getattr(task_spec, "extensions", None) or {}).get("properties", {}))


def caught_definition(task_spec: Any) -> Any:
    """The event a catching element waited for.

    Spiff moves the events behind an event-based gateway onto the gateway and leaves the
    elements after it with an empty definition; look the real one up on the gateway.
    """
    for gateway in task_spec.inputs:
        if isinstance(gateway, EventBasedGateway):
            return gateway.event_definition.event_definitions[gateway.outputs.index(task_spec)]
    return getattr(task_spec, "event_definition", None)


def task_uuid(value: str) -> UUID:
    return UUID(value)


def message_event(name: str, payload: dict[str, Any]) -> BpmnEvent:
    return BpmnEvent(MessageEventDefinition(name), payload)


def waiting_at(workflow: BpmnWorkflow) -> list[str]:
    """The names of the steps a case stands at: tasks people can do and events it waits for
    (not the events attached to those tasks or phases)."""
    tasks = [*workflow.get_tasks(state=TaskState.READY, manual=True),
             *(t for t in workflow.get_tasks(state=TaskState.WAITING)
               if _is_catcher(t) and not _is_attached(t))]
    names = [t.task_spec.bpmn_name or t.task_spec.bpmn_id for t in tasks
             if getattr(t.task_spec, "bpmn_id", None)]
    return list(dict.fromkeys(f"«{n}»" for n in names))


def _is_attached(task: SpiffTask) -> bool:
    """A boundary event: it waits on a task or phase (only those carry ``cancel_activity``)."""
    return getattr(task.task_spec, "cancel_activity", None) is not None


def _is_catcher(task: SpiffTask) -> bool:
    return bool(event_definitions(task.task_spec)) and task.has_state(TaskState.WAITING)


def case_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The case's data as it stands: what the steps people or events wait at now hold.

    Spiff keeps data per token; a boundary event, and the split and join Spiff puts around
    its host, hold a copy from when the phase began. The tokens that moved since (ready tasks,
    intermediate events) hold the newer facts.
    """
    data: dict[str, Any] = dict(workflow.last_task.data) if workflow.last_task else {}
    holders = [t for t in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
               if getattr(t.task_spec, "bpmn_id", None)  # not Spiff's own splits and joins
               and not (_is_catcher(t) and _is_attached(t))]
    for task in sorted(holders, key=lambda t: t.last_state_change):
        data.update(task.data)
    return data


def refresh_catchers(workflow: BpmnWorkflow) -> dict[str, Any]:
    """Give every waiting event the case's current data, so a legal event acts on the case as
    it stands, not as it was when the phase began, and a date timer (``revision_date``) follows
    a date set later in the phase; returns that data."""
    current = case_data(workflow)
    for task in workflow.get_tasks(state=TaskState.WAITING):
        if _is_catcher(task):
            task.data.update(copy.deepcopy(current))
            # A boundary event takes its data from the split before it again when it fires.
            if isinstance(task.parent.task_spec, BoundaryEventSplit):
                task.parent.data.update(copy.deepcopy(current))
            _recompute_date(task)
    return current


def _recompute_date(task: SpiffTask) -> None:
    """A date timer that has not fired takes its date from the data again; an expression that
    no longer evaluates keeps the date it had."""
    for definition in event_definitions(task.task_spec):
        if isinstance(definition, spiff_timers.ClockedTimeDate) and not task._get_internal_data(
                "event_fired", False):
            try:
                value = str(task.workflow.script_engine.evaluate(task, definition.expression))
                TimerEventDefinition.get_datetime(value)
            except Exception:  # noqa: BLE001  (a designer's expression: keep the old date)
                continue
            task._set_internal_data(event_value=value)


def only_closed_waits(workflow: BpmnWorkflow) -> bool:
    """True when nobody has work on the case and every event it waits for is marked
    ``case_status: closed`` in the diagram (a decided case that only waits for a late appeal)."""
    if workflow.get_tasks(state=TaskState.READY, manual=True):
        return False

    def marked(task_spec: Any) -> bool:
        return task_properties(task_spec).get("case_status") == CaseState.CLOSED

    def closed(task: SpiffTask) -> bool:
        # An event-based gateway waits for the events behind it: they carry the mark.
        if isinstance(task.task_spec, EventBasedGateway):
            return all(marked(output) for output in task.task_spec.outputs)
        return marked(task.task_spec)

    waiting = [t for t in workflow.get_tasks(state=TaskState.WAITING) if _is_catcher(t)]
    return bool(waiting) and all(closed(t) for t in waiting)


def merge_back(end: SpiffTask) -> None:
    """An end event marked ``merge_back`` (comma-separated names) ends a side branch: copy the
    facts it names into the steps the whole case waits at."""
    names = [n.strip() for n in task_properties(end.task_spec).get("merge_back", "").split(",")]
    facts = {name: end.data[name] for name in names if name in end.data}
    if facts:
        for task in end.workflow.top_workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
            task.data.update(copy.deepcopy(facts))  # a copy each: tokens never share a value


def engine_steps(workflow: BpmnWorkflow,
                 on_step: Callable[[SpiffTask], None] | None = None) -> None:
    """Run automatic steps until only people or waiting events are left.

    Spiff's own loop checks timers last, so a timer already due is run by another round.
    Spiff's per-service-task result keys are dropped: handlers merge their data themselves.
    """

    def after(task: SpiffTask) -> None:
        if is_service_task(task):
            task.data.pop(getattr(task.task_spec, "result_variable", ""), None)
        if on_step is not None:
            on_step(task)

    for _round in range(MAX_ENGINE_ROUNDS):
        workflow.do_engine_steps(did_complete_task=after)
        if not workflow.get_tasks(state=TaskState.READY, manual=False):
            return
    raise RuntimeError("prosessen stopper ikke: mulig uendelig løkke i diagrammet")


def errored_tasks(workflow: BpmnWorkflow) -> list[SpiffTask]:
    tasks: list[SpiffTask] = workflow.get_tasks(state=TaskState.ERROR)
    return tasks


def make_ready_again(task: SpiffTask) -> None:
    """A handler raised: put its task back so a retry runs it again from the same data."""
    task._set_state(TaskState.READY)


__all__ = ["ValidationException", "BpmnWorkflow", "SpiffTask", "TaskState",
           "standard_serializer"]


def form_validator(version: VersionSpec, form: str) -> str | None:
    """The validator the diagram names for ``form`` (on a user task that uses it), so a form
    filled outside its task (the plan revised at any time) is checked the same way."""
    spec, subs = _spec_objects(version)
    for process in (spec, *subs.values()):
        for task_spec in process.task_specs.values():
            props = task_properties(task_spec)
            if props.get("form") == form and props.get("validator"):
                return props["validator"]
    return None


def set_case_data(workflow: BpmnWorkflow, values: dict[str, Any]) -> None:
    """Write ``values`` into every step the case waits at (and, for a waiting event, the step
    it inherits its data from when refreshed), so what comes next reads them; date timers that
    have not fired read their date again (a revised plan moves its revision date, and with it
    the evaluation)."""
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
        task.data.update(copy.deepcopy(values))
        if task.state == TaskState.WAITING and task.parent is not None:
            task.parent.data.update(copy.deepcopy(values))
        if (task.state == TaskState.WAITING
                and any(isinstance(d, TimeDateEventDefinition)
                        for d in event_definitions(task.task_spec))
                and not task._get_internal_data("event_fired", False)):
            task.internal_data.pop("event_value", None)
    workflow.refresh_timers()


def element_spec(version: VersionSpec, bpmn_id: str) -> Any:
    """The task spec of the diagram element ``bpmn_id`` (in the process or any phase), or
    None when the version has no such element."""
    spec, subs = _spec_objects(version)
    for process in (spec, *subs.values()):
        for task_spec in process.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) == bpmn_id:
                return task_spec
    return None


def element_kind(task_spec: Any) -> str:
    """What kind of automatic step an element is, as far as its failures differ: a gateway
    (its conditions), a script, a service task (a handler), a timer, or anything else."""
    if isinstance(task_spec, ExclusiveGateway | InclusiveGateway):
        return "gateway"
    if isinstance(task_spec, ScriptTask):
        return "script"
    if isinstance(task_spec, ServiceTask):
        return "service"
    if any(isinstance(d, TimerEventDefinition) for d in event_definitions(task_spec)):
        return "timer"
    return "other"
