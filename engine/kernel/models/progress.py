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

from engine.kernel.models.cases import Case, Event
from engine.kernel.vocabulary import EventKind

# Events that record the monitor's and the worker's own nudging: not progress of the case.
NUDGE_EVENTS = (EventKind.TASK_ESCALATED, EventKind.REMINDER_SENT)


@event.listens_for(Session, "before_flush")
def _new_cases(session: Session, _context: Any, _instances: Any) -> None:
    for obj in session.new:
        if isinstance(obj, Case) and obj.last_progress_at is None:
            obj.last_progress_at = obj.created_at


@event.listens_for(Session, "after_flush")
def _progress(session: Session, _context: Any) -> None:
    newest: dict[int, Any] = {}
    for obj in session.new:
        if (isinstance(obj, Event) and obj.kind not in NUDGE_EVENTS
                and (obj.case_id not in newest or newest[obj.case_id] < obj.at)):
            newest[obj.case_id] = obj.at
    for case_id, at in newest.items():
        session.execute(update(Case).where(
            Case.id == case_id, or_(Case.last_progress_at.is_(None), Case.last_progress_at < at))
            .values(last_progress_at=at).execution_options(synchronize_session=False))
