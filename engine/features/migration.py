"""Moving running cases onto a newer version of their process, where that is safe.

A case may move when everything it waits for exists in the new version in the same shape:
each ready task and waiting event has the same id and kind there, a user task's form exists,
an event waits for the same message or timer, and the events attached to a task the case waits
at are the same. A waiting timer whose expression changed gets its due time recalculated from
the case's data (a shortened deadline applies to running cases too); when that cannot be
calculated, the case's data does not fit the new version and the case stays.

The move itself keeps the case's workflow state (history, data, task ids, timers' due times)
and swaps the specs underneath it: every task is pointed at the task spec with the same name
(BPMN id) in the new version, and what lies ahead of the waiting tasks is predicted afresh
from the new diagram. The result is serialized, loaded back the way every later request
loads it, and only then saved. Each case moves in its own transaction, recorded in its
history as ``migrated`` {from, to}; a refused case is left untouched, with the reasons.
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

from engine.features import deploy
from engine.features.designer import require_designer
from engine.kernel import spiff
from engine.kernel.db import Database
from engine.kernel.errors import Conflict, EngineError
from engine.kernel.models import Case, Incident, ProcessVersion, Task, Timer
from engine.kernel.vocabulary import RUNNING_CASE_STATES, EventKind, Role, TaskState
from engine.runtime.access import assignee_for
from engine.runtime.case_run import CaseRun
from engine.runtime.deadlines import due_after
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
class MigrationResult:
    case_id: int
    moved: bool
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    """What moving one case would do: the checks' outcome and the changes to make."""

    case_plan: CasePlan
    workflow: spiff.BpmnWorkflow
    new_spec: Any
    new_subprocess_specs: dict[str, Any]
    live: list[spiff.SpiffTask]
    new_due: dict[str, datetime] = field(default_factory=dict)  # spiff task id → due
    new_interval: dict[str, float] = field(default_factory=dict)  # of a repeating timer, s


def target_version(db: Database, key: str, version: int) -> ProcessVersion:
    with db.reading() as session:
        return deploy.version_row(session, key, version)


def preview(db: Database, key: str, version: int, actor: Actor) -> list[CasePlan]:
    """Every running case of an older version of ``key``: whether it can move, and why not."""
    require_designer(actor)
    with db.reading() as session:
        target = deploy.version_row(session, key, version)
        cases = session.scalars(select(Case).join(Case.process_version).where(
            ProcessVersion.key == key, ProcessVersion.version < version,
            Case.status.in_(RUNNING_CASE_STATES)).order_by(Case.id))
        return [_plan(session, case, target, actor).case_plan for case in cases]


def migrate(db: Database, key: str, version: int, case_ids: list[int], actor: Actor
            ) -> list[MigrationResult]:
    """Move the chosen cases, one transaction each; the unsafe ones are refused with reasons."""
    require_designer(actor)
    results = []
    for case_id in case_ids:
        try:
            notes = migrate_case(db, case_id, key, version, actor)
        except MigrationRefused as refused:
            results.append(MigrationResult(case_id, False, refused.reasons))
        except Conflict as conflict:
            results.append(MigrationResult(case_id, False, [conflict.message]))
        else:
            results.append(MigrationResult(case_id, True, notes=notes))
    return results


def migrate_case(db: Database, case_id: int, key: str, version: int, actor: Actor
                 ) -> list[str]:
    """Move one case onto version ``version`` of ``key`` in one transaction; returns the notes
    (what changed for the case). Raises MigrationRefused, and changes nothing, when unsafe."""
    require_designer(actor)
    return move_case(db, case_id, key, version, actor)


def move_case(db: Database, case_id: int, key: str, version: int, actor: Actor, *,
              reason: str | None = None) -> list[str]:
    """:func:`migrate_case` for a caller that has checked who may (the designer's migration,
    or a leder resolving an incident, with ``reason``). A step that failed runs again on the
    new version; it stays an incident if it fails there too."""
    with db.transaction() as session:
        target = deploy.version_row(session, key, version)
        case = session.get(Case, case_id)
        if case is None:
            raise MigrationRefused(case_id, ["saken finnes ikke"])
        plan = _plan(session, case, target, actor)
        if not plan.case_plan.can_move:
            raise MigrationRefused(case_id, plan.case_plan.reasons)
        _apply(session, case, target, plan, actor, reason)
        return plan.case_plan.notes


# ---------------------------------------------------------------- checking


def _label(task_spec: Any) -> str:
    name = getattr(task_spec, "bpmn_name", None)
    bpmn_id = getattr(task_spec, "bpmn_id", None) or task_spec.name
    return f"«{name}» ({bpmn_id})" if name else f"«{bpmn_id}»"


def _plan(session: Session, case: Case, target: ProcessVersion, actor: Actor) -> _Plan:
    old = case.process_version
    run = CaseRun(session, case, actor)
    workflow = run.load_workflow()
    live = workflow.get_tasks(state=LIVE)  # in the process and in every open phase
    case_plan = CasePlan(case.id, old.version, case.status,
                         [_label(t.task_spec) for t in live if getattr(t.task_spec, "bpmn_id",
                                                                       None)])
    new_spec, new_subs = spiff._spec_objects(target.checksum, target.spec_json)
    plan = _Plan(case_plan, workflow, new_spec, new_subs, live)
    reasons = case_plan.reasons
    if old.key != target.key:
        reasons.append(f"saken følger prosessen {old.key}, ikke {target.key}")
    elif old.version >= target.version:
        reasons.append(f"saken er allerede på versjon {old.version}")
    if case.status not in RUNNING_CASE_STATES:
        reasons.append("saken er avsluttet")
    for failed in session.scalars(select(Incident).where(Incident.case_id == case.id,
                                                         Incident.resolved_at.is_(None))):
        spec = spiff.element_spec(old.checksum, old.spec_json, failed.bpmn_id)
        case_plan.notes.append(f"det feilede steget {_label(spec) if spec else failed.bpmn_id}"
                               f" kjøres på nytt i versjon {target.version}")
    for task in live:
        spec = _new_spec_of(task.workflow, workflow, new_spec, new_subs)
        if spec is None:
            reasons.append(f"saken er i underprosessen {task.workflow.spec.name!r}, som ikke "
                           f"finnes i versjon {target.version}")
            continue
        _check_task(run, task, spec, target, plan)
    reasons[:] = list(dict.fromkeys(reasons))  # each reason once, though several tasks share it
    return plan


def _new_spec_of(part: Any, workflow: spiff.BpmnWorkflow, new_spec: Any,
                 new_subs: dict[str, Any]) -> Any:
    """The new version's spec for the case's process or one of its open sub-processes (a
    phase), matched by the sub-process's id; None when the new version has no such phase."""
    return new_spec if part is workflow else new_subs.get(part.spec.name)


def _check_task(run: CaseRun, task: spiff.SpiffTask, new_spec: Any, target: ProcessVersion,
                plan: _Plan) -> None:
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
                  plan: _Plan, label: str) -> None:
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
                       target: ProcessVersion, plan: _Plan, label: str) -> None:
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


# ---------------------------------------------------------------- moving


def _apply(session: Session, case: Case, target: ProcessVersion, plan: _Plan,
           actor: Actor, reason: str | None) -> None:
    workflow = plan.workflow
    old = case.process_version
    ready_before = {str(t.id) for t in spiff.ready_user_tasks(workflow)}
    waiting_before = {str(t.id) for t, _due in spiff.waiting_timers(workflow)}
    parts = [workflow, *workflow.subprocesses.values()]
    for part in parts:
        part.spec = _new_spec_of(part, workflow, plan.new_spec, plan.new_subprocess_specs)
    workflow.subprocess_specs = plan.new_subprocess_specs
    for part in parts:
        for task in part.tasks.values():
            new = part.spec.task_specs.get(task.task_spec.name)
            if new is not None:
                task.task_spec = new
    for task in plan.live:
        # What lies ahead is predicted from the new diagram (a changed path, a new step).
        task._drop_children()
        task.task_spec._predict(task, mask=REPREDICT)
    for part in parts:
        _splice_removed(part, part.spec)
    for task in plan.live:
        if str(task.id) in plan.new_due:
            due = plan.new_due[str(task.id)].isoformat()
            value = task._get_internal_data("event_value")
            if isinstance(value, dict):  # a repeating timer keeps its remaining count
                value = {**value, "next": due, "duration": plan.new_interval[str(task.id)]}
            task._set_internal_data(event_value=value if isinstance(value, dict) else due)

    case.process_version_id = target.id
    case.process_version = target
    run = CaseRun(session, case, actor)
    # Load the moved state back as every later request will, before anything is saved.
    moved = spiff.load_state(target.checksum, target.spec_json, spiff.dump_state(workflow),
                             run.script_engine)
    if {str(t.id) for t in spiff.ready_user_tasks(moved)} != ready_before or \
            {str(t.id) for t, _due in spiff.waiting_timers(moved)} != waiting_before:
        raise MigrationRefused(case.id, ["saken ville ikke stått ved de samme stegene etter "
                                         "flyttingen"])
    _update_rows(session, case, moved, plan)
    run.event(EventKind.MIGRATED, None, {"from": old.version, "to": target.version,
                                 "notes": plan.case_plan.notes,
                                 **({"reason": reason} if reason else {})})
    for failed in session.scalars(select(Incident).where(Incident.case_id == case.id,
                                                         Incident.resolved_at.is_(None))):
        failed.retries += 1
        run.event(EventKind.INCIDENT_RETRIED, failed.bpmn_id,
                  {"incident": failed.id, "version": target.version,
                   **({"reason": reason} if reason else {})})
    run.advance(moved)
    run.save(moved)


def _splice_removed(workflow: spiff.BpmnWorkflow, new_spec: Any) -> None:
    """Take tasks whose element is gone from the new version out of the tree.

    Only history and predictions can be left here (what the case waits at was checked): a
    finished task is cut out and its children hang on its parent, so the path stays in
    order; a prediction is dropped with what it predicted. Spiff cannot load a task whose
    spec is missing, and the case history lives in the event table anyway.
    """
    for task in list(workflow.tasks.values()):
        if task.id not in workflow.tasks or task.task_spec.name in new_spec.task_specs:
            continue
        parent = task.parent
        if task.has_state(spiff.TaskState.PREDICTED_MASK) or parent is None:
            for descendant in list(task):
                workflow.tasks.pop(descendant.id, None)
            if parent is not None:
                parent._children = [c for c in parent._children if c != task.id]
            continue
        position = parent._children.index(task.id)
        parent._children[position:position + 1] = list(task._children)
        for child in task.children:
            child._parent = parent.id
        del workflow.tasks[task.id]
    if workflow.last_task is not None and workflow.last_task.id not in workflow.tasks:
        workflow.last_task = None


def _update_rows(session: Session, case: Case, workflow: spiff.BpmnWorkflow,
                 plan: _Plan) -> None:
    """Open task rows and timer rows follow the new version: name, lane, form, deadlines."""
    ready = {str(t.id): t for t in spiff.ready_user_tasks(workflow)}
    for row in session.scalars(select(Task).where(Task.case_id == case.id,
                                                  Task.state == TaskState.READY)):
        task = ready.get(row.spiff_id)
        if task is None:
            continue
        spec = task.task_spec
        props = spiff.task_properties(spec)
        row.name = spec.bpmn_name or spec.bpmn_id
        row.form = props.get("form", row.form)
        row.due_at = due_after(row.created_at, props.get("due_in"))
        role = spec.lane or Role.SYSTEMKOORDINATOR
        if role != row.role:
            row.role = role
            row.assignee, row.on_behalf_of = assignee_for(session, role, case)
            row.claimed_by, row.claimed_at = None, None
    for timer in session.scalars(select(Timer).where(Timer.case_id == case.id,
                                                     Timer.fired_at.is_(None))):
        if timer.spiff_id in plan.new_due:
            timer.due_at = plan.new_due[timer.spiff_id]
