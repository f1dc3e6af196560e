"""Checking whether a running case can move onto a newer version of its process, and what the
move would change (see :mod:`engine.features.migration`, which applies it).

Every check reads the case's workflow as loaded from its current version; nothing is written
here. A refusal's reasons and a move's notes are in words a designer understands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.kernel import spiff
from engine.kernel.errors import EngineError
from engine.kernel.models import Case, Incident, ProcessVersion
from engine.kernel.vocabulary import RUNNING_CASE_STATES
from engine.runtime.case_run import CaseRun
from engine.runtime.users import Actor

LIVE = spiff.TaskState.READY | spiff.TaskState.WAITING | spiff.TaskState.STARTED | \
    spiff.TaskState.ERROR
REPREDICT = spiff.TaskState.PREDICTED_MASK | spiff.TaskState.FUTURE | spiff.TaskState.READY | \
    spiff.TaskState.WAITING | spiff.TaskState.STARTED  # STARTED: a phase the case is in


class MigrationRefused(EngineError):
    """The case cannot move safely; ``reasons`` say why, in words a designer understands."""

    status = 409

    def __init__(self, case_id: int, reasons: list[str]) -> None:
        super().__init__(f"Sak {case_id} kan ikke flyttes: " + "; ".join(reasons))
        self.case_id = case_id
        self.reasons = reasons


@dataclass
class CasePlan:
    """One running case as the preview shows it (no personal data: a designer sees no names)."""

    case_id: int
    from_version: int
    status: str
    waiting_at: list[str]
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def can_move(self) -> bool:
        return not self.reasons


@dataclass
class Plan:
    """What moving one case would do: the checks' outcome and the changes to make."""

    case_plan: CasePlan
    workflow: spiff.BpmnWorkflow
    new_spec: Any
    new_subprocess_specs: dict[str, Any]
    live: list[spiff.SpiffTask]
    new_due: dict[str, datetime] = field(default_factory=dict)  # spiff task id → due
    new_interval: dict[str, float] = field(default_factory=dict)  # of a repeating timer, s


def _label(task_spec: Any) -> str:
    name = getattr(task_spec, "bpmn_name", None)
    bpmn_id = getattr(task_spec, "bpmn_id", None) or task_spec.name
    return f"«{name}» ({bpmn_id})" if name else f"«{bpmn_id}»"


def plan_move(session: Session, case: Case, target: ProcessVersion, actor: Actor) -> Plan:
    old = case.process_version
    run = CaseRun(session, case, actor)
    workflow = run.load_workflow()
    live = workflow.get_tasks(state=LIVE)  # in the process and in every open phase
    case_plan = CasePlan(case.id, old.version, case.status,
                         [_label(t.task_spec) for t in live if getattr(t.task_spec, "bpmn_id",
                                                                       None)])
    new_spec, new_subs = spiff._spec_objects(target)
    plan = Plan(case_plan, workflow, new_spec, new_subs, live)
    reasons = case_plan.reasons
    if old.key != target.key:
        reasons.append(f"saken følger prosessen {old.key}, ikke {target.key}")
    elif old.version >= target.version:
        reasons.append(f"saken er allerede på versjon {old.version}")
    if case.status not in RUNNING_CASE_STATES:
        reasons.append("saken er avsluttet")
    for failed in session.scalars(select(Incident).where(Incident.case_id == case.id,
                                                         Incident.resolved_at.is_(None))):
        spec = spiff.element_spec(old, failed.bpmn_id)
        case_plan.notes.append(f"det feilede steget {_label(spec) if spec else failed.bpmn_id}"
                               f" kjøres på nytt i versjon {target.version}")
    for task in live:
        spec = new_spec_of(task.workflow, workflow, new_spec, new_subs)
        if spec is None:
            reasons.append(f"saken er i underprosessen {task.workflow.spec.name!r}, som ikke "
                           f"finnes i versjon {target.version}")
            continue
        _check_task(run, task, spec, target, plan)
    reasons[:] = list(dict.fromkeys(reasons))  # each reason once, though several tasks share it
    return plan


def new_spec_of(part: Any, workflow: spiff.BpmnWorkflow, new_spec: Any,
                 new_subs: dict[str, Any]) -> Any:
    """The new version's spec for the case's process or one of its open sub-processes (a
    phase), matched by the sub-process's id; None when the new version has no such phase."""
    return new_spec if part is workflow else new_subs.get(part.spec.name)


def _check_task(run: CaseRun, task: spiff.SpiffTask, new_spec: Any, target: ProcessVersion,
                plan: Plan) -> None:
    reasons, notes = plan.case_plan.reasons, plan.case_plan.notes
    old_spec = task.task_spec
    label = _label(old_spec)
    new = new_spec.task_specs.get(old_spec.name)
    if new is None:
        reasons.append(f"saken venter ved {label}, som ikke finnes i versjon {target.version}")
        return
    if type(new) is not type(old_spec):
        reasons.append(f"{label} er en annen type element i versjon {target.version}")
        return
    if spiff.is_user_task_spec(new):
        form = spiff.task_properties(new).get("form")
        if form not in target.forms:
            reasons.append(f"skjemaet {form!r} for {label} finnes ikke i versjon "
                           f"{target.version}")
        if new.lane != old_spec.lane:
            notes.append(f"{label} flyttes fra banen {old_spec.lane} til {new.lane}")
        if new.bpmn_name != old_spec.bpmn_name:
            notes.append(f"{label} heter «{new.bpmn_name}» i versjon {target.version}")
    parent = task.parent
    gained = f"{old_spec.name}.BoundaryEventSplit"
    if gained in new_spec.task_specs and not (
            parent is not None and isinstance(parent.task_spec, BoundaryEventSplit)):
        attached = ", ".join(sorted(o.name for o in new_spec.task_specs[gained].outputs
                                    if o.name != old_spec.name)) or "-"
        reasons.append(f"hendelsene festet til oppgaven saken venter ved er endret i "
                       f"versjon {target.version} ({attached})")
    if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit):
        before = {o.name for o in parent.task_spec.outputs}
        split = new_spec.task_specs.get(parent.task_spec.name)
        after = {o.name for o in split.outputs} if split is not None else set()
        if before != after and task.task_spec.name in before:
            attached = ", ".join(sorted((before ^ after) - {task.task_spec.name})) or "-"
            reasons.append(f"hendelsene festet til oppgaven saken venter ved er endret i "
                           f"versjon {target.version} ({attached})")
    _check_events(run, task, new, target, plan, label)


def _check_events(run: CaseRun, task: spiff.SpiffTask, new: Any, target: ProcessVersion,
                  plan: Plan, label: str) -> None:
    reasons = plan.case_plan.reasons
    old_defs, new_defs = spiff.event_definitions(task.task_spec), spiff.event_definitions(new)
    if [type(d) for d in old_defs] != [type(d) for d in new_defs]:
        reasons.append(f"{label} venter på en annen hendelse i versjon {target.version}")
        return
    for old_def, new_def in zip(old_defs, new_defs, strict=True):
        if getattr(old_def, "name", None) != getattr(new_def, "name", None) and not \
                isinstance(old_def, TimerEventDefinition):
            reasons.append(f"{label} venter på meldingen {old_def.name!r}, men versjon "
                           f"{target.version} venter på {new_def.name!r}")
        if isinstance(old_def, TimerEventDefinition) and task.has_state(
                spiff.TaskState.WAITING) and old_def.expression != new_def.expression:
            _recalculate_timer(run, task, old_def, new_def, target, plan, label)


def _recalculate_timer(run: CaseRun, task: spiff.SpiffTask, old_def: Any, new_def: Any,
                       target: ProcessVersion, plan: Plan, label: str) -> None:
    """The new due time of a waiting timer whose expression changed.

    A duration runs from when the timer started (its old due time less the old duration);
    a date is evaluated from the case data now; a repeating timer's next repetition counts
    from its last one with the new interval.
    """
    value = task._get_internal_data("event_value")
    if not value:
        return
    cycle = isinstance(value, dict)
    old_due = datetime.fromisoformat(value["next"]) if cycle else \
        TimerEventDefinition.get_datetime(value)
    engine = run.script_engine
    try:
        if cycle:  # the next repetition counts from the last one with the new interval
            _cycles, _start, interval = TimerEventDefinition.parse_iso_recurring_interval(
                str(engine.evaluate(task, new_def.expression)))
            due = old_due - timedelta(seconds=value["duration"]) + interval
            plan.new_interval[str(task.id)] = interval.total_seconds()
        elif isinstance(new_def, DurationTimerEventDefinition):
            old_duration = TimerEventDefinition.parse_iso_duration(
                str(engine.evaluate(task, old_def.expression)))
            start = old_due - TimerEventDefinition.get_timedelta_from_end(old_duration, old_due)
            new_duration = TimerEventDefinition.parse_iso_duration(
                str(engine.evaluate(task, new_def.expression)))
            due = start + TimerEventDefinition.get_timedelta_from_start(new_duration, start)
        else:
            due = TimerEventDefinition.get_datetime(str(engine.evaluate(task,
                                                                        new_def.expression)))
    except Exception as exc:  # noqa: BLE001  (any failure: the data does not fit)
        plan.case_plan.reasons.append(
            f"tidsuttrykket {new_def.expression!r} for {label} i versjon {target.version} kan "
            f"ikke regnes ut fra sakens data: {str(exc).splitlines()[0]}")
        return
    if due != old_due:
        plan.new_due[str(task.id)] = due
        plan.case_plan.notes.append(f"fristen for {label} endres fra {old_due:%d.%m.%Y %H:%M} "
                                    f"til {due:%d.%m.%Y %H:%M} (UTC)")
