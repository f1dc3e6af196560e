"""Reading cases and tasks for the JSON API and the task page: a case with its tasks and
history, a task with its form and data, the inbox, the documents.

Every read of a case's personal data is written to the access log (Normen).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.features import audience, consents, deploy, task_context
from engine.features.diagram import diagram_steps
from engine.features.snapshots import EventRow, TaskDetail, TaskFacts
from engine.features.validation import sources
from engine.kernel import spiff
from engine.kernel.db import Database
from engine.kernel.errors import NotFound
from engine.kernel.models import Attachment, Case, Document, Event, Task
from engine.kernel.paging import Page, Paging, read_page
from engine.kernel.vocabulary import TaskState
from engine.runtime import forms, plan_store
from engine.runtime.access import (
    actionable_tasks,
    can_see_case,
    is_own_case,
    keeps_plan,
    log_read,
    may_act,
    visible_case,
)
from engine.runtime.case_run import CaseRun
from engine.runtime.users import Actor


def task_view(task: Task) -> dict[str, Any]:
    return TaskFacts.of(task).as_json()


def inbox(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """Open tasks the actor may act on, soonest due first."""
    with db.reading() as session:
        query = actionable_tasks(actor).order_by(Task.due_at.is_(None), Task.due_at, Task.id)
        return [task_view(t) for t in session.scalars(query)]


def get_task(db: Database, task_id: int, actor: Actor) -> TaskDetail:
    """A task with its form (schema with the municipality's choices filled in), the case's
    data, ``prefill``: the values its form opens with (:func:`engine.runtime.forms.prefill`),
    the case's current plan and open action items (a meeting or evaluation works from them),
    the panel its form declares and the last answers it may copy
    (:mod:`engine.features.task_context`)."""
    with db.transaction() as session:
        task = session.get(Task, task_id)
        if task is None or not (may_act(actor, task) or can_see_case(session, actor, task.case_id)):
            raise NotFound("Oppgaven finnes ikke.")
        case = session.get(Case, task.case_id)
        assert case is not None
        form = dict(case.process_version.forms.get(task.form, {}))
        if form:
            form["schema"] = forms.with_sources(form["schema"], sources(session, case))
        data: dict[str, Any] = {}
        if task.state == TaskState.READY:
            run = CaseRun(session, case, actor)
            spiff_task = run.load_workflow().get_task_from_id(spiff.task_uuid(task.spiff_id))
            data = dict(spiff_task.data) if spiff_task else {}
        log_read(session, case.id, actor, f"task:{task.id}")
        prefill = forms.prefill(form["schema"], data) if form else {}
        plan = plan_store.current_revision(session, case.id)
        return TaskDetail(
            facts=TaskFacts.of(task), form=form, data=data, prefill=prefill,
            choices=forms.choice_fields(case.process_version.forms),
            plan=plan_store.revision_view(plan) if plan else None,
            open_action_items=tuple(plan_store.item_view(item) for item in
                                    plan_store.items(session, case.id, open_only=True)),
            may_change_items=case.status not in plan_store.ENDED_STATUSES
            and (keeps_plan(actor, case) or is_own_case(actor, case)),
            context=task_context.context_of(session, case, form, data),
            previous=task_context.previous_answers(session, task, form))


def get_case(db: Database, case_id: int, actor: Actor) -> dict[str, Any]:
    """A case with its tasks and history; the read is written to the access log.

    ``sharing_consents`` are the consents to share information (each ``active`` or not today)
    and ``plan_shared_with`` the participants whose active consent lets them see the plan.
    The citizen reading their own case gets the tasks and events that are theirs to follow
    (:mod:`engine.features.audience`), as on their case page."""
    with db.transaction() as session:
        case = visible_case(session, actor, case_id)
        tasks = list(session.scalars(select(Task).where(Task.case_id == case.id)
                                     .order_by(Task.id)))
        events = [EventRow.of(e) for e in session.scalars(
            select(Event).where(Event.case_id == case.id).order_by(Event.at, Event.id))]
        if is_own_case(actor, case):
            steps = diagram_steps(case.process_version.checksum, case.process_version.bpmn_xml)
            tasks = audience.citizen_tasks(tasks, steps)
            events = audience.citizen_events(events, steps)
        log_read(session, case.id, actor, "case")
        sharing = consents.case_sharing(session, case.id)
        return {
            "id": case.id, "status": case.status, "process": case.process_version.key,
            "version": case.process_version.version, "citizen_name": case.citizen_name,
            "citizen_nin": case.citizen_nin, "service_area": case.service_area,
            "coordinator": case.coordinator, "created_at": case.created_at.isoformat(),
            "closed_at": case.closed_at.isoformat() if case.closed_at else None,
            "tasks": [task_view(t) for t in tasks],
            "sharing_consents": [row.as_json() for row in sharing],
            "plan_shared_with": sorted({row.participant for row in sharing if row.active}),
            "events": [{"at": e.at.isoformat(), "actor": e.actor, "kind": e.kind,
                        "bpmn_id": e.bpmn_id, "data": e.data} for e in events],
        }


def list_documents(db: Database, case_id: int, actor: Actor, paging: Paging
                   ) -> Page[dict[str, Any]]:
    """A page of the case's letters and notes, oldest first, each with the files stored with
    it (a letter's PDF, the scanned letter of an appeal by post) without their bytes."""
    with db.transaction() as session:
        visible_case(session, actor, case_id)
        documents = read_page(session, select(Document).where(Document.case_id == case_id)
                              .order_by(Document.created_at, Document.id), paging,
                              lambda row: row[0])
        files: dict[int, list[dict[str, Any]]] = {}
        for row in session.execute(select(Attachment.id, Attachment.document_id,
                                          Attachment.filename, Attachment.media_type,
                                          Attachment.size)
                                   .where(Attachment.document_id.in_(
                                       [d.id for d in documents.rows]))
                                   .order_by(Attachment.id)):
            files.setdefault(row.document_id, []).append(
                {"id": row.id, "filename": row.filename, "media_type": row.media_type,
                 "size": row.size})
        log_read(session, case_id, actor, "documents")
        return Page(tuple({"id": d.id, "kind": d.kind, "title": d.title, "body": d.body,
                           "recipients": d.recipients, "bpmn_id": d.bpmn_id,
                           "created_at": d.created_at.isoformat(),
                           "attachments": files.get(d.id, [])} for d in documents.rows),
                    documents.total, documents.page, documents.per_page)


def deployed_diagram(db: Database, key: str, version: int, actor: Actor) -> str:
    """The BPMN of a deployed version, for staff to draw a case's way on (the case page and an
    incident's panel fetch it once and keep it: a version never changes)."""
    if not actor.is_staff:
        raise NotFound("Diagrammet finnes ikke.")
    with db.reading() as session:
        return deploy.version_row(session, key, version).bpmn_xml
