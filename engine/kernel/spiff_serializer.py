"""How a case's workflow is written and read: its instance part only, onto the version's spec.

The spec is stored once per deployed version and restored once per process
(:func:`engine.kernel.spiff._spec_objects`); timers are the engine's clocked ones. Task data is
stored as Spiff stores it, what each task changed against its parent, with two exceptions that
kept a long-running case's data twice or more (:class:`CompactTaskConverter`,
:class:`PhaseConverter`).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.event_definition import (
    TimerConditionalEventDefinitionConverter,
)
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    TaskConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.deep_merge import DeepMerge

from engine.kernel import spiff_timers


class InstanceConverter(BpmnWorkflowConverter):
    """A workflow as its instance part only, restored onto spec objects handed in.

    Spiff's own converter writes the whole process spec into every state and restores it from
    that dict on every load (46 KB on the shipped diagram); the spec is stored once per version
    instead and restored once per process (:func:`engine.kernel.spiff._spec_objects`)."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec: Any = None,
                  subprocess_specs: dict[str, Any] | None = None) -> BpmnWorkflow:
        dct.pop("spec", None)  # a state stored before specs were kept per version
        dct.pop("subprocess_specs", None)
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class CompactTaskConverter(TaskConverter):
    """A task that keeps less of its parent's data than it drops is stored with its own data.

    Spiff stores a task's data as the keys it changed and the keys it deleted against its
    parent; a join or gateway after a phase holds nothing, so it stored the name of every
    fact of the case (2 KB, once for every plan period)."""

    def to_dict(self, task: SpiffTask) -> dict[str, Any]:
        dct: dict[str, Any] = super().to_dict(task)
        if dct["delta"] and len(dct["delta"]["deletions"]) > len(task.data):
            dct["data"], dct["delta"] = task.data, {}  # an empty delta: Spiff reads ``data``
        return dct


class PhaseConverter(BpmnSubWorkflowConverter):
    """A phase whose first task is stored against the task the phase hangs from.

    Spiff stores a workflow's first task with all its data; a phase's first task starts with
    the data of its task in the process above, which is stored already: the minutes of every
    meeting of a plan that runs for years were kept twice. Only what differs is stored
    (``owner_delta``); the data is put together again before the phase's tasks are restored,
    since each of them is restored against its parent's."""

    def to_dict(self, workflow: BpmnSubWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = super().to_dict(workflow)
        owner = workflow.top_workflow.get_task_from_id(workflow.parent_task_id)
        root = dct["tasks"][dct["root"]]
        if owner is not None and root["data"]:
            root["owner_delta"] = {
                "updates": DeepMerge.get_updated_keys(owner.data, root["data"]),
                "deletions": DeepMerge.get_deleted_keys(owner.data, root["data"])}
            root["data"] = {}
        return dct

    def from_dict(self, dct: dict[str, Any], task: SpiffTask, top_workflow: BpmnWorkflow
                  ) -> BpmnSubWorkflow:
        root = dct["tasks"][dct["root"]]
        delta = root.get("owner_delta")
        if delta is not None:  # the stored state is not changed: a new mapping
            data = {**task.data, **delta["updates"]}
            for key in delta["deletions"]:
                data.pop(key, None)
            dct = {**dct, "tasks": {**dct["tasks"], dct["root"]: {**root, "data": data}}}
        return super().from_dict(dct, task, top_workflow)


def _serializer(workflow_converter: type[BpmnWorkflowConverter],
                compact: bool = False) -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = workflow_converter
    if compact:
        config[SpiffTask] = CompactTaskConverter
        config[BpmnSubWorkflow] = PhaseConverter
    for clocked in (spiff_timers.ClockedTimeDate, spiff_timers.ClockedDuration,
                    spiff_timers.ClockedCycle):
        config[clocked] = TimerConditionalEventDefinitionConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


SERIALIZER = _serializer(InstanceConverter, compact=True)


def standard_serializer() -> BpmnWorkflowSerializer:
    """Spiff's own serializer, the whole spec in every state: the yardstick ``ipflow bench
    engine`` measures the engine against."""
    return _serializer(BpmnWorkflowConverter)
