"""The plan's revisions and the meetings' action items as rows: what the runtime and the plan
operations both write.

The plan is the ``plan`` form's fields; each revision keeps them whole, with the top-level
fields that changed. Action items come from the meetings' minutes once, when the meeting is
saved; from then on the row is the item and its status changes here (who, when).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.kernel import commit_rows
from engine.kernel.models import (
    ActionItem,
    Case,
    Document,
    PlanProposal,
    PlanRevision,
    ProcessVersion,
)
from engine.kernel.settings import handler_settings
from engine.kernel.vocabulary import FINAL_CASE_STATES, CaseState
from engine.runtime import forms
from handlers import records

PLAN_FORM = "plan"
# Action item statuses, as the meeting form names them; ``lukket``: closed without being done
# (the case ended, or the item no longer applies).
ITEM_STATUSES = ("apen", "pagar", "utfort", "lukket")
OPEN_ITEM_STATUSES = ("apen", "pagar")
# Case statuses in which the plan and its items no longer change.
ENDED_STATUSES = (*FINAL_CASE_STATES, CaseState.CLOSED)


def plan_schema(version: ProcessVersion) -> dict[str, Any] | None:
    """The JSON Schema of the version's plan form (None: this process keeps no plan)."""
    form = version.forms.get(PLAN_FORM)
    return form.get("schema") if isinstance(form, dict) else None


def plan_content(version: ProcessVersion, data: dict[str, Any]) -> dict[str, Any]:
    """The plan as ``data`` holds it: the plan form's fields, nothing else."""
    schema = plan_schema(version) or {}
    return forms.declared_fields(data, schema)


def changed_fields(version: ProcessVersion, old: dict[str, Any], new: dict[str, Any]
                   ) -> list[str]:
    """The top-level fields whose value differs, in the order the form shows them (its
    ``ui.order``: JSONB keeps no key order)."""
    form = version.forms.get(PLAN_FORM)
    order = list(((form or {}).get("ui") or {}).get("order") or [])
    names = [n for n in order if n in old or n in new]
    names += sorted(n for n in {*old, *new} if n not in order)
    return [name for name in names if old.get(name) != new.get(name)]


def current_revision(session: Session, case_id: int) -> PlanRevision | None:
    return session.scalar(select(PlanRevision).where(PlanRevision.case_id == case_id)
                          .order_by(PlanRevision.number.desc()).limit(1))


def add_revision(session: Session, case: Case, content: dict[str, Any], author: str,
                 source: str, at: datetime, proposal_id: int | None = None
                 ) -> PlanRevision | None:
    """A new revision unless the plan is unchanged, written at the commit
    (:mod:`engine.kernel.commit_rows`): nothing reads it back from the database in the call.
    Two writers of the same number collide on the unique key (case, number) at the commit, so
    one of them gets a conflict instead of a lost update."""
    added = [row for row in commit_rows.queued(session, PlanRevision) if row.case_id == case.id]
    # A revision added earlier in the same call is the current one.
    current = added[-1] if added else current_revision(session, case.id)
    old = current.content if current else {}
    changed = changed_fields(case.process_version, old, content)
    if not changed:
        return None
    revision = PlanRevision(case_id=case.id, number=(current.number if current else 0) + 1,
                            content=content, changed=changed, author=author, at=at,
                            source=source, proposal_id=proposal_id)
    commit_rows.add(session, revision)
    _add_version_document(session, case, revision)
    return revision


def _add_version_document(session: Session, case: Case, revision: PlanRevision) -> None:
    """The revision as a document of the case (kind ``plan``, printed to PDF/A when it is
    archived), so the archive gets every version of the plan the way it gets the letters, and
    the citizen and staff find each version as it was agreed among the case's documents.
    Written here, the one place a revision is made, whichever way it came (the plan task, a
    revision, an accepted proposal)."""
    written = records.plan_record(handler_settings(), case.id, case.citizen_name,
                                  revision.number, revision.at, revision.content,
                                  list(revision.changed),
                                  case.process_version.forms.get(PLAN_FORM))
    commit_rows.add(session, Document(case_id=case.id, kind="plan", title=written.title,
                                      body=written.text, recipients=[], bpmn_id=None,
                                      created_at=revision.at))


def revision_view(revision: PlanRevision) -> dict[str, Any]:
    return {"number": revision.number, "content": revision.content,
            "changed": list(revision.changed), "author": revision.author,
            "at": revision.at.isoformat(), "source": revision.source,
            "proposal_id": revision.proposal_id}


def proposal_view(proposal: PlanProposal) -> dict[str, Any]:
    return {"id": proposal.id, "base": proposal.base, "changes": proposal.changes,
            "note": proposal.note, "proposed_by": proposal.proposed_by,
            "proposed_at": proposal.proposed_at.isoformat(), "status": proposal.status,
            "decided_by": proposal.decided_by,
            "decided_at": proposal.decided_at.isoformat() if proposal.decided_at else None,
            "reason": proposal.reason}


def snapshot(session: Session, case_id: int) -> dict[str, Any]:
    """The current plan, its revisions newest first, proposals and action items."""
    revisions = list(session.scalars(select(PlanRevision).where(PlanRevision.case_id == case_id)
                                     .order_by(PlanRevision.number.desc())))
    proposals = session.scalars(select(PlanProposal).where(PlanProposal.case_id == case_id)
                                .order_by(PlanProposal.id.desc()))
    return {"case_id": case_id,
            "current": revision_view(revisions[0]) if revisions else None,
            "revisions": [revision_view(r) for r in revisions],
            "proposals": [proposal_view(p) for p in proposals],
            "action_items": [item_view(i) for i in items(session, case_id)]}


# ---------------------------------------------------------------- action items


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def meeting_items(meetings: Any) -> list[dict[str, Any]]:
    """Every meeting's action items in order, as row values."""
    items = []
    for meeting in meetings if isinstance(meetings, list) else []:
        if not isinstance(meeting, dict):
            continue
        for item in meeting.get("action_items") or []:
            if not isinstance(item, dict):
                continue
            status = str(item.get("status") or "apen")
            items.append({"description": str(item.get("description") or "")[:2000],
                          "owner": str(item.get("owner") or "")[:200],
                          "deadline": _date(item.get("deadline")),
                          "status": status if status in ITEM_STATUSES else "apen",
                          "recorded_at": _moment(meeting.get("recorded_at"))})
    return items


def add_new_items(session: Session, case_id: int, meetings: Any, known: int | None) -> None:
    """Rows for the action items of meetings saved since the last call (``known``: the case's
    highest position so far); existing rows (and the status people gave them) are left
    alone."""
    found = meeting_items(meetings)
    start = -1 if known is None else known
    for position, values in enumerate(found):
        if position > start:
            session.add(ActionItem(case_id=case_id, position=position, **values))


def items(session: Session, case_id: int, open_only: bool = False) -> list[ActionItem]:
    query = select(ActionItem).where(ActionItem.case_id == case_id)
    if open_only:
        query = query.where(ActionItem.status.in_(OPEN_ITEM_STATUSES))
    return list(session.scalars(query.order_by(ActionItem.position)))


def close_items(candidates: list[ActionItem], by: str, at: datetime) -> list[int]:
    """A case that ends leaves no open items behind: those of ``candidates`` still open are
    closed (``lukket``) by ``by``, in position order; their ids."""
    closed = []
    for item in sorted(candidates, key=lambda item: item.position):
        if item.status not in OPEN_ITEM_STATUSES:
            continue
        item.status, item.changed_by, item.changed_at = "lukket", by, at
        closed.append(item.id)
    return closed


def item_view(item: ActionItem) -> dict[str, Any]:
    return {"id": item.id, "position": item.position, "description": item.description,
            "owner": item.owner,
            "deadline": item.deadline.isoformat() if item.deadline else None,
            "status": item.status, "changed_by": item.changed_by,
            "changed_at": item.changed_at.isoformat() if item.changed_at else None,
            "recorded_at": item.recorded_at.isoformat() if item.recorded_at else None}
