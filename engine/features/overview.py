"""What a case page shows: the citizen, where the case stands, the plan and its history.

Reading a case is logged (Normen); the citizen sees who has opened their case. Pages get
frozen snapshots (:mod:`engine.features.snapshots`), never the rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from engine.features import case_events, notices
from engine.features.diagram import deployed_xml, diagram_steps, passed_starts, start_events
from engine.features.snapshots import (
    AccessRow,
    CaseFacts,
    CaseSnapshot,
    DocumentRow,
    EventRow,
    MessageRow,
    TaskRow,
)
from engine.kernel import clock, spiff
from engine.kernel.db import Database
from engine.kernel.errors import InvalidData, NotFound
from engine.kernel.models import (
    AccessLog,
    Attachment,
    Case,
    CaseMessage,
    Document,
    Event,
    Incident,
    Outbox,
    Task,
    Timer,
)
from engine.kernel.models.cases import CASE_FOR_RUN
from engine.kernel.paging import Page, Paging, read_page
from engine.kernel.vocabulary import EventKind, OutboxKind, Role, TaskState
from engine.runtime import plan_store
from engine.runtime.access import (
    citizen_username,
    is_own_case,
    keeps_plan,
    log_read,
    may_act,
    visible_case,
)
from engine.runtime.case_run import CaseRun
from engine.runtime.users import Actor

# Event kinds that mean the element at ``bpmn_id`` has been passed.
PASSED_KINDS = {EventKind.TASK_COMPLETED, EventKind.STEP_COMPLETED, EventKind.TIMER_FIRED,
                EventKind.MESSAGE_CAUGHT, EventKind.END_REACHED}
MAX_MESSAGE_LENGTH = 5000


def current_data(session: Session, case: Case, actor: Actor) -> dict[str, Any]:
    """The case's variables as they stand: from the open steps, or the last one passed."""
    return spiff.case_data(CaseRun(session, case, actor).load_workflow())


def case_overview(db: Database, case_id: int, actor: Actor, *,
                  opened: bool = False, reads_shown: int = 20) -> CaseSnapshot:
    """Everything the case page shows, in one read (logged as an access): the case is loaded
    and its workflow restored once, for its data and the legal events it can take, and every
    other query reads the case's own rows. ``opened``: the reader opens the page, so its thread
    and letters count as read from now on (``notices`` says what was new). Of the access log,
    the newest ``reads_shown`` reads and the count of all are read."""
    with db.transaction() as session:
        # The version without its diagram and serialized spec (about 370 KB, 6 ms a page to
        # read and decode on SQLite): both are kept per checksum, read only on a miss.
        case = visible_case(session, actor, case_id, CASE_FOR_RUN)
        version = case.process_version
        bpmn_xml = deployed_xml(version)
        news = notices.opened(session, case, actor) if opened else None
        tasks = list(session.scalars(select(Task).where(Task.case_id == case.id)
                                     .order_by(Task.id)))
        events = list(session.scalars(select(Event).where(Event.case_id == case.id)
                                      .order_by(Event.at, Event.id)))
        waiting = session.scalars(select(Timer.bpmn_id).where(
            Timer.case_id == case.id, Timer.fired_at.is_(None)))
        documents = session.scalars(select(Document).where(Document.case_id == case.id)
                                    .order_by(Document.created_at, Document.id))
        files: dict[int, list[int]] = {}
        for attachment_id, document_id in session.execute(select(
                Attachment.id, Attachment.document_id).where(Attachment.case_id == case.id)
                .order_by(Attachment.id)):
            files.setdefault(document_id, []).append(attachment_id)
        messages = session.scalars(select(CaseMessage).where(
            CaseMessage.case_id == case.id).order_by(CaseMessage.at, CaseMessage.id))
        run = CaseRun(session, case, actor)
        workflow = run.load_workflow()
        data = spiff.case_data(workflow) if case.state else {}
        offered = case_events.events_of(run, workflow, with_forms=False)
        open_incident = session.scalar(select(Incident.id).where(
            Incident.case_id == case.id, Incident.resolved_at.is_(None)).limit(1)) is not None
        log_read(session, case.id, actor, "case_page")
        session.flush()  # the log shown below has this read (CaseRun turned autoflush off)
        reads: tuple[AccessRow, ...] | None = None
        reads_total = 0
        if _may_read_log(actor, case):
            log = _log_query(case, actor, without_own=_own_reads_left_out(actor, case))
            reads = tuple(AccessRow.of(entry)
                          for entry in session.scalars(log.limit(reads_shown)))
            reads_total = (len(reads) if len(reads) < reads_shown else session.scalar(
                select(func.count()).select_from(log.order_by(None).subquery())) or 0)
        current = {t.bpmn_id for t in tasks if t.state == TaskState.READY} | set(waiting)
        passed = {e.bpmn_id for e in events if e.kind in PASSED_KINDS and e.bpmn_id}
        # Start events leave no event of their own: a started case has passed its process's,
        # and a phase's once it has entered the phase.
        passed |= passed_starts(version.checksum, bpmn_xml, passed | current)
        return CaseSnapshot(
            facts=CaseFacts.of(case), data=data, forms=version.forms,
            steps=diagram_steps(version.checksum, bpmn_xml),
            starts=start_events(version.checksum, bpmn_xml),
            passed=frozenset(passed), current=frozenset(current),
            tasks=tuple(TaskRow.of(t, may_act(actor, t)) for t in tasks),
            events=tuple(EventRow.of(e, version) for e in events),
            documents=tuple(DocumentRow.of(d, files.get(d.id, ())) for d in documents),
            messages=tuple(MessageRow.of(m) for m in messages),
            plan=plan_store.snapshot(session, case.id),
            keeps_plan=keeps_plan(actor, case), own_case=is_own_case(actor, case),
            offered=offered, open_incident=open_incident, access_log=reads,
            access_log_total=reads_total, notices=news)


def _may_read_log(actor: Actor, case: Case) -> bool:
    """Who may read the case's access log: the citizen it concerns and the koordinerende
    enhet."""
    return actor.nin == case.citizen_nin or actor.has_role(Role.SYSTEMKOORDINATOR)


def _own_reads_left_out(actor: Actor, case: Case) -> bool:
    """The citizen looks for the staff's reads on their case page: their own are left out."""
    return bool(actor.nin) and actor.nin == case.citizen_nin


def access_log(db: Database, case_id: int, actor: Actor,
               without_own: bool = False) -> list[AccessRow]:
    """Who has opened the case and when: for the citizen and the koordinerende enhet.
    ``without_own`` leaves out the reader's own reads (the citizen wants to see the staff's)."""
    with db.reading() as session:
        return [AccessRow.of(entry) for entry in session.scalars(
            _access_query(session, case_id, actor, without_own))]


def access_log_page(db: Database, case_id: int, actor: Actor, paging: Paging,
                    without_own: bool = False) -> Page[AccessRow]:
    """One page of :func:`access_log`, newest first: the log's own page, where a long-lived
    case's reads run into thousands."""
    with db.reading() as session:
        return read_page(session, _access_query(session, case_id, actor, without_own), paging,
                         lambda row: AccessRow.of(row[0]))


def _access_query(session: Session, case_id: int, actor: Actor,
                  without_own: bool) -> Select[Any]:
    case = visible_case(session, actor, case_id)
    if not _may_read_log(actor, case):
        raise NotFound("Saken finnes ikke.")
    return _log_query(case, actor, without_own)


def _log_query(case: Case, actor: Actor, without_own: bool) -> Select[Any]:
    query = select(AccessLog).where(AccessLog.case_id == case.id)
    if without_own:
        query = query.where(AccessLog.username != actor.username)
    return query.order_by(AccessLog.at.desc(), AccessLog.id.desc())


def thread_readers(session: Session, case: Case) -> list[str]:
    """Whose the case's thread is (as engine.features.notices counts it unread): the
    coordinator, or the koordinerende enhet's mailbox while the case has none, and the
    citizen's login when they have one."""
    readers = [case.coordinator or Role.SYSTEMKOORDINATOR.value]
    citizen = citizen_username(session, case.citizen_nin)
    return readers + [citizen] if citizen else readers


def post_message(db: Database, case_id: int, body: str, actor: Actor) -> None:
    """A message in the case thread from anyone who may see the case; the thread's other
    readers are told (an outbox row of kind ``message``: a mail with no word of the text)."""
    text = (body or "").strip()
    if not text:
        raise InvalidData({"body": "Skriv en melding."})
    if len(text) > MAX_MESSAGE_LENGTH:
        raise InvalidData({"body": f"Meldingen kan være høyst {MAX_MESSAGE_LENGTH} tegn."})
    with db.transaction() as session:
        case = visible_case(session, actor, case_id)
        now = clock.now()
        session.add(CaseMessage(case_id=case.id, author=actor.username,
                                author_name=actor.full_name, at=now, body=text))
        session.add(Event(case_id=case.id, at=now, actor=actor.username,
                          kind=EventKind.THREAD_MESSAGE, bpmn_id=None, data={}))
        for reader in thread_readers(session, case):
            if reader != actor.username:
                session.add(Outbox(case_id=case.id, kind=OutboxKind.MESSAGE, recipient=reader,
                                   subject="Ny melding i saken",
                                   body=f"Det er en ny melding i sak {case.id}.", created_at=now))
        # A statement, not the case object: a message is no edit of the case, so its
        # version (which a concurrent engine call checks) is left alone.
        session.execute(update(Case).where(Case.id == case.id).values(last_message_at=now)
                        .execution_options(synchronize_session=False))


def my_cases(db: Database, actor: Actor) -> list[CaseFacts]:
    """The citizen's own cases (by fødselsnummer), newest first."""
    if not actor.nin:
        return []
    with db.reading() as session:
        return [CaseFacts.of(case) for case in session.scalars(
            select(Case).where(Case.citizen_nin == actor.nin).order_by(Case.created_at.desc()))]
