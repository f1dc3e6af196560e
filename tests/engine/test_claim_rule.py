"""Claim before complete: only the person who holds a task completes it, and a refusal says who
holds or completed it and since when."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine import demo
from engine.features import task_actions
from engine.kernel.db import Database
from engine.kernel.errors import NotClaimed, TaskTaken
from engine.kernel.models import Event, Task
from engine.runtime.users import Actor
from tests.support.people import EMMA, OLA

APPOINT = {"coordinator": "koordinator_oppvekst", "citizen_wishes": "Fast kontaktperson."}


def _task(db: Database, task_id: int) -> Task:
    with db.reading() as session:
        task = session.get(Task, task_id)
        assert task is not None
        session.expunge(task)
        return task


def _events(db: Database, case_id: int, kind: str) -> list[str]:
    with db.reading() as session:
        return list(session.scalars(select(Event.actor).where(
            Event.case_id == case_id, Event.kind == kind).order_by(Event.id)))


def _appointment(db: Database, staff: dict[str, Actor]) -> tuple[int, int]:
    case_id = demo.report(db, staff["koordinator"], EMMA)
    demo.approve(db, staff, case_id, "oppvekst")
    return case_id, demo.open_task(db, case_id, "appoint_coordinator")


def test_a_group_task_nobody_holds_is_refused_and_nothing_changes(
        db: Database, staff: dict[str, Actor]) -> None:
    case_id, task_id = _appointment(db, staff)
    with db.reading() as session:
        events_before = session.scalar(select(func.count(Event.id)))
    with pytest.raises(NotClaimed) as refused:
        task_actions.complete_task(db, task_id, dict(APPOINT), staff["fagleder_oppvekst"])
    assert refused.value.status == 409 and refused.value.code == "not_claimed"
    task = _task(db, task_id)
    assert (task.state, task.claimed_by, task.completed_by) == ("ready", None, None)
    with db.reading() as session:
        assert session.scalar(select(func.count(Event.id))) == events_before


def test_claimed_then_completed_by_the_holder(db: Database, staff: dict[str, Actor]) -> None:
    case_id, task_id = _appointment(db, staff)
    task_actions.claim_task(db, task_id, staff["fagleder_oppvekst"])
    held = _task(db, task_id)
    assert held.claimed_by == "fagleder_oppvekst" and held.claimed_at is not None
    task_actions.complete_task(db, task_id, dict(APPOINT), staff["fagleder_oppvekst"])
    done = _task(db, task_id)
    assert (done.state, done.completed_by) == ("completed", "fagleder_oppvekst")


def test_take_claims_and_completes_in_one_transaction(
        db: Database, staff: dict[str, Actor]) -> None:
    case_id, task_id = _appointment(db, staff)
    task_actions.complete_task(db, task_id, dict(APPOINT), staff["fagleder_oppvekst"],
                               take=True)
    done = _task(db, task_id)
    assert (done.state, done.claimed_by, done.completed_by) == (
        "completed", "fagleder_oppvekst", "fagleder_oppvekst")
    assert _events(db, case_id, "task_claimed")[-1] == "fagleder_oppvekst"


def test_a_task_held_by_a_colleague_is_refused_with_who_and_since_when(
        db: Database, staff: dict[str, Actor]) -> None:
    case_id, task_id = _appointment(db, staff)
    task_actions.claim_task(db, task_id, staff["fagleder_oppvekst"])
    since = _task(db, task_id).claimed_at
    for take in (False, True):
        with pytest.raises(TaskTaken) as refused:
            task_actions.complete_task(db, task_id, dict(APPOINT), staff["fagleder"], take=take)
        assert (refused.value.by, refused.value.at, refused.value.done) == (
            "fagleder_oppvekst", since, False)
        assert refused.value.case_id == case_id
        assert refused.value.message == "Oppgaven er tatt av Frida Oppvekst."
    assert _task(db, task_id).state == "ready"


def test_a_completed_task_is_refused_with_who_completed_it_and_when(
        db: Database, staff: dict[str, Actor]) -> None:
    case_id, task_id = _appointment(db, staff)
    task_actions.complete_task(db, task_id, dict(APPOINT), staff["fagleder_oppvekst"],
                               take=True)
    completed_at = _task(db, task_id).completed_at
    with pytest.raises(TaskTaken) as refused:
        task_actions.complete_task(db, task_id, dict(APPOINT), staff["fagleder_oppvekst"],
                                   take=True)
    assert (refused.value.by, refused.value.at, refused.value.done) == (
        "fagleder_oppvekst", completed_at, True)
    assert _events(db, case_id, "task_completed").count("fagleder_oppvekst") == 1


def test_a_task_assigned_to_me_needs_no_claim(db: Database, staff: dict[str, Actor]) -> None:
    case_id = demo.report(db, staff["koordinator"], OLA)
    demo.approve(db, staff, case_id, "helse")
    demo.appoint(db, staff, case_id)
    task_id = demo.open_task(db, case_id, "give_consent")
    task = _task(db, task_id)
    assert task.assignee == "koordinator" and task.claimed_by is None
    task_actions.complete_task(db, task_id, {
        "consent_date": "2026-03-01", "consent_to_plan": True, "wants_ip": True,
        "consent_on_paper": True,
        "consent_given_by": [{"name": "Innbygger selv", "relation": "selv"}],
        "sharing_consents": []}, staff["koordinator"])
    assert _task(db, task_id).state == "completed"
    assert "koordinator" not in _events(db, case_id, "task_claimed")


def test_giving_back_forgets_since_when(db: Database, staff: dict[str, Actor]) -> None:
    _case_id, task_id = _appointment(db, staff)
    task_actions.claim_task(db, task_id, staff["fagleder"])
    task_actions.unclaim_task(db, task_id, staff["fagleder"])
    task = _task(db, task_id)
    assert (task.claimed_by, task.claimed_at) == (None, None)
    with pytest.raises(NotClaimed):
        task_actions.complete_task(db, task_id, dict(APPOINT), staff["fagleder"])
