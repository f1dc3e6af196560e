"""A long-running case's workflow kept small: what is done is cut out of the live task tree.

SpiffWorkflow keeps every task it ever ran, with its data. A plan that runs for years loops
through the follow-up meeting once a month and through a new plan period once a year, and
each loop leaves a chain of finished tasks behind, each holding a copy of whatever it changed
(the meetings' minutes grow with every meeting): the stored state grows with the square of
the case's age. What happened is kept elsewhere, in the case's history (``event``: every task
completed with its data, every step, timer and message), its documents and its action items;
the workflow needs only what can still run. So before a case is stored:

- a phase (subprocess) that has ended is dropped with its tasks;
- a finished branch with nothing live below it (events that were not taken, a phase's
  cancelled boundary events) is dropped;
- a finished task in the middle of a finished chain is cut out, its child hung on its parent.

Kept: every task that can still run and its parent (joins read their inputs' parents), the
root, each workflow's ``last_task``, and a split whose join has not run yet (a join finds its
split among its ancestors and reads its children). Task data lives whole on each task in
memory, so cutting a task out changes no data; the serializer stores each task's data against
its new parent.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

DONE = TaskState.COMPLETED | TaskState.CANCELLED


def compact(workflow: BpmnWorkflow) -> None:
    """Cut what has finished out of ``workflow`` (the top workflow) and its phases."""
    _drop_ended_phases(workflow)
    for part in [workflow, *workflow.subprocesses.values()]:
        keep = _kept(part, workflow)
        _drop_finished_branches(part, keep)
        _cut_finished_chains(part, keep)


def _drop_ended_phases(workflow: BpmnWorkflow) -> None:
    """Phases whose task has ended and which hold nothing live, and the phases inside them."""
    while True:
        ended = [owner_id for owner_id, phase in workflow.subprocesses.items()
                 if _ended(workflow.get_task_from_id(owner_id), phase)]
        if not ended:
            return
        for owner_id in ended:
            del workflow.subprocesses[owner_id]


def _ended(owner: SpiffTask | None, phase: Any) -> bool:
    if owner is not None and not owner.has_state(DONE):
        return False
    return all(task.has_state(DONE) for task in phase.tasks.values())


def _kept(part: Any, top: BpmnWorkflow) -> set[UUID]:
    """Tasks that must stay whatever the tree looks like: live ones and their parents, the
    root, the last task, and tasks a live phase hangs from."""
    keep = {part.task_tree.id}
    if part.last_task is not None:
        keep.add(part.last_task.id)
    for task in part.tasks.values():
        if not task.has_state(DONE) or task.id in top.subprocesses:
            keep.add(task.id)
            if task.parent is not None:
                keep.add(task.parent.id)
    return keep


def _drop_finished_branches(part: Any, keep: set[UUID]) -> None:
    """Remove every subtree in which nothing is kept."""
    needed: dict[UUID, bool] = {}
    for task in reversed(list(part.tasks.values())):  # children are stored after parents
        needed[task.id] = task.id in keep or any(needed.get(c, True) for c in task._children)
    for task in list(part.tasks.values()):
        if task.id in part.tasks and not needed[task.id]:
            _remove_subtree(part, task)


def _remove_subtree(part: Any, task: SpiffTask) -> None:
    parent = task.parent
    if parent is not None:
        parent._children.remove(task.id)
    pending = [task.id]
    while pending:
        gone = part.tasks.pop(pending.pop())
        pending.extend(gone._children)


def _cut_finished_chains(part: Any, keep: set[UUID]) -> None:
    """A finished task with one child, between a parent and that child, is cut out."""
    splits = {getattr(spec, "split_task", None) for spec in part.spec.task_specs.values()}
    for task in list(part.tasks.values()):
        if (task.id in keep or task.parent is None or len(task._children) != 1
                or (task.task_spec.name in splits and _join_pending(part, task))):
            continue
        parent, child = task.parent, part.tasks[task._children[0]]
        parent._children[parent._children.index(task.id)] = child.id
        child._parent = parent.id
        del part.tasks[task.id]


def _join_pending(part: Any, split: SpiffTask) -> bool:
    """A join below ``split`` that will look for it among its ancestors (and read its
    children) has not run yet."""
    pending = list(split._children)
    while pending:
        task = part.tasks[pending.pop()]
        if not task.has_state(DONE) and getattr(
                task.task_spec, "split_task", None) == split.task_spec.name:
            return True
        pending.extend(task._children)
    return False
