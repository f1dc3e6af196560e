"""A living plan: read it, revise it at any time, let the citizen propose changes, and move
the meetings' action items along.

Each function is one transaction. The coordinator (the case's, or the koordinerende enhet)
revises; the citizen proposes, and the coordinator accepts or declines. A revision is written
as a row (``plan_revision``) and into the steps the case waits at, so the diagram's next steps
and its evaluation timer read the plan as it now stands. A revision says which revision it was
made from (``base``): one made from an older plan is refused (409), never merged blindly.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from engine.kernel import clock, spiff
from engine.kernel.db import Database
from engine.kernel.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.kernel.models import (
    AccessLog,
    ActionItem,
    Case,
    PlanDraft,
    PlanProposal,
    PlanRevision,
)
from engine.kernel.vocabulary import EventKind
from engine.runtime import forms, plan_store
from engine.runtime.access import can_see_case, is_own_case, keeps_plan
from engine.runtime.case_run import CaseRun
from engine.runtime.handler_context import CaseEffects, SessionDirectory
from engine.runtime.users import Actor
from handlers.catalogue import get_validator
from handlers.registry import HandlerContext

PROPOSAL_DECISIONS = ("accepted", "declined")
MAX_NOTE_LENGTH = 2000


def _case(session: Session, case_id: int, actor: Actor) -> Case:
    case = session.get(Case, case_id)
    if case is None or not can_see_case(session, actor, case_id):
        raise NotFound("Saken finnes ikke.")
    return case


def _open_case(case: Case) -> None:
    if case.status in plan_store.ENDED_STATUSES:
        raise Conflict("Saken er avsluttet, så planen og oppgavene kan ikke endres.")


def _note(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > MAX_NOTE_LENGTH:
        raise InvalidData({"note": f"Kommentaren kan være høyst {MAX_NOTE_LENGTH} tegn."})
    return text


# ---------------------------------------------------------------- reading


def get_plan(db: Database, case_id: int, actor: Actor) -> dict[str, Any]:
    """The plan as :func:`engine.runtime.plan_store.snapshot` gives it, for whoever may see the case
    (logged), with what the reader may do with it."""
    with db.transaction() as session:
        case = _case(session, case_id, actor)
        session.add(AccessLog(case_id=case.id, username=actor.username, at=clock.now(),
                              what="plan"))
        snapshot = plan_store.snapshot(session, case.id)
        open_case = case.status not in plan_store.ENDED_STATUSES
        snapshot["may_revise"] = open_case and keeps_plan(actor, case)
        snapshot["may_propose"] = open_case and is_own_case(actor, case)
        snapshot["form"] = case.process_version.forms.get(plan_store.PLAN_FORM)
        snapshot["citizen_name"] = case.citizen_name
        return snapshot


# ---------------------------------------------------------------- revising


def _merged(case: Case, current: dict[str, Any], changes: Any) -> dict[str, Any]:
    """The plan with ``changes`` applied (an emptied field is removed), validated by
    the plan form's schema and the validator the diagram names for that form."""
    schema = plan_store.plan_schema(case.process_version)
    if schema is None:
        raise Conflict("Denne prosessen har ikke noe planskjema.")
    if not isinstance(changes, dict) or not changes:
        raise InvalidData({"plan": "Oppgi endringene i planen som et JSON-objekt."})
    unknown = sorted(set(changes) - set(schema.get("properties", {})))
    if unknown:
        raise InvalidData({name: "Planen har ikke dette feltet." for name in unknown})
    content = {k: v for k, v in {**current, **changes}.items() if v not in ("", None, [])}
    errors = forms.schema_errors(content, schema)
    version = case.process_version
    name = spiff.form_validator(version, plan_store.PLAN_FORM)
    if not errors and name:
        errors = get_validator(name)(_validation_context(case), content)
    if errors:
        raise InvalidData(errors)
    return content


def _validation_context(case: Case) -> HandlerContext:
    """Validators may look things up but never cause effects: theirs are thrown away."""
    session = Session.object_session(case)
    assert session is not None
    return HandlerContext(case_id=case.id, now=clock.now(), directory=SessionDirectory(session),
                          effects=CaseEffects())


def _check_base(current: PlanRevision | None, base: Any) -> None:
    number = current.number if current else 0
    if not isinstance(base, int) or isinstance(base, bool):
        raise InvalidData({"base": "Oppgi hvilken revisjon av planen endringen bygger på "
                                   "(0 når planen ikke er skrevet ennå)."})
    if base != number:
        raise Conflict(f"Planen er endret (nå revisjon {number}) siden du åpnet revisjon "
                       f"{base}. Last inn planen på nytt og gjør endringen der.")


def _write(session: Session, case: Case, content: dict[str, Any], actor: Actor, source: str,
           proposal_id: int | None = None) -> PlanRevision:
    """A new revision, written into the steps the case waits at; the case's version goes up,
    so a task completed meanwhile and this revision cannot both win."""
    revision = plan_store.add_revision(session, case, content, actor.username, source,
                                       clock.now(), proposal_id)
    if revision is None:
        raise InvalidData({"plan": "Endringen gjør ikke planen annerledes."})
    run = CaseRun(session, case, actor)
    if case.state:
        workflow = run.load_workflow()
        spiff.set_case_data(workflow, content)
        run.advance(workflow)
        run.save(workflow)
    else:
        case.updated_at = run.now
    run.event(EventKind.PLAN_REVISED, None, {"number": revision.number, "changed": revision.changed,
                                     "source": source})
    return revision


def may_change_plan(db: Database, case_id: int, actor: Actor) -> bool:
    """Whether the actor is one who changes this case's plan (its coordinator revises, the
    citizen proposes), asked without reading the plan, so a refusal logs no read."""
    with db.reading() as session:
        case = _case(session, case_id, actor)
        return keeps_plan(actor, case) or is_own_case(actor, case)


def plan_in_reach(session: Session, case_id: int, actor: Actor) -> Case:
    """The case, when the actor may change its plan now: its coordinator revises, the citizen
    proposes (404 when the case is not visible, 403 for others, 409 when it has ended)."""
    case = _case(session, case_id, actor)
    if not (keeps_plan(actor, case) or is_own_case(actor, case)):
        raise Forbidden("Bare koordinatoren kan endre planen, og innbyggeren foreslå "
                        "endringer.")
    _open_case(case)
    return case


def revise_plan(db: Database, case_id: int, changes: Any, base: Any, actor: Actor,
                note: Any = None) -> dict[str, Any]:
    """The coordinator revises the plan (a new revision); the citizen proposes a change (kept
    until the coordinator accepts or declines it). Returns the revision or the proposal. The
    actor's draft of the plan (:mod:`engine.features.drafts`) is used up by it."""
    with db.transaction() as session:
        case = plan_in_reach(session, case_id, actor)
        coordinator = keeps_plan(actor, case)
        current = plan_store.current_revision(session, case.id)
        _check_base(current, base)
        # After the reads: the first write takes SQLite's lock, and a stale base is refused
        # before it (a refused save keeps the draft anyway, as the transaction rolls back).
        session.execute(delete(PlanDraft).where(PlanDraft.case_id == case.id,
                                                PlanDraft.username == actor.username))
        old = current.content if current else {}
        content = _merged(case, old, changes)
        if coordinator:
            revision = _write(session, case, content, actor, "revision")
            return {"revision": plan_store.revision_view(revision)}
        changed = plan_store.changed_fields(case.process_version, old, content)
        if not changed:
            raise InvalidData({"plan": "Forslaget gjør ikke planen annerledes."})
        proposal = PlanProposal(case_id=case.id, base=base,
                                changes={name: content.get(name) for name in changed},
                                note=_note(note), proposed_by=actor.username,
                                proposed_at=clock.now(), status="pending")
        session.add(proposal)
        session.flush()
        CaseRun(session, case, actor).event(EventKind.PLAN_PROPOSED, None,
                                            {"proposal": proposal.id, "changed": changed})
        return {"proposal": plan_store.proposal_view(proposal)}


def decide_proposal(db: Database, case_id: int, proposal_id: int, decision: Any, actor: Actor,
                    reason: Any = None) -> dict[str, Any]:
    """The coordinator accepts a citizen's proposal (its changed fields on top of the plan as
    it now stands: a new revision) or declines it (with a reason)."""
    if decision not in PROPOSAL_DECISIONS:
        raise InvalidData({"decision": "Velg accepted eller declined."})
    with db.transaction() as session:
        case = _case(session, case_id, actor)
        if not keeps_plan(actor, case):
            raise Forbidden("Bare koordinatoren kan ta stilling til forslag til planen.")
        _open_case(case)
        proposal = session.get(PlanProposal, proposal_id)
        if proposal is None or proposal.case_id != case.id:
            raise NotFound("Forslaget finnes ikke.")
        if proposal.status != "pending":
            raise Conflict("Det er allerede tatt stilling til forslaget.")
        why = _note(reason)
        if decision == "declined" and not why:
            raise InvalidData({"reason": "Skriv hvorfor forslaget ikke tas inn i planen."})
        proposal.status, proposal.decided_by = decision, actor.username
        proposal.decided_at, proposal.reason = clock.now(), why or None
        result: dict[str, Any] = {}
        if decision == "accepted":
            current = plan_store.current_revision(session, case.id)
            content = _merged(case, current.content if current else {}, proposal.changes)
            revision = _write(session, case, content, actor, "proposal", proposal.id)
            result["revision"] = plan_store.revision_view(revision)
        else:
            CaseRun(session, case, actor).event(EventKind.PLAN_PROPOSAL_DECLINED, None,
                                                {"proposal": proposal.id, "reason": why})
        result["proposal"] = plan_store.proposal_view(proposal)
        return result


# ---------------------------------------------------------------- action items


def set_item_status(db: Database, case_id: int, item_id: int, status: Any,
                    actor: Actor) -> dict[str, Any]:
    """Mark an action item open, in progress, done or closed (who and when are kept); the
    coordinator, the koordinerende enhet and the citizen may."""
    if status not in plan_store.ITEM_STATUSES:
        raise InvalidData({"status": "Velg en av " + ", ".join(plan_store.ITEM_STATUSES) + "."})
    with db.transaction() as session:
        case = _case(session, case_id, actor)
        if not (keeps_plan(actor, case) or is_own_case(actor, case)):
            raise Forbidden("Bare koordinatoren og innbyggeren kan endre status på oppgaver.")
        _open_case(case)
        item = session.get(ActionItem, item_id)
        if item is None or item.case_id != case.id:
            raise NotFound("Oppgaven finnes ikke.")
        if item.status == status:
            raise Conflict("Oppgaven har allerede denne statusen.")
        previous = item.status
        item.status, item.changed_by, item.changed_at = status, actor.username, clock.now()
        case.updated_at = item.changed_at
        CaseRun(session, case, actor).event(
            EventKind.ACTION_ITEM_CHANGED, None,
            {"item": item.id, "description": item.description, "from": previous, "to": status})
        return plan_store.item_view(item)
