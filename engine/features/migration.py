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
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.features import deploy
from engine.features.designer import require_designer
from engine.features.migration_plan import (
    REPREDICT,
    CasePlan,
    MigrationRefused,
    Plan,
    new_spec_of,
    plan_move,
)
from engine.kernel import spiff
from engine.kernel.db import Database
from engine.kernel.errors import Conflict
from engine.kernel.models import Case, Incident, ProcessVersion, Task, Timer
from engine.kernel.vocabulary import RUNNING_CASE_STATES, EventKind, Role, TaskState
from engine.runtime.access import assignee_for, citizen_username
from engine.runtime.case_run import CaseRun
from engine.runtime.deadlines import due_after
from engine.runtime.users import Actor

__all__ = ["CasePlan", "MigrationRefused", "MigrationResult", "migrate", "migrate_case",
           "move_case", "preview", "target_version"]


@dataclass
class MigrationResult:
    case_id: int
    moved: bool
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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
        return [plan_move(session, case, target, actor).case_plan for case in cases]


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
        plan = plan_move(session, case, target, actor)
        if not plan.case_plan.can_move:
            raise MigrationRefused(case_id, plan.case_plan.reasons)
        _apply(session, case, target, plan, actor, reason)
        return plan.case_plan.notes


# ---------------------------------------------------------------- moving


def _apply(session: Session, case: Case, target: ProcessVersion, plan: Plan,
           actor: Actor, reason: str | None) -> None:
    workflow = plan.workflow
    old = case.process_version
    ready_before = {str(t.id) for t in spiff.ready_user_tasks(workflow)}
    waiting_before = {str(t.id) for t, _due in spiff.waiting_timers(workflow)}
    parts = [workflow, *workflow.subprocesses.values()]
    for part in parts:
        part.spec = new_spec_of(part, workflow, plan.new_spec, plan.new_subprocess_specs)
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
    moved = spiff.load_state(target, spiff.dump_state(workflow), run.script_engine)
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
                 plan: Plan) -> None:
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
            row.assignee, row.on_behalf_of = assignee_for(
                role, case, lambda: citizen_username(session, case.citizen_nin))
            row.claimed_by, row.claimed_at = None, None
    for timer in session.scalars(select(Timer).where(Timer.case_id == case.id,
                                                     Timer.fired_at.is_(None))):
        if timer.spiff_id in plan.new_due:
            timer.due_at = plan.new_due[timer.spiff_id]
