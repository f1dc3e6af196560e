"""The rows an engine call keeps in step with a case's workflow, read in one statement.

Open tasks, waiting timers, open incidents and open action items each live in a table of their
own (the inbox, the worker, the monitor and the plan page read them), and the citizen's open
KPR periods in theirs. An engine call may update any of them, so it reads all five at once: a
union of five kinds, each outer-joined to its table, gives one row per open thing (and one
empty row per kind without any), with the highest action-item position beside it for new
meetings' items. Five index look-ups (by ``case_id``, KPR by ``citizen_nin``), one round trip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, literal_column, null, or_, select, union_all
from sqlalchemy.orm import Session

from engine.kernel.models import (
    ActionItem,
    Case,
    Incident,
    KprRecord,
    ServiceArea,
    Task,
    TaskDraft,
    Timer,
    User,
)
from engine.kernel.models.cases import CASE_FOR_RUN
from engine.kernel.vocabulary import FINAL_CASE_STATES, TaskState
from engine.runtime.plan_store import OPEN_ITEM_STATUSES


@dataclass
class CaseRows:
    """A case's open rows as the call found them; objects the session tracks."""

    tasks: list[Task] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)
    kpr_records: list[KprRecord] = field(default_factory=list)  # the citizen's, any case
    last_position: int | None = None  # of every action item, open or not
    # The people new tasks and letters name; not read for a case started in this call.
    people_read: bool = False
    citizen_login: str | None = None  # the citizen's own active login, if any
    coordinator_name: str | None = None  # the case's coordinator's full name


@dataclass
class TaskWithCase:
    """A task as an engine call about it finds it: with its case (and the case's version) and
    the case's open rows, and whether the acting person left a draft of the task's form."""

    task: Task
    case: Case
    rows: CaseRows
    has_draft: bool
    service_areas: dict[str, str]  # code: name, by name (a form may list them: ``x-source``)


def read(session: Session, case: Case) -> CaseRows:
    """The open rows of a case already loaded."""
    rows, _extra = _read(session, case.id, case.citizen_nin, case.coordinator)
    return rows


def read_for_task(session: Session, task_id: int, username: str) -> TaskWithCase | None:
    """The task, its case and the case's open rows in one statement; None when there is no
    such task. The task is found among the case's tasks whatever its state."""
    case_id = select(Task.case_id).where(Task.id == task_id).scalar_subquery()
    nin = select(Case.citizen_nin).where(Case.id == case_id).scalar_subquery()
    coordinator = select(Case.coordinator).where(Case.id == case_id).scalar_subquery()
    draft = (select(TaskDraft.id).where(TaskDraft.task_id == task_id,
                                        TaskDraft.username == username)
             .limit(1).scalar_subquery())
    areas: dict[str, str] = {}
    rows, (case, draft_id) = _read(session, case_id, nin, coordinator, case_id, task_id, draft,
                                   areas)
    task = next((row for row in rows.tasks if row.id == task_id), None)
    if task is None or case is None:
        return None
    rows.tasks = [row for row in rows.tasks if row.state == TaskState.READY]
    return TaskWithCase(task, case, rows, draft_id is not None, areas)


def read_for_case(session: Session, case_id: int, lock: bool) -> tuple[Case, CaseRows] | None:
    """A running case with its version and its open rows in one statement, for the worker;
    None when it has ended, or when ``lock`` (PostgreSQL) and another worker holds it: the
    case's row is locked ``FOR UPDATE SKIP LOCKED`` by the subquery that finds it."""
    running = select(Case.id).where(Case.id == case_id, Case.status.not_in(FINAL_CASE_STATES))
    if lock:
        running = running.with_for_update(skip_locked=True)
    nin = select(Case.citizen_nin).where(Case.id == case_id).scalar_subquery()
    coordinator = select(Case.coordinator).where(Case.id == case_id).scalar_subquery()
    rows, (case, _draft) = _read(session, case_id, nin, coordinator, running.scalar_subquery())
    return None if case is None else (case, rows)


def _read(session: Session, case_id: Any, nin: Any, coordinator: Any, case_key: Any = None,
          task_id: int | None = None, draft: Any = None, areas: dict[str, str] | None = None
          ) -> tuple[CaseRows, tuple[Case | None, int | None]]:
    """One row per open thing of the case, tagged by kind, with the people new tasks and
    letters name beside it; with ``case_key`` also, as a sixth kind, the case it finds with
    its version, and with ``task_id`` that task (open or not) and the person's draft's id;
    with ``areas``, as a seventh kind, the service areas (a few rows), put into it."""
    with_case = case_key is not None
    count = 7 if areas is not None else 6 if with_case else 5
    kinds = union_all(*(select(literal_column(str(n)).label("kind"))
                        for n in range(count))).subquery("kinds")
    kind = kinds.c.kind
    last_position = (select(func.max(ActionItem.position))
                     .where(ActionItem.case_id == case_id).scalar_subquery())
    task_wanted = Task.state == TaskState.READY
    if task_id is not None:
        task_wanted = or_(task_wanted, Task.id == task_id)
    login = select(User.username).where(User.nin == nin, User.active).limit(1).scalar_subquery()
    name = select(User.full_name).where(User.username == coordinator).scalar_subquery()
    query = (
        select(Task, Timer, Incident, ActionItem, KprRecord, last_position, login, name)
        .select_from(kinds)
        .outerjoin(Task, and_(kind == 0, Task.case_id == case_id, task_wanted))
        .outerjoin(Timer, and_(kind == 1, Timer.case_id == case_id, Timer.fired_at.is_(None),
                               Timer.cancelled.is_(False)))
        .outerjoin(Incident, and_(kind == 2, Incident.case_id == case_id,
                                  Incident.resolved_at.is_(None)))
        .outerjoin(ActionItem, and_(kind == 3, ActionItem.case_id == case_id,
                                    ActionItem.status.in_(OPEN_ITEM_STATUSES)))
        .outerjoin(KprRecord, and_(kind == 4, KprRecord.citizen_nin == nin,
                                   KprRecord.to_date.is_(None))))
    if with_case:
        query = (query.add_columns(Case, draft if draft is not None else null())
                 .outerjoin(Case, and_(kind == 5, Case.id == case_key)).options(*CASE_FOR_RUN))
    if areas is not None:
        query = (query.add_columns(ServiceArea.code, ServiceArea.name)
                 .outerjoin(ServiceArea, kind == 6).order_by(ServiceArea.name))
    rows = CaseRows(people_read=True)
    case, draft_id = None, None
    for found_row in session.execute(query):
        task, timer, incident, item, record = found_row[:5]
        rows.last_position, rows.citizen_login, rows.coordinator_name = found_row[5:8]
        if with_case:
            case = case or found_row[8]
            draft_id = found_row[9]
        if areas is not None and found_row[10] is not None:
            areas[found_row[10]] = found_row[11]
        found_in_row: tuple[tuple[Any, list[Any]], ...] = (
            (task, rows.tasks), (timer, rows.timers), (incident, rows.incidents),
            (item, rows.action_items), (record, rows.kpr_records))
        for found, kept in found_in_row:
            if found is not None:
                kept.append(found)
    rows.action_items.sort(key=lambda item: item.position)
    return rows, (case, draft_id)
