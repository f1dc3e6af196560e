"""``case_.last_progress_at``, kept as events are written.

The monitor asks which open cases have made no progress for a month. Asking the event table
means grouping every event ever written (seconds at 100,000 cases); this keeps the answer on
the case row instead, where an index finds it. It listens to every session's flush, so no
writer of events needs to remember it: a new case starts at its creation, and each new event
that is not a nudge (a reminder or an escalation is no progress) moves it forward.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, or_, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from engine.kernel.models.cases import Case, Event
from engine.kernel.vocabulary import EventKind

# Events that record the monitor's and the worker's own nudging: not progress of the case.
NUDGE_EVENTS = (EventKind.TASK_ESCALATED, EventKind.REMINDER_SENT)
_PENDING = "ipflow_progress_pending"


@event.listens_for(Session, "before_flush")
def _progress(session: Session, _context: Any, _instances: Any) -> None:
    """Note each case's newest new event; a case this flush updates anyway takes it in that
    same ``UPDATE``."""
    for obj in session.new:
        if isinstance(obj, Case) and obj.last_progress_at is None:
            obj.last_progress_at = obj.created_at
        elif isinstance(obj, Event):
            note_event(session, obj.case_id, obj.kind, obj.at)
    _fold_into_updates(session, session.info.setdefault(_PENDING, {}))


def note_event(session: Session, case_id: int, kind: str, at: Any) -> None:
    """A new event moves its case's progress, unless it is a nudge; also for the events
    :mod:`engine.kernel.history` writes without ORM objects."""
    pending: dict[int, Any] = session.info.setdefault(_PENDING, {})
    if kind not in NUDGE_EVENTS and (case_id not in pending or pending[case_id] < at):
        pending[case_id] = at


@event.listens_for(Session, "before_commit")
def _progress_at_commit(session: Session) -> None:
    """At the commit, before its last flush: a case that flush updates takes its progress in
    the same ``UPDATE`` (an engine call writes its case once, not twice); a case it does not
    (an event written about it alone) is moved by a statement of its own, which leaves its
    version alone: adding to the history is not an edit of the case."""
    session.flush()  # the commit's own last flush, now: it folds what it can
    pending: dict[int, Any] = session.info.pop(_PENDING, {})
    for case_id, at in pending.items():
        case = session.identity_map.get(identity_key(Case, case_id))
        if case is not None and case.last_progress_at is not None and case.last_progress_at >= at:
            continue
        session.execute(update(Case).where(
            Case.id == case_id, or_(Case.last_progress_at.is_(None), Case.last_progress_at < at))
            .values(last_progress_at=at).execution_options(synchronize_session=False))


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)


def _fold_into_updates(session: Session, pending: dict[int, Any]) -> None:
    for case_id in list(pending):
        case = session.identity_map.get(identity_key(Case, case_id))
        if case is not None and session.is_modified(case):
            at = pending.pop(case_id)
            if case.last_progress_at is None or case.last_progress_at < at:
                case.last_progress_at = at
