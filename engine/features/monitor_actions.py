"""What managers did from the monitor: the newest reassignments, reminders, retries and
cancellations, each with who did it and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.features.monitor import require_monitor
from engine.kernel.db import Database
from engine.kernel.models import Event
from engine.kernel.vocabulary import EventKind
from engine.runtime.users import Actor

# Events of actions taken from the monitor (shown as "recent actions", each with who and why).
ACTION_EVENTS = (EventKind.TASK_REASSIGNED, EventKind.REMINDER_SENT, EventKind.INCIDENT_RETRIED,
                 EventKind.CASE_CANCELLED)


@dataclass
class ActionRecord:
    case_id: int
    at: datetime
    actor: str
    kind: str
    reason: str
    data: dict[str, Any]


def recent_actions(db: Database, actor: Actor, limit: int = 20) -> list[ActionRecord]:
    """The newest actions taken on cases from the monitor, with who and why."""
    require_monitor(actor)
    with db.reading() as session:
        events = session.scalars(select(Event).where(
            Event.kind.in_(ACTION_EVENTS), Event.actor != "system")
            .order_by(Event.at.desc(), Event.id.desc()).limit(limit))
        return [ActionRecord(e.case_id, e.at, e.actor, e.kind, str((e.data or {}).get(
            "reason", "")), dict(e.data or {})) for e in events]
