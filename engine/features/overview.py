"""What a case page shows: the citizen, where the case stands, the plan and its history.

Reading a case is logged (Normen); the citizen sees who has opened their case.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.kernel import clock, spiff
from engine.kernel.db import Database
from engine.kernel.errors import InvalidData, NotFound
from engine.kernel.models import AccessLog, Case, CaseMessage, Document, Event, Task, Timer
from engine.kernel.vocabulary import EventKind, Role, TaskState
from engine.runtime import plan_store
from engine.runtime.access import can_see_case
from engine.runtime.case_run import CaseRun
from engine.runtime.users import Actor

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
# The BPMN elements a reader of a case follows (gateways and flows are left out).
STEP_KINDS = frozenset({"startEvent", "endEvent", "userTask", "serviceTask", "scriptTask",
                        "task", "boundaryEvent", "intermediateCatchEvent",
                        "intermediateThrowEvent"})
# Event kinds that mean the element at ``bpmn_id`` has been passed.
PASSED_KINDS = {EventKind.TASK_COMPLETED, EventKind.STEP_COMPLETED, EventKind.TIMER_FIRED,
                EventKind.MESSAGE_CAUGHT, EventKind.END_REACHED}
MAX_MESSAGE_LENGTH = 5000


@dataclass(frozen=True)
class Step:
    id: str
    name: str
    kind: str
    lane: str | None


@lru_cache(maxsize=16)
def diagram_steps(checksum: str, bpmn_xml: str) -> tuple[Step, ...]:
    """The named tasks and events of a deployed diagram in document order, with their lane.

    Cached per deployed version (its checksum); deployed versions never change.
    """
    del checksum  # the cache key only
    root = spiff.parse_xml(bpmn_xml)
    lanes: dict[str, str] = {}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.iter(f"{{{BPMN_NS}}}flowNodeRef"):
            lanes[(ref.text or "").strip()] = lane.get("name") or ""
    steps = []
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{BPMN_NS}}}"):
            continue
        kind = element.tag.split("}", 1)[1]
        if kind in STEP_KINDS and element.get("id"):
            steps.append(Step(element.get("id", ""), element.get("name") or element.get("id", ""),
                              kind, lanes.get(element.get("id", ""))))
    return tuple(steps)


def _case(session: Session, case_id: int, actor: Actor) -> Case:
    case = session.get(Case, case_id)
    if case is None or not can_see_case(session, actor, case_id):
        raise NotFound("Saken finnes ikke.")
    return case


def _log(session: Session, case_id: int, actor: Actor, what: str) -> None:
    session.add(AccessLog(case_id=case_id, username=actor.username, at=clock.now(), what=what))


def current_data(session: Session, case: Case, actor: Actor) -> dict[str, Any]:
    """The case's variables as they stand: from the open steps, or the last one passed."""
    return spiff.case_data(CaseRun(session, case, actor).load_workflow())


def case_overview(db: Database, case_id: int, actor: Actor) -> dict[str, Any]:
    """Everything the case page shows, in one read (logged as an access)."""
    with db.transaction() as session:
        case = _case(session, case_id, actor)
        tasks = list(session.scalars(select(Task).where(Task.case_id == case.id)
                                     .order_by(Task.id)))
        events = list(session.scalars(select(Event).where(Event.case_id == case.id)
                                      .order_by(Event.at, Event.id)))
        waiting = list(session.scalars(select(Timer.bpmn_id).where(
            Timer.case_id == case.id, Timer.fired_at.is_(None))))
        documents = list(session.scalars(select(Document).where(Document.case_id == case.id)
                                         .order_by(Document.created_at, Document.id)))
        messages = list(session.scalars(select(CaseMessage).where(
            CaseMessage.case_id == case.id).order_by(CaseMessage.at, CaseMessage.id)))
        data = current_data(session, case, actor) if case.state else {}
        _log(session, case.id, actor, "case_page")
        open_tasks = [t for t in tasks if t.state == TaskState.READY]
        return {
            "case": case, "data": data, "tasks": tasks, "open_tasks": open_tasks,
            "events": events, "documents": documents, "messages": messages,
            "passed": sorted({e.bpmn_id for e in events if e.kind in PASSED_KINDS and e.bpmn_id}),
            "current": sorted({t.bpmn_id for t in open_tasks} | set(waiting)),
            "bpmn_xml": case.process_version.bpmn_xml,
            "plan": plan_store.snapshot(session, case.id),
            "steps": diagram_steps(case.process_version.checksum,
                                   case.process_version.bpmn_xml),
        }


def access_log(db: Database, case_id: int, actor: Actor) -> list[AccessLog]:
    """Who has opened the case and when: for the citizen and the koordinerende enhet."""
    with db.reading() as session:
        case = _case(session, case_id, actor)
        if actor.nin != case.citizen_nin and not actor.has_role(Role.SYSTEMKOORDINATOR):
            raise NotFound("Saken finnes ikke.")
        return list(session.scalars(select(AccessLog).where(AccessLog.case_id == case.id)
                                    .order_by(AccessLog.at.desc(), AccessLog.id.desc())))


def post_message(db: Database, case_id: int, body: str, actor: Actor) -> None:
    """A message in the case thread from anyone who may see the case."""
    text = (body or "").strip()
    if not text:
        raise InvalidData({"body": "Skriv en melding."})
    if len(text) > MAX_MESSAGE_LENGTH:
        raise InvalidData({"body": f"Meldingen kan være høyst {MAX_MESSAGE_LENGTH} tegn."})
    with db.transaction() as session:
        case = _case(session, case_id, actor)
        now = clock.now()
        session.add(CaseMessage(case_id=case.id, author=actor.username,
                                author_name=actor.full_name, at=now, body=text))
        session.add(Event(case_id=case.id, at=now, actor=actor.username,
                          kind=EventKind.THREAD_MESSAGE, bpmn_id=None, data={}))


def my_cases(db: Database, actor: Actor) -> list[Case]:
    """The citizen's own cases (by fødselsnummer), newest first."""
    if not actor.nin:
        return []
    with db.reading() as session:
        return list(session.scalars(select(Case).where(Case.citizen_nin == actor.nin)
                                    .order_by(Case.created_at.desc())))
