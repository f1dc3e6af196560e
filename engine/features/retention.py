"""Retention: a case closed longer ago than the retention period is anonymised.

ipflow is the working tool of the procedure, not the archive: letters, journal notes and the
consent are archived in the journal and the sak/arkiv system as the procedure goes (see
``docs/security.md``, "Retention"). What stays here after the period is what the municipality
counts: that a case was, when it started and ended, which steps it went through and when, who
on the staff acted (their accountability), the KPR periods, and the access log. Everything
that says who the citizen is or what their life holds is removed or blanked, in one
transaction per case, and a ``case_anonymised`` event says when, by which rule and from which
closing date.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engine.kernel import clock, spiff
from engine.kernel.db import Database
from engine.kernel.models import (
    ActionItem,
    Attachment,
    Case,
    CaseMessage,
    Document,
    Event,
    Incident,
    KprRecord,
    Outbox,
    PlanDraft,
    PlanProposal,
    PlanRevision,
    SharingConsent,
    Task,
    TaskDraft,
    Timer,
)
from engine.kernel.vocabulary import CaseState, EventKind
from engine.runtime.case_run import CaseRun
from engine.runtime.users import SYSTEM

RETENTION_ENV = "IPFLOW_RETENTION_YEARS"
DEFAULT_YEARS = 10
RULE = "retention"

ANONYMOUS_NAME = "Anonymisert"
ANONYMOUS_NIN = "00000000000"
BLANK = "[anonymisert]"
CLOSED_STATES = (CaseState.CLOSED, CaseState.COMPLETED, CaseState.CANCELLED)
# An event's data keeps only what names a step or a KPR period, never free text or people.
KEPT_EVENT_DATA = ("name", "service", "date", "number")
# The workflow state keeps its tasks, their steps, states and times; these keys hold data.
EMPTIED_STATE_KEYS: dict[str, Any] = {"data": {}, "correlations": {}, "bpmn_events": []}


def retention_years() -> int:
    """Years after closing before a case is anonymised: ``IPFLOW_RETENTION_YEARS`` (a whole
    number, at least 1), default 10."""
    raw = os.environ.get(RETENTION_ENV, "").strip()
    if not raw:
        return DEFAULT_YEARS
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{RETENTION_ENV} must be a whole number of years (1 or more), "
                         f"not {raw!r}")
    return int(raw)


def cutoff(now: datetime, years: int) -> datetime:
    """``years`` before ``now`` (29 February falls back to the 28th)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


@dataclass
class RetentionResult:
    """What a run did (or, dry, would do): the cases anonymised, by id."""

    cutoff: datetime
    years: int
    dry_run: bool
    case_ids: list[int] = field(default_factory=list)


def due_case_ids(session: Session, before: datetime) -> list[int]:
    """Closed cases whose closing is older than ``before`` and not yet anonymised."""
    done = select(Event.case_id).where(Event.kind == EventKind.CASE_ANONYMISED)
    return list(session.scalars(select(Case.id).where(
        Case.status.in_(CLOSED_STATES), Case.closed_at.is_not(None), Case.closed_at < before,
        Case.id.not_in(done)).order_by(Case.id)))


def run(db: Database, now: datetime | None = None, years: int | None = None,
        dry_run: bool = False) -> RetentionResult:
    """Anonymise every case due at ``now`` (default: the clock), each in its own transaction,
    so a run stopped half-way leaves whole cases done and the next run does the rest."""
    moment = now or clock.now()
    period = retention_years() if years is None else years
    result = RetentionResult(cutoff(moment, period), period, dry_run)
    with db.reading() as session:
        result.case_ids = due_case_ids(session, result.cutoff)
    if dry_run:
        return result
    for case_id in result.case_ids:
        with db.transaction() as session:
            anonymise(session, case_id, moment, period)
    return result


def scrub_state(value: Any) -> Any:
    """The workflow state without its data: every task keeps its step, state, parent and
    children and the time it changed; data, changes, correlations, caught events' payloads
    and task-internal values other than flags and numbers are emptied."""
    if isinstance(value, list):
        return [scrub_state(item) for item in value]
    if not isinstance(value, dict):
        return value
    scrubbed: dict[str, Any] = {}
    for key, item in value.items():
        if key in EMPTIED_STATE_KEYS:
            scrubbed[key] = type(EMPTIED_STATE_KEYS[key])()
        elif key == "delta":
            scrubbed[key] = {"updates": {}, "deletions": []}
        elif key == "internal_data":
            scrubbed[key] = {k: v for k, v in item.items() if isinstance(v, bool | int | float)}
        else:
            scrubbed[key] = scrub_state(item)
    return scrubbed


def anonymise(session: Session, case_id: int, now: datetime, years: int) -> None:
    """Remove the citizen from one case (the rows are listed in ``docs/security.md``)."""
    case = session.get(Case, case_id)
    if case is None:
        return
    closed_at, status = case.closed_at, case.status
    case.citizen_name, case.citizen_nin = ANONYMOUS_NAME, ANONYMOUS_NIN
    # A closed case could be reopened by an appeal; with its data gone it cannot be worked on,
    # so it becomes final: its workflow stops waiting (nothing is evaluated on the emptied
    # data afterwards), and no message, timer, task or action reaches it again.
    if status == CaseState.CLOSED:
        case.status = CaseState.COMPLETED
    if case.state:
        workflow = CaseRun(session, case, SYSTEM).load_workflow()
        if not workflow.is_completed():
            workflow.cancel()
            case.state = spiff.dump_state(workflow)
    session.execute(update(Timer).where(Timer.case_id == case_id, Timer.fired_at.is_(None))
                    .values(cancelled=True))
    case.state = scrub_state(case.state)
    case.updated_at = now
    task_ids = select(Task.id).where(Task.case_id == case_id)
    session.execute(update(Task).where(Task.case_id == case_id).values(on_behalf_of=None))
    session.execute(delete(TaskDraft).where(TaskDraft.task_id.in_(task_ids)))
    session.execute(delete(PlanDraft).where(PlanDraft.case_id == case_id))
    session.execute(delete(Attachment).where(Attachment.case_id == case_id))
    session.execute(update(Document).where(Document.case_id == case_id).values(
        title=BLANK, body="", recipients=[]))
    session.execute(update(CaseMessage).where(CaseMessage.case_id == case_id).values(
        author_name="", body=""))
    session.execute(update(Outbox).where(Outbox.case_id == case_id).values(
        recipient=BLANK, recipient_nin=None, subject=BLANK, body=""))
    session.execute(update(KprRecord).where(KprRecord.case_id == case_id).values(
        citizen_nin=ANONYMOUS_NIN))
    session.execute(update(Incident).where(Incident.case_id == case_id).values(error=BLANK))
    session.execute(update(SharingConsent).where(SharingConsent.case_id == case_id).values(
        participant=BLANK, scope="", withdrawn_by=None))
    session.execute(update(ActionItem).where(ActionItem.case_id == case_id).values(
        description="", owner=BLANK))
    session.execute(update(PlanRevision).where(PlanRevision.case_id == case_id).values(
        content={}))
    session.execute(update(PlanProposal).where(PlanProposal.case_id == case_id).values(
        changes={}, note="", reason=None))
    for event in session.scalars(select(Event).where(Event.case_id == case_id)):
        event.data = {k: v for k, v in (event.data or {}).items() if k in KEPT_EVENT_DATA
                      and isinstance(v, str | int)}
    session.add(Event(case_id=case_id, at=now, actor=SYSTEM.username,
                      kind=EventKind.CASE_ANONYMISED, bpmn_id=None, data={
                          "rule": RULE, "years": years, "status": status,
                          "closed_at": closed_at.isoformat() if closed_at else None}))
