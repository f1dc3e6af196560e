"""What is new to a person: messages in their cases' threads, letters to them, tasks given
to them and tasks of theirs that are past their deadline.

A ``read_mark`` row per person and item says when they last read it (a case's thread and
letters when they open the case, a task when they open it); what is newer than the mark, or
has no mark, is unread. A task that was read before its deadline is unread again once the
deadline has passed. :func:`unread` answers with grouped queries whatever the number of
cases (the header shows its total on every page), never by reading each case, and counts the
unread tasks from the inbox's counts and the person's read marks, never by reading every task
they hold.

Whose thread a message is in: the case's coordinator's (the koordinerende enhet's while the
case has none) and the citizen's it concerns. Letters are the citizen's.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import (
    Case,
    CaseMessage,
    Document,
    InboxCount,
    ReadMark,
    Task,
    UTCDateTime,
)
from engine.kernel.vocabulary import Role, TaskState
from engine.runtime.users import Actor

LETTER = "letter"


class ReadTopic(StrEnum):
    """What a read mark is about: a case's thread and letters, or one task."""

    CASE = "case"
    TASK = "task"


@dataclass(frozen=True)
class UnreadTask:
    """A task of the person's they have not opened since it was given to them (``overdue``
    False), or not since its deadline passed (``overdue`` True)."""

    task_id: int
    case_id: int
    overdue: bool


@dataclass(frozen=True)
class Notices:
    """Everything unread for one person: per case the messages and letters, per task why."""

    messages: Mapping[int, int] = field(default_factory=dict)
    letters: Mapping[int, int] = field(default_factory=dict)
    # The unread tasks asked about (a page's rows), or all of them; every one is counted in
    # ``task_count`` either way.
    tasks: Mapping[int, UnreadTask] = field(default_factory=dict)
    citizens: Mapping[int, str] = field(default_factory=dict)  # whom each case with news is about
    task_count: int = 0

    @property
    def total(self) -> int:
        return sum(self.messages.values()) + sum(self.letters.values()) + self.task_count

    def in_case(self, case_id: int) -> int:
        """Unread messages, letters and tasks of one case."""
        return (self.messages.get(case_id, 0) + self.letters.get(case_id, 0)
                + sum(1 for task in self.tasks.values() if task.case_id == case_id))


@dataclass(frozen=True)
class CaseNotices:
    """What was new in one case when the person opened it (it is read from then on)."""

    messages: int
    letters: int
    last_read: datetime | None


# The statements below are built once per shape and sent with the reader's values: every
# page asks them, and building them anew was about 2 ms of each page's 6.
ME = bindparam("me", type_=String())
NIN = bindparam("nin", type_=String())
NOW = bindparam("now", type_=UTCDateTime())
CASE_ID = bindparam("case_id", type_=Integer())
TASK_IDS = bindparam("task_ids", type_=Integer(), expanding=True)
MESSAGE, LETTER_NEWS = "message", "letter"


@dataclass(frozen=True)
class _Reader:
    """What the statements' shape depends on: which threads and letters the reader follows."""

    systemkoordinator: bool
    citizen: bool

    @staticmethod
    def of(actor: Actor) -> _Reader:
        return _Reader(actor.has_role(Role.SYSTEMKOORDINATOR),
                       bool(actor.nin) and actor.has_role(Role.INNBYGGER))


def _values(actor: Actor, **more: Any) -> dict[str, Any]:
    return {"me": actor.username, "nin": actor.nin or "", **more}


def _mark(topic: ReadTopic, item: Any) -> Any:
    """The reader's read mark for ``item`` (a column holding a case or task id), outer-joined."""
    mark = aliased(ReadMark)
    on = and_(mark.username == ME, mark.topic == topic, mark.item_id == item)
    return mark, on


def _followed_threads(reader: _Reader) -> ColumnElement[bool]:
    """Cases whose thread is the reader's and has a message: as coordinator, as the
    koordinerende enhet while a case has no coordinator, or as the citizen it concerns. The
    thread's condition is in each branch, so that each is one range of an index."""
    has_thread = Case.last_message_at.is_not(None)
    conditions: list[ColumnElement[bool]] = [and_(Case.coordinator == ME, has_thread)]
    if reader.systemkoordinator:
        conditions.append(and_(Case.coordinator.is_(None), has_thread))
    if reader.citizen:
        conditions.append(and_(Case.citizen_nin == NIN, has_thread))
    return or_(*conditions)


def _unread_messages(reader: _Reader) -> Select[str, int, int]:
    """Unread messages per case; the cases followed are a subquery of ids, so that no case row
    is read (on SQLite a case row holds its workflow state) for cases without news, and only
    those whose thread has a message (``ix_case_thread``): a coordinator may follow thousands
    of cases, most of them without messages, and each would be a probe of the messages."""
    mark, on = _mark(ReadTopic.CASE, CaseMessage.case_id)
    return (select(literal(MESSAGE), CaseMessage.case_id, func.count(CaseMessage.id))
            .outerjoin(mark, on)
            .where(CaseMessage.case_id.in_(select(Case.id).where(_followed_threads(reader))),
                   CaseMessage.author != ME,
                   or_(mark.read_at.is_(None), CaseMessage.at > mark.read_at))
            .group_by(CaseMessage.case_id))


def _unread_letters(reader: _Reader) -> Select[str, int, int]:
    """Unread letters per case: a citizen's, of their own cases."""
    mark, on = _mark(ReadTopic.CASE, Document.case_id)
    own_case = Case.citizen_nin == NIN if reader.citizen else false()
    return (select(literal(LETTER_NEWS), Document.case_id, func.count(Document.id))
            .outerjoin(mark, on)
            .where(Document.case_id.in_(select(Case.id).where(own_case)),
                   Document.kind == LETTER,
                   or_(mark.read_at.is_(None), Document.created_at > mark.read_at))
            .group_by(Document.case_id))


@lru_cache(maxsize=8)
def _news(reader: _Reader, one_case: bool) -> CompoundSelect[str, int, int]:
    """Unread messages and letters per case in one statement: (kind, case id, count); with
    ``one_case``, of the case ``case_id`` only."""
    messages, letters = _unread_messages(reader), _unread_letters(reader)
    if one_case:
        messages = messages.where(CaseMessage.case_id == CASE_ID)
        letters = letters.where(Document.case_id == CASE_ID)
    return union_all(messages, letters)


@lru_cache(maxsize=2)
def _unread_tasks(some: bool) -> Select[int, int, bool]:
    """The reader's unread tasks (with ``some``, among ``task_ids``)."""
    mark, on = _mark(ReadTopic.TASK, Task.id)
    overdue = Task.due_at < NOW
    query = (select(Task.id, Task.case_id, func.coalesce(overdue, false()))
             .outerjoin(mark, on)
             .where(Task.state == TaskState.READY,
                    or_(Task.assignee == ME, Task.claimed_by == ME),
                    or_(and_(mark.read_at.is_(None), Task.assignee == ME),
                        and_(overdue, or_(mark.read_at.is_(None), mark.read_at < Task.due_at)))))
    return query.where(Task.id.in_(TASK_IDS)) if some else query


def _task_counts() -> Select[int | None, int | None, int]:
    """The counts :func:`_unread_task_count` starts from, in one statement: the tasks assigned
    to the reader (from the inbox's counts), those they took (ditto), and the correction for
    each task of theirs they have a read mark for (one per task they opened) — marked, it is
    unread only when past its deadline since it was read."""
    overdue = func.coalesce(Task.due_at < NOW, false())
    counted = or_(Task.assignee == ME, overdue)  # what the other counts take in
    unread = and_(overdue, ReadMark.read_at < Task.due_at)
    return select(
        select(func.sum(InboxCount.tasks)).where(InboxCount.assignee == ME).scalar_subquery(),
        select(func.sum(InboxCount.tasks)).where(
            InboxCount.claimed_by == ME, InboxCount.assignee.is_distinct_from(ME))
        .scalar_subquery(),
        select(func.coalesce(func.sum(case((unread, 1), else_=0)
                                      - case((counted, 1), else_=0)), 0))
        .select_from(ReadMark).join(Task, Task.id == ReadMark.item_id)
        .where(ReadMark.username == ME, ReadMark.topic == ReadTopic.TASK,
               Task.state == TaskState.READY, or_(Task.assignee == ME, Task.claimed_by == ME))
        .scalar_subquery())


_TASK_COUNTS = _task_counts()
# The tasks the reader took (not assigned to them) that are past their deadline: few, and
# asked only when they have taken any.
_TAKEN_OVERDUE = select(func.count()).where(
    Task.state == TaskState.READY, Task.claimed_by == ME, Task.assignee.is_distinct_from(ME),
    Task.due_at < NOW)


def _unread_task_count(session: Session, actor: Actor, now: datetime) -> int:
    """How many tasks :func:`_unread_tasks` finds, without reading the person's tasks (a
    coordinator may hold thousands): those assigned to them from the inbox's counts, those
    they took that are past their deadline (few), corrected by their read marks."""
    values = _values(actor, now=now)
    assigned, taken, correction = session.execute(_TASK_COUNTS, values).one()
    count = (assigned or 0) + (correction or 0)
    if taken:
        count += session.scalar(_TAKEN_OVERDUE, values) or 0
    return count


def _citizens(session: Session, *counts: Mapping[int, int]) -> dict[int, str]:
    """Whom each case with news is about."""
    ids = set().union(*counts)
    return dict(session.execute(select(Case.id, Case.citizen_name).where(Case.id.in_(ids)))
                .tuples().all()) if ids else {}


def _read_news(session: Session, actor: Actor, **case: int) -> tuple[dict[int, int],
                                                                      dict[int, int]]:
    """Unread messages and letters per case (of ``case_id`` only, when given)."""
    news: dict[str, dict[int, int]] = {MESSAGE: {}, LETTER_NEWS: {}}
    for kind, case_id, count in session.execute(_news(_Reader.of(actor), bool(case)),
                                                _values(actor, **case)):
        news[kind][case_id] = count
    return news[MESSAGE], news[LETTER_NEWS]


def unread(db: Database, actor: Actor, task_ids: Collection[int] | None = None) -> Notices:
    """What is unread for the actor: the messages and letters per case, the unread tasks
    among ``task_ids`` (all of them when None) and how many unread tasks there are in all."""
    now = clock.now()
    with db.reading() as session:
        messages, letters = _read_news(session, actor)
        tasks = ({} if task_ids is not None and not task_ids else {
            task_id: UnreadTask(task_id, case_id, bool(overdue))
            for task_id, case_id, overdue in session.execute(
                _unread_tasks(task_ids is not None),
                _values(actor, now=now, task_ids=list(task_ids or ())))})
        return Notices(messages=messages, letters=letters, tasks=tasks,
                       citizens=_citizens(session, messages, letters),
                       task_count=_unread_task_count(session, actor, now))


def _read(session: Session, actor: Actor, topic: ReadTopic, item_id: int, at: datetime) -> None:
    """Move the actor's mark for the item to ``at`` (one row per person and item, upserted so
    that two tabs opening it at once do not collide)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(ReadMark).values(username=actor.username, topic=topic, item_id=item_id,
                                        read_at=at)
    session.execute(statement.on_conflict_do_update(
        index_elements=["username", "topic", "item_id"],
        set_={"read_at": statement.excluded.read_at}))


def opened(session: Session, case: Case, actor: Actor) -> CaseNotices:
    """The actor opens the case (its page, which has read the case in ``session``): what was
    new in its thread and letters, now read."""
    mark = session.scalar(select(ReadMark.read_at).where(
        ReadMark.username == actor.username, ReadMark.topic == ReadTopic.CASE,
        ReadMark.item_id == case.id))
    messages, letters = _read_news(session, actor, case_id=case.id)
    _read(session, actor, ReadTopic.CASE, case.id, clock.now())
    return CaseNotices(messages.get(case.id, 0), letters.get(case.id, 0), mark)


def open_task(db: Database, task_id: int, actor: Actor) -> None:
    """The actor opens a task of theirs: it is no longer new, nor unread past its deadline.
    Only the task's holder's reads are marked: nobody else is told about it."""
    with db.transaction() as session:
        task = session.get(Task, task_id)
        if task is not None and actor.username in (task.assignee, task.claimed_by):
            _read(session, actor, ReadTopic.TASK, task.id, clock.now())
