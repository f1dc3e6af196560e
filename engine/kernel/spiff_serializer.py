"""How a case's workflow is written and read: its instance part only, onto the version's spec.

The spec is stored once per deployed version and restored once per process
(:func:`engine.kernel.spiff._spec_objects`); timers are the engine's clocked ones.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.event_definition import (
    TimerConditionalEventDefinitionConverter,
)
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

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


def _serializer(workflow_converter: type[BpmnWorkflowConverter]) -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = workflow_converter
    for clocked in (spiff_timers.ClockedTimeDate, spiff_timers.ClockedDuration,
                    spiff_timers.ClockedCycle):
        config[clocked] = TimerConditionalEventDefinitionConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


SERIALIZER = _serializer(InstanceConverter)


def standard_serializer() -> BpmnWorkflowSerializer:
    """Spiff's own serializer, the whole spec in every state: the yardstick ``ipflow bench
    engine`` measures the engine against."""
    return _serializer(BpmnWorkflowConverter)
