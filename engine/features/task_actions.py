"""What people do with a human task: complete, claim, unclaim, give to a colleague.

Each public function is one transaction. It checks who acts (:func:`_task_for_action`: 404
when the task is not theirs to see, 403 when not theirs to do, 409 when done or taken, and
for completing: 409 when a group task was not taken first),
validates what they send, and only then moves the token. A refused request changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.features.validation import validated
from engine.kernel import clock, spiff
from engine.kernel.db import Database
from engine.kernel.errors import (
    Conflict,
    EngineError,
    Forbidden,
    InvalidData,
    NotClaimed,
    NotFound,
    TaskTaken,
)
from engine.kernel.history import add_event
from engine.kernel.models import Task, TaskDraft, inbox_counts
from engine.kernel.vocabulary import EventKind, TaskState
from engine.runtime import case_rows, forms
from engine.runtime.access import can_see_case, may_act
from engine.runtime.case_run import CaseRun
from engine.runtime.users import Actor, all_actors, find_actor


def task_in_reach(session: Session, task_id: int, actor: Actor) -> Task:
    """The task, when the actor may act on it: 404 when it is not theirs to see, 403 when
    they may see but not do it. Whether it is still open, or held by someone, is not asked."""
    task = session.get(Task, task_id)
    if task is None or not (may_act(actor, task) or can_see_case(session, actor, task.case_id)):
        raise NotFound("Oppgaven finnes ikke.")
    if task.state == TaskState.READY and not may_act(actor, task):
        raise Forbidden("Du kan ikke utføre denne oppgaven.")
    return task


def _name(session: Session, username: str | None) -> str:
    person = find_actor(session, username) if username else None
    return person.full_name if person else str(username or "")


def _refusal(session: Session, task: Task, actor: Actor) -> Conflict | None:
    """Why the actor may not act on the task as it stands: done, gone or held by another."""
    if task.state == TaskState.COMPLETED:
        return TaskTaken(f"Oppgaven er allerede fullført av {_name(session, task.completed_by)}.",
                         task.case_id, task.completed_by, task.completed_at, done=True)
    if task.state != TaskState.READY:
        return Conflict("Oppgaven er ikke lenger aktiv.")
    if task.claimed_by and task.claimed_by != actor.username:
        return TaskTaken(f"Oppgaven er tatt av {_name(session, task.claimed_by)}.",
                         task.case_id, task.claimed_by, task.claimed_at, done=False)
    return None


def _task_for_action(session: Session, task_id: int, actor: Actor) -> Task:
    task = task_in_reach(session, task_id, actor)
    refusal = _refusal(session, task, actor)
    if refusal is not None:
        raise refusal
    return task


def _take(session: Session, task: Task, actor: Actor, completed_at: datetime | None = None
          ) -> None:
    """A conditional update, so that of two people taking the task at once only one wins; the
    loser is told who won. Taken to be completed at once (``completed_at``), the same update
    marks it completed too: the task row is written once."""
    now = clock.now()
    before = inbox_counts.group_of(task)
    values: dict[str, Any] = {"claimed_by": actor.username, "claimed_at": now}
    if completed_at is not None:
        values.update(state=TaskState.COMPLETED, completed_at=completed_at,
                      completed_by=actor.username)
    result = cast(CursorResult[Any], session.execute(update(Task).where(
        Task.id == task.id, Task.state == TaskState.READY,
        (Task.claimed_by.is_(None)) | (Task.claimed_by == actor.username),
    ).values(**values).execution_options(synchronize_session=False)))
    if result.rowcount != 1:
        session.refresh(task)
        raise _refusal(session, task, actor) or Conflict(
            "Oppgaven ble tatt av noen andre i mellomtiden.")
    # What the update wrote, known to the session without being written a second time.
    for name, value in values.items():
        set_committed_value(task, name, value)
    inbox_counts.moved(session, before, inbox_counts.group_of(task))
    record_event(session, task.case_id, actor, EventKind.TASK_CLAIMED, task.bpmn_id,
                 {"name": task.name})


def holds(task: Task, actor: Actor) -> bool:
    """The actor may complete the task now: it is assigned to them or they have taken it."""
    return actor.username in (task.assignee, task.claimed_by)


def complete_task(db: Database, task_id: int, data: dict[str, Any], actor: Actor,
                  take: bool = False) -> None:
    """Validate the form data and complete the task; the case moves on in the same commit.

    Only the person who holds the task completes it (:func:`holds`): a group task nobody has
    taken is refused (:class:`NotClaimed`) unless ``take`` says the person takes it with this
    very request, which then claims it in the same transaction.
    """
    with db.transaction() as session:
        # Held here, so that the checks below find the task in the session instead of reading it.
        found = case_rows.read_for_task(session, task_id, actor.username)
        task = _task_for_action(session, task_id, actor)
        taking = not holds(task, actor)
        if taking and not take:
            raise NotClaimed("Ta oppgaven før du fullfører den, så ser kollegene at du "
                             "arbeider med den.")
        assert found is not None  # the task exists: it was found above
        case = found.case
        run = CaseRun(session, case, actor, found.rows)
        if taking:
            _take(session, task, actor, completed_at=run.now)
        workflow = run.load_workflow()
        spiff_task = workflow.get_task_from_id(spiff.task_uuid(task.spiff_id))
        if spiff_task is None or not spiff_task.has_state(spiff.TaskState.READY):
            raise Conflict("Oppgaven er ikke lenger aktiv.")
        props = spiff.task_properties(spiff_task.task_spec)
        form = case.process_version.forms[task.form]
        clean = validated(session, case.id, form, data, props.get("validator"), spiff_task.data,
                          run.directory, found.service_areas)
        spiff_task.data.update(forms.omitted_answers(form["schema"], clean))
        spiff_task.data.update(clean)
        spiff_task.run()
        if not taking:
            task.state = TaskState.COMPLETED
            task.completed_at = run.now
            task.completed_by = actor.username
        if "service_area" in clean:
            case.service_area = clean["service_area"]
        run.event(EventKind.TASK_COMPLETED, task.bpmn_id,
                  {"name": task.name, "data": clean, "on_behalf_of": task.on_behalf_of})
        if found.has_draft:
            session.execute(delete(TaskDraft).where(TaskDraft.task_id == task.id,
                                                    TaskDraft.username == actor.username))
        run.advance(workflow)
        run.save(workflow)


def claim_task(db: Database, task_id: int, actor: Actor) -> None:
    """Take a group task; two claims at once cannot both win."""
    with db.transaction() as session:
        _take(session, _task_for_action(session, task_id, actor), actor)


def unclaim_task(db: Database, task_id: int, actor: Actor) -> None:
    with db.transaction() as session:
        task = _task_for_action(session, task_id, actor)
        if task.claimed_by != actor.username:
            raise Conflict("Du har ikke tatt denne oppgaven.")
        task.claimed_by, task.claimed_at = None, None
        record_event(session, task.case_id, actor, EventKind.TASK_UNCLAIMED, task.bpmn_id,
                     {"name": task.name})


def assign_task(db: Database, task_id: int, username: str, actor: Actor) -> None:
    """Give a task to a named colleague who may act on it (claims it on their behalf)."""
    with db.transaction() as session:
        task = _task_for_action(session, task_id, actor)
        colleague = find_actor(session, username)
        if colleague is None or not may_act(colleague, task):
            raise InvalidData({"assignee": "Denne personen kan ikke utføre oppgaven."})
        task.claimed_by, task.claimed_at = colleague.username, clock.now()
        record_event(session, task.case_id, actor, EventKind.TASK_ASSIGNED, task.bpmn_id,
                     {"name": task.name, "assignee": colleague.username})


def ensure_in_reach(db: Database, task_id: int, actor: Actor) -> None:
    """Raise 404 when the task is not the actor's to see, 403 when an open task is not theirs
    to do; a task completed or held by someone else is shown, read-only, with who and when."""
    with db.reading() as session:
        task_in_reach(session, task_id, actor)


def colleagues_by_task(db: Database, task_ids: list[int], actor: Actor,
                       everyone: Sequence[Actor] | None = None
                       ) -> dict[int, list[tuple[str, str]]]:
    """(username, full name) of everyone who may act on each task, for the assign lists of an
    inbox page, reading the users once (not at all when the page has read ``everyone``, the
    active users by name). A task the actor may not act on gets an empty list."""
    result: dict[int, list[tuple[str, str]]] = {}
    with db.reading() as session:
        if everyone is None:
            everyone = all_actors(session)
        # Read in one query and held here, so each lookup below finds its task in the session.
        held = session.scalars(select(Task).where(Task.id.in_(task_ids))).all()
        for task_id in task_ids:
            try:
                task = _task_for_action(session, task_id, actor)
            except EngineError:
                result[task_id] = []
                continue
            result[task_id] = [(other.username, other.full_name) for other in everyone
                               if may_act(other, task)]
    del held
    return result


def record_event(session: Session, case_id: int, actor: Actor, kind: EventKind,
                 bpmn_id: str | None, data: dict[str, Any]) -> None:
    """An event in the case history for an action that does not move the token."""
    add_event(session, case_id, clock.now(), actor.username, kind, bpmn_id, data)
