"""Who may see a case and who may act on a task (tjenstlig behov).

Kept apart from the operations so that the inbox query, the task page and the complete call
all apply the same rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ExecutableOption

from engine.kernel import clock
from engine.kernel.errors import NotFound
from engine.kernel.models import AccessLog, Case, InboxCount, Task, User
from engine.kernel.vocabulary import Role, TaskState
from engine.runtime.users import CASEWORK_ROLES, OVERSIGHT_ROLES, Actor


def sees_all_cases(actor: Actor) -> bool:
    return actor.has_any_role(OVERSIGHT_ROLES)


def visible_cases(actor: Actor) -> Select[Case]:
    """Cases the actor has a service need to see."""
    query = select(Case)
    if sees_all_cases(actor):
        return query
    conditions = []
    if actor.nin and actor.has_role(Role.INNBYGGER):
        conditions.append(Case.citizen_nin == actor.nin)
    staff_areas = set().union(*(actor.roles.get(r, frozenset()) for r in CASEWORK_ROLES))
    if staff_areas:
        if None in staff_areas:
            conditions.append(Case.service_area.is_not(None))
        else:
            conditions.append(Case.service_area.in_([a for a in staff_areas if a]))
        conditions.extend(_current_participation(actor))
    return query.where(or_(*conditions) if conditions else false())


def _current_participation(actor: Actor) -> list[ColumnElement[bool]]:
    """What ties staff to a case outside their service areas, now rather than once: being its
    coordinator, holding one of its open tasks, or having reported it while it has no area yet.
    A step taken earlier grants nothing, so whoever moves to another area loses the case."""
    holds_open_task = exists().where(and_(
        Task.case_id == Case.id, Task.state == TaskState.READY,
        or_(Task.assignee == actor.username, Task.claimed_by == actor.username)))
    return [Case.coordinator == actor.username, holds_open_task,
            and_(Case.created_by == actor.username, Case.service_area.is_(None))]


def can_see_case(session: Session, actor: Actor, case_id: int) -> bool:
    query = visible_cases(actor).where(Case.id == case_id).with_only_columns(Case.id)
    return session.scalar(query) is not None


def visible_case(session: Session, actor: Actor, case_id: int,
                 options: Sequence[ExecutableOption] = ()) -> Case:
    """The case, when the actor may see it; NotFound otherwise (not telling that it exists).
    One query: the rule of :func:`visible_cases` for this case's row (loaded with
    ``options``)."""
    case = session.scalar(visible_cases(actor).where(Case.id == case_id).options(*options))
    if case is None:
        raise NotFound("Saken finnes ikke.")
    return case


def log_read(session: Session, case_id: int, actor: Actor, what: str) -> None:
    """Write a read of the case's personal data to the access log (Normen: innsynslogg)."""
    session.add(AccessLog(case_id=case_id, username=actor.username, at=clock.now(), what=what))


def actionable(actor: Actor, rows: type[Task] | type[InboxCount] = Task) -> ColumnElement[bool]:
    """Whom a ready task is for, the actor included, and not claimed by somebody else: over
    ``task`` rows, or over the ready tasks' counts (``inbox_count``), which have the same
    columns."""
    conditions = [rows.assignee == actor.username]
    if actor.has_role(Role.SYSTEMKOORDINATOR):
        conditions.append(rows.role == Role.SYSTEMKOORDINATOR)
    for role in (Role.FAGLEDER, Role.KOORDINATOR):
        areas = actor.roles.get(role)
        if areas is None:
            continue
        in_area = rows.service_area.is_not(None) if None in areas else rows.service_area.in_(
            [a for a in areas if a])
        conditions.append(and_(rows.role == role, in_area))
    return and_(or_(rows.claimed_by.is_(None), rows.claimed_by == actor.username),
                or_(*conditions))


def actionable_tasks(actor: Actor) -> Select[Task]:
    """Open tasks the actor may act on now (not claimed by somebody else)."""
    return select(Task).where(Task.state == TaskState.READY, actionable(actor))


def may_act(actor: Actor, task: Task) -> bool:
    """The same rule as :func:`actionable_tasks`, for one task already loaded."""
    if task.assignee == actor.username:
        return True
    if task.role == Role.SYSTEMKOORDINATOR:
        return actor.has_role(Role.SYSTEMKOORDINATOR)
    if task.role in (Role.FAGLEDER, Role.KOORDINATOR):
        return task.service_area is not None and actor.in_area(task.role, task.service_area)
    return False


def citizen_username(session: Session, nin: str) -> str | None:
    """The login linked to a fødselsnummer, if the citizen has one."""
    return session.scalar(select(User.username).where(User.nin == nin, User.active))


def assignee_for(role: str, case: Case, citizen_login: Callable[[], str | None]
                 ) -> tuple[str | None, str | None]:
    """(assignee, on behalf of) for a new task in ``role``'s lane.

    Coordinator tasks go to the case's coordinator; citizen tasks to the citizen's own login
    (``citizen_login``, asked only for those), or, when there is none, to the coordinator
    acting on the citizen's behalf.
    """
    if role == Role.KOORDINATOR:
        return case.coordinator, None
    if role == Role.INNBYGGER:
        citizen = citizen_login()
        if citizen:
            return citizen, None
        return case.coordinator, case.citizen_name
    return None, None


def keeps_plan(actor: Actor, case: Case) -> bool:
    """The case's coordinator and the koordinerende enhet keep the plan: they revise it,
    decide on the citizen's proposals and move the meetings' action items."""
    return actor.username == case.coordinator or actor.has_role(Role.SYSTEMKOORDINATOR)


def is_own_case(actor: Actor, case: Case) -> bool:
    """The citizen the case is about, logged in as themselves."""
    return bool(actor.nin) and actor.nin == case.citizen_nin and actor.has_role(Role.INNBYGGER)
